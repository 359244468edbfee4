package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/core"
)

// actor is the caller as the access rules see them: their direct roles.
// Partner-acting rights come from the account's delegation, which
// core.Authorize checks itself.
func (c Caller) actor() core.Actor {
	a := core.Actor{Email: c.Email, Roles: map[core.AccountID]core.Role{}}
	for _, m := range c.Memberships {
		if m.Acting {
			continue
		}
		a.Roles[core.AccountID(m.AccountID)] = m.Role
		if a.Account == "" && m.Role == core.RoleOwner {
			a.Account = core.AccountID(m.AccountID)
		}
	}
	return a
}

// by stamps the caller and the transaction's time on a transition.
func (c Caller) by(t *tx) core.By { return core.By{Actor: c.Email, At: t.now} }

// accountIDs lists every account the caller may act in, partner-acting
// included.
func (c Caller) accountIDs() []string {
	out := make([]string, 0, len(c.Memberships))
	for _, m := range c.Memberships {
		out = append(out, m.AccountID)
	}
	return out
}

// hide turns "you have no role in that account" into "not found", so that a
// token of one account cannot even learn which objects another one has.
func hide(err error) error {
	if err != nil && core.CodeOf(err) == core.CodeAccessNoRole {
		return core.E(core.NotFound, "not_found", "no such object in your accounts")
	}
	return err
}

var errNoAccount = core.E(core.NotFound, "account.not_found", "no such account")

func (s *Store) account(ctx context.Context, id string) (core.Account, error) {
	return accountOf(ctx, s.db, s.d, id)
}

func (t *tx) account(ctx context.Context, id string) (core.Account, error) {
	return accountOf(ctx, t, t.d, id)
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func accountOf(ctx context.Context, q rowQuerier, d dialect, id string) (core.Account, error) {
	var a core.Account
	var aid, delegated, owner string
	err := q.QueryRowContext(ctx, d.rebind(`SELECT a.id, a.name, COALESCE(a.delegated_to, ''),
		COALESCE((SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
		          WHERE m.account_id = a.id AND m.role = 'owner' ORDER BY u.email LIMIT 1), '')
		FROM accounts a WHERE a.id = ?`), id).Scan(&aid, &a.Name, &delegated, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Account{}, errNoAccount
	}
	if err != nil {
		return core.Account{}, fmt.Errorf("account %s: %w", id, err)
	}
	a.ID, a.DelegatedTo, a.OwnerEmail = core.AccountID(aid), core.AccountID(delegated), core.Email(owner)
	return a, nil
}
