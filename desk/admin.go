package desk

import (
	"context"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// The jobs of an account's administrator and of a partner (sources 000,
// 001, 004): who the members are, the partner's delegation, the audit
// trail, and naming an account by its name rather than its ID.

// AccountChoice is an account the user can name: one they act in, a
// customer a partner's order went to, or the partner an order came from.
type AccountChoice struct {
	ID, Name string
	// Why says how the user knows it: their role in it, "customer" or
	// "partner".
	Why string
}

// NoAccountError: no account the user knows has that name or ID.
type NoAccountError struct {
	Ref     string
	Choices []AccountChoice
}

// Error names what was asked and what can be named.
func (e *NoAccountError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs; with no account to name, it says
// so.
func (e *NoAccountError) Words() *i18n.Error {
	if len(e.Choices) == 0 {
		return &i18n.Error{Key: "desk.no_account_none", Args: []any{"Ref", e.Ref}}
	}
	return &i18n.Error{Key: "desk.no_account", Args: []any{"Ref", e.Ref, "Names", choiceNames(e.Choices)}}
}

// AmbiguousAccountError: several accounts have the name given.
type AmbiguousAccountError struct {
	Ref     string
	Choices []AccountChoice
}

// Error lists the accounts of that name, by ID, to choose from.
func (e *AmbiguousAccountError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *AmbiguousAccountError) Words() *i18n.Error {
	var ids []string
	for _, c := range e.Choices {
		ids = append(ids, c.ID+" ("+c.Why+")")
	}
	return &i18n.Error{Key: "desk.ambiguous_account", Args: []any{"Ref", e.Ref, "IDs", strings.Join(ids, ", ")}}
}

func choiceNames(cs []AccountChoice) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// AccountChoices lists, from the local copy, every account the user can
// name: their own accounts, the customers their orders went to and the
// partners whose orders they received.
func (d *Desk) AccountChoices(ctx context.Context) ([]AccountChoice, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := c.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	orders, err := c.Orders(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []AccountChoice
	add := func(id, name, why string) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		out = append(out, AccountChoice{ID: id, Name: name, Why: why})
	}
	for _, m := range ms {
		add(m.AccountID, m.AccountName, m.Role)
	}
	own := map[string]bool{}
	for _, m := range ms {
		own[m.AccountID] = true
	}
	for _, o := range orders {
		if own[o.PartnerAccountID] {
			add(o.AssignedTo, o.AssignedToName, "customer")
		} else {
			add(o.PartnerAccountID, o.PartnerName, "partner")
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ResolveAccount turns what the user typed for an account (its ID, or its
// name in any case) into its ID. A name shared by several accounts is
// refused with an *AmbiguousAccountError listing them; a name nobody knows
// with a *NoAccountError. Something shaped like an ID that the copy does
// not know goes to the portal as it is, which decides.
func (d *Desk) ResolveAccount(ctx context.Context, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", invalid("account.ref", "name the account")
	}
	choices, err := d.AccountChoices(ctx)
	if err != nil {
		return "", err
	}
	var named []AccountChoice
	for _, c := range choices {
		if c.ID == ref {
			return ref, nil
		}
		if strings.EqualFold(strings.TrimSpace(c.Name), ref) {
			named = append(named, c)
		}
	}
	switch {
	case len(named) == 1:
		return named[0].ID, nil
	case len(named) > 1:
		return "", &AmbiguousAccountError{Ref: ref, Choices: named}
	case looksLikeID(ref):
		return ref, nil
	}
	return "", &NoAccountError{Ref: ref, Choices: choices}
}

// looksLikeID reports whether ref could be an account ID (one word, no
// spaces), which the portal may know though the local copy does not.
func looksLikeID(ref string) bool {
	return !strings.ContainsAny(ref, " \t") && strings.ContainsAny(ref, "0123456789")
}

// Members lists the users of an account with their roles. It needs the
// portal.
func (d *Desk) Members(ctx context.Context, account string) ([]api.Member, error) {
	id, cl, err := d.accountCall(ctx, account)
	if err != nil {
		return nil, err
	}
	return cl.Members(ctx, id)
}

// AddMember gives a user with an account a role (admin or member) in an
// account; adding them again changes the role.
func (d *Desk) AddMember(ctx context.Context, account, email, role string) (api.Member, error) {
	id, cl, err := d.accountCall(ctx, account)
	if err != nil {
		return api.Member{}, err
	}
	m, err := cl.AddMember(ctx, id, api.MemberRequest{Email: strings.TrimSpace(email), Role: role})
	if err == nil {
		d.pullQuietly(ctx)
	}
	return m, err
}

// RemoveMember takes a member out of an account, or withdraws an offer
// (the owner's and admins' call); with the user's own e-mail it is
// leaving the account. The owner hands ownership over first.
func (d *Desk) RemoveMember(ctx context.Context, account, email string) error {
	id, cl, err := d.accountCall(ctx, account)
	if err != nil {
		return err
	}
	if err := cl.RemoveMember(ctx, lsync.NewKey(), id, strings.TrimSpace(email)); err != nil {
		return err
	}
	d.Sync(ctx) // what the account gave (or took) shows at once
	return nil
}

// LeaveAccount takes the user out of an account they are a member of.
func (d *Desk) LeaveAccount(ctx context.Context, account string) error {
	s, err := d.requireLogin(ctx)
	if err != nil {
		return err
	}
	return d.RemoveMember(ctx, account, s.Email)
}

// HandOver makes another verified member the account's owner; the user,
// its owner until then, becomes an admin.
func (d *Desk) HandOver(ctx context.Context, account, email string) (api.Member, error) {
	id, cl, err := d.accountCall(ctx, account)
	if err != nil {
		return api.Member{}, err
	}
	m, err := cl.HandOver(ctx, lsync.NewKey(), id, strings.TrimSpace(email))
	if err == nil {
		d.Sync(ctx)
	}
	return m, err
}

// SetDelegation lets the partner that sold to the account manage it, or
// ends the delegation (partner ""). Both accounts may be given by name.
func (d *Desk) SetDelegation(ctx context.Context, account, partner string) (api.Account, error) {
	id, err := d.ResolveAccount(ctx, account)
	if err != nil {
		return api.Account{}, err
	}
	pid := ""
	if partner != "" {
		if pid, err = d.ResolveAccount(ctx, partner); err != nil {
			return api.Account{}, err
		}
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.Account{}, err
	}
	a, err := cl.SetDelegation(ctx, id, pid)
	if err == nil {
		d.pullQuietly(ctx)
	}
	return a, err
}

// AccountHistory lists the recorded transitions of an account. It needs
// the portal.
func (d *Desk) AccountHistory(ctx context.Context, account string) ([]api.AuditEvent, error) {
	id, cl, err := d.accountCall(ctx, account)
	if err != nil {
		return nil, err
	}
	return cl.AccountAudit(ctx, id)
}

// AssignOrder is the write that assigns a partner's order to a customer,
// named by ID or by name.
func (d *Desk) AssignOrder(ctx context.Context, order, customer string) (lsync.Write, error) {
	id, err := d.ResolveAccount(ctx, customer)
	if err != nil {
		return lsync.Write{}, err
	}
	return lsync.AssignOrder(order, id)
}

// pullQuietly brings the local copy up to date after a direct write; a
// failure leaves it for the next sync.
func (d *Desk) pullQuietly(ctx context.Context) {
	if s, err := d.Syncer(ctx, lsync.NoRetry()); err == nil {
		qctx, cancel := d.quick(ctx)
		s.Pull(qctx)
		cancel()
	}
}

// accountCall resolves an account the user named (ID or name) and opens
// the portal client a call about it needs.
func (d *Desk) accountCall(ctx context.Context, account string) (string, *lsync.Client, error) {
	id, err := d.ResolveAccount(ctx, account)
	if err != nil {
		return "", nil, err
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	return id, cl, err
}
