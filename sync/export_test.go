package sync

import (
	"context"
	"database/sql"
)

// PutObject stores an object as if the portal had sent it, for tests that
// need a cache holding something the portal no longer has.
func PutObject(ctx context.Context, c *Cache, kind, id string, data []byte) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		t := newTxn(ctx, tx)
		defer t.close()
		return t.putServer(Ref{kind, id}, data, false)
	})
}
