package store

import (
	"context"
	"database/sql"
	"errors"
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
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT u.email, u.name, m.role, 'member' FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.account_id = ?
		UNION ALL
		SELECT u.email, u.name, o.role, 'offered' FROM member_offers o JOIN users u ON u.id = o.user_id
		WHERE o.account_id = ? ORDER BY 1`), accountID, accountID)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	out := []api.Member{}
	for rows.Next() {
		var m api.Member
		if err := rows.Scan(&m.Email, &m.Name, &m.Role, &m.Status); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// maxMembers bounds the members and open offers of one account.
const maxMembers = 500

// AddMember offers a verified user a role (admin or member) in an account,
// or changes the role of someone already a member. Joining is the
// invitee's choice: the offer waits until they accept or decline it. The
// owner's role is not changed this way: ownership is handed over.
func (s *Store) AddMember(ctx context.Context, c Caller, w Write, accountID, email, role string) (api.Member, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Member, error) {
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return api.Member{}, err
		}
		actor := c.actor()
		if err := hide(core.Authorize(actor, core.ManageMembers, acct)); err != nil {
			return api.Member{}, err
		}
		r, err := core.ParseMemberRole(role)
		if err != nil {
			return api.Member{}, err
		}
		e, err := core.NormalizeEmail(email)
		if err != nil {
			return api.Member{}, err
		}
		var userID, name string
		var verified int64
		if err := t.queryRow(ctx, `SELECT id, name, verified_at FROM users WHERE email = ?`, string(e)).Scan(&userID, &name, &verified); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return api.Member{}, core.WithArgs(core.E(core.NotFound, "member.no_account",
					string(e)+" has no account yet: assign them a seat to invite them, then offer membership"), "Email", string(e))
			}
			return api.Member{}, err
		}
		current, err := t.roleIn(ctx, accountID, userID)
		if err != nil {
			return api.Member{}, err
		}
		if current != core.RoleNone {
			if err := core.CheckMemberChange(actor.Roles[acct.ID], current, r, userID == c.ID); err != nil {
				return api.Member{}, err
			}
			if _, err := t.exec(ctx, `UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?`, r.String(), accountID, userID); err != nil {
				return api.Member{}, err
			}
			if err := t.audit(ctx, acct.ID, "", core.Event{At: t.now, Actor: c.Email, Action: "account.member_role",
				Subject: string(e), Before: current.String(), After: r.String()}); err != nil {
				return api.Member{}, err
			}
			if err := t.recordChange(ctx, api.KindAccount, accountID, accountID, string(e)); err != nil {
				return api.Member{}, err
			}
			return api.Member{Email: string(e), Name: name, Role: r.String(), Status: "member"}, nil
		}
		if verified == 0 {
			return api.Member{}, core.E(core.Conflict, core.CodeMemberUnverified,
				string(e)+" has not verified their address yet; offer membership once they have")
		}
		var n int
		if err := t.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM memberships WHERE account_id = ?) +
			(SELECT COUNT(*) FROM member_offers WHERE account_id = ?)`, accountID, accountID).Scan(&n); err != nil {
			return api.Member{}, err
		}
		if n >= maxMembers {
			return api.Member{}, core.WithArgs(core.E(core.Conflict, "account.members_limit",
				fmt.Sprintf("an account has at most %d members and open offers; remove some first", maxMembers)), "Max", maxMembers)
		}
		if _, err := t.exec(ctx, `INSERT INTO member_offers (account_id, user_id, role, offered_by, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role, offered_by = excluded.offered_by, created_at = excluded.created_at`,
			accountID, userID, r.String(), string(c.Email), ms(t.now)); err != nil {
			return api.Member{}, err
		}
		if err := t.audit(ctx, acct.ID, "", core.Event{At: t.now, Actor: c.Email, Action: "account.member_offer",
			Subject: string(e), After: r.String()}); err != nil {
			return api.Member{}, err
		}
		// The invitee's feed shows the offer; the managers' the pending row.
		if err := t.recordChange(ctx, api.KindOffer, accountID, "", string(e)); err != nil {
			return api.Member{}, err
		}
		return api.Member{Email: string(e), Name: name, Role: r.String(), Status: "offered"}, nil
	})
	if err != nil {
		return api.Member{}, fmt.Errorf("add member to %s: %w", accountID, err)
	}
	return out, nil
}

// roleIn returns a user's direct role in an account, RoleNone for none.
func (t *tx) roleIn(ctx context.Context, accountID, userID string) (core.Role, error) {
	var role string
	err := t.queryRow(ctx, `SELECT role FROM memberships WHERE account_id = ? AND user_id = ?`+t.d.forUpdate(), accountID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return core.RoleNone, nil
	}
	if err != nil {
		return core.RoleNone, err
	}
	return core.ParseRole(role)
}

