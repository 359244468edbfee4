// Package checkcmd is the answer of the check command, written once for
// its two programs: "licdesk check" (the desktop binary's command line)
// and licdesk-check (the small static program that programs not written in
// Go call). Both run machine.Store.Check on the profile's license files
// and sealed offline state; this package turns the result into the same
// standard output (a line, or JSON), the same one-line failures and
// warnings, and the same exit code.
//
// It imports machine and core only: no window, no cache database, no HTTP
// client, so that licdesk-check starts like a bare Go program
// (arch_test.go holds that).
package checkcmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/licdesk/licdesk/machine"
)

// The exit codes: the check passed, it failed (or the profile could not
// be read), or the command line was wrong.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
)

// Usage is the command line of the check.
const Usage = "usage: licdesk check PRODUCT [--module M]"

// Line is a reason as one line: its code, then the first line of its
// message.
func Line(r machine.Reason) string { return string(r.Code) + ": " + firstLine(r.Message) }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Write writes the check's standard output: with asJSON the JSON form
// (with sub, when not nil, as its "subscription"), else the one "valid"
// line of a passed check and nothing for a failed one.
func Write(w io.Writer, res machine.Result, asJSON bool, sub any) error {
	if asJSON {
		out := jsonOf(res)
		if sub != nil {
			out.Subscription = sub
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if !res.OK {
		return nil
	}
	l := res.License
	exp := "no expiry"
	if !l.Expiry.IsZero() {
		exp = "expires " + day(l.Expiry)
	}
	_, err := fmt.Fprintf(w, "valid: %s, license %s (%s), %s\n", l.Product, l.LicenseID, kindName(string(l.Kind)), exp)
	return err
}

// Request is one check asked on the command line.
type Request struct {
	Product string
	Module  string
	JSON    bool
}

// UsageError is a mistake in the command line.
type UsageError struct{ Msg string }

// Error returns the message.
func (e *UsageError) Error() string { return e.Msg }

// Parse reads the check's command line (flags and the product in any
// order): --module, --json, and --offline, which changes nothing here (the
// check never needs the portal) and is accepted because every licdesk
// command takes it. flag.ErrHelp asks for the help.
func Parse(args []string) (Request, error) {
	var r Request
	fs := flag.NewFlagSet("licdesk check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&r.Module, "module", "", "the module the license must include")
	fs.BoolVar(&r.JSON, "json", false, "print JSON")
	fs.Bool("offline", false, "use only the cached copy; queue writes")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return r, err
			}
			// Worded as licdesk's own check words them (English here).
			msg := err.Error()
			if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = "unknown flag " + name
			} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
				msg = "flag " + name + " needs a value"
			}
			return r, &UsageError{msg}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) != 1 {
		return r, &UsageError{Usage}
	}
	r.Product = pos[0]
	return r, nil
}

// Program is licdesk-check's whole run: Parse, the check in the profile
// folder dir (machine.HomeDir) at now, Write, then the failures or
// warnings on stderr, each prefixed with name; it returns the exit code.
func Program(ctx context.Context, name string, args []string, stdout, stderr io.Writer,
	dir func() (string, error), now time.Time) int {
	req, err := Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage:\n  %s PRODUCT [--module M] [--json]\n\n"+
			"Checks, offline, that this machine holds a valid license for PRODUCT in the\n"+
			"License Desk profile ($LICDESK_HOME, else the user's config folder), with the\n"+
			"same output and exit code as licdesk check: 0 when it does (warnings on\n"+
			"stderr), 1 with one line per failure on stderr, 2 for a wrong command line.\n\n"+
			"flags:\n"+
			"  --module M             the module the license must include\n"+
			"  --json                 print JSON\n"+
			"  --version              print the version\n",
			name)
		return ExitOK
	}
	fail := func(err error, code int) int {
		fmt.Fprintf(stderr, "%s: %s\n", name, firstLine(err.Error()))
		return code
	}
	if err != nil {
		return fail(err, ExitUsage)
	}
	home, err := dir()
	if err != nil {
		return fail(err, ExitFail)
	}
	st, err := machine.OpenStore(home)
	if err != nil {
		return fail(err, ExitFail)
	}
	res, err := st.Check(ctx, req.Product, now, machine.CheckOptions{Module: req.Module})
	if err != nil {
		return fail(err, ExitFail)
	}
	if err := Write(stdout, res, req.JSON, nil); err != nil {
		return fail(err, ExitFail)
	}
	if !res.OK {
		if len(res.Reasons) == 0 {
			return fail(errors.New("refused"), ExitFail)
		}
		for _, r := range res.Reasons {
			fmt.Fprintf(stderr, "%s: %s\n", name, Line(r))
		}
		return ExitFail
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", name, Line(w))
	}
	return ExitOK
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

// day formats a day, "-" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// Output is the --json form of a check.
type Output struct {
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
	Match         *Match           `json:"hardware_match,omitempty"`
	// Subscription is the product's subscription as licdesk's synced
	// cache sees it (api.Subscription: phase, days left, the day it stops
	// if the portal stays out of reach); only licdesk, which has the
	// cache, fills it in.
	Subscription any `json:"subscription,omitempty"`
}

// Match is core.Match with JSON names.
type Match struct {
	Matched int  `json:"matched"`
	Known   int  `json:"known"`
	OK      bool `json:"ok"`
}

func jsonOf(res machine.Result) Output {
	o := Output{Product: res.Product, Module: res.Module, OK: res.OK, Path: res.Path,
		Reasons: nonNil(res.Reasons), Warnings: nonNil(res.Warnings), GraceDaysLeft: res.GraceDaysLeft}
	if !res.GraceEnds.IsZero() {
		o.GraceEnds = &res.GraceEnds
	}
	if m := res.Match; m != nil {
		o.Match = &Match{m.Matched, m.Known, m.OK}
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

func nonNil(s []machine.Reason) []machine.Reason {
	if s == nil {
		return []machine.Reason{}
	}
	return s
}
