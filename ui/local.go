package ui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/machine"
	lsync "github.com/licdesk/licdesk/sync"
)

// This file is the window's side of the machine package: the local license
// store in the profile folder (the same one "licdesk check", "activate" and
// "launch" use) and this machine's fingerprint. Everything here runs off the
// UI goroutine.

// settingProgram is the profile setting holding a product's program path,
// the one "licdesk launch --set-program" writes.
func settingProgram(product string) string { return "launch.program " + product }

// licenseStore opens the profile folder's license store.
func (a *App) licenseStore() (*machine.Store, error) { return machine.OpenStore(a.cfg.ProfileDir) }

// fingerprint reads this machine's fingerprint. Only a test in this package
// replaces the hardware (Config.hardware): the binary has no switch for it.
func (a *App) fingerprint(ctx context.Context) (core.Fingerprint, error) {
	src := a.cfg.hardware
	if src == nil {
		src = machine.System()
	}
	return machine.CollectFrom(ctx, src)
}

// machineName is the name an activation shows on the portal.
func machineName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "this computer"
}

// idempotencyKey makes a write safe to retry when its answer is lost.
func idempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// online reports whether portal calls make sense: a login with a token, not
// working offline.
func (a *App) online() bool {
	return !a.offline && a.sess.token != "" && a.sess.client != nil
}

// post sends a JSON (or file) body to the portal under the login.
func (a *App) post(ctx context.Context, path string, body []byte, out any) error {
	if !a.online() {
		return errOffline
	}
	return a.sess.client.Do(ctx, lsync.Request{Method: http.MethodPost, Path: path, Body: body, Key: idempotencyKey()}, out)
}

// ensureTrust trusts the portal's signing keys when the profile trusts none
// yet (trust on first use, as "licdesk login" pins them). Once the profile
// trusts keys nothing is added here: a new key is added on purpose with
// "licdesk trust add".
func (a *App) ensureTrust(ctx context.Context, st *machine.Store) error {
	have, err := st.Trusted(ctx)
	if err != nil || len(have) > 0 || !a.online() {
		return err
	}
	var raw json.RawMessage
	if err := a.sess.client.Do(ctx, lsync.Request{Method: http.MethodGet, Path: api.WellKnownKeysPath}, &raw); err != nil {
		return fmt.Errorf("fetch the portal's public keys: %w", err)
	}
	keys, err := licensefile.ParsePublicKeys(raw)
	if err != nil {
		return fmt.Errorf("the portal's public keys: %w", err)
	}
	_, err = st.Trust(ctx, keys)
	return err
}

// pinTrust trusts the portal's signing keys when the profile trusts none
// yet, as "licdesk login" does; quietly, since a portal out of reach is
// tried again at the next activation.
func (a *App) pinTrust() {
	if !a.online() {
		return
	}
	a.bg(func(ctx context.Context) {
		if st, err := a.licenseStore(); err == nil {
			a.ensureTrust(ctx, st)
		}
	})
}

// localState is a product's license on this machine, as Store.Check sees it.
type localState struct {
	res machine.Result
	err error
}

// checkLocal runs the offline check of a product on this machine, now.
func (a *App) checkLocal(ctx context.Context, st *machine.Store, product string) localState {
	res, err := st.Check(ctx, product, a.cfg.Now(), machine.CheckOptions{Fingerprint: a.fingerprint})
	return localState{res: res, err: err}
}

func hasCode(rs []machine.Reason, c machine.Code) bool {
	for _, r := range rs {
		if r.Code == c {
			return true
		}
	}
	return false
}

// text is the short state shown in a list column.
func (s localState) text() string {
	r := s.res
	switch {
	case s.err != nil:
		return "Cannot check: " + s.err.Error()
	case r.OK && r.GraceDaysLeft > 0:
		return fmt.Sprintf("Grace: %s left", words.Plural(r.GraceDaysLeft, "day"))
	case r.OK && r.License != nil && !r.License.Expiry.IsZero():
		if hasCode(r.Warnings, machine.CodeExpiringSoon) {
			return "Valid, expires " + day(r.License.Expiry)
		}
		return "Valid until " + day(r.License.Expiry)
	case r.OK:
		return "Valid"
	case hasCode(r.Reasons, machine.CodeNotActivated):
		return "Needs activation"
	case hasCode(r.Reasons, machine.CodeExpired):
		return "Expired"
	case hasCode(r.Reasons, machine.CodeLeaseEnded):
		return "Lease ended: sync to renew"
	case hasCode(r.Reasons, machine.CodeHardwareChanged):
		return "Hardware changed: reactivate"
	case hasCode(r.Reasons, machine.CodeClockSetBack):
		return "Clock set back"
	case hasCode(r.Reasons, machine.CodeSignature):
		return "Not trusted"
	}
	return "Not valid"
}

