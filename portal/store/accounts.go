package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// User is a person who can log in.
type User struct {
	ID    string
	Email core.Email
	Name  string
	// Verified is set once the user entered the code sent to their
	// address; until then they take no Pending seat and join no account.
	Verified bool
	// Language is the language of the portal's e-mails to the user (a
	// catalog's tag: en, pt-BR, es, fr); "" for English.
	Language string
}

// Membership is an account the user may act in, with the role held there.
// Partner-acting memberships come from a customer's delegation to a partner
// account the user manages.
type Membership struct {
	AccountID   string
	AccountName string
	Role        core.Role
	Partner     bool   // the account is a reseller's
	DelegatedTo string // the partner managing this account, if any
	// Acting marks a customer account the user manages as partner staff,
	// through the customer's delegation, rather than as a member.
	Acting bool
}

// Caller is an authenticated user with their memberships, loaded once per
// request.
type Caller struct {
	User
	Memberships []Membership
}

// newID returns a random identifier with a readable prefix ("lic_...").
func newID(prefix string) string {
	var b [10]byte
	rand.Read(b[:])
	return prefix + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CreateUser signs a user up: the user, unverified, an account they own,
// and an e-mail with the code that verifies the address (seats Pending for
// it become Assigned only then). A new sign-up for an address whose
// account was never verified starts that account over (new password, new
// code, old sessions ended): whoever squatted it cannot keep it from its
// owner. A verified address is refused.
func (s *Store) CreateUser(ctx context.Context, email core.Email, name, accountName, passwordHash string) (User, error) {
	return s.CreateUserIn(ctx, email, name, accountName, passwordHash, "")
}

// CreateUserIn is CreateUser for a user who reads the portal's e-mails in
// lang (a catalog's tag, "" for English), the verification e-mail first.
func (s *Store) CreateUserIn(ctx context.Context, email core.Email, name, accountName, passwordHash, lang string) (User, error) {
	u := User{ID: newID("usr"), Email: email, Name: name, Language: lang}
	err := s.inTx(ctx, func(t *tx) error {
		var id string
		var verified int64
		err := t.queryRow(ctx, `SELECT id, verified_at FROM users WHERE email = ?`+t.d.forUpdate(), string(email)).Scan(&id, &verified)
		switch {
		case err == nil && verified != 0:
			return errAccountExists(email)
		case err == nil:
			u.ID = id
			if _, err := t.exec(ctx, `UPDATE users SET name = ?, password_hash = ?, language = ? WHERE id = ?`, name, passwordHash, lang, id); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0`, ms(t.now), id); err != nil {
				return err
			}
			if _, err := t.exec(ctx, `UPDATE accounts SET name = ? WHERE id IN
				(SELECT account_id FROM memberships WHERE user_id = ? AND role = 'owner')`, accountName, id); err != nil {
				return err
			}
			return t.newEmailCode(ctx, u)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, language) VALUES (?, ?, ?, ?, ?, ?)`,
			u.ID, string(email), name, passwordHash, ms(t.now), lang); err != nil {
			return err
		}
		acct := newID("acc")
		if _, err := t.exec(ctx, `INSERT INTO accounts (id, name, partner, created_at) VALUES (?, ?, ?, ?)`,
			acct, accountName, false, ms(t.now)); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `INSERT INTO memberships (account_id, user_id, role) VALUES (?, ?, ?)`,
			acct, u.ID, core.RoleOwner.String()); err != nil {
			return err
		}
		if err := t.newEmailCode(ctx, u); err != nil {
			return err
		}
		return t.recordChange(ctx, api.KindAccount, acct, acct, string(email))
	})
	if err != nil {
		if core.KindOf(AsRefusal(err)) == core.Conflict {
			// Two sign-ups for one address at once: the unique index
			// decided.
			return User{}, errAccountExists(email)
		}
		return User{}, fmt.Errorf("create user %s: %w", email, err)
	}
	return u, nil
}

func errAccountExists(email core.Email) error {
	return core.E(core.Conflict, "account.exists", "an account already exists for "+string(email))
}

