package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/core"
)

// Write identifies one client write for idempotency: a replayed Key from the
// same user gets the first answer, and the write is applied once. Key may be
// empty (no replay protection asked for).
type Write struct {
	Key string
	// Op names the operation ("seat.assign"); RequestHash is a digest of the
	// request. A key reused for another operation or body is refused.
	Op          string
	RequestHash string
}

// errIdemRace is returned when a concurrent request with the same key
// committed first; the transaction is retried and then replays that answer.
var errIdemRace = errors.New("idempotency key raced")

// storedRefusal is how a refused write is kept for replay.
type storedRefusal struct {
	Kind core.Kind `json:"kind"`
	Code string    `json:"code"`
	Msg  string    `json:"msg"`
}

// maxStoredAnswer caps what one idempotent answer may keep. Writes whose
// answer can be large (a license view with thousands of seats) store a
// reference instead and render it again on replay (writeOnceRef).
const maxStoredAnswer = 64 << 10

// answerTooLarge is kept instead of an answer over the cap: a replay then
// says the write was applied and the client reloads.
const answerTooLarge = `{"_applied":"answer too large to keep"}`

// writeOnce runs fn at most once per (user, key): the answer (result or
// domain refusal) is recorded in the same transaction as the write itself,
// so that a crash between them is impossible. replayed reports an answer
// given before.
func writeOnce[T any](ctx context.Context, s *Store, userID string, w Write, fn func(*tx) (T, error)) (out T, replayed bool, err error) {
	return writeOnceRef(ctx, s, userID, w,
		func(t *tx) (T, []byte, error) {
			res, err := fn(t)
			if err != nil {
				return res, nil, err
			}
			body, err := json.Marshal(res)
			if err != nil {
				return res, nil, fmt.Errorf("record answer: %w", err)
			}
			if len(body) > maxStoredAnswer {
				body = []byte(answerTooLarge)
			}
			return res, body, nil
		},
		func(_ *tx, body []byte) (T, error) {
			var v T
			if string(body) == answerTooLarge {
				return v, core.E(core.Conflict, "idempotency.applied", "this write was applied before; reload to see its result")
			}
			if err := json.Unmarshal(body, &v); err != nil {
				return v, fmt.Errorf("replay answer: %w", err)
			}
			return v, nil
		})
}

// writeOnceRef is writeOnce for writes that keep a compact record of their
// result (fn returns it beside the result) and render the answer from it
// again on replay.
//
// Concurrency: the key is claimed before the replay check. On PostgreSQL a
// transaction-scoped advisory lock on (user, key) makes a concurrent
// duplicate wait until the first commits, then replay its answer; on
// SQLite write transactions are serial already. A domain refusal rolls back
// to a savepoint and is recorded in the same transaction, so a waiting
// duplicate sees it too.
func writeOnceRef[T any](ctx context.Context, s *Store, userID string, w Write,
	fn func(*tx) (T, []byte, error), replay func(*tx, []byte) (T, error)) (out T, replayed bool, err error) {
	var refusal error
	err = s.inTx(ctx, func(t *tx) error {
		var zero T
		out, refusal, replayed = zero, nil, false
		if w.Key == "" {
			res, _, err := fn(t)
			out = res
			return err
		}
		if t.d == dialectPostgres {
			if _, err := t.exec(ctx, `SELECT pg_advisory_xact_lock(7303, hashtext(? || chr(10) || ?))`, userID, w.Key); err != nil {
				return fmt.Errorf("claim idempotency key: %w", err)
			}
		}
		body, failed, found, err := t.storedAnswer(ctx, userID, w)
		if err != nil {
			return err
		}
		if found {
			replayed = true
			if failed != nil {
				refusal = failed
				return nil
			}
			out, err = replay(t, body)
			var ce *core.Error
			if errors.As(err, &ce) {
				refusal, err = err, nil
			}
			return err
		}
		if _, err := t.exec(ctx, `SAVEPOINT write_once`); err != nil {
			return err
		}
		recorded := len(t.changes)
		res, rec, err := fn(t)
		var ce *core.Error
		if err != nil && errors.As(err, &ce) && !retryable(err) {
			// Refused: undo the write's partial effects, remember the
			// refusal so that a replay gets the same answer, not a retry.
			if _, rerr := t.exec(ctx, `ROLLBACK TO SAVEPOINT write_once`); rerr != nil {
				return rerr
			}
			t.changes = t.changes[:recorded]
			b, _ := json.Marshal(storedRefusal{Kind: ce.Kind, Code: ce.Code, Msg: ce.Msg})
			refusal = err
			return t.recordAnswer(ctx, userID, w, true, b)
		}
		if err != nil {
			return err
		}
		out = res
		return t.recordAnswer(ctx, userID, w, false, rec)
	})
	if err != nil {
		var zero T
		return zero, false, err
	}
	if refusal != nil {
		var zero T
		return zero, replayed, refusal
	}
	return out, replayed, nil
}

// storedAnswer returns the answer recorded under the caller's key: its
// body, or the refusal it was; a key reused for another request is refused.
func (t *tx) storedAnswer(ctx context.Context, userID string, w Write) (body []byte, refusal error, found bool, err error) {
	var op, hash, b string
	var failed bool
	err = t.queryRow(ctx, `SELECT op, request_hash, failed, body FROM idempotency WHERE user_id = ? AND key = ?`,
		userID, w.Key).Scan(&op, &hash, &failed, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	if op != w.Op || hash != w.RequestHash {
		return nil, core.E(core.Conflict, "idempotency.reused",
			"this Idempotency-Key was already used for a different request"), true, nil
	}
	if failed {
		var r storedRefusal
		if err := json.Unmarshal([]byte(b), &r); err != nil {
			return nil, nil, false, fmt.Errorf("replay refusal: %w", err)
		}
		return nil, core.E(r.Kind, r.Code, r.Msg), true, nil
	}
	return []byte(b), nil, true, nil
}

func (t *tx) recordAnswer(ctx context.Context, userID string, w Write, failed bool, body []byte) error {
	res, err := t.exec(ctx, `INSERT INTO idempotency (user_id, key, op, request_hash, failed, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, key) DO NOTHING`,
		userID, w.Key, w.Op, w.RequestHash, failed, string(body), ms(t.now))
	if err != nil {
		return fmt.Errorf("record answer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errIdemRace
	}
	return nil
}

// PruneIdempotency forgets answers older than the given age in
// milliseconds; clients replay within minutes, not days.
func (s *Store) PruneIdempotency(ctx context.Context, olderThanMS int64) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `DELETE FROM idempotency WHERE created_at < ?`, ms(t.now)-olderThanMS)
		return err
	})
}
