package machine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
)

// Code is the stable, machine-readable name of a check failure or warning.
// Scripts and protected programs switch on it; it never changes once
// published.
type Code string

// The check codes.
const (
	CodeExpired          Code = "expired"           // the license's expiry has passed
	CodeLeaseEnded       Code = "lease_ended"       // the offline lease has ended: sync to renew it
	CodeHardwareChanged  Code = "hardware_changed"  // the machine no longer matches (a warning during grace)
	CodeOtherMachine     Code = "other_machine"     // the file belongs to another machine: no strong component matches
	CodeNotActivated     Code = "not_activated"     // no license for the product on this machine
	CodeModuleMissing    Code = "module_missing"    // the license does not include the module
	CodeSignature        Code = "signature"         // the file is altered, damaged or signed by an untrusted key
	CodeClockSetBack     Code = "clock_set_back"    // the clock is before a time already seen
	CodeNotYetValid      Code = "not_yet_valid"     // issued more than the allowed skew in the future
	CodeExpiringSoon     Code = "expiring_soon"     // a warning: the license expires within core.WarnDays
	CodeOfflineCountdown Code = "offline_countdown" // a warning: expired, running offline until expiry + core.WarnDays
	CodeOutdated         Code = "outdated"          // Install only: older than the installed file (a replay)
	CodeDeactivated      Code = "deactivated"       // the file of an activation this machine gave up (a restored copy)
	CodeStateMissing     Code = "state_missing"     // the offline state (clock mark, grace, deactivations) was deleted or altered
)

// Action is what the user should do about a Reason.
type Action string

// The actions a Reason suggests.
const (
	ActionNone       Action = ""
	ActionAdopt      Action = "adopt"      // adopt a license that covers it (licdesk adopt)
	ActionActivate   Action = "activate"   // activate a key (licdesk activate)
	ActionReactivate Action = "reactivate" // activate again on this machine
	ActionRenew      Action = "renew"      // renew the subscription, or sync to renew the lease
	ActionFixClock   Action = "fix_clock"  // correct the system clock
	ActionTrust      Action = "trust"      // trust the portal's key (log in, or licdesk trust add)
	ActionSync       Action = "sync"       // connect and sync once (licdesk sync)
)

// Reason is one failure (or warning) of a check, with its stable code, the
// action to suggest and a one-line message for people. As an error it is
// what Store.Install returns.
type Reason struct {
	Code    Code   `json:"code"`
	Action  Action `json:"action,omitempty"`
	Message string `json:"message"`
	Err     error  `json:"-"` // the underlying cause, for logs
	// Words names the reason's wording in the faces' catalogs ("expired",
	// "signature.revoked") and Args its values as name, value pairs (times
	// stay time.Time and day counts ints, for the face to write the
	// locale's way), so that a face can say it in the user's language;
	// Message is the English. machine does not read the catalogs: a
	// protected program links machine and core only.
	Words string `json:"-"`
	Args  []any  `json:"-"`
}

// Error returns the message.
func (r *Reason) Error() string { return r.Message }

// Unwrap exposes the cause.
func (r *Reason) Unwrap() error { return r.Err }

// Refusal is the error of a check that failed: every reason, in order.
type Refusal struct {
	Product string
	Reasons []Reason
}

// Error joins the reasons on one line.
func (r *Refusal) Error() string {
	msgs := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		msgs[i] = x.Message
	}
	return "no valid license for " + r.Product + " on this machine: " + strings.Join(msgs, "; ")
}

// Has reports whether the refusal carries a reason with code c.
func (r *Refusal) Has(c Code) bool {
	for _, x := range r.Reasons {
		if x.Code == c {
			return true
		}
	}
	return false
}

// Result is the outcome of a check.
type Result struct {
	Product string `json:"product"`
	Module  string `json:"module,omitempty"`
	// OK is true when the program may run: no Reasons (Warnings allowed).
	OK bool `json:"ok"`
	// Path is the license file checked, empty when there was none.
	Path string `json:"path,omitempty"`
	// License is the verified payload; nil when the file did not verify.
	License *licensefile.Payload `json:"-"`
	// Reasons lists every failure, in the order checked.
	Reasons []Reason `json:"reasons,omitempty"`
	// Warnings do not stop the program: hardware-change grace, expiry near.
	Warnings []Reason `json:"warnings,omitempty"`
	// GraceDaysLeft and GraceEnds describe a running hardware-change
	// grace period (days rounded up); zero outside grace.
	GraceDaysLeft int       `json:"grace_days_left,omitempty"`
	GraceEnds     time.Time `json:"grace_ends,omitzero"`
	// Match is the fingerprint comparison of a node-locked license.
	Match *core.Match `json:"-"`
}

