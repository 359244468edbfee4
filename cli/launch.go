package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// settingProgram is the profile setting holding a product's program path.
func settingProgram(product string) string { return "launch.program " + product }

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
		return a.setProgram(ctx, pos[0], pos[1])
	}
	if len(pos) != 1 {
		return usagef("usage: licdesk launch PRODUCT [-- ARGS...]")
	}
	product := pos[0]
	program := a.settings[settingProgram(product)]
	if program == "" {
		return fmt.Errorf("no program is set for %s: licdesk launch --set-program %q PATH", product, product)
	}
	if a.loggedIn() && !a.offline {
		a.renewLease(ctx, product)
	}
	res, err := a.checkLicense(ctx, product, "")
	if err != nil {
		return err
	}
	if !res.OK {
		fmt.Fprintf(a.env.Stderr, "licdesk launch: %s does not start: %s\n", product, whatToDo(res.Reasons))
		return a.reasonLines("launch", res.Reasons)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.env.Stderr, "licdesk launch: warning: %s\n", reasonText(w))
	}
	dir, err := profile.DefaultDir(a.env.Getenv)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, program, progArgs...)
	cmd.Env = append(os.Environ(), machine.EnvLicenseFile+"="+res.Path, machine.EnvHome+"="+dir)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.env.Stdin, a.env.Stdout, a.env.Stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s exited with status %d", filepath.Base(program), ee.ExitCode())
		}
		return fmt.Errorf("start %s: %w", program, err)
	}
	return nil
}

// whatToDo sums up the actions the reasons ask for, for the one line that
// precedes them.
func whatToDo(reasons []machine.Reason) string {
	seen := map[machine.Action]bool{}
	var todo []string
	for _, r := range reasons {
		if seen[r.Action] {
			continue
		}
		seen[r.Action] = true
		switch r.Action {
		case machine.ActionAdopt:
			todo = append(todo, "adopt a license that covers it (licdesk assigned, then licdesk adopt --license ID)")
		case machine.ActionActivate:
			todo = append(todo, "activate its key (licdesk activate KEY) or adopt a license assigned to you (licdesk adopt --license ID)")
		case machine.ActionReactivate:
			todo = append(todo, "reactivate it on this machine (licdesk activate KEY, or --request FILE KEY offline)")
		case machine.ActionRenew:
			todo = append(todo, "renew it (ask the license's owner), then licdesk sync")
		case machine.ActionFixClock:
			todo = append(todo, "correct the system clock")
		case machine.ActionTrust:
			todo = append(todo, "trust the portal's key (log in, or licdesk trust add FILE)")
		}
	}
	if len(todo) == 0 {
		return "see below"
	}
	return strings.Join(todo, "; ")
}

// setProgram remembers a product's program, checked to exist and be a
// runnable file now rather than at the first launch.
func (a *app) setProgram(ctx context.Context, product, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("program %s: %w", abs, err)
	}
	if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return fmt.Errorf("program %s is not an executable file", abs)
	}
	if err := a.cache.SetSettings(ctx, map[string]string{settingProgram(product): abs}); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(struct {
			Product string `json:"product"`
			Program string `json:"program"`
		}{product, abs})
	}
	fmt.Fprintf(a.env.Stdout, "licdesk launch %q now runs %s\n", product, abs)
	return nil
}

// renewLease asks the portal for a fresh offline lease of the product's
// cloud-login license (the adopted one, or the default pick) and installs
// it, unless this machine holds an activation of the product, which a
// lease must not replace. Failing is quiet: the portal may be out of reach
// or the product keyed, and the check that follows says what matters.
func (a *app) renewLease(ctx context.Context, product string) bool {
	st, err := a.licenseStore()
	if err != nil {
		return false
	}
	if cur, err := st.ReadLicense(ctx, product); err == nil {
		if trusted, err := st.Trusted(ctx); err == nil {
			if p, err := licensefile.Verify(cur, trusted); err == nil && p.Kind == licensefile.KindActivation {
				return false
			}
		}
	}
	cl, err := a.client(quickRetry())
	if err != nil {
		return false
	}
	body, _ := json.Marshal(api.LeaseRequest{Product: product})
	var got api.Lease
	if err := cl.Do(ctx, lsync.Request{Method: "POST", Path: "/v1/leases", Body: body, Retry: true}, &got); err != nil {
		return false
	}
	if _, err := st.Install(ctx, []byte(got.LeaseFile), a.env.Now(), nil); err != nil {
		fmt.Fprintf(a.env.Stderr, "licdesk: the renewed lease of %s was not installed: %s\n", product, oneLine(refusalError(err).Error()))
		return false
	}
	return true
}

// renewLeases refreshes the lease of every product assigned to the user,
// as each sync does (DESIGN: the local license of a cloud-login product is
// refreshed as a lease at each sync), and returns how many it renewed.
// Products keyed to this machine keep their activation.
func (a *app) renewLeases(ctx context.Context) int {
	products, err := a.cache.Assigned(ctx)
	if err != nil {
		return 0
	}
	n := 0
	for _, p := range products {
		if a.renewLease(ctx, p.Product) {
			n++
		}
	}
	return n
}
