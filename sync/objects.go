package sync

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
)

// Ref names one cached object: a kind of the change feed and its ID.
type Ref struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// String writes kind/id.
func (r Ref) String() string { return r.Kind + "/" + r.ID }

// txn is one cache transaction that changes objects. It loads what the
// overlay needs (the writes in flight, who the user is) once, on first use.
type txn struct {
	ctx    context.Context
	tx     *sql.Tx
	active []activeOp
	loaded bool
	env    *effectEnv
	upsert *sql.Stmt
	del    *sql.Stmt
}

func newTxn(ctx context.Context, tx *sql.Tx) *txn { return &txn{ctx: ctx, tx: tx} }

// close releases the prepared statements.
func (t *txn) close() {
	if t.upsert != nil {
		t.upsert.Close()
	}
	if t.del != nil {
		t.del.Close()
	}
}

// activeOp is a write whose effect is in the cache: waiting to be sent, or
// accepted and waiting for the pull that brings the portal's version.
type activeOp struct {
	seq   int64
	write Write
}

func (t *txn) activeOps() ([]activeOp, error) {
	if t.loaded {
		return t.active, nil
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT seq, op, method, path, body, targets FROM outbox
		WHERE state IN ('pending', 'acked') ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	var out []activeOp
	for rows.Next() {
		var a activeOp
		var targets string
		var body []byte
		if err := rows.Scan(&a.seq, &a.write.Op, &a.write.Method, &a.write.Path, &body, &targets); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		a.write.Body = body
		if err := json.Unmarshal([]byte(targets), &a.write.Targets); err != nil {
			return nil, fmt.Errorf("outbox entry %d: %w", a.seq, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	t.active, t.loaded = out, true
	return out, nil
}

// forget drops the loaded writes so that the next use reads them again.
func (t *txn) forget() { t.active, t.loaded = nil, false }

// overlaidRefs lists every object a write in flight touches.
func (t *txn) overlaidRefs() (map[Ref]bool, error) {
	ops, err := t.activeOps()
	if err != nil {
		return nil, err
	}
	out := map[Ref]bool{}
	for _, a := range ops {
		for _, r := range a.write.Targets {
			out[r] = true
		}
	}
	return out, nil
}

// effects returns the environment effects are computed in.
func (t *txn) effects() (*effectEnv, error) {
	if t.env != nil {
		return t.env, nil
	}
	env := &effectEnv{now: time.Now().UTC()}
	var err error
	if env.email, err = getKV(t.ctx, t.tx, "settings", SettingEmail); err != nil {
		return nil, err
	}
	t.env = env
	return env, nil
}

// putServer stores the portal's version of an object (nil: the portal no
// longer shows it). An object touched by writes in flight keeps them applied
// on top.
func (t *txn) putServer(ref Ref, data []byte, overlaid bool) error {
	if overlaid {
		if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO objects (kind, id, data, base, overlaid) VALUES (?, ?, NULL, ?, 1)
			ON CONFLICT (kind, id) DO UPDATE SET base = excluded.base, overlaid = 1`, ref.Kind, ref.ID, nullable(data)); err != nil {
			return fmt.Errorf("store %s: %w", ref, err)
		}
		return t.recompute(ref)
	}
	var err error
	if data == nil {
		if t.del == nil {
			if t.del, err = t.tx.PrepareContext(t.ctx, `DELETE FROM objects WHERE kind = ? AND id = ?`); err != nil {
				return err
			}
		}
		_, err = t.del.ExecContext(t.ctx, ref.Kind, ref.ID)
	} else {
		if t.upsert == nil {
			if t.upsert, err = t.tx.PrepareContext(t.ctx, `INSERT INTO objects (kind, id, data) VALUES (?, ?, ?)
				ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, base = NULL, overlaid = 0`); err != nil {
				return err
			}
		}
		_, err = t.upsert.ExecContext(t.ctx, ref.Kind, ref.ID, data)
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", ref, err)
	}
	return nil
}

// nullable maps a nil slice to SQL NULL and keeps an empty one a value.
func nullable(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// recompute makes an object's data its base with the writes in flight that
// touch it applied in order; with none left, the base becomes the data.
func (t *txn) recompute(ref Ref) error {
	ops, err := t.activeOps()
	if err != nil {
		return err
	}
	var mine []activeOp
	for _, a := range ops {
		if slices.Contains(a.write.Targets, ref) {
			mine = append(mine, a)
		}
	}
	var data, base []byte
	var overlaid bool
	err = t.tx.QueryRowContext(t.ctx, `SELECT data, base, overlaid FROM objects WHERE kind = ? AND id = ?`,
		ref.Kind, ref.ID).Scan(&data, &base, &overlaid)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read %s: %w", ref, err)
	}
	if !overlaid {
		// The data is the portal's version.
		base = data
	}
	if len(mine) == 0 {
		switch {
		case !exists || !overlaid:
			return nil
		case base == nil:
			_, err = t.tx.ExecContext(t.ctx, `DELETE FROM objects WHERE kind = ? AND id = ?`, ref.Kind, ref.ID)
		default:
			_, err = t.tx.ExecContext(t.ctx, `UPDATE objects SET data = base, base = NULL, overlaid = 0 WHERE kind = ? AND id = ?`,
				ref.Kind, ref.ID)
		}
		if err != nil {
			return fmt.Errorf("store %s: %w", ref, err)
		}
		return nil
	}
	env, err := t.effects()
	if err != nil {
		return err
	}
	view := base
	for _, a := range mine {
		next, err := applyEffect(env, a.write, ref, view)
		if err != nil {
			// An effect that cannot be computed leaves the object as it
			// is: the portal decides when the write arrives.
			continue
		}
		view = next
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO objects (kind, id, data, base, overlaid) VALUES (?, ?, ?, ?, 1)
		ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, base = excluded.base, overlaid = 1`,
		ref.Kind, ref.ID, nullable(view), nullable(base))
	if err != nil {
		return fmt.Errorf("store %s: %w", ref, err)
	}
	return nil
}

// resetObjects drops the portal's versions of every object before a full
// resync; objects touched by writes in flight keep their writes, now over
// nothing until the resync brings them again.
func (t *txn) resetObjects() error {
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM objects WHERE overlaid = 0`); err != nil {
		return fmt.Errorf("reset objects: %w", err)
	}
	rows, err := t.tx.QueryContext(t.ctx, `SELECT kind, id FROM objects WHERE overlaid = 1`)
	if err != nil {
		return fmt.Errorf("reset objects: %w", err)
	}
	var refs []Ref
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.Kind, &r.ID); err != nil {
			rows.Close()
			return err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if _, err := t.tx.ExecContext(t.ctx, `UPDATE objects SET base = NULL WHERE overlaid = 1`); err != nil {
		return fmt.Errorf("reset objects: %w", err)
	}
	for _, r := range refs {
		if err := t.recompute(r); err != nil {
			return err
		}
	}
	return nil
}

// Get decodes one cached object into out; found is false when the cache
// has none.
func (c *Cache) Get(ctx context.Context, kind, id string, out any) (found bool, err error) {
	var b []byte
	err = c.db.QueryRowContext(ctx, `SELECT data FROM objects WHERE kind = ? AND id = ? AND data IS NOT NULL`, kind, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cache %s/%s: %w", kind, id, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("cache %s/%s: %w", kind, id, err)
	}
	return true, nil
}

// Each calls fn with every cached object of a kind, in ID order. data is
// only valid during the call.
func (c *Cache) Each(ctx context.Context, kind string, fn func(id string, data []byte) error) error {
	rows, err := c.db.QueryContext(ctx, `SELECT id, data FROM objects WHERE kind = ? AND data IS NOT NULL ORDER BY id`, kind)
	if err != nil {
		return fmt.Errorf("cache %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var data sql.RawBytes
		if err := rows.Scan(&id, &data); err != nil {
			return fmt.Errorf("cache %s: %w", kind, err)
		}
		if err := fn(id, data); err != nil {
			return err
		}
	}
	return rows.Err()
}

// List decodes every cached object of a kind, in ID order.
func List[T any](ctx context.Context, c *Cache, kind string) ([]T, error) {
	out := []T{}
	err := c.Each(ctx, kind, func(id string, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("cache %s/%s: %w", kind, id, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// Count returns how many objects of a kind the cache holds.
func (c *Cache) Count(ctx context.Context, kind string) (int, error) {
	var n int
	err := c.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM objects WHERE kind = ? AND data IS NOT NULL`, kind).Scan(&n)
	return n, err
}

// WriteJSONArray writes every cached object of a kind to w as one JSON
// array, straight from the stored bytes (no decoding: this is the fast path
// of `--json` listings), indented one object per line.
func (c *Cache) WriteJSONArray(ctx context.Context, kind string, w io.Writer) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	first := true
	err := c.Each(ctx, kind, func(_ string, data []byte) error {
		sep := ",\n  "
		if first {
			sep, first = "\n  ", false
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		_, err := w.Write(bytes.TrimRight(data, "\n"))
		return err
	})
	if err != nil {
		return err
	}
	end := "\n]\n"
	if first {
		end = "]\n"
	}
	_, err = io.WriteString(w, end)
	return err
}

// Solutions lists the licenses of "Active solutions", by license ID.
func (c *Cache) Solutions(ctx context.Context) ([]api.Solution, error) {
	return List[api.Solution](ctx, c, api.KindSolution)
}

// Assigned lists the products assigned to the user ("Assigned to you").
func (c *Cache) Assigned(ctx context.Context) ([]api.AssignedProduct, error) {
	return List[api.AssignedProduct](ctx, c, api.KindAssigned)
}

// Orders lists the partner orders the user manages.
func (c *Cache) Orders(ctx context.Context) ([]api.Order, error) {
	return List[api.Order](ctx, c, api.KindOrder)
}

// Products lists the products registered to the user's accounts.
func (c *Cache) Products(ctx context.Context) ([]api.Product, error) {
	return List[api.Product](ctx, c, api.KindProduct)
}

// Accounts lists the accounts the user acts in, with their role.
func (c *Cache) Accounts(ctx context.Context) ([]api.Membership, error) {
	return List[api.Membership](ctx, c, api.KindAccount)
}

// Integrations lists the product integrations of the accounts the user
// manages.
func (c *Cache) Integrations(ctx context.Context) ([]api.Integration, error) {
	return List[api.Integration](ctx, c, api.KindIntegration)
}

// AssignedProductOf returns the product under which a license is assigned
// to the user, "" when it is not.
func (c *Cache) AssignedProductOf(ctx context.Context, licenseID string) (string, error) {
	ps, err := c.Assigned(ctx)
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		for _, l := range p.Licenses {
			if l.LicenseID == licenseID {
				return p.Product, nil
			}
		}
	}
	return "", nil
}

// SolutionByNumber finds a cached license by its contract number
// (case-insensitive), for registering a product by number.
func (c *Cache) SolutionByNumber(ctx context.Context, number string) (api.Solution, bool, error) {
	sols, err := c.Solutions(ctx)
	if err != nil {
		return api.Solution{}, false, err
	}
	for _, s := range sols {
		if strings.EqualFold(s.ContractNumber, strings.TrimSpace(number)) {
			return s, true, nil
		}
	}
	return api.Solution{}, false, nil
}