// whatToDo says, in the window's terms, what the reasons of a failed check
// ask the user to do.
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
			todo = append(todo, "adopt a license that covers it (Assigned to you > Adopt this license)")
		case machine.ActionActivate:
			todo = append(todo, "get the license on this machine (Assigned to you > Get license here), or activate its key (Keys > Activate online, or Offline activation)")
		case machine.ActionReactivate:
			todo = append(todo, "activate it again on this machine (Keys > Activate online, or Offline activation)")
		case machine.ActionRenew:
			todo = append(todo, "renew it (ask the license's owner), then Sync now and Get license here")
		case machine.ActionFixClock:
			todo = append(todo, "correct the system clock")
		case machine.ActionTrust:
			todo = append(todo, "trust the portal's key (sign in again while online)")
		}
	}
	return strings.Join(todo, "; or ")
}

// reasonsText is every reason of a failed check, one a line, and what to do.
func reasonsText(product string, res machine.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s cannot start on this machine:", product)
	for _, r := range res.Reasons {
		b.WriteString("\n• " + r.Message)
	}
	if todo := whatToDo(res.Reasons); todo != "" {
		b.WriteString("\n\nWhat to do: " + todo + ".")
	}
	return b.String()
}

// refusalText turns an Install/Accept refusal into one message.
func refusalText(err error) string {
	var r *machine.Reason
	if errors.As(err, &r) {
		msg := r.Message
		if r.Action == machine.ActionTrust {
			msg += " (sign in while online so the portal's key is trusted)"
		}
		return msg
	}
	return err.Error()
}

// renewLease asks the portal for a fresh offline lease of the product's
// cloud-login license (adopted, or the default pick) and installs it, as
// "licdesk launch" does, unless this machine holds an activation of the
// product, which a lease must not replace. It needs the portal.
func (a *App) renewLease(ctx context.Context, st *machine.Store, product string) (api.Lease, error) {
	if !a.online() {
		return api.Lease{}, errOffline
	}
	if err := a.ensureTrust(ctx, st); err != nil {
		return api.Lease{}, err
	}
	if cur, err := st.ReadLicense(ctx, product); err == nil {
		if trusted, err := st.Trusted(ctx); err == nil {
			if p, err := licensefile.Verify(cur, trusted); err == nil && p.Kind == licensefile.KindActivation {
				return api.Lease{}, errActivated
			}
		}
	}
	body, _ := json.Marshal(api.LeaseRequest{Product: product})
	var got api.Lease
	if err := a.sess.client.Do(ctx, lsync.Request{Method: http.MethodPost, Path: "/v1/leases", Body: body, Retry: true}, &got); err != nil {
		return got, err
	}
	if _, err := st.Install(ctx, []byte(got.LeaseFile), a.cfg.Now(), nil); err != nil {
		return got, errors.New(refusalText(err))
	}
	return got, nil
}

// errActivated: the product runs with a key activated on this machine.
var errActivated = errors.New("this machine holds an activation of the product: it runs with that key")

// checkProgram insists that a program path is a runnable file.
func checkProgram(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("program %s: %w", path, err)
	}
	if fi.IsDir() || (runtime.GOOS != "windows" && fi.Mode().Perm()&0o111 == 0) {
		return fmt.Errorf("program %s is not an executable file", path)
	}
	return nil
}

// graceText describes a node-locked license's hardware binding.
func graceText(res machine.Result) string {
	switch {
	case res.Match == nil:
		return "not bound to hardware"
	case res.GraceDaysLeft > 0:
		return fmt.Sprintf("hardware changed (%d of %d components match): works for %s more, until %s; reactivate before then",
			res.Match.Matched, res.Match.Known, words.Plural(res.GraceDaysLeft, "day"), day(res.GraceEnds))
	case hasCode(res.Reasons, machine.CodeHardwareChanged):
		return fmt.Sprintf("hardware changed (%d of %d components match) and the grace has ended: reactivate", res.Match.Matched, res.Match.Known)
	case res.Match.OK:
		return fmt.Sprintf("bound to this machine (%d of %d components match)", res.Match.Matched, res.Match.Known)
	}
	return "hardware does not match"
}
