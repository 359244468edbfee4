package core

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAssign_GivesTheFirstAvailableSeatAsAssignedWhenTheEmailHasAnAccount(t *testing.T) {
	l := lic("L1", assigned("S1", owner), free("S2"), free("S3"))
	got, ev, err := l.Assign(by(), "Bob@X.com", true)
	require.NoError(t, err)
	assert.Equal(t, assigned("S2", "bob@x.com"), got.Seats[1])
	assert.Equal(t, free("S3"), got.Seats[2])
	assert.Equal(t, Event{At: t0, Actor: owner, Action: AuditSeatAssign, Subject: "L1", Before: "S2 available", After: "S2 assigned bob@x.com"}, ev)
}

func TestAssign_IsPendingWhenTheEmailHasNoAccount(t *testing.T) {
	got, ev, err := lic("L1", free("S1")).Assign(by(), "new@x.com", false)
	require.NoError(t, err)
	assert.Equal(t, pending("S1", "new@x.com"), got.Seats[0])
	assert.Equal(t, "S1 pending new@x.com", ev.After)
}

func TestAssign_RefusesDuplicateEmailOnOneLicense(t *testing.T) {
	tests := []struct {
		name  string
		l     License
		email Email
	}{
		{"same spelling", lic("L1", assigned("S1", "bob@x.com"), free("S2")), "bob@x.com"},
		{"other case and spaces", lic("L1", assigned("S1", "bob@x.com"), free("S2")), " BOB@X.COM "},
		{"held as pending", lic("L1", pending("S1", "bob@x.com"), free("S2")), "bob@x.com"},
		{"even when full", lic("L1", assigned("S1", "bob@x.com")), "bob@x.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := tt.l.Assign(by(), tt.email, true)
			assert.Equal(t, Conflict, KindOf(err))
			assert.Equal(t, CodeSeatDuplicate, CodeOf(err))
			assert.Equal(t, tt.l, got, "a refusal changes nothing")
		})
	}
}

func TestAssign_SameEmailMayHoldSeatsOfDifferentLicenses(t *testing.T) {
	_, _, err := lic("L2", free("S1")).Assign(by(), "bob@x.com", true)
	assert.NoError(t, err)
}

func TestAssign_RefusesAFullLicense(t *testing.T) {
	l := lic("L1", assigned("S1", owner), pending("S2", "p@x.com"))
	_, _, err := l.Assign(by(), "bob@x.com", true)
	assert.Equal(t, Conflict, KindOf(err))
	assert.Equal(t, CodeSeatFull, CodeOf(err))
}

func TestAssign_RefusesAMalformedEmail(t *testing.T) {
	_, _, err := lic("L1", free("S1")).Assign(by(), "Bob <bob@x.com>", true)
	assert.Equal(t, CodeEmailInvalid, CodeOf(err))
}

func TestTransitions_NeverWriteIntoTheCallersLicense(t *testing.T) {
	l := lic("L1", assigned("S1", "a@x.com"), free("S2"), pending("S3", "p@x.com"))
	snapshot := lic("L1", assigned("S1", "a@x.com"), free("S2"), pending("S3", "p@x.com"))
	_, _, err := l.Assign(by(), "b@x.com", true)
	require.NoError(t, err)
	_, _, err = l.Remove(by(), "a@x.com")
	require.NoError(t, err)
	_, _, err = l.Reassign(by(), "S1", "c@x.com", false)
	require.NoError(t, err)
	_, _, err = ActivatePending(by(), []License{l}, "p@x.com")
	require.NoError(t, err)
	assert.Equal(t, snapshot, l)
}