// AddressTaken reports whether a verified account holds an e-mail, so that
// a sign-up for it is refused before its password is hashed.
func (s *Store) AddressTaken(ctx context.Context, email core.Email) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE email = ? AND verified_at <> 0`, string(email)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("address taken: %w", err)
	}
	return n > 0, nil
}

// Credentials returns the user with an e-mail and their password hash.
func (s *Store) Credentials(ctx context.Context, email core.Email) (User, string, error) {
	var u User
	var hash, em string
	var verified int64
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT id, email, name, password_hash, verified_at FROM users WHERE email = ?`),
		string(email)).Scan(&u.ID, &em, &u.Name, &hash, &verified)
	u.Verified = verified != 0
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, "", core.E(core.NotFound, "account.not_found", "no account for "+string(email))
	}
	if err != nil {
		return User{}, "", fmt.Errorf("credentials: %w", err)
	}
	u.Email = core.Email(em)
	return u, hash, nil
}

// hasAccount reports whether a verified account exists for an e-mail: an
// unverified one does not count, so that a seat for the address stays
// Pending until its owner proves they read its mail.
func (t *tx) hasAccount(ctx context.Context, email core.Email) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE email = ? AND verified_at <> 0`, string(email)).Scan(&n)
	return n > 0, err
}

// CreateToken stores a session token by its hash.
func (s *Store) CreateToken(ctx context.Context, userID, tokenHash string, expires time.Time) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			tokenHash, userID, ms(t.now), ms(expires))
		return err
	})
}

// RevokeToken ends a session; revoking an unknown token is not an error.
func (s *Store) RevokeToken(ctx context.Context, tokenHash string) error {
	return s.inTx(ctx, func(t *tx) error {
		_, err := t.exec(ctx, `UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at = 0`, ms(t.now), tokenHash)
		return err
	})
}

// errBadToken is the one answer for unknown, expired and revoked tokens, so
// that a caller learns nothing about which it was.
var errBadToken = core.E(core.Forbidden, "auth.token", "the session is not valid: log in again")

// CallerByToken loads the user behind a live token with their memberships.
func (s *Store) CallerByToken(ctx context.Context, tokenHash string) (Caller, error) {
	var c Caller
	var email string
	var expires, revoked, verified int64
	err := s.queryRow(ctx, `SELECT u.id, u.email, u.name, t.expires_at, t.revoked_at, u.verified_at, u.language
		FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?`,
		tokenHash).Scan(&c.ID, &email, &c.Name, &expires, &revoked, &verified, &c.Language)
	c.Verified = verified != 0
	if errors.Is(err, sql.ErrNoRows) {
		return Caller{}, errBadToken
	}
	if err != nil {
		return Caller{}, fmt.Errorf("token: %w", err)
	}
	if revoked != 0 || !s.now().Before(fromMS(expires)) {
		return Caller{}, errBadToken
	}
	c.Email = core.Email(email)
	return s.withMemberships(ctx, c)
}

// Caller loads a user and every account they may act in.
func (s *Store) Caller(ctx context.Context, userID string) (Caller, error) {
	var c Caller
	var email string
	var verified int64
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT id, email, name, verified_at, language FROM users WHERE id = ?`), userID).
		Scan(&c.ID, &email, &c.Name, &verified, &c.Language)
	c.Verified = verified != 0
	if errors.Is(err, sql.ErrNoRows) {
		return Caller{}, errBadToken
	}
	if err != nil {
		return Caller{}, fmt.Errorf("caller: %w", err)
	}
	c.Email = core.Email(email)
	return s.withMemberships(ctx, c)
}

func (s *Store) withMemberships(ctx context.Context, c Caller) (Caller, error) {
	userID := c.ID
	// Direct memberships, then customers that delegated to a partner account
	// the user manages (the user acts there as "partner").
	rows, err := s.query(ctx, `
		SELECT a.id, a.name, m.role, a.partner, COALESCE(a.delegated_to, ''), FALSE
		FROM memberships m JOIN accounts a ON a.id = m.account_id
		WHERE m.user_id = ?
		UNION ALL
		SELECT c.id, c.name, 'partner', c.partner, COALESCE(c.delegated_to, ''), TRUE
		FROM memberships m JOIN accounts c ON c.delegated_to = m.account_id
		WHERE m.user_id = ? AND m.role IN ('owner', 'admin', 'partner')
		ORDER BY 2, 1`, userID, userID)
	if err != nil {
		return Caller{}, fmt.Errorf("memberships: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m Membership
		var role string
		if err := rows.Scan(&m.AccountID, &m.AccountName, &role, &m.Partner, &m.DelegatedTo, &m.Acting); err != nil {
			return Caller{}, fmt.Errorf("memberships: %w", err)
		}
		r, err := core.ParseRole(role)
		if err != nil {
			return Caller{}, fmt.Errorf("memberships: %w", err)
		}
		m.Role = r
		c.Memberships = append(c.Memberships, m)
	}
	return c, rows.Err()
}
