package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/machine"
)

// cmdLaunch runs a product's program only after its license checks out on
// this machine, telling the program which license file it runs under
// (LICDESK_LICENSE_FILE) so that its own in-process check reads the same
// one. When logged in, the cloud-login lease is renewed first.
func cmdLaunch(ctx context.Context, a *app, args []string) error {
	var progArgs []string
	for i, s := range args {
		if s == "--" {
			args, progArgs = args[:i], args[i+1:]
			break
		}
	}
	f := newFlags(a, "launch")
	set := f.Bool("set-program", false, "remember PATH as the program of PRODUCT")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	if *set {
		if len(pos) != 2 || len(progArgs) > 0 {
			return usagef("usage: licdesk launch --set-program PRODUCT PATH")
		}
		abs, err := a.d.SetProgram(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		if a.json {
			return a.printJSON(struct {
				Product string `json:"product"`
				Program string `json:"program"`
			}{pos[0], abs})
		}
		fmt.Fprintf(a.env.Stdout, "licdesk launch %q now runs %s\n", pos[0], abs)
		return nil
	}
	if len(pos) != 1 {
		return usagef("usage: licdesk launch PRODUCT [-- ARGS...]")
	}
	product := pos[0]
	plan, err := a.d.Launch(ctx, product, a.offline)
	var np *desk.NoProgramError
	var nv *desk.NotValidError
	switch {
	case errors.As(err, &np):
		return fmt.Errorf("no program is set for %s: licdesk launch --set-program %q PATH", product, product)
	case errors.As(err, &nv):
		fmt.Fprintf(a.env.Stderr, "licdesk launch: %s does not start: %s\n", product, whatToDo(nv.Check.Reasons))
		return a.reasonLines("launch", nv.Check.Reasons)
	case err != nil:
		return err
	}
	for _, w := range plan.Check.Warnings {
		fmt.Fprintf(a.env.Stderr, "licdesk launch: warning: %s\n", a.reasonText(w))
	}
	cmd := exec.CommandContext(ctx, plan.Program, progArgs...)
	cmd.Env = plan.Env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.env.Stdin, a.env.Stdout, a.env.Stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s exited with status %d", filepath.Base(plan.Program), ee.ExitCode())
		}
		return fmt.Errorf("start %s: %w", plan.Program, err)
	}
	return nil
}

// advice words, as commands, what a failed check asks the user to do.
var advice = map[machine.Action]string{
	machine.ActionAdopt:      "adopt a license that covers it (licdesk assigned, then licdesk adopt --license ID)",
	machine.ActionActivate:   "activate its key (licdesk activate KEY) or adopt a license assigned to you (licdesk adopt --license ID)",
	machine.ActionReactivate: "reactivate it on this machine (licdesk activate KEY, or --request FILE KEY offline)",
	machine.ActionRenew:      "renew it (ask the license's owner), then licdesk sync",
	machine.ActionFixClock:   "correct the system clock",
	machine.ActionTrust:      "trust the portal's key (log in, or licdesk trust add FILE)",
}

// whatToDo sums up the actions the reasons ask for, for the one line that
// precedes them.
func whatToDo(reasons []machine.Reason) string {
	var todo []string
	for _, act := range desk.Actions(reasons) {
		todo = append(todo, advice[act])
	}
	if len(todo) == 0 {
		return "see below"
	}
	return strings.Join(todo, "; ")
}