func TestValidate_RefusesLicensesThatBreakSeatInvariants(t *testing.T) {
	tests := []struct {
		name string
		l    License
	}{
		{"no ID", License{Owner: "a", Product: "p"}},
		{"no owner", License{ID: "L", Product: "p"}},
		{"no product", License{ID: "L", Owner: "a"}},
		{"seat without ID", lic("L1", free(""))},
		{"seat ID twice", lic("L1", free("S1"), free("S1"))},
		{"unknown state", lic("L1", Seat{ID: "S1", State: 7, Email: "a@x.com"})},
		{"available with an address", lic("L1", Seat{ID: "S1", Email: "a@x.com"})},
		{"held without an address", lic("L1", Seat{ID: "S1", State: SeatAssigned})},
		{"held by a non-canonical address", lic("L1", assigned("S1", "A@x.com"))},
		{"address holds two seats", lic("L1", assigned("S1", "a@x.com"), pending("S2", "a@x.com"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.l.Validate()
			assert.Equal(t, CodeLicenseInvalid, CodeOf(err))
			_, _, err = tt.l.Assign(by(), "z@x.com", true)
			assert.Equal(t, CodeLicenseInvalid, CodeOf(err), "transitions refuse a corrupt license")
			_, _, err = tt.l.Remove(by(), "S1")
			assert.Equal(t, CodeLicenseInvalid, CodeOf(err))
			_, _, err = tt.l.Reassign(by(), "S1", "z@x.com", true)
			assert.Equal(t, CodeLicenseInvalid, CodeOf(err))
			_, _, err = ActivatePending(by(), []License{tt.l}, "z@x.com")
			assert.Equal(t, CodeLicenseInvalid, CodeOf(err))
		})
	}
	assert.NoError(t, lic("L1").Validate(), "a license with no seats is valid")
}

func TestRemove_FreesTheSeatNamedByEmailOrSeatID(t *testing.T) {
	l := lic("L1", assigned("S1", "bob@x.com"), pending("S2", "new@x.com"))
	for _, ref := range []string{"bob@x.com", "BOB@x.com", "S1"} {
		got, ev, err := l.Remove(by(), ref)
		require.NoError(t, err, ref)
		assert.Equal(t, free("S1"), got.Seats[0], ref)
		assert.Equal(t, pending("S2", "new@x.com"), got.Seats[1])
		assert.Equal(t, Event{At: t0, Actor: owner, Action: AuditSeatRemove, Subject: "L1", Before: "S1 assigned bob@x.com", After: "S1 available"}, ev)
	}
	got, _, err := l.Remove(by(), "new@x.com")
	require.NoError(t, err)
	assert.Equal(t, free("S2"), got.Seats[1], "a pending seat can be removed too")
}

func TestRemove_OwnerMayFreeTheirOwnSeatForAColleague(t *testing.T) {
	l := lic("L1", assigned("S1", owner))
	got, _, err := l.Remove(by(), string(owner))
	require.NoError(t, err)
	got, _, err = got.Assign(by(), "colleague@acme.com", true)
	require.NoError(t, err)
	assert.Equal(t, assigned("S1", "colleague@acme.com"), got.Seats[0])
}

func TestRemove_IsNotFoundWhenNothingIsHeld(t *testing.T) {
	l := lic("L1", assigned("S1", "bob@x.com"), free("S2"))
	for _, ref := range []string{"carl@x.com", "S2", "S9", "", "not an address"} {
		got, _, err := l.Remove(by(), ref)
		assert.Equal(t, NotFound, KindOf(err), ref)
		assert.Equal(t, CodeSeatNotHeld, CodeOf(err), ref)
		assert.Equal(t, l, got)
	}
}

func TestReassign_MovesTheSeatToAnotherEmailKeepingItsID(t *testing.T) {
	l := lic("L1", assigned("S1", "bob@x.com"), free("S2"))
	got, ev, err := l.Reassign(by(), "bob@x.com", "Carl@X.com", false)
	require.NoError(t, err)
	assert.Equal(t, pending("S1", "carl@x.com"), got.Seats[0])
	assert.Equal(t, free("S2"), got.Seats[1], "the free seat stays free")
	assert.Equal(t, Event{At: t0, Actor: owner, Action: AuditSeatReassign, Subject: "L1", Before: "S1 assigned bob@x.com", After: "S1 pending carl@x.com"}, ev)

	got, _, err = l.Reassign(by(), "S1", "carl@x.com", true)
	require.NoError(t, err)
	assert.Equal(t, assigned("S1", "carl@x.com"), got.Seats[0])
}

func TestReassign_RefusesAnEmailThatAlreadyHoldsASeatAndAnUnheldSource(t *testing.T) {
	l := lic("L1", assigned("S1", "bob@x.com"), assigned("S2", "carl@x.com"), free("S3"))
	_, _, err := l.Reassign(by(), "bob@x.com", "carl@x.com", true)
	assert.Equal(t, CodeSeatDuplicate, CodeOf(err))
	_, _, err = l.Reassign(by(), "bob@x.com", "bob@x.com", true)
	assert.Equal(t, CodeSeatDuplicate, CodeOf(err))
	_, _, err = l.Reassign(by(), "S3", "dan@x.com", true)
	assert.Equal(t, CodeSeatNotHeld, CodeOf(err))
	_, _, err = l.Reassign(by(), "bob@x.com", "nope", true)
	assert.Equal(t, CodeEmailInvalid, CodeOf(err))
}

func TestActivatePending_TurnsPendingSeatsOfTheEmailIntoAssignedOnEveryLicense(t *testing.T) {
	ls := []License{
		lic("L1", pending("S1", "new@x.com"), pending("S2", "other@x.com")),
		lic("L2", assigned("S1", "bob@x.com")),
		lic("L3", free("S1"), pending("S2", "new@x.com")),
	}
	got, events, err := ActivatePending(by(), ls, "NEW@x.com")
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, assigned("S1", "new@x.com"), got[0].Seats[0])
	assert.Equal(t, pending("S2", "other@x.com"), got[0].Seats[1], "other addresses keep waiting")
	assert.Equal(t, ls[1], got[1])
	assert.Equal(t, assigned("S2", "new@x.com"), got[2].Seats[1])
	assert.Equal(t, []Event{
		{At: t0, Actor: owner, Action: AuditSeatActivatePending, Subject: "L1", Before: "S1 pending new@x.com", After: "S1 assigned new@x.com"},
		{At: t0, Actor: owner, Action: AuditSeatActivatePending, Subject: "L3", Before: "S2 pending new@x.com", After: "S2 assigned new@x.com"},
	}, events)
}

