package sync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Settings of the profile's mailbox (docs/design.md, Mail). The password is
// a secret (profile.Secrets), never a setting.
const (
	SettingMailURL      = "mail_url"      // imaps://USER@HOST:PORT or imap://... (STARTTLS)
	SettingMailFolder   = "mail_folder"   // the folder scanned
	SettingMailSince    = "mail_since"    // YYYY-MM-DD: older messages are skipped
	SettingMailInsecure = "mail_insecure" // "1": any certificate is accepted
	SettingMailCAFile   = "mail_ca_file"  // extra certificate authorities (PEM)
)

// MailPasswordName is the secret's name of a mailbox's password.
func MailPasswordName(mailboxURL string) string { return "mail:" + mailboxURL }

// The states of a mail finding.
const (
	FindingNew       = "new"       // waiting for the user
	FindingDone      = "done"      // applied, or already known
	FindingDismissed = "dismissed" // the user said no
)

// MailFinding is one thing recognised in an e-mail, as the cache keeps it.
type MailFinding struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Value   string `json:"value"`
	Product string `json:"product,omitempty"`
	License string `json:"license,omitempty"`
	Portal  string `json:"portal,omitempty"`
	// In is where in the message it was found.
	In string `json:"in"`
	// Source is the message: mailbox, folder and UID, or a file's path.
	Source    string    `json:"source"`
	MessageID string    `json:"message_id,omitempty"`
	Sender    string    `json:"sender"`
	Subject   string    `json:"subject"`
	SentAt    time.Time `json:"sent_at"`
	FoundAt   time.Time `json:"found_at"`
	State     string    `json:"state"`
	// Note is what applying it did, or why it failed.
	Note string `json:"note,omitempty"`
}

// MailMark is how far a mailbox's folder was read.
func (c *Cache) MailMark(ctx context.Context, mailbox, folder string) (uidValidity, lastUID uint32, err error) {
	err = c.db.QueryRowContext(ctx, `SELECT uidvalidity, last_uid FROM mail_marks WHERE mailbox = ? AND folder = ?`,
		mailbox, folder).Scan(&uidValidity, &lastUID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("cache mail mark: %w", err)
	}
	return uidValidity, lastUID, nil
}

// RecordMail keeps one message's findings and moves the folder's mark past
// it, in one transaction: a message is either read and kept or not read at
// all. mailbox "" records findings of a file (no mark). It returns the
// findings that are new to the cache. The same value found again keeps its
// first record; a portal e-mail newer than the one kept replaces it and
// asks the user again (a seat assigned again after a removal).
func (c *Cache) RecordMail(ctx context.Context, mailbox, folder string, uidValidity, uid uint32, fs []MailFinding) ([]MailFinding, error) {
	var added []MailFinding
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		for _, f := range fs {
			var id int64
			var sent int64
			var state string
			err := tx.QueryRowContext(ctx, `SELECT id, sent_at, state FROM mail_findings WHERE kind = ? AND value = ?`, f.Kind, f.Value).Scan(&id, &sent, &state)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				res, err := tx.ExecContext(ctx, `INSERT INTO mail_findings (kind, value, product, license, portal, found_in, source,
					message_id, sender, subject, sent_at, found_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					f.Kind, f.Value, f.Product, f.License, f.Portal, f.In, f.Source, f.MessageID, f.Sender, f.Subject,
					f.SentAt.Unix(), f.FoundAt.Unix(), FindingNew)
				if err != nil {
					return err
				}
				f.ID, _ = res.LastInsertId()
				f.State = FindingNew
				added = append(added, f)
			case err != nil:
				return err
			case f.Portal != "" && f.SentAt.Unix() > sent && state != FindingNew:
				if _, err := tx.ExecContext(ctx, `UPDATE mail_findings SET product = ?, license = ?, portal = ?, found_in = ?,
					source = ?, message_id = ?, sender = ?, subject = ?, sent_at = ?, found_at = ?, state = ?, note = '' WHERE id = ?`,
					f.Product, f.License, f.Portal, f.In, f.Source, f.MessageID, f.Sender, f.Subject, f.SentAt.Unix(),
					f.FoundAt.Unix(), FindingNew, id); err != nil {
					return err
				}
				f.ID, f.State = id, FindingNew
				added = append(added, f)
			}
		}
		if mailbox == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO mail_marks (mailbox, folder, uidvalidity, last_uid) VALUES (?, ?, ?, ?)
			ON CONFLICT (mailbox, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid`,
			mailbox, folder, uidValidity, uid)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cache: record mail: %w", err)
	}
	return added, nil
}

// MailFindings lists the findings, newest message first.
func (c *Cache) MailFindings(ctx context.Context) ([]MailFinding, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, kind, value, product, license, portal, found_in, source, message_id,
		sender, subject, sent_at, found_at, state, note FROM mail_findings ORDER BY sent_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("cache mail findings: %w", err)
	}
	defer rows.Close()
	out := []MailFinding{}
	for rows.Next() {
		var f MailFinding
		var sent, found int64
		if err := rows.Scan(&f.ID, &f.Kind, &f.Value, &f.Product, &f.License, &f.Portal, &f.In, &f.Source, &f.MessageID,
			&f.Sender, &f.Subject, &sent, &found, &f.State, &f.Note); err != nil {
			return nil, fmt.Errorf("cache mail findings: %w", err)
		}
		f.SentAt, f.FoundAt = time.Unix(sent, 0).UTC(), time.Unix(found, 0).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// ErrNoFinding: no mail finding has that ID.
var ErrNoFinding = errors.New("no such finding")

// MailFinding reads one finding.
func (c *Cache) MailFinding(ctx context.Context, id int64) (MailFinding, error) {
	all, err := c.MailFindings(ctx)
	if err != nil {
		return MailFinding{}, err
	}
	for _, f := range all {
		if f.ID == id {
			return f, nil
		}
	}
	return MailFinding{}, fmt.Errorf("%w: %d (licdesk mail list shows them)", ErrNoFinding, id)
}

// SetMailFindingState records what became of a finding.
func (c *Cache) SetMailFindingState(ctx context.Context, id int64, state, note string) error {
	_, err := c.db.ExecContext(ctx, `UPDATE mail_findings SET state = ?, note = ? WHERE id = ?`, state, note, id)
	if err != nil {
		return fmt.Errorf("cache mail finding %d: %w", id, err)
	}
	return nil
}

// ForgetMail drops the marks of every mailbox and every finding (the
// mailbox was removed from the profile).
func (c *Cache) ForgetMail(ctx context.Context) error {
	return c.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM mail_marks`, `DELETE FROM mail_findings`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("cache forget mail: %w", err)
			}
		}
		return nil
	})
}
