package cli

import (
	"context"
	"fmt"
	"time"

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
	module := f.String("module", "", "the module the license must include")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("usage: licdesk check PRODUCT [--module M]")
	}
	res, err := a.checkLicense(ctx, pos[0], *module)
	if err != nil {
		return err
	}
	sub, counting := a.d.Countdown(ctx, pos[0])
	if a.json {
		out := checkJSON(res)
		if counting {
			out.Subscription = &sub
		}
		if err := a.printJSON(out); err != nil {
			return err
		}
	} else if res.OK {
		l := res.License
		exp := "no expiry"
		if !l.Expiry.IsZero() {
			exp = "expires " + date(l.Expiry)
		}
		fmt.Fprintf(a.env.Stdout, "valid: %s, license %s (%s), %s\n", l.Product, l.LicenseID, kindName(string(l.Kind)), exp)
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

func kindName(k string) string {
	switch k {
	case "activation":
		return "activated on this machine"
	case "lease":
		return "cloud-login lease"
	}
	return k
}

// checkOut is the --json form of a check.
type checkOut struct {
	Product       string           `json:"product"`
	Module        string           `json:"module,omitempty"`
	OK            bool             `json:"ok"`
	Path          string           `json:"path,omitempty"`
	LicenseID     string           `json:"license_id,omitempty"`
	Kind          string           `json:"kind,omitempty"`
	Edition       string           `json:"edition,omitempty"`
	Modules       []string         `json:"modules,omitempty"`
	Owner         string           `json:"owner,omitempty"`
	Expiry        *time.Time       `json:"expiry,omitempty"`
	LeaseEnd      *time.Time       `json:"lease_end,omitempty"`
	ActivationID  string           `json:"activation_id,omitempty"`
	Reasons       []machine.Reason `json:"reasons"`
	Warnings      []machine.Reason `json:"warnings"`
	GraceDaysLeft int              `json:"grace_days_left,omitempty"`
	GraceEnds     *time.Time       `json:"grace_ends,omitempty"`
	Match         *matchOut        `json:"hardware_match,omitempty"`
	// Subscription is the product's subscription as this machine sees it
	// (phase, days left, the day it stops if the portal stays out of reach).
	Subscription *api.Subscription `json:"subscription,omitempty"`
}

// matchOut is core.Match with JSON names.
type matchOut struct {
	Matched int  `json:"matched"`
	Known   int  `json:"known"`
	OK      bool `json:"ok"`
}

func checkJSON(res machine.Result) checkOut {
	o := checkOut{Product: res.Product, Module: res.Module, OK: res.OK, Path: res.Path,
		Reasons: nonNil(res.Reasons), Warnings: nonNil(res.Warnings), GraceDaysLeft: res.GraceDaysLeft}
	if !res.GraceEnds.IsZero() {
		o.GraceEnds = &res.GraceEnds
	}
	if m := res.Match; m != nil {
		o.Match = &matchOut{m.Matched, m.Known, m.OK}
	}
	if l := res.License; l != nil {
		o.LicenseID, o.Kind, o.Edition, o.Modules, o.Owner, o.ActivationID = l.LicenseID, string(l.Kind), l.Edition, l.Modules, l.Owner, l.ActivationID
		if !l.Expiry.IsZero() {
			o.Expiry = &l.Expiry
		}
		if !l.LeaseEnd.IsZero() {
			o.LeaseEnd = &l.LeaseEnd
		}
	}
	return o
}
