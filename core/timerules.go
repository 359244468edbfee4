package core

import (
	"strconv"
	"time"
)

// Day is the unit of every time rule here: 24 hours from an instant, not a
// calendar day, so that the same instants give the same answer on machines
// in any time zone and across daylight-saving changes.
const Day = 24 * time.Hour

// GraceDays is how long an activation keeps working after the machine's
// fingerprint stopped matching (source 002: reactivate within seven days).
const GraceDays = 7

// WarnDays is how long before a subscription's expiry the user is warned,
// and also how long past expiry an unreachable portal is tolerated
// (source 002: ten days, both).
const WarnDays = 10

// daysLeft counts the whole days from now until end, rounding up: a partial
// day counts as a day, so the count reads "1 day left" until the very end
// and never "0 days left" while time remains. It is 0 once end is reached.
func daysLeft(now, end time.Time) int {
	if !now.Before(end) {
		return 0
	}
	d := end.Sub(now) // saturates rather than overflows for far-off ends
	n := d / Day
	if d%Day != 0 {
		n++
	}
	return int(n)
}

// HardwareGrace applies the grace period that starts when the fingerprint
// stopped matching at changedAt: inGrace until changedAt + 7 days, with the
// days left rounded up, and expired from that instant on. A changedAt in
// the future (a clock set back) counts as a change just made: full grace,
// rather than extending it or cutting it short on a skewed clock.
func HardwareGrace(changedAt, now time.Time) (inGrace bool, daysLeftInGrace int, expired bool) {
	if now.Before(changedAt) {
		return true, GraceDays, false
	}
	end := changedAt.Add(GraceDays * Day)
	if !now.Before(end) {
		return false, 0, true
	}
	return true, daysLeft(now, end), false
}

// SubscriptionWarning reports whether to warn about the coming expiry:
// from exactly 10 days before it until it is reached, with the days left
// rounded up (so the banner first reads "10 days"). At and after expiry it
// is no longer a warning: SubscriptionState says what happens then.
func SubscriptionWarning(expiry, now time.Time) (warn bool, days int) {
	days = daysLeft(now, expiry)
	return days > 0 && days <= WarnDays, days
}

// SubscriptionPhase is where a subscription stands.
type SubscriptionPhase int

// Subscription phases.
const (
	PhaseActive    SubscriptionPhase = iota // runs, nothing to show
	PhaseWarning                            // runs, with a "renew within N days" banner
	PhaseCountdown                          // runs, but the portal is unreachable: "stops in N days"
	PhaseStopped                            // does not run
)

// String names the phase.
func (p SubscriptionPhase) String() string {
	switch p {
	case PhaseActive:
		return "active"
	case PhaseWarning:
		return "warning"
	case PhaseCountdown:
		return "countdown"
	case PhaseStopped:
		return "stopped"
	}
	return "SubscriptionPhase(" + strconv.Itoa(int(p)) + ")"
}

// Subscription is the state of a subscription at one instant.
type Subscription struct {
	State       SubscriptionPhase
	DaysLeft    int // until expiry (Active, Warning) or until the stop (Countdown); 0 when Stopped or perpetual
	OfflineDays int // whole days since the portal was last reached, rounded down; 0 when reachable
}

// SubscriptionState applies the subscription rules of source 002.
//
// With the portal reachable: renewed (the portal says the subscription goes
// on past expiry) means Active, whatever the local expiry, since the new one
// arrives with the next sync; otherwise Warning from 10 days before expiry
// and Stopped at expiry.
//
// With the portal unreachable, renewed is stale and ignored: from the first
// failed contact a Countdown runs to 10 days after expiry (days to expiry +
// 10), then Stopped. lastReached only feeds OfflineDays, for the banner; it
// does not move the stop, which the seed ties to the expiry alone.
//
// A zero expiry is not a subscription (a perpetual license): always Active.
func SubscriptionState(expiry time.Time, renewed, portalReachable bool, lastReached, now time.Time) Subscription {
	var s Subscription
	if !portalReachable && !lastReached.IsZero() && now.After(lastReached) {
		s.OfflineDays = int(now.Sub(lastReached) / Day)
	}
	switch {
	case expiry.IsZero():
		s.State = PhaseActive
	case !portalReachable:
		stop := expiry.Add(WarnDays * Day)
		if s.DaysLeft = daysLeft(now, stop); s.DaysLeft > 0 {
			s.State = PhaseCountdown
		} else {
			s.State = PhaseStopped
		}
	case renewed:
		s.State, s.DaysLeft = PhaseActive, daysLeft(now, expiry)
	default:
		warn, days := SubscriptionWarning(expiry, now)
		s.DaysLeft = days
		switch {
		case warn:
			s.State = PhaseWarning
		case days == 0:
			s.State = PhaseStopped
		default:
			s.State = PhaseActive
		}
	}
	return s
}

// LeaseDays is how long a lease of a license without expiry (perpetual)
// lets a cloud-login program run offline: the client renews it at every
// sync, so a week covers a trip without a connection while a removed seat
// stops working within one.
const LeaseDays = 7

// OfflineStop is when a subscription that expires at expiry stops if the
// portal stays unreachable: WarnDays after expiry (source 002: a countdown of
// days to expiry + 10). Zero for a zero expiry (perpetual: no stop).
func OfflineStop(expiry time.Time) time.Time {
	if expiry.IsZero() {
		return time.Time{}
	}
	return expiry.Add(WarnDays * Day)
}

// LeaseEnd is when an offline lease issued at issued ends: for a
// subscription, OfflineStop of its expiry, so that the lease never stops a
// program before the countdown the user is shown does; for a perpetual
// license, LeaseDays after issue.
func LeaseEnd(issued, expiry time.Time) time.Time {
	if expiry.IsZero() {
		return issued.Add(LeaseDays * Day)
	}
	return OfflineStop(expiry)
}

// Countdown is what a client shows about one subscription at one instant
// (licdesk status, check, assigned and the window's banner).
type Countdown struct {
	Phase SubscriptionPhase
	// DaysLeft counts, rounded up, to the expiry (Active, Warning) or to
	// StopsAt (Countdown); 0 when Stopped or perpetual.
	DaysLeft int
	// Expiry is the subscription's expiry; zero when perpetual.
	Expiry time.Time
	// StopsAt is when the program stops if the portal stays unreachable
	// (Expiry + 10 days); zero when perpetual.
	StopsAt time.Time
	// OfflineDays is how many whole days the portal has been out of reach.
	OfflineDays int
}

// SubscriptionCountdown applies SubscriptionState and adds the instants a
// client shows: the expiry and the date the program stops when the portal
// stays unreachable. lastReached is the last time the portal answered
// (zero when never or unknown).
func SubscriptionCountdown(expiry time.Time, renewed, portalReachable bool, lastReached, now time.Time) Countdown {
	st := SubscriptionState(expiry, renewed, portalReachable, lastReached, now)
	return Countdown{Phase: st.State, DaysLeft: st.DaysLeft, Expiry: expiry, StopsAt: OfflineStop(expiry), OfflineDays: st.OfflineDays}
}
