package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

const ns = time.Nanosecond

func TestDaysLeft_RoundsPartialDaysUp(t *testing.T) {
	tests := []struct {
		left time.Duration
		want int
	}{
		{-Day, 0}, {0, 0}, {ns, 1}, {Day - ns, 1}, {Day, 1}, {Day + ns, 2}, {10 * Day, 10}, {10*Day + ns, 11},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, daysLeft(t0, t0.Add(tt.left)), tt.left.String())
	}
	assert.Positive(t, daysLeft(time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), "a far-off end saturates rather than overflows")
}

func TestHardwareGrace_LastsSevenDaysFromTheChange(t *testing.T) {
	changed := t0
	tests := []struct {
		name    string
		now     time.Time
		inGrace bool
		left    int
		expired bool
	}{
		{"at the change", changed, true, 7, false},
		{"one hour in", changed.Add(time.Hour), true, 7, false},
		{"exactly one day in", changed.Add(Day), true, 6, false},
		{"last instant", changed.Add(7*Day - ns), true, 1, false},
		{"exactly seven days", changed.Add(7 * Day), false, 0, true},
		{"long after", changed.Add(30 * Day), false, 0, true},
		{"clock before the change", changed.Add(-Day), true, 7, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, left, exp := HardwareGrace(changed, tt.now)
			assert.Equal(t, tt.inGrace, in)
			assert.Equal(t, tt.left, left)
			assert.Equal(t, tt.expired, exp)
		})
	}
	assert.Equal(t, 7, GraceDays)
}

func TestSubscriptionWarning_FromTenDaysBeforeExpiry(t *testing.T) {
	expiry := t0
	tests := []struct {
		name string
		now  time.Time
		warn bool
		days int
	}{
		{"eleven days before", expiry.Add(-11 * Day), false, 11},
		{"just over ten days before", expiry.Add(-10*Day - ns), false, 11},
		{"exactly ten days before", expiry.Add(-10 * Day), true, 10},
		{"nine and a half days before", expiry.Add(-9*Day - 12*time.Hour), true, 10},
		{"last instant", expiry.Add(-ns), true, 1},
		{"at expiry", expiry, false, 0},
		{"after expiry", expiry.Add(Day), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warn, days := SubscriptionWarning(expiry, tt.now)
			assert.Equal(t, tt.warn, warn)
			assert.Equal(t, tt.days, days)
		})
	}
}

func TestSubscriptionState_ReachablePortalWarnsThenStopsAtExpiryWhenNotRenewed(t *testing.T) {
	expiry := t0
	tests := []struct {
		name string
		now  time.Time
		want Subscription
	}{
		{"a month before", expiry.Add(-30 * Day), Subscription{State: PhaseActive, DaysLeft: 30}},
		{"just over ten days before", expiry.Add(-10*Day - ns), Subscription{State: PhaseActive, DaysLeft: 11}},
		{"exactly ten days before", expiry.Add(-10 * Day), Subscription{State: PhaseWarning, DaysLeft: 10}},
		{"last instant", expiry.Add(-ns), Subscription{State: PhaseWarning, DaysLeft: 1}},
		{"expiry day", expiry, Subscription{State: PhaseStopped}},
		{"after", expiry.Add(20 * Day), Subscription{State: PhaseStopped}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SubscriptionState(expiry, false, true, tt.now, tt.now))
		})
	}
}

func TestSubscriptionState_ReachablePortalSayingRenewedKeepsItActive(t *testing.T) {
	expiry := t0
	assert.Equal(t, Subscription{State: PhaseActive, DaysLeft: 5}, SubscriptionState(expiry, true, true, expiry.Add(-5*Day), expiry.Add(-5*Day)))
	assert.Equal(t, Subscription{State: PhaseActive}, SubscriptionState(expiry, true, true, expiry, expiry.Add(Day)))
}

