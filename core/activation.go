package core

import (
	"strconv"
	"time"
)

// ActivationState is where an activation stands on this machine.
type ActivationState int

// Activation states.
const (
	ActivationActive       ActivationState = iota // bound to this machine and matching
	ActivationGrace                               // the fingerprint stopped matching; works for up to GraceDays
	ActivationInvalid                             // the grace period ran out; reactivate
	ActivationDeactivated                         // released on purpose (for example before moving machines)
	ActivationOtherMachine                        // the fingerprint shares no strong component: another machine, no grace
)

// String names the state.
func (s ActivationState) String() string {
	switch s {
	case ActivationActive:
		return "active"
	case ActivationGrace:
		return "grace"
	case ActivationInvalid:
		return "invalid"
	case ActivationDeactivated:
		return "deactivated"
	case ActivationOtherMachine:
		return "other_machine"
	}
	return "ActivationState(" + strconv.Itoa(int(s)) + ")"
}

// Action is what the user has to do about the activation.
func (s ActivationState) Action() StatusAction {
	switch s {
	case ActivationGrace, ActivationInvalid, ActivationOtherMachine:
		return ActionReactivate
	case ActivationDeactivated:
		return ActionActivate
	}
	return ActionNone
}

// Activation binds a key to one machine's fingerprint (source 002).
type Activation struct {
	ID          string
	Key         Key
	Bound       Fingerprint
	ActivatedAt time.Time
	GraceSince  time.Time // when the fingerprint stopped matching; zero while it matches
	Deactivated bool
}

// ActivationStatus is the outcome of checking an activation at one instant.
type ActivationStatus struct {
	State    ActivationState
	DaysLeft int // of grace, rounded up; 0 outside grace
	Match    Match
}

// Err turns a status the program must not run under into a refusal the
// command line prints, and is nil while the program may run (grace
// included: that is the point of grace).
func (s ActivationStatus) Err() error {
	switch s.State {
	case ActivationInvalid:
		return E(Expired, CodeActivationGraceExpired, "this machine changed more than "+strconv.Itoa(GraceDays)+" days ago: reactivate the license")
	case ActivationDeactivated:
		return E(Forbidden, CodeActivationInactive, "the license was deactivated on this machine: activate it again")
	case ActivationOtherMachine:
		return E(Forbidden, CodeActivationOtherMachine, "the license is bound to another machine ("+s.Match.Summary()+"): activate it on this machine")
	}
	return nil
}

// Bindable refuses a fingerprint nothing can be bound to: one with no
// strong component (machine ID, board, disk, MACs) could never match under
// MatchFingerprint, so an activation or lease bound to it would be refused
// as another machine's at the first check.
func Bindable(fp Fingerprint) error {
	if fp.Strong() == 0 {
		return E(Invalid, CodeActivationFingerprint, "this machine's hardware could not be identified: binding needs at least one readable "+
			"machine ID, board UUID, system disk serial or network card address")
	}
	return nil
}

// Activate binds key to a machine's fingerprint. A fingerprint with no
// strong component is refused (Bindable).
func Activate(by By, id string, key Key, fp Fingerprint) (Activation, Event, error) {
	k, err := ParseKey(string(key))
	if err != nil {
		return Activation{}, Event{}, err
	}
	if id == "" {
		return Activation{}, Event{}, E(Invalid, CodeActivationInvalid, "an activation needs an ID")
	}
	if err := Bindable(fp); err != nil {
		return Activation{}, Event{}, err
	}
	a := Activation{ID: id, Key: k, Bound: fp.clone(), ActivatedAt: by.At}
	return a, newEvent(by, AuditActivate, id, "", "active on "+string(k)), nil
}

// Reactivate binds the activation to the machine as it is now, ending any
// grace period: this is what the user does after a hardware change. A
// deactivated activation is refused; activating again makes a new one.
func (a Activation) Reactivate(by By, fp Fingerprint) (Activation, Event, error) {
	if a.Deactivated {
		return a, Event{}, E(Conflict, CodeActivationInactive, "activation "+a.ID+" was deactivated; activate the key again")
	}
	if err := Bindable(fp); err != nil {
		return a, Event{}, err
	}
	before := a.describe(by.At)
	out := a
	out.Bound, out.GraceSince, out.ActivatedAt = fp.clone(), time.Time{}, by.At
	return out, newEvent(by, AuditActivate, a.ID, before, "active"), nil
}

