package store

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// MailVerify is the outbox kind of the e-mail carrying a verification code.
const MailVerify = "verify"

// VerifyMail is the payload of a verification e-mail.
type VerifyMail struct {
	To   string `json:"to"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// Verification bounds: a code lives a day and survives five wrong tries;
// with eight digits and the portal's rate limits, guessing is hopeless.
const (
	codeTTL        = 24 * time.Hour
	codeMaxTries   = 5
	codeDigits     = 8
	maxVerifyInput = 32
)

func codeHash(userID, code string) string {
	sum := sha256.Sum256([]byte(userID + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

// newEmailCode replaces the user's code with a fresh one and queues the
// e-mail that carries it. Only the hash is kept once the e-mail is sent.
func (t *tx) newEmailCode(ctx context.Context, u User) error {
	var b [8]byte
	randRead(b[:])
	code := fmt.Sprintf("%0*d", codeDigits, binary.BigEndian.Uint64(b[:])%100000000)
	if _, err := t.exec(ctx, `DELETE FROM email_codes WHERE user_id = ?`, u.ID); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `INSERT INTO email_codes (user_id, code_hash, expires_at, attempts) VALUES (?, ?, ?, 0)`,
		u.ID, codeHash(u.ID, code), ms(t.now.Add(codeTTL))); err != nil {
		return err
	}
	return t.queueMail(ctx, MailVerify, string(u.Email), VerifyMail{To: string(u.Email), Name: u.Name, Code: code})
}

var errBadCode = core.E(core.Invalid, "verify.code", "the code is wrong or expired: ask for a new one")

// VerifyEmail checks the code sent to an address and, when it matches,
// marks the address verified: the seats Pending for it become Assigned and
// membership offers can be accepted. Verifying a verified address again
// succeeds and changes nothing. A code dies after five wrong tries.
func (s *Store) VerifyEmail(ctx context.Context, email core.Email, code string) (User, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > maxVerifyInput {
		return User{}, errBadCode
	}
	var u User
	var wrong bool
	err := s.inTx(ctx, func(t *tx) error {
		wrong = false
		var verified int64
		err := t.queryRow(ctx, `SELECT id, email, name, verified_at FROM users WHERE email = ?`+t.d.forUpdate(), string(email)).
			Scan(&u.ID, &u.Email, &u.Name, &verified)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadCode
		}
		if err != nil {
			return err
		}
		if verified != 0 {
			u.Verified = true
			return nil
		}
		var hash string
		var expires int64
		var tries int
		err = t.queryRow(ctx, `SELECT code_hash, expires_at, attempts FROM email_codes WHERE user_id = ?`, u.ID).Scan(&hash, &expires, &tries)
		if errors.Is(err, sql.ErrNoRows) {
			return errBadCode
		}
		if err != nil {
			return err
		}
		if tries >= codeMaxTries || !t.now.Before(fromMS(expires)) {
			return errBadCode
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(codeHash(u.ID, code))) != 1 {
			wrong = true
			_, err := t.exec(ctx, `UPDATE email_codes SET attempts = attempts + 1 WHERE user_id = ?`, u.ID)
			return err // committed: the wrong try counts
		}
		if _, err := t.exec(ctx, `DELETE FROM email_codes WHERE user_id = ?`, u.ID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE users SET verified_at = ? WHERE id = ?`, ms(t.now), u.ID); err != nil {
			return err
		}
		u.Verified = true
		if err := t.activatePending(ctx, u.Email); err != nil {
			return err
		}
		return t.recordChange(ctx, api.KindAccount, "", "", string(u.Email))
	})
	if err != nil {
		return User{}, fmt.Errorf("verify %s: %w", email, err)
	}
	if wrong {
		return User{}, errBadCode
	}
	return u, nil
}

// ResendCode sends a new code to an address whose account is not verified
// yet. Any other address gets nothing, and the caller learns nothing about
// which it was.
func (s *Store) ResendCode(ctx context.Context, email core.Email) error {
	err := s.inTx(ctx, func(t *tx) error {
		var u User
		var verified int64
		err := t.queryRow(ctx, `SELECT id, email, name, verified_at FROM users WHERE email = ?`+t.d.forUpdate(), string(email)).
			Scan(&u.ID, &u.Email, &u.Name, &verified)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && verified != 0) {
			return nil
		}
		if err != nil {
			return err
		}
		return t.newEmailCode(ctx, u)
	})
	if err != nil {
		return fmt.Errorf("resend code to %s: %w", email, err)
	}
	return nil
}

// MarkVerified verifies an address without a code: the vendor operator's
// (and the demo seed's) way, not reachable over HTTP.
func (s *Store) MarkVerified(ctx context.Context, email core.Email) error {
	err := s.inTx(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE users SET verified_at = ? WHERE email = ? AND verified_at = 0`, ms(t.now), string(email))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if _, err := t.exec(ctx, `DELETE FROM email_codes WHERE user_id IN (SELECT id FROM users WHERE email = ?)`, string(email)); err != nil {
			return err
		}
		// The code e-mail is moot now.
		if _, err := t.exec(ctx, `DELETE FROM mail_outbox WHERE kind = ? AND recipient = ? AND sent_at = 0`, MailVerify, string(email)); err != nil {
			return err
		}
		if err := t.activatePending(ctx, email); err != nil {
			return err
		}
		return t.recordChange(ctx, api.KindAccount, "", "", string(email))
	})
	if err != nil {
		return fmt.Errorf("mark %s verified: %w", email, err)
	}
	return nil
}
