package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
)

// askCode asks, on a terminal, for the code the portal e-mailed to a new
// address; elsewhere it says how to enter it later.
func (a *app) askCode(ctx context.Context, email string) error {
	later := fmt.Sprintf("the code is in the e-mail sent to %s: licdesk verify CODE (licdesk verify --resend sends another)", email)
	if !a.env.StdinTerminal {
		fmt.Fprintln(a.env.Stdout, "not verified yet: "+later)
		return nil
	}
	fmt.Fprintf(a.env.Stderr, "Code from the e-mail sent to %s: ", email)
	code, err := readLine(a.env.Stdin)
	if err != nil || code == "" {
		fmt.Fprintln(a.env.Stdout, "not verified yet: "+later)
		return nil
	}
	u, err := a.d.Verify(ctx, code)
	if err != nil {
		return fmt.Errorf("%w (%s)", err, later)
	}
	fmt.Fprintf(a.env.Stdout, "verified %s: seats assigned to it are yours now\n", u.Email)
	return nil
}

func cmdVerify(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "verify")
	resend := f.Bool("resend", false, "e-mail a new code")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	s := a.session(ctx)
	if *resend {
		if len(pos) != 0 {
			return usagef("usage: licdesk verify --resend")
		}
		if err := a.d.ResendCode(ctx); err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stdout, "a new code is on its way to %s\n", s.Email)
		return nil
	}
	if len(pos) != 1 {
		return usagef("usage: licdesk verify CODE (from the e-mail), or licdesk verify --resend")
	}
	u, err := a.d.Verify(ctx, pos[0])
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(u)
	}
	fmt.Fprintf(a.env.Stdout, "verified %s: seats assigned to it are yours now\n", u.Email)
	return nil
}

// cmdOffers lists the accounts that offered the user membership, and
// accepts or declines one.
func cmdOffers(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "offers "+sub)
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	switch sub {
	case "list":
		offers, err := a.d.Offers(ctx)
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(nonNil(offers))
		}
		if len(offers) == 0 {
			fmt.Fprintln(a.env.Stdout, "no membership offer is waiting for you")
			return nil
		}
		tw := a.table("ACCOUNT", "ROLE", "OFFERED BY", "WHEN")
		for _, o := range offers {
			row(tw, words.Safe(o.AccountName), o.Role, words.Safe(o.OfferedBy), words.Ago(a.lang, o.OfferedAt, a.env.Now()))
		}
		return tw.Flush()
	case "accept", "decline":
		if len(pos) != 1 {
			return usagef("usage: licdesk offers %s ACCOUNT (its name or ID)", sub)
		}
		var name string
		if sub == "accept" {
			var m api.Membership
			m, err = a.d.AcceptOffer(ctx, pos[0])
			name = m.AccountName
		} else {
			var o api.Offer
			o, err = a.d.DeclineOffer(ctx, pos[0])
			name = o.AccountName
		}
		var no *desk.NoOfferError
		if errors.As(err, &no) {
			return fmt.Errorf("%s (licdesk offers lists them)", no)
		}
		if err != nil {
			return err
		}
		verb := map[string]string{"accept": "joined", "decline": "declined the offer of"}[sub]
		fmt.Fprintf(a.env.Stdout, "%s %s\n", verb, words.Safe(name))
		return nil
	}
	return usagef("offers %s: want list, accept or decline", sub)
}
