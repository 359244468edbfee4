package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
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
	set := f.Bool("set-program", false, a.lang.T("cli.launch.flag.set_program"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	if *set {
		if len(pos) != 2 || len(progArgs) > 0 {
			return usage("cli.usage.line", "Usage", "licdesk launch --set-program PRODUCT PATH")
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
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.launch.set", "Product", fmt.Sprintf("%q", pos[0]), "Program", abs))
		return nil
	}
	if len(pos) != 1 {
		return usage("cli.usage.line", "Usage", "licdesk launch PRODUCT [-- ARGS...]")
	}
	product := pos[0]
	plan, err := a.d.Launch(ctx, product, a.offline)
	var np *desk.NoProgramError
	var nv *desk.NotValidError
	switch {
	case errors.As(err, &np):
		return i18n.Errorf("cli.launch.no_program", "Err", a.lang.Err(np), "Product", fmt.Sprintf("%q", product))
	case errors.As(err, &nv):
		fmt.Fprintln(a.env.Stderr, "licdesk launch: "+a.lang.T("cli.launch.not_started", "Product", product, "Todo", a.whatToDo(nv.Check.Reasons)))
		return a.reasonLines("launch", nv.Check.Reasons)
	case err != nil:
		return err
	}
	for _, w := range plan.Check.Warnings {
		fmt.Fprintln(a.env.Stderr, "licdesk launch: "+a.lang.T("cli.check.warning", "Text", a.reasonText(w)))
	}
	cmd := exec.CommandContext(ctx, plan.Program, progArgs...)
	cmd.Env = plan.Env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.env.Stdin, a.env.Stdout, a.env.Stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return i18n.Errorf("cli.launch.exited", "Program", filepath.Base(plan.Program), "Status", ee.ExitCode())
		}
		return i18n.Wrap(err, "cli.launch.start", "Program", plan.Program)
	}
	return nil
}

// advice is the catalog key of what a failed check asks the user to do,
// worded as commands.
var advice = map[machine.Action]string{
	machine.ActionAdopt:      "cli.advice.adopt",
	machine.ActionActivate:   "cli.advice.activate",
	machine.ActionReactivate: "cli.advice.reactivate",
	machine.ActionRenew:      "cli.advice.renew",
	machine.ActionFixClock:   "cli.advice.fix_clock",
	machine.ActionTrust:      "cli.advice.trust",
}

// whatToDo sums up the actions the reasons ask for, for the one line that
// precedes them.
func (a *app) whatToDo(reasons []machine.Reason) string {
	var todo []string
	for _, act := range desk.Actions(reasons) {
		if key, ok := advice[act]; ok {
			todo = append(todo, a.lang.T(key))
		}
	}
	if len(todo) == 0 {
		return a.lang.T("cli.advice.see_below")
	}
	return strings.Join(todo, "; ")
}
