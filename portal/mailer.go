package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// mailBatch is how many e-mails one delivery round claims: a few, so that
// a slow mail server does not keep many waiting under one claim.
const mailBatch = 5

// defaultMailClaim is how long a claim lasts; it is renewed before each
// send, so it needs to cover one send, not a batch.
const defaultMailClaim = 2 * time.Minute

// deliverMail sends the e-mails that are due in the store's outbox, until
// none is left; a failed one is retried later with a growing pause. It
// returns how many it sent.
func deliverMail(ctx context.Context, st *store.Store, sender mail.Sender, baseURL string, log *slog.Logger, now func() time.Time, claim time.Duration) (int, error) {
	sent := 0
	for {
		batch, err := st.ClaimMail(ctx, mailBatch, claim)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			return sent, nil
		}
		for _, q := range batch {
			held, err := st.RenewMailClaim(ctx, q, claim)
			if err != nil {
				return sent, err
			}
			if !held {
				continue // the claim lapsed and another sender has it
			}
			m, err := renderMail(q, baseURL)
			if err == nil {
				m.MessageID = q.MessageID()
				err = sender.Send(ctx, m)
			}
			if err != nil {
				pause := time.Minute << min(q.Attempts, 8) // 1 min doubling to about 4 h
				log.Warn("e-mail not delivered; will retry", "id", q.ID, "kind", q.Kind, "attempt", q.Attempts+1, "err", err)
				if ferr := st.MailFailed(ctx, q, err.Error(), now().Add(pause)); ferr != nil {
					return sent, ferr
				}
				continue
			}
			if err := st.MailSent(ctx, q); err != nil {
				return sent, err
			}
			sent++
		}
	}
}

// renderMail turns a queued e-mail into the message to send, in the
// language it was queued in.
func renderMail(q store.QueuedMail, baseURL string) (mail.Message, error) {
	l := mailLang(q.Language)
	switch q.Kind {
	case store.MailSeat:
		var n store.Notice
		if err := json.Unmarshal(q.Payload, &n); err != nil {
			return mail.Message{}, fmt.Errorf("e-mail %d: %w", q.ID, err)
		}
		return seatMail(n, baseURL, l), nil
	case store.MailVerify:
		var v store.VerifyMail
		if err := json.Unmarshal(q.Payload, &v); err != nil {
			return mail.Message{}, fmt.Errorf("e-mail %d: %w", q.ID, err)
		}
		return verifyMail(v, baseURL, l), nil
	case store.MailNews:
		var n store.NewsMail
		if err := json.Unmarshal(q.Payload, &n); err != nil {
			return mail.Message{}, fmt.Errorf("e-mail %d: %w", q.ID, err)
		}
		return newsMail(n.Subscriber, n.Item, baseURL, l), nil
	}
	return mail.Message{}, fmt.Errorf("e-mail %d: unknown kind %q", q.ID, q.Kind)
}

// FlushMail delivers every e-mail that is due now. The background loop
// does this by itself; tools and tests call it to be done at once.
func (s *Server) FlushMail(ctx context.Context) error {
	_, err := deliverMail(ctx, s.cfg.Store, s.cfg.Mail, s.cfg.BaseURL, s.cfg.Logger, s.cfg.Now, s.cfg.MailClaim)
	return err
}

// sendMailLoop delivers queued e-mails until ctx ends: at once after a
// write queues one, and every 30 s for retries.
func (s *Server) sendMailLoop(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		if err := s.FlushMail(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("mail delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.cfg.Store.MailQueued():
		case <-t.C:
		}
	}
}
