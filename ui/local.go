package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/machine"
)

// This file is the window's side of the machine package: the local license
// store in the profile folder (the same one "licdesk check", "activate" and
// "launch" use) and this machine's fingerprint. Everything here runs off the
// UI goroutine.

// licenseStore opens the profile folder's license store.
func (a *App) licenseStore() (*machine.Store, error) { return a.sess.d.Machine() }

// online reports whether portal calls make sense: a login with a token, not
// working offline.
func (a *App) online() bool { return !a.offline && a.sess.hasToken() }

// pinTrust trusts the portal's signing keys when the profile trusts none
// yet, as "licdesk login" does; quietly, since a portal out of reach is
// tried again at the next activation.
func (a *App) pinTrust() {
	if !a.online() {
		return
	}
	a.bg(func(ctx context.Context) { a.sess.d.EnsureTrust(ctx) })
}

// localState is a product's license on this machine, as Store.Check sees it.
type localState struct {
	res machine.Result
	err error
}

// checkLocal runs the offline check of a product on this machine, now.
func (a *App) checkLocal(ctx context.Context, product string) localState {
	res, err := a.sess.d.Check(ctx, product, "")
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
		return fmt.Sprintf("Grace: %s left", words.Plural(i18n.English(), r.GraceDaysLeft, "day"))
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

// buttonAdvice words, in the window's terms, what a failed check asks the
// user to do.
var buttonAdvice = map[machine.Action]string{
	machine.ActionAdopt:      "adopt a license that covers it (Assigned to you > Adopt this license)",
	machine.ActionActivate:   "get the license on this machine (Assigned to you > Get license here), or activate its key (Keys > Activate online, or Offline activation)",
	machine.ActionReactivate: "activate it again on this machine (Keys > Activate online, or Offline activation)",
	machine.ActionRenew:      "renew it (ask the license's owner), then Sync now and Get license here",
	machine.ActionFixClock:   "correct the system clock",
	machine.ActionTrust:      "trust the portal's key (sign in again while online)",
}

// todoText is what a failed check asks the user to do.
func todoText(reasons []machine.Reason) string {
	var todo []string
	for _, act := range desk.Actions(reasons) {
		todo = append(todo, buttonAdvice[act])
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
	if todo := todoText(res.Reasons); todo != "" {
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

// graceText describes a node-locked license's hardware binding.
func graceText(res machine.Result) string {
	switch {
	case res.Match == nil:
		return "not bound to hardware"
	case res.GraceDaysLeft > 0:
		return fmt.Sprintf("hardware changed (%d of %d components match): works for %s more, until %s; reactivate before then",
			res.Match.Matched, res.Match.Known, words.Plural(i18n.English(), res.GraceDaysLeft, "day"), day(res.GraceEnds))
	case hasCode(res.Reasons, machine.CodeHardwareChanged):
		return fmt.Sprintf("hardware changed (%d of %d components match) and the grace has ended: reactivate", res.Match.Matched, res.Match.Known)
	case res.Match.OK:
		return fmt.Sprintf("bound to this machine (%d of %d components match)", res.Match.Matched, res.Match.Known)
	}
	return "hardware does not match"
}
