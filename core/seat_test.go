package core

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeatState_StringAndParseRoundTrip(t *testing.T) {
	for _, s := range []SeatState{SeatAvailable, SeatAssigned, SeatPending} {
		got, err := ParseSeatState(" " + s.String() + " ")
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	got, err := ParseSeatState("PENDING")
	require.NoError(t, err)
	assert.Equal(t, SeatPending, got)
}

func TestParseSeatState_RefusesUnknownNames(t *testing.T) {
	_, err := ParseSeatState("aguardando")
	assert.Equal(t, CodeSeatStateUnknown, CodeOf(err))
	assert.Contains(t, err.Error(), "available, assigned, pending")
}

func TestSeatState_StoresByNameInJSON(t *testing.T) {
	b, err := json.Marshal(Seat{ID: "S1", State: SeatPending, Email: "a@b.co"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"ID":"S1","State":"pending","Email":"a@b.co"}`, string(b))
	var s Seat
	require.NoError(t, json.Unmarshal(b, &s))
	assert.Equal(t, SeatPending, s.State)
	assert.Error(t, json.Unmarshal([]byte(`{"State":"gone"}`), &s))
}

func TestSeatNotices_AssignSendsMailAndPendingAssignInvites(t *testing.T) {
	before := lic("L1", free("S1"), free("S2"))
	after := lic("L1", assigned("S1", "bob@x.com"), pending("S2", "new@x.com"))
	assert.Equal(t, []Notice{
		{To: "bob@x.com", Kind: NoticeAssigned, LicenseID: "L1"},
		{To: "new@x.com", Kind: NoticeInvite, LicenseID: "L1"},
	}, SeatNotices(before, after))
}

func TestSeatNotices_RemovalTellsTheFormerHolder(t *testing.T) {
	before := lic("L1", assigned("S1", "bob@x.com"))
	after := lic("L1", free("S1"))
	assert.Equal(t, []Notice{{To: "bob@x.com", Kind: NoticeRemoved, LicenseID: "L1"}}, SeatNotices(before, after))
}

func TestSeatNotices_ReassignTellsBothAndActivationTellsNobody(t *testing.T) {
	before := lic("L1", assigned("S1", "bob@x.com"), pending("S2", "new@x.com"))
	reassigned := lic("L1", assigned("S1", "carl@x.com"), pending("S2", "new@x.com"))
	assert.Equal(t, []Notice{
		{To: "bob@x.com", Kind: NoticeRemoved, LicenseID: "L1"},
		{To: "carl@x.com", Kind: NoticeAssigned, LicenseID: "L1"},
	}, SeatNotices(before, reassigned))

	activated := lic("L1", assigned("S1", "bob@x.com"), assigned("S2", "new@x.com"))
	assert.Empty(t, SeatNotices(before, activated))
}

func TestNames_AreStableForEveryValue(t *testing.T) {
	assert.Equal(t, "S1 assigned a@b.co", assigned("S1", "a@b.co").String())
	assert.Equal(t, "S1 available", free("S1").String())
	assert.Equal(t, "invite", NoticeInvite.String())
	assert.Equal(t, "SeatState(9)", SeatState(9).String())
	assert.Equal(t, "NoticeKind(9)", NoticeKind(9).String())
}
