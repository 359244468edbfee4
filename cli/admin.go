package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
)

// accountFlag is the --account flag's help, the same wherever an account
// is asked for.
const accountFlag = "the account, by name or ID (default: yours)"

// account resolves what the user typed for an account, or their own
// account when they typed nothing.
func (a *app) account(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		m, ok, err := a.d.OwnAccount(ctx)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", usagef("give --account: this login acts in no account yet")
		}
		return m.AccountID, nil
	}
	return a.d.ResolveAccount(ctx, ref)
}

// onlineOnly refuses --offline for a job that needs the portal.
func (a *app) onlineOnly(ctx context.Context, what string) error {
	if a.offline {
		return usagef("%s needs the portal: drop --offline", what)
	}
	return a.requireProfile(ctx)
}

func cmdMembers(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "members "+sub)
	account := f.String("account", "", accountFlag)
	email := f.String("email", "", "add: the member's e-mail (they need an account)")
	role := f.String("role", "member", "add: member or admin")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *email == "" && len(pos) == 1 {
		*email = pos[0]
	}
	switch sub {
	case "list":
		if err := a.onlineOnly(ctx, "the member list"); err != nil {
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
		tw := a.table("E-MAIL", "NAME", "ROLE", "STATUS")
		for _, m := range ms {
			row(tw, m.Email, words.OrDash(m.Name), m.Role, words.OrDash(m.Status))
		}
		return tw.Flush()
	case "add":
		if err := need("email", *email); err != nil {
			return err
		}
		if err := a.onlineOnly(ctx, "adding a member"); err != nil {
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
			fmt.Fprintf(a.env.Stdout, "offered: %s is offered the role %s; they accept it with licdesk offers accept\n", m.Email, m.Role)
			return nil
		}
		fmt.Fprintf(a.env.Stdout, "done: %s is %s of the account\n", m.Email, m.Role)
		return nil
	case "remove", "leave", "handover":
		if sub != "leave" {
			if err := need("email", *email); err != nil {
				return err
			}
		}
		if err := a.onlineOnly(ctx, "changing the members"); err != nil {
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
			fmt.Fprintf(a.env.Stdout, "done: %s is no longer a member (or offered)\n", *email)
		case "leave":
			if err := a.d.LeaveAccount(ctx, id); err != nil {
				return err
			}
			fmt.Fprintln(a.env.Stdout, "done: you left the account")
		case "handover":
			m, err := a.d.HandOver(ctx, id, *email)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "done: %s owns the account now; you are an admin\n", m.Email)
		}
		return nil
	}
	return usagef("members %s: want list, add, remove, leave or handover", sub)
}

func cmdDelegation(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "")
	f := newFlags(a, "delegation "+sub)
	account := f.String("account", "", accountFlag)
	partner := f.String("partner", "", "grant: the partner that sold to you, by name or ID (see licdesk orders)")
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
		if err := a.onlineOnly(ctx, "a delegation"); err != nil {
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
			fmt.Fprintf(a.env.Stdout, "done: %s is managed by its own members only\n", acct.Name)
		} else {
			fmt.Fprintf(a.env.Stdout, "done: %s may now be managed by its partner %s\n", acct.Name, *partner)
		}
		return nil
	}
	return usagef("delegation: want grant --partner P or revoke")
}

func cmdAudit(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "audit")
	license := f.String("license", "", "the license's history (licdesk solutions lists them)")
	account := f.String("account", "", "the account's history, by name or ID")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if (*license == "") == (*account == "") {
		return usagef("give --license ID or --account A")
	}
	if err := a.onlineOnly(ctx, "the audit trail"); err != nil {
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
		return usagef("%s", amb)
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(nonNil(evs))
	}
	tw := a.table("WHEN", "WHO", "WHAT", "SUBJECT", "BEFORE", "AFTER")
	for _, e := range evs {
		row(tw, e.At.Local().Format("2006-01-02 15:04"), e.Actor, e.Action, e.Subject, words.OrDash(e.Before), words.OrDash(e.After))
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
		fmt.Fprintf(a.env.Stderr, "licdesk: the portal did not answer (%s): every subscription counts down to 10 days after its expiry\n",
			oneLine(subs.Why.Error()))
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
	tw := a.table("PRODUCT", "WHAT", "EXPIRES", "RENEWED", "PHASE", "DAYS LEFT", "STOPS IF UNREACHABLE", "ACTION")
	for _, s := range out {
		exp, stop, left := "perpetual", "-", "-"
		if s.Expiry != nil {
			exp, left = a.date(*s.Expiry), fmt.Sprint(s.DaysLeft)
		}
		if s.StopsIfUnreachable != nil {
			stop = a.date(*s.StopsIfUnreachable)
		}
		renewed := "no"
		if s.Renewed {
			renewed = "yes"
		}
		row(tw, s.Product, s.Source+" "+s.ID, exp, renewed, s.Phase, left, stop, words.OrDash(s.Action))
	}
	return tw.Flush()
}
