package ui

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
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
func (s localState) text(a *App) string {
	r, l := s.res, a.l
	switch {
	case s.err != nil:
		return l.T("ui.check.cannot", "Reason", l.Err(s.err))
	case r.OK && r.GraceDaysLeft > 0:
		return l.N("ui.check.grace", r.GraceDaysLeft)
	case r.OK && r.License != nil && !r.License.Expiry.IsZero():
		if hasCode(r.Warnings, machine.CodeExpiringSoon) {
			return l.T("ui.check.valid_expires", "Date", a.day(r.License.Expiry))
		}
		return l.T("ui.check.valid_until", "Date", a.day(r.License.Expiry))
	case r.OK:
		return l.T("ui.check.valid")
	case hasCode(r.Reasons, machine.CodeNotActivated):
		return l.T("ui.check.not_activated")
	case hasCode(r.Reasons, machine.CodeExpired):
		return l.T("ui.check.expired")
	case hasCode(r.Reasons, machine.CodeLeaseEnded):
		return l.T("ui.check.lease_ended")
	case hasCode(r.Reasons, machine.CodeHardwareChanged):
		return l.T("ui.check.hardware_changed")
	case hasCode(r.Reasons, machine.CodeClockSetBack):
		return l.T("ui.check.clock")
	case hasCode(r.Reasons, machine.CodeSignature):
		return l.T("ui.check.not_trusted")
	}
	return l.T("ui.check.not_valid")
}

// adviceKey words, in the window's terms, what a failed check asks the
// user to do (the catalog keys).
var adviceKey = map[machine.Action]string{
	machine.ActionAdopt:      "ui.check.todo.adopt",
	machine.ActionActivate:   "ui.check.todo.activate",
	machine.ActionReactivate: "ui.check.todo.reactivate",
	machine.ActionRenew:      "ui.check.todo.renew",
	machine.ActionFixClock:   "ui.check.todo.clock",
	machine.ActionTrust:      "ui.check.todo.trust",
}

// reasonWords words a check's reason or warning for the window by its code,
// with the license's dates: the check's own messages name the license by
// its ID, which is for scripts and support, not for people.
func (a *App) reasonWords(r machine.Reason, lic *licensefile.Payload, now time.Time) string {
	l := a.l
	var expiry, leaseEnd time.Time
	if lic != nil {
		expiry, leaseEnd = lic.Expiry, lic.LeaseEnd
	}
	switch r.Code {
	case machine.CodeExpiringSoon:
		if !expiry.IsZero() {
			days := int(math.Ceil(expiry.Sub(now).Hours() / 24))
			return l.N("ui.reason.expiring_soon", days, "Date", a.day(expiry))
		}
		return l.T("ui.reason.expiring_soon_nodate")
	case machine.CodeOfflineCountdown:
		if !expiry.IsZero() {
			stop := core.SubscriptionCountdown(expiry, false, false, time.Time{}, now).StopsAt
			return l.T("ui.reason.offline_countdown", "Date", a.day(expiry), "Stop", a.day(stop))
		}
	case machine.CodeExpired:
		if !expiry.IsZero() {
			return l.T("ui.reason.expired_on", "Date", a.day(expiry))
		}
	case machine.CodeLeaseEnded:
		if !leaseEnd.IsZero() {
			return l.T("ui.reason.lease_ended_on", "Date", a.day(leaseEnd))
		}
	}
	if key := "ui.reason." + string(r.Code); l.Has(key) {
		return l.T(key)
	}
	return reasonMessage(l, r)
}

// todoText is what a failed check asks the user to do.
func todoText(l *i18n.Lang, reasons []machine.Reason) string {
	var todo []string
	for _, act := range desk.Actions(reasons) {
		if k, ok := adviceKey[act]; ok {
			todo = append(todo, l.T(k))
		}
	}
	return strings.Join(todo, l.T("ui.check.todo.or"))
}

// reasonsText is every reason of a failed check, one a line, and what to do.
func (a *App) reasonsText(product string, res machine.Result, now time.Time) string {
	l := a.l
	var b strings.Builder
	b.WriteString(l.T("ui.check.cannot_start", "Product", product))
	for _, r := range res.Reasons {
		b.WriteString("\n• " + a.reasonWords(r, res.License, now))
	}
	if todo := todoText(l, res.Reasons); todo != "" {
		b.WriteString("\n\n" + l.T("ui.check.todo", "Todo", todo))
	}
	return b.String()
}

// refusalText turns an Install/Accept refusal into one message.
func refusalText(l *i18n.Lang, err error) string {
	var r *machine.Reason
	if errors.As(err, &r) {
		msg := reasonMessage(l, *r)
		if r.Action == machine.ActionTrust {
			msg += " " + l.T("ui.check.refusal.trust")
		}
		return msg
	}
	return l.Err(err)
}

// graceText describes a node-locked license's hardware binding.
func (a *App) graceText(res machine.Result) string {
	l := a.l
	switch {
	case res.Match == nil:
		return l.T("ui.check.unbound")
	case res.GraceDaysLeft > 0:
		return l.N("ui.check.grace_detail", res.GraceDaysLeft, "Matched", res.Match.Matched, "Known", res.Match.Known, "Date", a.day(res.GraceEnds))
	case hasCode(res.Reasons, machine.CodeHardwareChanged):
		return l.T("ui.check.grace_over", "Matched", res.Match.Matched, "Known", res.Match.Known)
	case res.Match.OK:
		return l.T("ui.check.bound", "Matched", res.Match.Matched, "Known", res.Match.Known)
	}
	return l.T("ui.check.mismatch")
}

// reasonMessage is a check's reason (or warning) in the window's language:
// the catalogs word it by its Words ("cli.reason.<Words>", the command
// line's, so that both faces say the same), its times and day counts the
// locale's way; in English, or for a reason the catalogs lack, machine's
// own Message.
func reasonMessage(l *i18n.Lang, r machine.Reason) string {
	key := "cli.reason." + r.Words
	if r.Words == "" || l.Tag() == i18n.English().Tag() || !l.Has(key) {
		return r.Message
	}
	args := make([]any, len(r.Args))
	copy(args, r.Args)
	for i := 1; i < len(args); i += 2 {
		switch v := args[i].(type) {
		case time.Time:
			args[i] = l.DateTime(v.Local())
		case int:
			if args[i-1] == "Days" {
				args[i] = l.N("ui.check.days", v)
			} else {
				args[i] = l.Number(v)
			}
		}
	}
	return l.T(key, args...)
}
