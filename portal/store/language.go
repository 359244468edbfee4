package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/core"
)

// mailLanguage is the language of an e-mail to an address: the language
// kept on the address's account; for an address with no account yet (an
// invitation), the sender's, so that a Spanish-speaking owner's invitation
// reads in Spanish; "" (English) when neither is known.
func (t *tx) mailLanguage(ctx context.Context, to string, sender core.Email) (string, error) {
	lang, found, err := t.userLanguage(ctx, to)
	if err != nil || found || sender == "" {
		return lang, err
	}
	lang, _, err = t.userLanguage(ctx, string(sender))
	return lang, err
}

// userLanguage is the language kept on the account of an address, and
// whether the address has an account.
func (t *tx) userLanguage(ctx context.Context, email string) (string, bool, error) {
	var lang string
	err := t.queryRow(ctx, `SELECT language FROM users WHERE email = ?`, email).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("language of %s: %w", email, err)
	}
	return lang, true, nil
}

// SetLanguage keeps the language the caller reads the portal's e-mails in
// (a catalog's tag; the portal checks it); e-mails queued from now on use
// it.
func (s *Store) SetLanguage(ctx context.Context, c Caller, lang string) (User, error) {
	err := s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE users SET language = ? WHERE id = ?`, lang, c.ID)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("set language of %s: %w", c.Email, err)
	}
	u := c.User
	u.Language = lang
	return u, nil
}

// LanguageOf is the language kept on the account of an address ("" when
// it has none, or no account): for an e-mail the portal sends at once
// rather than through the outbox.
func (s *Store) LanguageOf(ctx context.Context, email core.Email) (string, error) {
	var lang string
	err := s.inTx(ctx, func(t *tx) error {
		var err error
		lang, _, err = t.userLanguage(ctx, string(email))
		return err
	})
	return lang, err
}
