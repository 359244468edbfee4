package desk

import (
	"context"
	"os"
	"path/filepath"
	"runtime"

	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/machine"
)

// settingProgram is the profile setting holding a product's program.
func settingProgram(product string) string { return "launch.program " + product }

// Check runs the offline check of a product on this machine, now. It never
// needs the portal.
func (d *Desk) Check(ctx context.Context, product, module string) (machine.Result, error) {
	st, err := d.Machine()
	if err != nil {
		return machine.Result{}, err
	}
	return st.Check(ctx, product, d.Now(), machine.CheckOptions{Module: module, Fingerprint: d.Fingerprint})
}

// SetProgram remembers a product's program, checked now to be a runnable
// file rather than at the first launch; it returns the absolute path.
func (d *Desk) SetProgram(ctx context.Context, product, path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", i18n.Wrap(err, "desk.program.bad", "Path", abs)
	}
	if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return "", i18n.Errorf("desk.program.not_executable", "Path", abs)
	}
	return abs, d.setSettings(ctx, map[string]string{settingProgram(product): abs})
}

// Program is the product's program, "" when none is set.
func (d *Desk) Program(ctx context.Context, product string) (string, error) {
	return d.Setting(ctx, settingProgram(product))
}

// NoProgramError: no program is set for the product.
type NoProgramError struct{ Product string }

// Error names the product.
func (e *NoProgramError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *NoProgramError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.no_program", Args: []any{"Product", e.Product}}
}

// LaunchPlan is a program cleared to start.
type LaunchPlan struct {
	Program string
	// Env is the program's environment: this process's, plus the license
	// file it runs under (machine.EnvLicenseFile) and the profile.
	Env []string
	// Check is the license check that cleared it (its warnings to show).
	Check machine.Result
}

// NotValidError: the product's license does not check out here.
type NotValidError struct{ Check machine.Result }

// Error lists the reasons.
func (e *NotValidError) Error() string {
	if len(e.Check.Reasons) == 0 {
		return e.Check.Product + ": no valid license here"
	}
	return e.Check.Reasons[0].Message
}

// Launch clears a product's program to start: the lease renewed first when
// the portal answers (unless offline), then the license checked on this
// machine. A license that does not check out returns a *NotValidError with
// every reason; the face starts the program from the plan.
func (d *Desk) Launch(ctx context.Context, product string, offline bool) (LaunchPlan, error) {
	var plan LaunchPlan
	prog, err := d.Program(ctx, product)
	if err != nil {
		return plan, err
	}
	if prog == "" {
		return plan, &NoProgramError{Product: product}
	}
	if s, err := d.Session(ctx); err == nil && s.HasToken && !offline {
		if _, err := d.RenewLease(ctx, product); err != nil && ctx.Err() != nil {
			return plan, ctx.Err()
		}
	}
	res, err := d.Check(ctx, product, "")
	if err != nil {
		return plan, err
	}
	if !res.OK {
		return plan, &NotValidError{Check: res}
	}
	env := append(os.Environ(), machine.EnvLicenseFile+"="+res.Path, machine.EnvHome+"="+d.prof.Dir)
	return LaunchPlan{Program: prog, Env: env, Check: res}, nil
}

// Actions lists what the reasons of a failed check ask the user to do, in
// order and once each; each face words them in its own terms (a command,
// a button).
func Actions(reasons []machine.Reason) []machine.Action {
	seen := map[machine.Action]bool{}
	var out []machine.Action
	for _, r := range reasons {
		if r.Action == "" || seen[r.Action] {
			continue
		}
		seen[r.Action] = true
		out = append(out, r.Action)
	}
	return out
}
