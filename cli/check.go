package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/checkcmd"
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
	module := f.String("module", "", "the module the license must include")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("%s", checkcmd.Usage)
	}
	res, err := a.checkLicense(ctx, pos[0], *module)
	if err != nil {
		return err
	}
	// What licdesk adds to licdesk-check's answer: the subscription as the
	// synced cache sees it (JSON, and a warning line on stderr).
	sub, counting := a.d.Countdown(ctx, pos[0])
	var subJSON any
	if counting {
		subJSON = &sub
	}
	if err := checkcmd.Write(a.env.Stdout, res, a.json, subJSON); err != nil {
		return err
	}
	if !res.OK {
		return a.reasonLines("check", res.Reasons)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.env.Stderr, "licdesk check: warning: %s\n", reasonText(w))
	}
	if counting {
		if line := countdownLine(sub, a.env.Now()); line != "" {
			fmt.Fprintf(a.env.Stderr, "licdesk check: warning: %s\n", line)
		}
	}
	return nil
}

// countdownLine says, in one line, where a subscription stands when it
// asks for attention: renew soon, or the days left before the product
// stops while the portal cannot be reached; "" while all is well.
func countdownLine(s api.Subscription, now time.Time) string {
	switch s.Phase {
	case "warning":
		return fmt.Sprintf("the subscription of %s ends in %s (%s): renew it to keep working", s.Product,
			words.Plural(s.DaysLeft, "day"), date(*s.Expiry))
	case "countdown":
		return fmt.Sprintf("the portal cannot be reached: %s keeps working offline for %s, until %s",
			s.Product, words.Plural(s.DaysLeft, "day"), date(*s.StopsIfUnreachable))
	case "stopped":
		return fmt.Sprintf("the subscription of %s has ended: renew it, then licdesk sync", s.Product)
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
