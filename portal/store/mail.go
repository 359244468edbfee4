package store

import (
	"context"
	"encoding/hex"
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
	// Created is when the write queued it; with ID it names the message
	// (its Message-ID) for every retry and every instance.
	Created time.Time
	// Claim is the token of the claim that took it: only its holder renews
	// the claim and marks the message sent or failed.
	Claim string
}

// MessageID is the stable Message-ID (left part) of a queued e-mail.
func (m QueuedMail) MessageID() string {
	return fmt.Sprintf("outbox-%d.%d", m.ID, m.Created.UnixMilli())
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

// mailInsert is the statement queueing an e-mail, for a write that runs
// it with others (it sets mailQueued itself).
func mailInsert(now time.Time, kind, to string, payload any) (deferredSQL, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return deferredSQL{}, fmt.Errorf("queue mail: %w", err)
	}
	return deferredSQL{`INSERT INTO mail_outbox (kind, recipient, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`,
		[]any{kind, to, string(b), ms(now), ms(now)}}, nil
}

// MailQueued is signalled after a write that queued an e-mail commits, so
// that a sender can deliver at once instead of at its next poll.
func (s *Store) MailQueued() <-chan struct{} { return s.kick }

// ClaimMail takes up to n e-mails that are due, for claimFor: another
// sender (another portal instance) skips them meanwhile, and they come back
// if the claimer dies before marking them. The claim carries a token; the
// sender renews it before each send (RenewMailClaim) and marks the message
// with it, so a sender whose claim lapsed and was taken over stops.
func (s *Store) ClaimMail(ctx context.Context, n int, claimFor time.Duration) ([]QueuedMail, error) {
	var out []QueuedMail
	var b [12]byte
	randRead(b[:])
	token := hex.EncodeToString(b[:])
	err := s.inTx(ctx, func(t *tx) error {
		out = out[:0]
		skip := ""
		if t.d == dialectPostgres {
			skip = " FOR UPDATE SKIP LOCKED"
		}
		now := ms(t.now)
		rows, err := t.query(ctx, `SELECT id, kind, recipient, payload, attempts, created_at FROM mail_outbox
			WHERE sent_at = 0 AND next_attempt_at <= ? AND claimed_until <= ? ORDER BY id LIMIT ?`+skip, now, now, n)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m QueuedMail
			var payload string
			var created int64
			if err := rows.Scan(&m.ID, &m.Kind, &m.To, &payload, &m.Attempts, &created); err != nil {
				rows.Close()
				return err
			}
			m.Payload = json.RawMessage(payload)
			m.Created, m.Claim = fromMS(created), token
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range out {
			if _, err := t.exec(ctx, `UPDATE mail_outbox SET claimed_until = ?, claim_token = ? WHERE id = ?`,
				ms(t.now.Add(claimFor)), token, m.ID); err != nil {
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

// RenewMailClaim extends the claim on an e-mail just before it is sent; it
// reports false when the claim was lost (it lapsed and another sender took
// the message, or it was sent), and the caller must not send it.
func (s *Store) RenewMailClaim(ctx context.Context, m QueuedMail, claimFor time.Duration) (bool, error) {
	var held bool
	err := s.inTx(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE mail_outbox SET claimed_until = ? WHERE id = ? AND claim_token = ? AND sent_at = 0`,
			ms(t.now.Add(claimFor)), m.ID, m.Claim)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		held = n == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("renew mail claim: %w", err)
	}
	return held, nil
}

// MailSent marks an e-mail delivered, if the caller still holds its claim.
// A verification e-mail's payload (the code) is dropped once sent.
func (s *Store) MailSent(ctx context.Context, m QueuedMail) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE mail_outbox SET sent_at = ?, claimed_until = 0,
			payload = CASE WHEN kind = ? THEN '{}' ELSE payload END WHERE id = ? AND claim_token = ?`,
			ms(t.now), MailVerify, m.ID, m.Claim)
		return err
	})
}

// MailFailed records a failed delivery and when to try again, if the
// caller still holds the claim.
func (s *Store) MailFailed(ctx context.Context, m QueuedMail, reason string, retryAt time.Time) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_until = 0
			WHERE id = ? AND claim_token = ? AND sent_at = 0`, reason, ms(retryAt), m.ID, m.Claim)
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
