package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSupportStatus_ExpiringSoonWithinThirtyDaysThenExpiredAtTheEnd(t *testing.T) {
	end := t0
	tests := []struct {
		name string
		now  time.Time
		want SupportState
	}{
		{"a year before", end.AddDate(-1, 0, 0), SupportActive},
		{"just over 30 days before", end.Add(-30*Day - ns), SupportActive},
		{"exactly 30 days before", end.Add(-30 * Day), SupportExpiringSoon},
		{"last instant", end.Add(-ns), SupportExpiringSoon},
		{"at the end", end, SupportExpired},
		{"after", end.Add(Day), SupportExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SupportStatus(end, tt.now))
		})
	}
	assert.Equal(t, SupportNone, SupportStatus(time.Time{}, t0))
}

func TestSupportState_ActionIsRenewOnlyWhenExpired(t *testing.T) {
	want := map[SupportState]StatusAction{SupportNone: ActionNone, SupportActive: ActionNone, SupportExpiringSoon: ActionNone, SupportExpired: ActionRenew}
	for s, a := range want {
		assert.Equal(t, a, s.Action(), s.String())
	}
	assert.Equal(t, "expiring soon", SupportExpiringSoon.String())
	assert.Equal(t, "SupportState(9)", SupportState(9).String())
}

func TestLicenseStatus_ExpiredThenMaintenanceExpiredThenValid(t *testing.T) {
	past, future := t0.Add(-Day), t0.Add(Day)
	tests := []struct {
		name               string
		expiry, supportEnd time.Time
		want               LicenseState
		action             StatusAction
	}{
		{"perpetual, no maintenance", time.Time{}, time.Time{}, LicenseValid, ActionNone},
		{"live, maintained", future, future, LicenseValid, ActionNone},
		{"live, maintenance expired", future, past, LicenseMaintenanceExpired, ActionRenew},
		{"perpetual, maintenance expired", time.Time{}, past, LicenseMaintenanceExpired, ActionRenew},
		{"expired at the instant", t0, future, LicenseExpired, ActionRenew},
		{"expired, maintenance expired too", past, past, LicenseExpired, ActionRenew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := LicenseStatus(tt.expiry, tt.supportEnd, t0)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.action, got.Action())
			assert.Equal(t, got, License{Expiry: tt.expiry, SupportEnd: tt.supportEnd}.Status(t0))
		})
	}
	assert.Equal(t, "maintenance expired", LicenseMaintenanceExpired.String())
	assert.Equal(t, "LicenseState(9)", LicenseState(9).String())
}
