package store

import (
	"context"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// audit appends transitions to the account's audit trail. The table has no
// update or delete path: the trail is append-only.
func (t *tx) audit(ctx context.Context, account core.AccountID, licenseID string, events ...core.Event) error {
	for _, e := range events {
		at := e.At
		if at.IsZero() {
			at = t.now
		}
		if _, err := t.exec(ctx, `INSERT INTO audit (at, account_id, license_id, actor, action, subject, before_state, after_state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ms(at), string(account), licenseID, string(e.Actor), e.Action, e.Subject,
			e.Before, e.After); err != nil {
			return fmt.Errorf("audit %s: %w", e.Action, err)
		}
	}
	return nil
}

// auditInsert is the statement appending one event to the account's
// audit trail, for a write that runs it with others.
func auditInsert(now time.Time, account core.AccountID, licenseID string, e core.Event) deferredSQL {
	at := e.At
	if at.IsZero() {
		at = now
	}
	return deferredSQL{`INSERT INTO audit (at, account_id, license_id, actor, action, subject, before_state, after_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, []any{ms(at), string(account), licenseID, string(e.Actor), e.Action, e.Subject,
		e.Before, e.After}}
}

// AuditQuery selects audit events: of one license, or of one account.
type AuditQuery struct {
	LicenseID string
	AccountID string
	// After returns events with a greater sequence number (paging).
	After int64
	Limit int
}

// Audit lists audit events the caller may read, oldest first.
func (s *Store) Audit(ctx context.Context, c Caller, q AuditQuery) ([]api.AuditEvent, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	var acct core.Account
	var where string
	var arg string
	switch {
	case q.LicenseID != "":
		ls, err := loadLicenses(ctx, s.db, s.d, `l.id = ?`, q.LicenseID)
		if err != nil {
			return nil, err
		}
		if len(ls) == 0 {
			return nil, errNoLicense
		}
		acct, where, arg = ls[0].Account, "license_id = ?", q.LicenseID
	case q.AccountID != "":
		a, err := s.account(ctx, q.AccountID)
		if err != nil {
			return nil, err
		}
		acct, where, arg = a, "account_id = ?", q.AccountID
	default:
		return nil, core.E(core.Invalid, "audit.scope", "name a license or an account")
	}
	if err := hide(core.Authorize(c.actor(), core.ViewAudit, acct)); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT seq, at, account_id, actor, action, subject, before_state, after_state
		FROM audit WHERE `+where+` AND seq > ? ORDER BY seq LIMIT ?`), arg, q.After, q.Limit)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	out := []api.AuditEvent{}
	for rows.Next() {
		var e api.AuditEvent
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.AccountID, &e.Actor, &e.Action, &e.Subject, &e.Before, &e.After); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
