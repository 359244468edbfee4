package store

import (
	"context"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

func membershipView(m Membership) api.Membership {
	return api.Membership{AccountID: m.AccountID, AccountName: m.AccountName, Role: m.Role.String(),
		Partner: m.Partner, DelegatedTo: m.DelegatedTo}
}

// accountView renders one of the caller's accounts (as their membership).
func (s *Store) accountView(_ context.Context, c Caller, id string) (any, bool, error) {
	for _, m := range c.Memberships {
		if m.AccountID == id {
			return membershipView(m), true, nil
		}
	}
	return nil, false, nil
}

func (s *Store) listAccounts(_ context.Context, c Caller) (map[string]any, error) {
	out := map[string]any{}
	for _, m := range c.Memberships {
		out[m.AccountID] = membershipView(m)
	}
	return out, nil
}

// Members lists the users of an account with their roles.
func (s *Store) Members(ctx context.Context, c Caller, accountID string) ([]api.Member, error) {
	acct, err := s.account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := hide(core.Authorize(c.actor(), core.ViewSolutions, acct)); err != nil {
		return nil, err
	}
	return members(ctx, s.db, s.d, accountID)
}

func members(ctx context.Context, q querier, d dialect, accountID string) ([]api.Member, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = ? ORDER BY u.email`), accountID)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	out := []api.Member{}
	for rows.Next() {
		var m api.Member
		if err := rows.Scan(&m.Email, &m.Name, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddMember gives an existing user a role in an account (owner only). The
// role "owner" is not given this way: an account has one owner.
func (s *Store) AddMember(ctx context.Context, c Caller, w Write, accountID, email, role string) (api.Member, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Member, error) {
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return api.Member{}, err
		}
		if err := hide(core.Authorize(c.actor(), core.DelegateManagement, acct)); err != nil {
			return api.Member{}, err
		}
		r, err := core.ParseRole(role)
		if err != nil {
			return api.Member{}, err
		}
		if r == core.RoleOwner {
			return api.Member{}, core.E(core.Invalid, "member.owner", "an account has one owner; add admins or members")
		}
		e, err := core.NormalizeEmail(email)
		if err != nil {
			return api.Member{}, err
		}
		var userID, name string
		if err := t.queryRow(ctx, `SELECT id, name FROM users WHERE email = ?`, string(e)).Scan(&userID, &name); err != nil {
			return api.Member{}, core.E(core.NotFound, "member.no_account",
				string(e)+" has no account yet: assign them a seat to invite them, then add them")
		}
		if _, err := t.exec(ctx, `INSERT INTO memberships (account_id, user_id, role) VALUES (?, ?, ?)
			ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role`, accountID, userID, r.String()); err != nil {
			return api.Member{}, err
		}
		if err := t.audit(ctx, acct.ID, "", core.Event{At: t.now, Actor: c.Email, Action: "account.member",
			Subject: string(e), After: r.String()}); err != nil {
			return api.Member{}, err
		}
		// The new member's access changed; the account's managers see the
		// new member in the integration views.
		if err := t.recordChange(ctx, api.KindAccount, accountID, accountID, string(e)); err != nil {
			return api.Member{}, err
		}
		return api.Member{Email: string(e), Name: name, Role: r.String()}, nil
	})
	if err != nil {
		return api.Member{}, fmt.Errorf("add member to %s: %w", accountID, err)
	}
	return out, nil
}