func TestActivatePending_RecordsNothingWhenNothingWaits(t *testing.T) {
	ls := []License{lic("L1", assigned("S1", "new@x.com"))}
	got, events, err := ActivatePending(by(), ls, "new@x.com")
	require.NoError(t, err)
	assert.Empty(t, events)
	assert.Equal(t, ls, got)
	_, _, err = ActivatePending(by(), ls, "bad")
	assert.Equal(t, CodeEmailInvalid, CodeOf(err))
}

func TestCounts_OwnersOwnUseTakesASeatButIsNotAssignedToOthers(t *testing.T) {
	l := lic("L1", assigned("S1", owner), assigned("S2", "bob@x.com"), pending("S3", "new@x.com"), free("S4"), free("S5"))
	assert.Equal(t, SeatCounts{Contracted: 5, AssignedToOthers: 2, HeldByOwner: 1, Available: 2, Pending: 1}, l.Counts())

	l = lic("L1", assigned("S1", "bob@x.com"), free("S2"))
	assert.Equal(t, SeatCounts{Contracted: 2, AssignedToOthers: 1, Available: 1}, l.Counts())
}

func TestCapacityByProduct_SumsSeatsAcrossUnexpiredLicensesOfAProduct(t *testing.T) {
	seats := func(n int) []Seat {
		s := make([]Seat, n)
		for i := range s {
			s[i] = free(fmt.Sprint("S", i))
		}
		return s
	}
	ls := []License{
		{ID: "A", Product: "print", Seats: seats(10)},
		{ID: "B", Product: "print", Seats: seats(1), Expiry: t0.Add(time.Nanosecond)},
		{ID: "C", Product: "print", Seats: seats(5)},
		{ID: "D", Product: "scan", Seats: seats(2)},
		{ID: "E", Product: "print", Seats: seats(100), Expiry: t0},
	}
	assert.Equal(t, map[string]int{"print": 16, "scan": 2}, CapacityByProduct(ls, t0))
}

func TestLicenseExpired_AtTheExpiryInstantAndNeverWhenPerpetual(t *testing.T) {
	l := License{Expiry: t0}
	assert.False(t, l.Expired(t0.Add(-time.Nanosecond)))
	assert.True(t, l.Expired(t0))
	assert.False(t, License{}.Expired(t0.AddDate(100, 0, 0)))
}

func TestMayRunCloudLogin_OnlyAnAssignedSeatOnALiveLicenseRuns(t *testing.T) {
	expired := lic("LX", assigned("S1", "bob@x.com"))
	expired.Expiry = t0
	tests := []struct {
		name     string
		licenses []License
		email    Email
		code     string
	}{
		{"assigned", []License{lic("L1", assigned("S1", "bob@x.com"))}, "Bob@x.com", ""},
		{"assigned on one of several", []License{lic("L1", pending("S1", "bob@x.com")), expired, lic("L2", assigned("S1", "bob@x.com"))}, "bob@x.com", ""},
		{"pending only", []License{lic("L1", pending("S1", "bob@x.com"))}, "bob@x.com", CodeCloudLoginPending},
		{"expired only", []License{expired}, "bob@x.com", CodeCloudLoginExpired},
		{"someone else's seat", []License{lic("L1", assigned("S1", "carl@x.com"))}, "bob@x.com", CodeCloudLoginNoSeat},
		{"no licenses", nil, "bob@x.com", CodeCloudLoginNoSeat},
		{"malformed address", nil, "bob", CodeEmailInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := MayRunCloudLogin(tt.licenses, tt.email, t0)
			if tt.code == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.code, CodeOf(err))
		})
	}
}
