package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
)

// accountFlag is the catalog key of the --account flag's help, the same
// wherever an account is asked for.
const accountFlag = "cli.flag.account"

// account resolves what the user typed for an account, or their own
// account when they typed nothing.
func (a *app) account(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		m, ok, err := a.d.OwnAccount(ctx)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", usage("cli.account.none")
		}
		return m.AccountID, nil
	}
	return a.d.ResolveAccount(ctx, ref)
}

// onlineOnly refuses --offline for a job that needs the portal; what is
// the catalog key that names the job.
func (a *app) onlineOnly(ctx context.Context, what string) error {
	if a.offline {
		return usage("cli.needs_portal", "What", a.lang.T(what))
	}
	return a.requireProfile(ctx)
}

func cmdMembers(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "members "+sub)
	account := f.String("account", "", a.lang.T(accountFlag))
	email := f.String("email", "", a.only("add", "cli.members.flag.email"))
	role := f.String("role", "member", a.only("add", "cli.members.flag.role"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *email == "" && len(pos) == 1 {
		*email = pos[0]
	}
	switch sub {
	case "list":
		if err := a.onlineOnly(ctx, "cli.job.member_list"); err != nil {
			return err
		}
		id, err := a.account(ctx, *account)
		if err != nil {
			return err
		}
		ms, err := a.d.Members(ctx, id)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(nonNil(ms))
		}
		tw := a.table("cli.header.email", "cli.header.name", "cli.header.role", "cli.header.status")
		for _, m := range ms {
			row(tw, m.Email, words.OrDash(m.Name), a.enum("role", m.Role), words.OrDash(m.Status))
		}
		return tw.Flush()
	case "add":
		if err := need("email", *email); err != nil {
			return err
		}
		if err := a.onlineOnly(ctx, "cli.job.add_member"); err != nil {
			return err
		}
		id, err := a.account(ctx, *account)
		if err != nil {
			return err
		}
		m, err := a.d.AddMember(ctx, id, *email, *role)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(m)
		}
		if m.Status == "offered" {
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.members.offered", "Email", m.Email, "Role", a.enum("role", m.Role)))
			return nil
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.members.added", "Email", m.Email, "Role", a.enum("role", m.Role)))
		return nil
	case "remove", "leave", "handover":
		if sub != "leave" {
			if err := need("email", *email); err != nil {
				return err
			}
		}
		if err := a.onlineOnly(ctx, "cli.job.change_members"); err != nil {
			return err
		}
		id, err := a.account(ctx, *account)
		if err != nil {
			return err
		}
		switch sub {
		case "remove":
			if err := a.d.RemoveMember(ctx, id, *email); err != nil {
				return err
			}
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.members.removed", "Email", *email))
		case "leave":
			if err := a.d.LeaveAccount(ctx, id); err != nil {
				return err
			}
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.members.left"))
		case "handover":
			m, err := a.d.HandOver(ctx, id, *email)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.members.handed_over", "Email", m.Email))
		}
		return nil
	}
	return a.want("members "+sub, "list", "add", "remove", "leave", "handover")
}

func cmdDelegation(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "")
	f := newFlags(a, "delegation "+sub)
	account := f.String("account", "", a.lang.T(accountFlag))
	partner := f.String("partner", "", a.only("grant", "cli.delegation.flag.partner"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	switch sub {
	case "grant", "revoke":
		if sub == "grant" {
			if err := need("partner", *partner); err != nil {
				return err
			}
		} else {
			*partner = ""
		}
		if err := a.onlineOnly(ctx, "cli.job.delegation"); err != nil {
			return err
		}
		id, err := a.account(ctx, *account)
		if err != nil {
			return err
		}
		acct, err := a.d.SetDelegation(ctx, id, *partner)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(acct)
		}
		if acct.DelegatedTo == "" {
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.delegation.revoked", "Account", acct.Name))
		} else {
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.delegation.granted", "Account", acct.Name, "Partner", *partner))
		}
		return nil
	}
	return a.want("delegation", "grant --partner P", "revoke")
}

func cmdAudit(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "audit")
	license := f.String("license", "", a.lang.T("cli.audit.flag.license"))
	account := f.String("account", "", a.lang.T("cli.audit.flag.account"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	if (*license == "") == (*account == "") {
		return usage("cli.audit.which")
	}
	if err := a.onlineOnly(ctx, "cli.job.audit"); err != nil {
		return err
	}
	var evs []api.AuditEvent
	var err error
	if *license != "" {
		evs, err = a.d.History(ctx, *license)
	} else {
		evs, err = a.d.AccountHistory(ctx, *account)
	}
	var amb *desk.AmbiguousAccountError
	if errors.As(err, &amb) {
		return &usageError{amb}
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(nonNil(evs))
	}
	tw := a.table("cli.header.when", "cli.header.who", "cli.header.what", "cli.header.subject", "cli.header.before", "cli.header.after")
	for _, e := range evs {
		row(tw, a.lang.DateTime(e.At.Local()), e.Actor, e.Action, e.Subject, words.OrDash(e.Before), words.OrDash(e.After))
	}
	return tw.Flush()
}

func cmdSubscriptions(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "subscriptions")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	subs, err := a.d.Subscriptions(ctx, a.offline)
	if err != nil {
		return err
	}
	if subs.Unreachable && !a.offline && subs.Why != nil {
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.subscriptions.unreachable", "Err", oneLine(a.lang.Err(subs.Why))))
	}
	type subOut struct {
		api.Subscription
		Action string `json:"action,omitempty"`
	}
	out := make([]subOut, len(subs.List))
	for i, s := range subs.List {
		out[i] = subOut{s, desk.SubscriptionAction(s)}
	}
	if a.json {
		return a.printJSON(out)
	}
	tw := a.table("cli.header.product", "cli.header.what", "cli.header.expires", "cli.header.renewed", "cli.header.phase",
		"cli.header.days_left", "cli.header.stops_if_unreachable", "cli.header.action")
	for _, s := range out {
		exp, stop, left := a.lang.T("cli.keys.perpetual"), "-", "-"
		if s.Expiry != nil {
			exp, left = a.date(*s.Expiry), a.lang.Number(s.DaysLeft)
		}
		if s.StopsIfUnreachable != nil {
			stop = a.date(*s.StopsIfUnreachable)
		}
		renewed := a.lang.T("cli.no")
		if s.Renewed {
			renewed = a.lang.T("cli.status.online_yes")
		}
		row(tw, s.Product, s.Source+" "+s.ID, exp, renewed, a.enum("subscription", s.Phase), left, stop, words.OrDash(a.action(s.Action)))
	}
	return tw.Flush()
}