func TestSubscriptionState_UnreachablePortalCountsDownToTenDaysAfterExpiry(t *testing.T) {
	expiry := t0
	last := expiry.Add(-25 * Day)
	tests := []struct {
		name string
		now  time.Time
		want Subscription
	}{
		{"twenty days before expiry", expiry.Add(-20 * Day), Subscription{State: PhaseCountdown, DaysLeft: 30, OfflineDays: 5}},
		{"exactly ten days before", expiry.Add(-10 * Day), Subscription{State: PhaseCountdown, DaysLeft: 20, OfflineDays: 15}},
		{"expiry day", expiry, Subscription{State: PhaseCountdown, DaysLeft: 10, OfflineDays: 25}},
		{"day 9 and a bit after", expiry.Add(9*Day + time.Hour), Subscription{State: PhaseCountdown, DaysLeft: 1, OfflineDays: 34}},
		{"last instant", expiry.Add(10*Day - ns), Subscription{State: PhaseCountdown, DaysLeft: 1, OfflineDays: 34}},
		{"day 10 after", expiry.Add(10 * Day), Subscription{State: PhaseStopped, OfflineDays: 35}},
		{"long after", expiry.Add(100 * Day), Subscription{State: PhaseStopped, OfflineDays: 125}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SubscriptionState(expiry, false, false, last, tt.now))
		})
	}
}

func TestSubscriptionState_UnreachablePortalIgnoresAStaleRenewedFlag(t *testing.T) {
	expiry := t0
	got := SubscriptionState(expiry, true, false, time.Time{}, expiry.Add(10*Day))
	assert.Equal(t, Subscription{State: PhaseStopped}, got)
}

func TestSubscriptionState_PerpetualLicenseIsAlwaysActive(t *testing.T) {
	for _, reachable := range []bool{true, false} {
		got := SubscriptionState(time.Time{}, false, reachable, time.Time{}, t0)
		assert.Equal(t, PhaseActive, got.State)
	}
}

func TestSubscriptionPhase_String(t *testing.T) {
	assert.Equal(t, "countdown", PhaseCountdown.String())
	assert.Equal(t, "SubscriptionPhase(9)", SubscriptionPhase(9).String())
	for p := PhaseActive; p <= PhaseStopped; p++ {
		assert.NotContains(t, p.String(), "(")
	}
}

func TestSubscriptionCountdown_OfflineRunsToTenDaysAfterExpiryWithItsStopDate(t *testing.T) {
	expiry := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	stop := expiry.Add(10 * Day)
	last := expiry.Add(-20 * Day)
	tests := []struct {
		name      string
		now       time.Time
		reachable bool
		want      Countdown
	}{
		{"online, long before", expiry.Add(-30 * Day), true, Countdown{Phase: PhaseActive, DaysLeft: 30, Expiry: expiry, StopsAt: stop}},
		{"online, 10 days before", expiry.Add(-10 * Day), true, Countdown{Phase: PhaseWarning, DaysLeft: 10, Expiry: expiry, StopsAt: stop}},
		{"online, at expiry", expiry, true, Countdown{Phase: PhaseStopped, Expiry: expiry, StopsAt: stop}},
		{"offline, 5 days before", expiry.Add(-5 * Day), false, Countdown{Phase: PhaseCountdown, DaysLeft: 15, Expiry: expiry, StopsAt: stop, OfflineDays: 15}},
		{"offline, at expiry", expiry, false, Countdown{Phase: PhaseCountdown, DaysLeft: 10, Expiry: expiry, StopsAt: stop, OfflineDays: 20}},
		{"offline, last second", stop.Add(-time.Second), false, Countdown{Phase: PhaseCountdown, DaysLeft: 1, Expiry: expiry, StopsAt: stop, OfflineDays: 29}},
		{"offline, at the stop", stop, false, Countdown{Phase: PhaseStopped, Expiry: expiry, StopsAt: stop, OfflineDays: 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SubscriptionCountdown(expiry, false, tt.reachable, last, tt.now))
		})
	}
	assert.Equal(t, Countdown{Phase: PhaseActive}, SubscriptionCountdown(time.Time{}, false, false, time.Time{}, expiry), "perpetual")
}

func TestLeaseEnd_FollowsTheOfflineRuleOfSubscriptionsAndAWeekForPerpetualLicenses(t *testing.T) {
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	expiry := issued.AddDate(0, 0, 3)
	assert.Equal(t, expiry.Add(10*Day), LeaseEnd(issued, expiry), "past the expiry, to the end of the countdown")
	assert.Equal(t, issued.Add(7*Day), LeaseEnd(issued, time.Time{}))
	assert.Equal(t, time.Time{}, OfflineStop(time.Time{}))
}