// Err is nil when the program may run, else a *Refusal with every reason.
func (r Result) Err() error {
	if r.OK {
		return nil
	}
	return &Refusal{Product: r.Product, Reasons: r.Reasons}
}

// CheckOptions tune Store.Check.
type CheckOptions struct {
	// Module, when set, must be among the license's modules.
	Module string
	// File, when set, is checked instead of the store's file for the
	// product (the LICDESK_LICENSE_FILE a launched program receives).
	File string
	// Trusted, when set, replaces the store's trust.json. A protected
	// program should pin its vendor's portal keys here: trust.json is
	// writable by whoever owns the profile.
	Trusted licensefile.TrustedKeys
	// KeySet, when it has keys, replaces the store's trust.json and
	// Trusted with a pinned key set that carries windows and revocations.
	// Either way, the revocations this profile learned online
	// (Store.LearnKeySet) apply too.
	KeySet licensefile.KeySet
	// Fingerprint reads this machine's fingerprint; nil means the store's
	// reader (Collect unless OpenStoreWith said otherwise). It seals the
	// offline state and checks a node-locked license.
	Fingerprint func(ctx context.Context) (core.Fingerprint, error)
	// Skew is the clock difference tolerated; 0 means
	// licensefile.DefaultSkew.
	Skew time.Duration
}

// Check is the check of "licdesk check": the product's license in the
// profile folder dir, at now, on the machine whose fingerprint is fp.
func Check(ctx context.Context, dir, product, module string, now time.Time, fp core.Fingerprint) (Result, error) {
	s, err := OpenStore(dir)
	if err != nil {
		return Result{}, err
	}
	return s.Check(ctx, product, now, CheckOptions{Module: module,
		Fingerprint: func(context.Context) (core.Fingerprint, error) { return fp, nil }})
}