// Offers lists the membership offers waiting for the caller.
func (s *Store) Offers(ctx context.Context, c Caller) ([]api.Offer, error) {
	return offers(ctx, s.db, s.d, c.ID, "")
}

func offers(ctx context.Context, q querier, d dialect, userID, accountID string) ([]api.Offer, error) {
	query := `SELECT o.account_id, a.name, o.role, o.offered_by, o.created_at FROM member_offers o
		JOIN accounts a ON a.id = o.account_id WHERE o.user_id = ?`
	args := []any{userID}
	if accountID != "" {
		query += ` AND o.account_id = ?`
		args = append(args, accountID)
	}
	rows, err := q.QueryContext(ctx, d.rebind(query+` ORDER BY o.account_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("offers: %w", err)
	}
	defer rows.Close()
	out := []api.Offer{}
	for rows.Next() {
		var o api.Offer
		var at int64
		if err := rows.Scan(&o.AccountID, &o.AccountName, &o.Role, &o.OfferedBy, &at); err != nil {
			return nil, fmt.Errorf("offers: %w", err)
		}
		o.OfferedAt = fromMS(at)
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) offerView(ctx context.Context, c Caller, accountID string) (any, bool, error) {
	os, err := offers(ctx, s.db, s.d, c.ID, accountID)
	if err != nil || len(os) == 0 {
		return nil, false, err
	}
	return os[0], true, nil
}

func (s *Store) listOffers(ctx context.Context, c Caller) (map[string]any, error) {
	os, err := s.Offers(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(os))
	for _, o := range os {
		out[o.AccountID] = o
	}
	return out, nil
}

var errNoOffer = core.E(core.NotFound, core.CodeOfferNotFound, "no membership offer from that account is waiting for you")

// AcceptOffer makes the caller a member of an account that offered it; the
// caller's address must be verified.
func (s *Store) AcceptOffer(ctx context.Context, c Caller, w Write, accountID string) (api.Membership, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Membership, error) {
		if !c.Verified {
			return api.Membership{}, core.E(core.Forbidden, core.CodeAccountUnverified,
				"verify your e-mail address first: enter the code the portal sent you")
		}
		var role string
		err := t.queryRow(ctx, `SELECT role FROM member_offers WHERE account_id = ? AND user_id = ?`+t.d.forUpdate(), accountID, c.ID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return api.Membership{}, errNoOffer
		}
		if err != nil {
			return api.Membership{}, err
		}
		if _, err := t.exec(ctx, `DELETE FROM member_offers WHERE account_id = ? AND user_id = ?`, accountID, c.ID); err != nil {
			return api.Membership{}, err
		}
		if _, err := t.exec(ctx, `INSERT INTO memberships (account_id, user_id, role) VALUES (?, ?, ?)
			ON CONFLICT (account_id, user_id) DO NOTHING`, accountID, c.ID, role); err != nil {
			return api.Membership{}, err
		}
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return api.Membership{}, err
		}
		if err := t.audit(ctx, core.AccountID(accountID), "", core.Event{At: t.now, Actor: c.Email, Action: "account.member_join",
			Subject: string(c.Email), After: role}); err != nil {
			return api.Membership{}, err
		}
		if err := t.recordChange(ctx, api.KindOffer, accountID, "", string(c.Email)); err != nil {
			return api.Membership{}, err
		}
		if err := t.recordChange(ctx, api.KindAccount, accountID, accountID, string(c.Email)); err != nil {
			return api.Membership{}, err
		}
		return api.Membership{AccountID: accountID, AccountName: acct.Name, Role: role, DelegatedTo: string(acct.DelegatedTo)}, nil
	})
	if err != nil {
		return api.Membership{}, fmt.Errorf("accept offer of %s: %w", accountID, err)
	}
	return out, nil
}

// DeclineOffer drops a membership offer made to the caller.
func (s *Store) DeclineOffer(ctx context.Context, c Caller, w Write, accountID string) error {
	_, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (struct{}, error) {
		res, err := t.exec(ctx, `DELETE FROM member_offers WHERE account_id = ? AND user_id = ?`, accountID, c.ID)
		if err != nil {
			return struct{}{}, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return struct{}{}, errNoOffer
		}
		if err := t.audit(ctx, core.AccountID(accountID), "", core.Event{At: t.now, Actor: c.Email, Action: "account.member_decline",
			Subject: string(c.Email)}); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, t.recordChange(ctx, api.KindOffer, accountID, "", string(c.Email))
	})
	if err != nil {
		return fmt.Errorf("decline offer of %s: %w", accountID, err)
	}
	return nil
}

// RemoveMember ends someone's membership of an account (or withdraws an
// offer made to them). Any member may leave; the owner and admins remove
// others; nobody removes the owner, who hands ownership over first.
func (s *Store) RemoveMember(ctx context.Context, c Caller, w Write, accountID, email string) error {
	_, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (struct{}, error) {
		e, err := core.NormalizeEmail(email)
		if err != nil {
			return struct{}{}, err
		}
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return struct{}{}, err
		}
		actor := c.actor()
		myRole := actor.Roles[acct.ID]
		if myRole == core.RoleNone {
			return struct{}{}, hide(core.Authorize(actor, core.ManageMembers, acct))
		}
		var userID string
		if err := t.queryRow(ctx, `SELECT id FROM users WHERE email = ?`, string(e)).Scan(&userID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return struct{}{}, core.E(core.NotFound, core.CodeMemberNotMember, string(e)+" is not a member of this account")
			}
			return struct{}{}, err
		}
		self := userID == c.ID
		current, err := t.roleIn(ctx, accountID, userID)
		if err != nil {
			return struct{}{}, err
		}
		if current == core.RoleNone {
			if !core.Allows(myRole, core.ManageMembers, false) {
				return struct{}{}, core.E(core.Forbidden, core.CodeAccessNoRole, "only the account's owner and admins manage its members")
			}
			res, err := t.exec(ctx, `DELETE FROM member_offers WHERE account_id = ? AND user_id = ?`, accountID, userID)
			if err != nil {
				return struct{}{}, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return struct{}{}, core.E(core.NotFound, core.CodeMemberNotMember, string(e)+" is not a member of this account")
			}
			return struct{}{}, t.recordChange(ctx, api.KindOffer, accountID, "", string(e))
		}
		if err := core.CheckMemberChange(myRole, current, core.RoleNone, self); err != nil {
			return struct{}{}, err
		}
		if _, err := t.exec(ctx, `DELETE FROM memberships WHERE account_id = ? AND user_id = ?`, accountID, userID); err != nil {
			return struct{}{}, err
		}
		action := "account.member_remove"
		if self {
			action = "account.member_leave"
		}
		if err := t.audit(ctx, acct.ID, "", core.Event{At: t.now, Actor: c.Email, Action: action,
			Subject: string(e), Before: current.String()}); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, t.recordChange(ctx, api.KindAccount, accountID, accountID, string(e))
	})
	if err != nil {
		return fmt.Errorf("remove member from %s: %w", accountID, err)
	}
	return nil
}

// HandOver makes another verified member the account's owner; the old
// owner stays as an admin.
func (s *Store) HandOver(ctx context.Context, c Caller, w Write, accountID, email string) (api.Member, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Member, error) {
		e, err := core.NormalizeEmail(email)
		if err != nil {
			return api.Member{}, err
		}
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return api.Member{}, err
		}
		actor := c.actor()
		myRole := actor.Roles[acct.ID]
		if myRole == core.RoleNone {
			return api.Member{}, hide(core.Authorize(actor, core.ManageMembers, acct))
		}
		var userID, name string
		var verified int64
		err = t.queryRow(ctx, `SELECT id, name, verified_at FROM users WHERE email = ?`, string(e)).Scan(&userID, &name, &verified)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return api.Member{}, err
		}
		target := core.RoleNone
		if userID != "" {
			if target, err = t.roleIn(ctx, accountID, userID); err != nil {
				return api.Member{}, err
			}
		}
		if err := core.CheckHandOver(myRole, target, verified != 0, userID == c.ID); err != nil {
			return api.Member{}, err
		}
		if _, err := t.exec(ctx, `UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?`,
			core.RoleAdmin.String(), accountID, c.ID); err != nil {
			return api.Member{}, err
		}
		if _, err := t.exec(ctx, `UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?`,
			core.RoleOwner.String(), accountID, userID); err != nil {
			return api.Member{}, err
		}
		if err := t.audit(ctx, acct.ID, "", core.Event{At: t.now, Actor: c.Email, Action: "account.owner",
			Subject: string(e), Before: string(c.Email), After: string(e)}); err != nil {
			return api.Member{}, err
		}
		if err := t.recordChange(ctx, api.KindAccount, accountID, accountID, string(e)); err != nil {
			return api.Member{}, err
		}
		return api.Member{Email: string(e), Name: name, Role: core.RoleOwner.String(), Status: "member"}, nil
	})
	if err != nil {
		return api.Member{}, fmt.Errorf("hand %s over: %w", accountID, err)
	}
	return out, nil
}
