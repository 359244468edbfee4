package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
)

// askCode asks, on a terminal, for the code the portal e-mailed to a new
// address; elsewhere it says how to enter it later.
func (a *app) askCode(ctx context.Context, email string) error {
	later := a.lang.T("cli.verify.later", "Email", email)
	if !a.env.StdinTerminal {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.verify.not_yet", "Later", later))
		return nil
	}
	fmt.Fprint(a.env.Stderr, a.lang.T("cli.verify.prompt", "Email", email)+" ")
	code, err := readLine(a.env.Stdin)
	if err != nil || code == "" {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.verify.not_yet", "Later", later))
		return nil
	}
	u, err := a.d.Verify(ctx, code)
	if err != nil {
		return i18n.Errorf("cli.verify.failed", "Err", a.lang.Err(err), "Later", later)
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.verify.done", "Email", u.Email))
	return nil
}

func cmdVerify(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "verify")
	resend := f.Bool("resend", false, a.lang.T("cli.verify.flag.resend"))
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
			return usage("cli.usage.line", "Usage", "licdesk verify --resend")
		}
		if err := a.d.ResendCode(ctx); err != nil {
			return err
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.verify.resent", "Email", s.Email))
		return nil
	}
	if len(pos) != 1 {
		return usage("cli.verify.usage")
	}
	u, err := a.d.Verify(ctx, pos[0])
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(u)
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.verify.done", "Email", u.Email))
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
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.offers.none"))
			return nil
		}
		tw := a.table("cli.header.account", "cli.header.role", "cli.header.offered_by", "cli.header.when")
		for _, o := range offers {
			row(tw, words.Safe(o.AccountName), a.enum("role", o.Role), words.Safe(o.OfferedBy), words.Ago(a.lang, o.OfferedAt, a.env.Now()))
		}
		return tw.Flush()
	case "accept", "decline":
		if len(pos) != 1 {
			return usage("cli.offers.usage", "Sub", sub)
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
			return i18n.Errorf("cli.offers.no_offer", "Err", a.lang.Err(no))
		}
		if err != nil {
			return err
		}
		done := map[string]string{"accept": "cli.offers.joined", "decline": "cli.offers.declined"}[sub]
		fmt.Fprintln(a.env.Stdout, a.lang.T(done, "Account", words.Safe(name)))
		return nil
	}
	return a.want("offers "+sub, "list", "accept", "decline")
}
