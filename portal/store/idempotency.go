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

// writeOnce runs fn at most once per (user, key): the answer (result or
// domain refusal) is recorded in the same transaction as the write itself,
// so that a crash between them is impossible. replayed reports an answer
// given before.
func writeOnce[T any](ctx context.Context, s *Store, userID string, w Write, fn func(*tx) (T, error)) (out T, replayed bool, err error) {
	var refusal error
	err = s.inTx(ctx, func(t *tx) error {
		refusal, replayed = nil, false
		if w.Key != "" {
			r, found, err := t.replay(ctx, userID, w, &out)
			if err != nil {
				return err
			}
			if found {
				refusal, replayed = r, true
				return nil
			}
		}
		res, err := fn(t)
		if err != nil {
			return err
		}
		out = res
		if w.Key == "" {
			return nil
		}
		body, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("record answer: %w", err)
		}
		return t.recordAnswer(ctx, userID, w, false, body)
	})
	if err != nil {
		var ce *core.Error
		if w.Key != "" && errors.As(err, &ce) {
			// The write was refused and rolled back; remember the refusal so
			// that a replay gets the same answer rather than a second try.
			body, _ := json.Marshal(storedRefusal{Kind: ce.Kind, Code: ce.Code, Msg: ce.Msg})
			s.inTx(ctx, func(t *tx) error { return t.recordAnswer(ctx, userID, w, true, body) })
		}
		var zero T
		return zero, false, err
	}
	if refusal != nil {
		var zero T
		return zero, true, refusal
	}
	return out, replayed, nil
}

func (t *tx) replay(ctx context.Context, userID string, w Write, out any) (refusal error, found bool, err error) {
	var op, hash, body string
	var failed bool
	err = t.queryRow(ctx, `SELECT op, request_hash, failed, body FROM idempotency WHERE user_id = ? AND key = ?`,
		userID, w.Key).Scan(&op, &hash, &failed, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if op != w.Op || hash != w.RequestHash {
		return core.E(core.Conflict, "idempotency.reused",
			"this Idempotency-Key was already used for a different request"), true, nil
	}
	if failed {
		var r storedRefusal
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, false, fmt.Errorf("replay refusal: %w", err)
		}
		return core.E(r.Kind, r.Code, r.Msg), true, nil
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		return nil, false, fmt.Errorf("replay answer: %w", err)
	}
	return nil, true, nil
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