// MaxRebinds is how many times the activations of one key may be re-bound
// to changed hardware within RebindWindowDays. A genuine machine changes a
// part now and then; a key re-bound every few days is being moved between
// machines with crafted fingerprints, which the match rule alone cannot
// tell from a part change.
const MaxRebinds = 3

// RebindWindowDays is the window MaxRebinds counts in.
const RebindWindowDays = 30

// Rebind binds a live activation to the same machine with changed
// hardware: current must match the bound fingerprint under MatchFingerprint
// (else it is another machine and needs an activation of its own), and
// recent, the re-binds of the activation's key within RebindWindowDays
// before by.At, must be fewer than MaxRebinds. The event (activation.rebind)
// names the comparison, so that the audit trail shows every re-bind and
// what it rested on.
func (a Activation) Rebind(by By, current Fingerprint, recent int) (Activation, Event, error) {
	if a.Deactivated {
		return a, Event{}, E(Conflict, CodeActivationInactive, "activation "+a.ID+" was deactivated; activate the key again")
	}
	m := MatchFingerprint(a.Bound, current)
	if !m.OK {
		return a, Event{}, E(Conflict, CodeActivationOtherMachine, "the request does not come from the machine of activation "+
			a.ID+" ("+m.Summary()+")")
	}
	if recent >= MaxRebinds {
		return a, Event{}, E(Conflict, CodeActivationRebindLimit, "key "+string(a.Key)+" was re-bound to changed hardware "+
			strconv.Itoa(recent)+" times in the last "+strconv.Itoa(RebindWindowDays)+" days, the most allowed: deactivate the old machine, then activate this one")
	}
	before := a.describe(by.At)
	out := a
	out.Bound, out.GraceSince, out.ActivatedAt = current.clone(), time.Time{}, by.At
	return out, newEvent(by, AuditRebind, a.ID, before, "re-bound ("+m.Summary()+")"), nil
}

// Deactivate releases the activation, so the key may be activated on
// another machine. Deactivating twice is refused so that a replayed request
// does not write a second audit entry.
func (a Activation) Deactivate(by By) (Activation, Event, error) {
	if a.Deactivated {
		return a, Event{}, E(Conflict, CodeActivationInactive, "activation "+a.ID+" is already deactivated")
	}
	before := a.describe(by.At)
	out := a
	out.Deactivated = true
	return out, newEvent(by, AuditDeactivate, a.ID, before, "deactivated"), nil
}

// Check compares the machine as it is now (current, at by.At) with the
// bound fingerprint. The first mismatch starts the grace period and records
// activation.grace_start; a match again (the old part put back) ends it and
// records activation.grace_end. A grace period that ran out leaves the
// activation Invalid until Reactivate. A fingerprint that shares no strong
// component is another machine: OtherMachine at once, with no grace and no
// change to the activation. Events are empty when nothing changed.
func (a Activation) Check(by By, current Fingerprint) (Activation, ActivationStatus, []Event) {
	if a.Deactivated {
		return a, ActivationStatus{State: ActivationDeactivated}, nil
	}
	m := MatchFingerprint(a.Bound, current)
	if m.OtherMachine {
		return a, ActivationStatus{State: ActivationOtherMachine, Match: m}, nil
	}
	out := a
	var events []Event
	if m.OK {
		if !a.GraceSince.IsZero() {
			out.GraceSince = time.Time{}
			events = append(events, newEvent(by, AuditGraceEnd, a.ID, a.describe(by.At), "active"))
		}
		return out, ActivationStatus{State: ActivationActive, Match: m}, events
	}
	if a.GraceSince.IsZero() {
		out.GraceSince = by.At
		events = append(events, newEvent(by, AuditGraceStart, a.ID, "active",
			"grace: "+strconv.Itoa(m.Matched)+" of "+strconv.Itoa(m.Known)+" components match"))
	}
	in, days, _ := HardwareGrace(out.GraceSince, by.At)
	st := ActivationStatus{State: ActivationInvalid, Match: m}
	if in {
		st.State, st.DaysLeft = ActivationGrace, days
	}
	return out, st, events
}

// describe renders the activation's state for an audit entry.
func (a Activation) describe(now time.Time) string {
	switch {
	case a.Deactivated:
		return "deactivated"
	case a.GraceSince.IsZero():
		return "active"
	}
	if in, _, _ := HardwareGrace(a.GraceSince, now); in {
		return "grace since " + a.GraceSince.UTC().Format(time.RFC3339)
	}
	return "invalid since " + a.GraceSince.Add(GraceDays*Day).UTC().Format(time.RFC3339)
}
