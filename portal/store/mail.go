package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// The portal's e-mails go through an outbox: a write that owes someone an
// e-mail queues it in the same transaction, and a sender delivers it after
// commit. So an e-mail is never sent for a write that rolled back, never
// lost when the portal stops between commit and delivery, retried when
// the mail server is down, and never sent twice for a replayed request.

// QueuedMail is one e-mail waiting for delivery.
type QueuedMail struct {
	ID       int64
	Kind     string // what the payload is, e.g. "seat"
	To       string
	Payload  json.RawMessage
	Attempts int
}

// queueMail adds an e-mail to the outbox of the transaction's write.
func (t *tx) queueMail(ctx context.Context, kind, to string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	if _, err := t.exec(ctx, `INSERT INTO mail_outbox (kind, recipient, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`,
		kind, to, string(b), ms(t.now), ms(t.now)); err != nil {
		return fmt.Errorf("queue mail to %s: %w", to, err)
	}
	t.mailQueued = true
	return nil
}

// MailQueued is signalled after a write that queued an e-mail commits, so
// that a sender can deliver at once instead of at its next poll.
func (s *Store) MailQueued() <-chan struct{} { return s.kick }

// ClaimMail takes up to n e-mails that are due, for claimFor: another
// sender (another portal instance) skips them meanwhile, and they come back
// if the claimer dies before marking them.
func (s *Store) ClaimMail(ctx context.Context, n int, claimFor time.Duration) ([]QueuedMail, error) {
	var out []QueuedMail
	err := s.inTx(ctx, func(t *tx) error {
		out = out[:0]
		skip := ""
		if t.d == dialectPostgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		now := ms(t.now)
		rows, err := t.query(ctx, `SELECT id, kind, recipient, payload, attempts FROM mail_outbox
			WHERE sent_at = 0 AND next_attempt_at <= ? AND claimed_until <= ? ORDER BY id LIMIT ?`+skip, now, now, n)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m QueuedMail
			var payload string
			if err := rows.Scan(&m.ID, &m.Kind, &m.To, &payload, &m.Attempts); err != nil {
				rows.Close()
				return err
			}
			m.Payload = json.RawMessage(payload)
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := t.exec(ctx, `UPDATE mail_outbox SET claimed_until = ? WHERE id = ?`, ms(t.now.Add(claimFor)), m.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// MailSent marks an e-mail delivered.
func (s *Store) MailSent(ctx context.Context, id int64) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE mail_outbox SET sent_at = ?, claimed_until = 0 WHERE id = ?`, ms(t.now), id)
		return err
	})
}

// MailFailed records a failed delivery and when to try again.
func (s *Store) MailFailed(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = 0
			WHERE id = ?`, reason, ms(retryAt), id)
		return err
	})
}

// MailRetryNow makes every waiting e-mail due at once, for an operator who
// fixed the mail server and does not want to wait for the retry pauses.
func (s *Store) MailRetryNow(ctx context.Context) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE mail_outbox SET next_attempt_at = ?, claimed_until = 0 WHERE sent_at = 0`, ms(t.now))
		return err
	})
}
