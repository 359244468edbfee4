package core

import (
	"strconv"
	"time"
)

// StatusAction is the action a status asks of the user (source 003: the
// license status column links to it; no action shows the license number).
type StatusAction string

// Status actions. ActionNone is empty so that "no action" is the zero value.
const (
	ActionNone       StatusAction = ""
	ActionRenew      StatusAction = "renew"
	ActionReactivate StatusAction = "reactivate"
	ActionActivate   StatusAction = "activate"
)

// ExpiringSoonDays is how long before the end of maintenance support shows
// as expiring soon: a month leaves time to get a renewal quote approved
// before support lapses.
const ExpiringSoonDays = 30

// SupportState is the state of a maintenance contract (source 003: "État du
// support").
type SupportState int

// Support states.
const (
	SupportNone         SupportState = iota // no maintenance contract recorded
	SupportActive                           // more than ExpiringSoonDays left
	SupportExpiringSoon                     // ExpiringSoonDays or fewer left (rounded up)
	SupportExpired                          // the end has been reached
)

// String names the state.
func (s SupportState) String() string {
	switch s {
	case SupportNone:
		return "none"
	case SupportActive:
		return "active"
	case SupportExpiringSoon:
		return "expiring soon"
	case SupportExpired:
		return "expired"
	}
	return "SupportState(" + strconv.Itoa(int(s)) + ")"
}

// Action is what the state asks of the user: renew once maintenance has
// expired, nothing otherwise (expiring soon is shown, not demanded).
func (s SupportState) Action() StatusAction {
	if s == SupportExpired {
		return ActionRenew
	}
	return ActionNone
}

// SupportStatus classifies a maintenance end date at now. Support ends at
// the supportEnd instant itself; the portal stores the end of the last
// covered day when a contract says "through" a date. A zero supportEnd means
// there is no contract.
func SupportStatus(supportEnd, now time.Time) SupportState {
	switch days := daysLeft(now, supportEnd); {
	case supportEnd.IsZero():
		return SupportNone
	case days == 0:
		return SupportExpired
	case days <= ExpiringSoonDays:
		return SupportExpiringSoon
	}
	return SupportActive
}

// LicenseState is the state of a license as the license status column
// shows it (source 003).
type LicenseState int

// License states, from best to worst.
const (
	LicenseValid              LicenseState = iota // runs, maintained (or no maintenance sold)
	LicenseMaintenanceExpired                     // runs, but no more updates or support
	LicenseExpired                                // no longer runs
)

// String names the state.
func (s LicenseState) String() string {
	switch s {
	case LicenseValid:
		return "valid"
	case LicenseMaintenanceExpired:
		return "maintenance expired"
	case LicenseExpired:
		return "expired"
	}
	return "LicenseState(" + strconv.Itoa(int(s)) + ")"
}

// Action is what the state asks of the user: renew when the license or its
// maintenance expired, nothing otherwise.
func (s LicenseState) Action() StatusAction {
	if s == LicenseValid {
		return ActionNone
	}
	return ActionRenew
}

// LicenseStatus classifies a license at now from its expiry (zero:
// perpetual) and its maintenance end (zero: none sold). An expired license
// reports expired whatever its maintenance, since that is what stops work.
func LicenseStatus(expiry, supportEnd, now time.Time) LicenseState {
	switch {
	case !expiry.IsZero() && !now.Before(expiry):
		return LicenseExpired
	case SupportStatus(supportEnd, now) == SupportExpired:
		return LicenseMaintenanceExpired
	}
	return LicenseValid
}

// Status is LicenseStatus of the license.
func (l License) Status(now time.Time) LicenseState {
	return LicenseStatus(l.Expiry, l.SupportEnd, now)
}
