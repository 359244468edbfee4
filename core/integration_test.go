package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVisibleState_FollowsTheSeedsPrecedence(t *testing.T) {
	tests := []struct {
		name       string
		integ      Integration
		hasLicense bool
		free       int
		want       UserSwitch
	}{
		{"integration off, licensed, free", Integration{ProductOn: false}, true, 5, SwitchNoLicenses},
		{"integration off, controller on", Integration{ProductOn: false, ExternalController: true}, true, 5, SwitchNoLicenses},
		{"integration off, nothing free", Integration{ProductOn: false}, false, 0, SwitchNoLicenses},
		{"controller on, licensed", Integration{ProductOn: true, ExternalController: true}, true, 0, SwitchReadOnlyOn},
		{"controller on, not licensed, free", Integration{ProductOn: true, ExternalController: true}, false, 5, SwitchNoLicenses},
		{"on, licensed, none free", Integration{ProductOn: true}, true, 0, SwitchOn},
		{"on, not licensed, free", Integration{ProductOn: true}, false, 1, SwitchOff},
		{"on, not licensed, none free", Integration{ProductOn: true}, false, 0, SwitchNotAvailable},
		{"on, not licensed, negative free", Integration{ProductOn: true}, false, -1, SwitchNotAvailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, VisibleState(tt.integ, tt.hasLicense, tt.free))
		})
	}
}

func TestUserSwitch_StringIsTheSeedsWordingAndOnlyOnOffAreEditable(t *testing.T) {
	want := map[UserSwitch]string{
		SwitchOn: "on", SwitchOff: "off", SwitchReadOnlyOn: "read-only on",
		SwitchNoLicenses: "No licenses", SwitchNotAvailable: "Licenses not available",
	}
	for s, w := range want {
		assert.Equal(t, w, s.String())
		assert.Equal(t, s == SwitchOn || s == SwitchOff, s.Editable(), w)
	}
	assert.Equal(t, "UserSwitch(9)", UserSwitch(9).String())
}

func state(productOn, controller bool, capacity int, users ...UserLicense) IntegrationState {
	return IntegrationState{Account: "cust", Product: "meetings", Integration: Integration{ProductOn: productOn, ExternalController: controller}, Capacity: capacity, Users: users}
}

func TestIntegration_TurningProductOffRevokesUnlessControllerOn(t *testing.T) {
	users := []UserLicense{{User: "a@x.com", HasLicense: true}, {User: "b@x.com"}, {User: "c@x.com", HasLicense: true}}

	got, revoked, events := SetProductIntegration(by(), state(true, false, 5, users...), false)
	assert.Equal(t, []Email{"a@x.com", "c@x.com"}, revoked)
	assert.False(t, got.ProductOn)
	for _, u := range got.Users {
		assert.False(t, u.HasLicense, u.User)
	}
	assert.Equal(t, 5, got.Free())
	assert.Equal(t, []Event{{At: t0, Actor: owner, Action: AuditIntegrationProduct, Subject: "cust/meetings", Before: "on", After: "off, 2 user licenses revoked"}}, events)
	assert.True(t, users[0].HasLicense, "the input is not changed")

	got, revoked, _ = SetProductIntegration(by(), state(true, true, 5, users...), false)
	assert.Empty(t, revoked, "the external controller keeps the licenses active")
	assert.Equal(t, users, got.Users)
}

func TestIntegration_TurningControllerOffAfterProductOffLeavesLicensesActive(t *testing.T) {
	s := state(true, true, 5, UserLicense{User: "a@x.com", HasLicense: true})
	s, revoked, _ := SetProductIntegration(by(), s, false)
	require.Empty(t, revoked)
	s, revoked, events := SetExternalController(by(), s, false)
	assert.Empty(t, revoked)
	assert.True(t, s.Users[0].HasLicense)
	assert.False(t, s.ExternalController)
	assert.Equal(t, []Event{{At: t0, Actor: owner, Action: AuditIntegrationExternal, Subject: "cust/meetings", Before: "on", After: "off"}}, events)
}

func TestIntegration_TurningControllerOffThenProductOffRevokes(t *testing.T) {
	s := state(true, true, 5, UserLicense{User: "a@x.com", HasLicense: true})
	s, _, _ = SetExternalController(by(), s, false)
	_, revoked, _ := SetProductIntegration(by(), s, false)
	assert.Equal(t, []Email{"a@x.com"}, revoked)
}

