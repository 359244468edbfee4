package sync

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// EntryState is where a write stands in the outbox.
type EntryState int

// The states of an outbox entry.
const (
	// Pending: stored and shown, not yet answered by the portal.
	Pending EntryState = iota
	// Acked: the portal applied it; its effect stays shown until the next
	// pull brings the portal's version of the objects.
	Acked
	// Failed: the portal refused it; its effect is gone and the reason is
	// kept for the user until dismissed.
	Failed
)

// String names the state as the outbox stores it.
func (s EntryState) String() string {
	switch s {
	case Pending:
		return "pending"
	case Acked:
		return "acked"
	case Failed:
		return "failed"
	}
	return "EntryState(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the state's name.
func (s EntryState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func parseEntryState(s string) EntryState {
	switch s {
	case "acked":
		return Acked
	case "failed":
		return Failed
	}
	return Pending
}

// Entry is one write in the outbox.
type Entry struct {
	Seq   int64      `json:"seq"`
	Key   string     `json:"idempotency_key"`
	State EntryState `json:"state"`
	Write Write      `json:"write"`
	// Identity is the login (e-mail at portal) the write was made under.
	Identity  string    `json:"identity"`
	CreatedAt time.Time `json:"created_at"`
	Attempts  int       `json:"attempts"`
	LastTry   time.Time `json:"last_try,omitzero"`
	// LastError is why the last try got no answer (the portal was out of
	// reach); Code and Reason are the portal's refusal of a failed write.
	LastError string `json:"last_error,omitempty"`
	Code      string `json:"code,omitempty"`
	Reason    string `json:"reason,omitempty"`
	// Answer is the portal's answer to an accepted write.
	Answer json.RawMessage `json:"answer,omitempty"`
}

// Refusal is the portal's refusal of a failed write, rebuilt from what the
// outbox kept (its code and reason) like the answer itself: an *Error whose
// cause is core's error, so errors.Is(err, &core.Error{Code: ...}) and
// core.CodeOf answer on an entry read back later as on the refusal when it
// came. nil for an entry that was not refused.
func (e Entry) Refusal() error {
	if e.State != Failed {
		return nil
	}
	info, _ := api.LookupCode(e.Code)
	return &Error{Kind: kindOfCore(info.Kind), Code: e.Code, Status: info.Status, Msg: e.Reason,
		Err: &core.Error{Kind: info.Kind, Code: e.Code, Msg: e.Reason}}
}

// newKey returns a fresh idempotency key: 128 random bits.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return "ldw_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// submit stores a write and applies its effect in one transaction: once it
// commits, the write is acknowledged to the user and survives any crash.
func (c *Cache) submit(ctx context.Context, identity string, w Write, now time.Time, hook func(string)) (Entry, error) {
	if identity == "" {
		return Entry{}, &Error{Kind: Unauthorized, Code: "auth.required", Msg: messageFor("auth.required")}
	}
	targets, err := json.Marshal(w.Targets)
	if err != nil {
		return Entry{}, err
	}
	if w.Targets == nil {
		targets = []byte("[]")
	}
	e := Entry{Key: newKey(), State: Pending, Write: w, Identity: identity, CreatedAt: now}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (key, identity, op, method, path, body, summary, targets, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
			e.Key, identity, w.Op, w.Method, w.Path, nullable(w.Body), w.Summary, string(targets), now.UnixMilli())
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if e.Seq, err = res.LastInsertId(); err != nil {
			return err
		}
		t := newTxn(ctx, tx)
		defer t.close()
		for _, r := range w.Targets {
			if err := t.recompute(r); err != nil {
				return err
			}
		}
		hook("submit.before-commit")
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	hook("submit.committed")
	return e, nil
}

// Entries lists the outbox entries in the given states (all when none), in
// the order they were made.
func (c *Cache) Entries(ctx context.Context, states ...EntryState) ([]Entry, error) {
	q := `SELECT seq, key, identity, op, method, path, body, summary, targets, state, created_at, attempts, last_try,
		last_error, code, reason, answer FROM outbox`
	var args []any
	if len(states) > 0 {
		q += ` WHERE state IN (` + strings.TrimSuffix(strings.Repeat("?,", len(states)), ",") + `)`
		for _, s := range states {
			args = append(args, s.String())
		}
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var targets, state string
		var created, lastTry int64
		var answer, body []byte
		if err := rows.Scan(&e.Seq, &e.Key, &e.Identity, &e.Write.Op, &e.Write.Method, &e.Write.Path, &body,
			&e.Write.Summary, &targets, &state, &created, &e.Attempts, &lastTry, &e.LastError, &e.Code, &e.Reason, &answer); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
		if err := json.Unmarshal([]byte(targets), &e.Write.Targets); err != nil {
			return nil, fmt.Errorf("outbox entry %d: %w", e.Seq, err)
		}
		e.Write.Body = body
		e.State = parseEntryState(state)
		e.CreatedAt = time.UnixMilli(created)
		if lastTry != 0 {
			e.LastTry = time.UnixMilli(lastTry)
		}
		if len(answer) > 0 {
			e.Answer = answer
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Entry returns one outbox entry by its sequence number.
func (c *Cache) Entry(ctx context.Context, seq int64) (Entry, bool, error) {
	all, err := c.Entries(ctx)
	if err != nil {
		return Entry{}, false, err
	}
	for _, e := range all {
		if e.Seq == seq {
			return e, true, nil
		}
	}
	return Entry{}, false, nil
}

// OutboxCounts counts the writes waiting to be sent and those refused.
func (c *Cache) OutboxCounts(ctx context.Context) (pending, failed int, err error) {
	err = c.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'failed'), 0) FROM outbox`).
		Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox: %w", err)
	}
	return pending, failed, nil
}

// DismissFailed forgets the refused writes once the user has seen them.
func (c *Cache) DismissFailed(ctx context.Context) (int, error) {
	res, err := c.db.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'failed'`)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// DiscardPending drops the writes not yet sent (the user gave them up, for
// example to log in as someone else) and takes their effects back.
func (c *Cache) DiscardPending(ctx context.Context) (int, error) {
	var n int64
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		t := newTxn(ctx, tx)
		defer t.close()
		refs, err := t.overlaidRefs()
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE state = 'pending'`)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		t.forget()
		for r := range refs {
			if err := t.recompute(r); err != nil {
				return err
			}
		}
		return nil
	})
	return int(n), err
}

// markTried records a try that got no answer.
func (c *Cache) markTried(ctx context.Context, seq int64, now time.Time, why string) error {
	_, err := c.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_try = ?, last_error = ? WHERE seq = ?`,
		now.UnixMilli(), why, seq)
	return err
}

// markAcked records the portal's acceptance. The effect stays in the cache
// until a pull that started after this has completed (finishAcked).
func (c *Cache) markAcked(ctx context.Context, seq int64, answer []byte, now time.Time) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		gen, err := getKV(ctx, tx, "state", stateAckGen)
		if err != nil {
			return err
		}
		n, _ := strconv.ParseInt(gen, 10, 64)
		n++
		if err := setKV(ctx, tx, "state", stateAckGen, strconv.FormatInt(n, 10)); err != nil {
			return err
		}
		if err := setKV(ctx, tx, "state", stateLastReached, msString(now)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET state = 'acked', attempts = attempts + 1, last_try = ?, last_error = '',
			answer = ?, ack_gen = ?, done_at = ? WHERE seq = ? AND state = 'pending'`, now.UnixMilli(), nullable(answer), n, now.UnixMilli(), seq)
		return err
	})
}

// markFailed records the portal's refusal and takes the write's effect back.
func (c *Cache) markFailed(ctx context.Context, seq int64, e *Error, now time.Time) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		var targets string
		if err := tx.QueryRowContext(ctx, `SELECT targets FROM outbox WHERE seq = ?`, seq).Scan(&targets); err != nil {
			return fmt.Errorf("outbox entry %d: %w", seq, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_try = ?, last_error = '',
			code = ?, reason = ?, done_at = ? WHERE seq = ? AND state = 'pending'`, now.UnixMilli(), e.Code, e.Msg, now.UnixMilli(), seq); err != nil {
			return err
		}
		if err := setKV(ctx, tx, "state", stateLastReached, msString(now)); err != nil {
			return err
		}
		var refs []Ref
		if err := json.Unmarshal([]byte(targets), &refs); err != nil {
			return err
		}
		t := newTxn(ctx, tx)
		defer t.close()
		for _, r := range refs {
			if err := t.recompute(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// finishAcked retires the accepted writes acknowledged up to gen, whose
// effects the completed pull has now brought from the portal itself.
func (t *txn) finishAcked(gen int64) error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT targets FROM outbox WHERE state = 'acked' AND ack_gen <= ?`, gen)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	refs := map[Ref]bool{}
	n := 0
	for rows.Next() {
		n++
		var targets string
		if err := rows.Scan(&targets); err != nil {
			rows.Close()
			return err
		}
		var rs []Ref
		if err := json.Unmarshal([]byte(targets), &rs); err != nil {
			rows.Close()
			return err
		}
		for _, r := range rs {
			refs[r] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM outbox WHERE state = 'acked' AND ack_gen <= ?`, gen); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	t.forget()
	for r := range refs {
		if err := t.recompute(r); err != nil {
			return err
		}
	}
	return nil
}

// ackGen reads the acknowledgement counter.
func (c *Cache) ackGen(ctx context.Context) (int64, error) {
	v, err := getKV(ctx, c.db, "state", stateAckGen)
	if err != nil {
		return 0, err
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n, nil
}
