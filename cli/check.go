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