// Check verifies the product's license at now, with no network: the file
// (not_activated when missing), its signature against the trusted key set
// only, with the keys' windows and every revocation learned (signature),
// the offline state (state_missing when it was deleted, altered or copied
// from another machine while this license exists), the clock against the
// high-water mark (clock_set_back), an activation this machine gave up
// (deactivated), the issue time (not_yet_valid), expiry (expired; a warning,
// offline_countdown, until core.OfflineStop), offline lease end
// (lease_ended), the module (module_missing) and, for a node-locked license
// or lease, this machine's fingerprint by core.MatchFingerprint: a file
// that shares no strong component with this machine is another machine's
// and fails at once (other_machine); a weak match starts the 7-day grace,
// counted from the first check that saw it (a warning with the days left),
// after which it fails (hardware_changed).
//
// The returned error is for problems of the store itself (unreadable
// folder, damaged trust.json); refusals are in Result.Reasons. A check
// changes the store only after the file verified and when the state is
// present, and then only the offline state: the clock mark (raised to now
// and to the file's issue time, never when the clock was set back), the
// grace record (started at the first mismatch, ended by a match again;
// never when the clock was set back) and its seal (bound again to the
// machine as it is now).
func (s *Store) Check(ctx context.Context, product string, now time.Time, opt CheckOptions) (Result, error) {
	res := Result{Product: product, Module: opt.Module}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	skew := opt.Skew
	if skew <= 0 {
		skew = licensefile.DefaultSkew
	}
	path := opt.File
	if path == "" {
		var err error
		if path, err = s.LicensePath(product); err != nil {
			return res, err
		}
	}
	finish := func() (Result, error) {
		res.OK = len(res.Reasons) == 0
		return res, nil
	}
	file, err := readLicenseFile(path)
	if errors.Is(err, ErrNotInstalled) {
		res.Reasons = append(res.Reasons, Reason{Code: CodeNotActivated, Action: ActionActivate, Err: err,
			Message: "no license for " + product + " on this machine: activate its key (licdesk activate KEY) or adopt a license assigned to you (licdesk adopt)",
			Words:   "not_activated", Args: []any{"Product", product}})
		return finish()
	}
	if err != nil {
		return res, err
	}
	res.Path = path
	ks := opt.KeySet
	if len(ks.Keys) == 0 {
		ks = licensefile.KeySetOf(opt.Trusted)
	}
	if opt.Trusted == nil && len(opt.KeySet.Keys) == 0 {
		if ks, err = s.KeySet(ctx); err != nil {
			return res, err
		}
	} else if stored, err := s.KeySet(ctx); err == nil {
		// A pinned set still takes the revocations learned online.
		if ks, err = ks.Merge(licensefile.KeySet{Revoked: stored.Revoked}); err != nil {
			return res, err
		}
	}
	fp, err := s.fingerprint(ctx, opt.Fingerprint)
	if err != nil {
		return res, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, present, bound, err := s.loadState(fp)
	if err != nil {
		return res, err
	}
	if ks, err = withRevocations(ks, st); err != nil {
		return res, err
	}
	p, err := ks.Verify(file)
	if err != nil {
		res.Reasons = append(res.Reasons, *signatureReason(err, len(ks.Keys) == 0))
		return finish()
	}
	res.License = &p
	if p.Product != product || p.Kind == licensefile.KindDeactivationReceipt {
		res.Reasons = append(res.Reasons, Reason{Code: CodeNotActivated, Action: ActionActivate,
			Message: fmt.Sprintf("%s holds a %s for %s, not a license for %s", path, p.Kind, p.Product, product),
			Words:   "other_product", Args: []any{"Path", path, "Held", p.Product, "Product", product}})
		return finish()
	}

	// timeOK says whether now may be written down: not when the clock is
	// behind a time already seen, nor behind the portal that issued the
	// file, since a grace start or mark recorded then would be wrong; nor
	// when the state is missing, which only a file fresh from the portal
	// may set up again.
	timeOK := !p.Issued.After(now.Add(skew)) && present
	if !present {
		res.Reasons = append(res.Reasons, *stateMissingReason())
	}
	if r := clockReason(now, st.Latest, skew); r != nil {
		timeOK = false
		res.Reasons = append(res.Reasons, *r)
	}
	if r := deactivatedReason(p, st); r != nil {
		res.Reasons = append(res.Reasons, *r)
	}
	if err := p.CheckTime(now, skew); err != nil {
		if w := countdownWarning(err, p, now); w != nil {
			res.Warnings = append(res.Warnings, *w)
		} else {
			res.Reasons = append(res.Reasons, *timeReason(err, p, now))
		}
	}
	// CheckTime stops at the first time problem; a lease both expired and
	// ended is reported once, as expired, which is the one renewal fixes.
	if warn, days := core.SubscriptionWarning(p.Expiry, now); warn && !p.Expiry.IsZero() {
		res.Warnings = append(res.Warnings, Reason{Code: CodeExpiringSoon, Action: ActionRenew,
			Message: fmt.Sprintf("license %s for %s expires in %s (%s): renew it", p.LicenseID, p.Product, plural(days, "day"), stamp(p.Expiry)),
			Words:   "expiring_soon", Args: []any{"License", p.LicenseID, "Product", p.Product, "Days", days, "Expiry", p.Expiry}})
	}
	if opt.Module != "" && !p.HasModule(opt.Module) {
		// A keyed product gets a module with another key; a cloud-login one
		// by adopting another owner's license that has it.
		r := Reason{Code: CodeModuleMissing, Action: ActionAdopt,
			Message: fmt.Sprintf("license %s for %s does not include module %s: adopt a license that does (licdesk adopt)", p.LicenseID, p.Product, opt.Module),
			Words:   "module_missing.adopt", Args: []any{"License", p.LicenseID, "Product", p.Product, "Module", opt.Module}}
		if p.Kind == licensefile.KindActivation {
			r.Action = ActionActivate
			r.Message = fmt.Sprintf("license %s for %s does not include module %s: activate a key that does (licdesk activate KEY)", p.LicenseID, p.Product, opt.Module)
			r.Words = "module_missing.activate"
		}
		res.Reasons = append(res.Reasons, r)
	}
	// A state not yet bound to this machine as it is now is sealed again.
	dirty := present && !bound.Same(fp)
	if p.NodeLocked() {
		dirty = checkHardware(&res, &st, p, fp, now, timeOK)
	}
	if timeOK {
		if mark := latest(now, p.Issued).UTC().Truncate(time.Second); mark.After(st.Latest.Add(clockGranularity)) {
			st.Latest, dirty = mark, true
		}
		if dirty {
			if err := s.saveState(st, fp); err != nil {
				return res, err
			}
		}
	}
	return finish()
}

// countdownWarning turns an expiry into a warning while the subscription's
// offline countdown runs (source 002: with the portal out of reach, a
// subscription stops 10 days after its expiry, core.OfflineStop); nil when
// err is not an expiry or the countdown is over. A check has no network:
// stopping at the expiry itself when the portal says the subscription was
// not renewed is the online client's part.
func countdownWarning(err error, p licensefile.Payload, now time.Time) *Reason {
	if !errors.Is(err, licensefile.ErrExpired) || (!p.LeaseEnd.IsZero() && !now.Before(p.LeaseEnd)) {
		return nil
	}
	cd := core.SubscriptionCountdown(p.Expiry, false, false, time.Time{}, now)
	if cd.Phase != core.PhaseCountdown {
		return nil
	}
	return &Reason{Code: CodeOfflineCountdown, Action: ActionRenew, Err: err,
		Message: fmt.Sprintf("license %s for %s expired %s; without the portal it stops in %s (%s): connect and sync, or renew it",
			p.LicenseID, p.Product, stamp(p.Expiry), plural(cd.DaysLeft, "day"), stamp(cd.StopsAt)),
		Words: "offline_countdown", Args: []any{"License", p.LicenseID, "Product", p.Product, "Expiry", p.Expiry,
			"Days", cd.DaysLeft, "Stops", cd.StopsAt}}
}

// stateMissingReason refuses a license whose offline state was deleted or
// altered: the clock mark, the grace and the deactivations are gone, so
// nothing else can be trusted until the portal sets them up again.
func stateMissingReason() *Reason {
	return &Reason{Code: CodeStateMissing, Action: ActionSync, Err: errStateMissing,
		Message: "the offline licensing state of this profile (clock mark, hardware grace, deactivations) is missing or was altered: connect and run licdesk sync once (for an activated key: licdesk activate KEY again) to restore it from the portal",
		Words:   "state_missing"}
}

// deactivatedReason refuses the file of an activation this machine gave up.
func deactivatedReason(p licensefile.Payload, st offlineState) *Reason {
	if p.ActivationID == "" || (!slices.Contains(st.Deactivated, p.ActivationID) &&
		!slices.Contains(st.Deactivated, deactivatedKey(p.ActivationID, p.Nonce))) {
		return nil
	}
	return &Reason{Code: CodeDeactivated, Action: ActionActivate,
		Message: fmt.Sprintf("activation %s of %s was deactivated on this machine; a copy of its license file does not bring it back: activate the key again",
			p.ActivationID, p.Product),
		Words: "deactivated", Args: []any{"Activation", p.ActivationID, "Product", p.Product}}
}

// checkHardware applies the match rule and the grace period to a
// node-locked license, recording the grace start or end in st when record
// is set; it reports whether st changed.
func checkHardware(res *Result, st *offlineState, p licensefile.Payload, fp core.Fingerprint, now time.Time, record bool) bool {
	m := core.MatchFingerprint(p.Fingerprint, fp)
	res.Match = &m
	if m.OtherMachine {
		// Another machine's file (copied here, or a twin with the same CPU
		// and memory): not a hardware change, so no grace starts.
		res.Reasons = append(res.Reasons, Reason{Code: CodeOtherMachine, Action: ActionActivate,
			Message: fmt.Sprintf("license %s for %s belongs to another machine (%s): activate it on this machine",
				p.LicenseID, p.Product, m.Summary()),
			Words: "other_machine", Args: []any{"License", p.LicenseID, "Product", p.Product, "Matched", m.Matched, "Known", m.Known}})
		return false
	}
	slug := Slug(p.Product)
	entry, had := st.Grace[slug]
	same := had && entry.LicenseID == p.LicenseID && entry.ActivationID == p.ActivationID
	if m.OK {
		if had && record {
			delete(st.Grace, slug)
			return true
		}
		return false
	}
	since, changed := now, false
	if same {
		since = entry.Since
	} else {
		since = now.UTC().Truncate(time.Second)
		if !st.Restored.IsZero() && p.Issued.Before(st.Restored) {
			// The state was rebuilt after going missing: the mismatch may
			// be as old as the file, and deleting the state must not
			// restart the grace.
			since = p.Issued
		}
		if record {
			st.Grace[slug] = graceEntry{LicenseID: p.LicenseID, ActivationID: p.ActivationID, Since: since}
			changed = true
		}
	}
	in, days, _ := core.HardwareGrace(since, now)
	ends := since.Add(core.GraceDays * core.Day)
	if in {
		res.GraceDaysLeft, res.GraceEnds = days, ends
		res.Warnings = append(res.Warnings, Reason{Code: CodeHardwareChanged, Action: ActionReactivate,
			Message: fmt.Sprintf("this machine's hardware changed (%d of %d known components match): %s keeps working %s, until %s; reactivate it",
				m.Matched, m.Known, p.Product, plural(days, "more day"), stamp(ends)),
			Words: "hardware_changed.grace", Args: []any{"Matched", m.Matched, "Known", m.Known, "Product", p.Product, "Days", days, "Ends", ends}})
		return changed
	}
	res.Reasons = append(res.Reasons, Reason{Code: CodeHardwareChanged, Action: ActionReactivate,
		Message: fmt.Sprintf("hardware changed and grace over since %s (%d of %d known components match): reactivate %s on this machine",
			stamp(ends), m.Matched, m.Known, p.Product),
		Words: "hardware_changed.over", Args: []any{"Ends", ends, "Matched", m.Matched, "Known", m.Known, "Product", p.Product}})
	return changed
}

// signatureReason explains a file that did not verify.
func signatureReason(err error, noTrust bool) *Reason {
	switch {
	case noTrust:
		return &Reason{Code: CodeSignature, Action: ActionTrust, Err: err,
			Message: "this profile trusts no portal key yet: log in once, or add the portal's keys with licdesk trust add FILE",
			Words:   "signature.no_trust"}
	case errors.Is(err, licensefile.ErrUnknownKey):
		return &Reason{Code: CodeSignature, Action: ActionTrust, Err: err,
			Message: "the license file is signed by a key this machine does not trust: " + err.Error(),
			Words:   "signature.unknown_key", Args: []any{"Err", err.Error()}}
	case errors.Is(err, licensefile.ErrKeyRevoked), errors.Is(err, licensefile.ErrOutsideKeyWindow):
		return &Reason{Code: CodeSignature, Action: ActionReactivate, Err: err,
			Message: "the license file is signed by a key the portal no longer vouches for (" + err.Error() + "): activate again or sync to get a fresh file",
			Words:   "signature.revoked", Args: []any{"Err", err.Error()}}
	}
	return &Reason{Code: CodeSignature, Action: ActionReactivate, Err: err,
		Message: "the license file is altered or damaged (" + err.Error() + "): activate again to get a fresh copy",
		Words:   "signature.damaged", Args: []any{"Err", err.Error()}}
}

// clockReason refuses a clock more than skew before the mark.
func clockReason(now, hwm time.Time, skew time.Duration) *Reason {
	if err := licensefile.CheckClock(now, hwm, skew); err != nil {
		return &Reason{Code: CodeClockSetBack, Action: ActionFixClock, Err: err,
			Message: fmt.Sprintf("the system clock was set back to %s; the latest trusted time seen is %s: correct the clock", stamp(now), stamp(hwm)),
			Words:   "clock_set_back", Args: []any{"Now", now, "Seen", hwm}}
	}
	return nil
}

// timeReason turns licensefile.CheckTime's refusal into a Reason.
func timeReason(err error, p licensefile.Payload, now time.Time) *Reason {
	switch {
	case errors.Is(err, licensefile.ErrNotYetValid):
		return &Reason{Code: CodeNotYetValid, Action: ActionFixClock, Err: err,
			Message: fmt.Sprintf("license %s was issued %s, more than %s after this computer's clock (%s): correct the clock",
				p.LicenseID, stamp(p.Issued), licensefile.DefaultSkew, stamp(now)),
			Words: "not_yet_valid", Args: []any{"License", p.LicenseID, "Issued", p.Issued, "Skew", licensefile.DefaultSkew.String(), "Now", now}}
	case errors.Is(err, licensefile.ErrExpired):
		return &Reason{Code: CodeExpired, Action: ActionRenew, Err: err,
			Message: fmt.Sprintf("license %s for %s expired %s: renew it", p.LicenseID, p.Product, stamp(p.Expiry)),
			Words:   "expired", Args: []any{"License", p.LicenseID, "Product", p.Product, "Expiry", p.Expiry}}
	case errors.Is(err, licensefile.ErrLeaseEnded):
		return &Reason{Code: CodeLeaseEnded, Action: ActionRenew, Err: err,
			Message: fmt.Sprintf("the offline lease of license %s for %s ended %s: connect and run licdesk sync to renew it", p.LicenseID, p.Product, stamp(p.LeaseEnd)),
			Words:   "lease_ended", Args: []any{"License", p.LicenseID, "Product", p.Product, "Ended", p.LeaseEnd}}
	}
	return &Reason{Code: CodeSignature, Action: ActionReactivate, Err: err, Message: err.Error()}
}

// plural formats a count with its unit.
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