func TestIntegration_SettingASwitchToItsStateRecordsNothing(t *testing.T) {
	s := state(true, true, 1, UserLicense{User: "a@x.com", HasLicense: true})
	got, revoked, events := SetProductIntegration(by(), s, true)
	assert.Equal(t, s, got)
	assert.Empty(t, revoked)
	assert.Empty(t, events)
	got, revoked, events = SetExternalController(by(), s, true)
	assert.Equal(t, s, got)
	assert.Empty(t, revoked)
	assert.Empty(t, events)
	_, revoked, events = SetProductIntegration(by(), state(false, false, 1, UserLicense{User: "a@x.com", HasLicense: true}), true)
	assert.Empty(t, revoked, "turning on revokes nothing")
	assert.Len(t, events, 1)
}

func TestSetUserLicense_RefusedWhenReadOnlyIntegrationOffOrNoFreeLicense(t *testing.T) {
	tests := []struct {
		name string
		s    IntegrationState
		on   bool
		kind Kind
		code string
	}{
		{"integration off", state(false, false, 5), true, Forbidden, CodeIntegrationOff},
		{"integration off wins over read-only", state(false, true, 5), true, Forbidden, CodeIntegrationOff},
		{"read-only turning on", state(true, true, 5), true, Forbidden, CodeIntegrationReadOnly},
		{"read-only turning off", state(true, true, 5, UserLicense{User: "u@x.com", HasLicense: true}), false, Forbidden, CodeIntegrationReadOnly},
		{"no free license", state(true, false, 1, UserLicense{User: "a@x.com", HasLicense: true}), true, Conflict, CodeIntegrationNoFree},
		{"no capacity at all", state(true, false, 0), true, Conflict, CodeIntegrationNoFree},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, events, err := SetUserLicense(by(), tt.s, "u@x.com", tt.on)
			assert.Equal(t, tt.kind, KindOf(err))
			assert.Equal(t, tt.code, CodeOf(err))
			assert.Equal(t, tt.s, got)
			assert.Empty(t, events)
		})
	}
}

func TestSetUserLicense_GivesAndTakesBackALicense(t *testing.T) {
	s := state(true, false, 2, UserLicense{User: "a@x.com", HasLicense: true})
	assert.Equal(t, SwitchOff, s.Switch("u@x.com"))

	got, events, err := SetUserLicense(by(), s, "U@x.com", true)
	require.NoError(t, err)
	assert.Equal(t, []UserLicense{{User: "a@x.com", HasLicense: true}, {User: "u@x.com", HasLicense: true}}, got.Users)
	assert.Equal(t, 0, got.Free())
	assert.Equal(t, SwitchOn, got.Switch("u@x.com"))
	assert.Equal(t, SwitchNotAvailable, got.Switch("z@x.com"))
	assert.Equal(t, []Event{{At: t0, Actor: owner, Action: AuditIntegrationUser, Subject: "cust/meetings/u@x.com", Before: "off", After: "on"}}, events)
	assert.Len(t, s.Users, 1, "the input is not changed")

	got, _, err = SetUserLicense(by(), got, "a@x.com", false)
	require.NoError(t, err)
	assert.Equal(t, 1, got.Free())

	same, events, err := SetUserLicense(by(), got, "u@x.com", true)
	require.NoError(t, err, "turning on a user who has a license needs no free one")
	assert.Empty(t, events)
	assert.Equal(t, got, same)

	_, _, err = SetUserLicense(by(), got, "bad", true)
	assert.Equal(t, CodeEmailInvalid, CodeOf(err))
}

func TestIntegrationState_FreeNeverNegative(t *testing.T) {
	s := state(true, false, 1, UserLicense{User: "a@x.com", HasLicense: true}, UserLicense{User: "b@x.com", HasLicense: true})
	assert.Equal(t, 0, s.Free())
	assert.Equal(t, SwitchReadOnlyOn, state(true, true, 1, UserLicense{User: "a@x.com", HasLicense: true}).Switch("a@x.com"))
}

func TestCheckSeatWrite_RefusedWhileTheExternalControllerOwnsTheLicenses(t *testing.T) {
	tests := []struct {
		name  string
		integ Integration
		want  string
	}{
		{"no integration", Integration{}, ""},
		{"integration on", Integration{ProductOn: true}, ""},
		{"controller on", Integration{ProductOn: true, ExternalController: true}, CodeIntegrationReadOnly},
		{"integration off, controller on", Integration{ExternalController: true}, CodeIntegrationReadOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSeatWrite(tt.integ, "MiTeam Meetings")
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.want, CodeOf(err))
			assert.Equal(t, Forbidden, KindOf(err))
		})
	}
}
