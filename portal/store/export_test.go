package store

import "context"

// IdempotencyBytes is the size of every stored idempotent answer, for the
// test that keeps them compact.
func (s *Store) IdempotencyBytes(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(LENGTH(body)), 0) FROM idempotency`).Scan(&n)
	return n, err
}
