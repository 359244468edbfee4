package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/checkcmd"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/machine"
)

// cmdCheck is what a script (or a program that does not link the check
// package) asks before running a product: exit 0 when this machine holds a
// valid license, with a warning line during a hardware-change grace or when
// expiry is near; non-zero with one line per failure, each with its code and
// what to do. It never needs the portal.
func cmdCheck(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "check")
	module := f.String("module", "", a.lang.T("cli.check.flag.module"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usage("cli.usage.line", "Usage", "licdesk check PRODUCT [--module M]")
	}
	res, err := a.checkLicense(ctx, pos[0], *module)
	if err != nil {
		return err
	}
	// What licdesk adds to licdesk-check's answer: the subscription as the
	// synced cache sees it (JSON, and a warning line on stderr).
	sub, counting := a.d.Countdown(ctx, pos[0])
	if a.json {
		// One JSON shape for both programs (checkcmd), field names English.
		var subJSON any
		if counting {
			subJSON = &sub
		}
		if err := checkcmd.Write(a.env.Stdout, res, true, subJSON); err != nil {
			return err
		}
	} else if res.OK {
		// licdesk-check's line, in the user's language (the same words
		// in English: a test holds the two programs' answers equal).
		l := res.License
		exp := a.lang.T("cli.check.no_expiry")
		if !l.Expiry.IsZero() {
			exp = a.lang.T("cli.check.expires", "Date", a.date(l.Expiry))
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.check.valid", "Product", l.Product, "License", l.LicenseID,
			"Kind", a.kindName(string(l.Kind)), "Expiry", exp))
	}
	if !res.OK {
		return a.reasonLines("check", res.Reasons)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(a.env.Stderr, "licdesk check: "+a.lang.T("cli.check.warning", "Text", a.reasonText(w)))
	}
	if counting {
		if line := a.countdownLine(sub, a.env.Now()); line != "" {
			fmt.Fprintln(a.env.Stderr, "licdesk check: "+a.lang.T("cli.check.warning", "Text", line))
		}
	}
	return nil
}

// countdownLine says, in one line, where a subscription stands when it
// asks for attention: renew soon, or the days left before the product
// stops while the portal cannot be reached; "" while all is well.
func (a *app) countdownLine(s api.Subscription, now time.Time) string {
	switch s.Phase {
	case "warning":
		return a.lang.T("cli.countdown.warning", "Product", s.Product,
			"Days", words.Plural(a.lang, s.DaysLeft, "day"), "Date", a.date(*s.Expiry))
	case "countdown":
		return a.lang.T("cli.countdown.countdown", "Product", s.Product,
			"Days", words.Plural(a.lang, s.DaysLeft, "day"), "Date", a.date(*s.StopsIfUnreachable))
	case "stopped":
		return a.lang.T("cli.countdown.stopped", "Product", s.Product)
	}
	return ""
}

// checkLicense runs the local check of a product on this machine, now.
func (a *app) checkLicense(ctx context.Context, product, module string) (machine.Result, error) {
	d, err := a.desk()
	if err != nil {
		return machine.Result{}, err
	}
	return d.Check(ctx, product, module)
}

func (a *app) kindName(k string) string {
	switch k {
	case "activation":
		return a.lang.T("cli.check.kind.activation")
	case "lease":
		return a.lang.T("cli.check.kind.lease")
	}
	return k
}
