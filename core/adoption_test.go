package core

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEdition_IsOrderedFromBasicToEnterprise(t *testing.T) {
	assert.Less(t, EditionUnknown, EditionBasic)
	assert.Less(t, EditionBasic, EditionStandard)
	assert.Less(t, EditionStandard, EditionProfessional)
	assert.Less(t, EditionProfessional, EditionEnterprise)
}

func TestParseEdition_RoundTripsNamesAndRefusesUnknown(t *testing.T) {
	for e := EditionBasic; e <= EditionEnterprise; e++ {
		got, err := ParseEdition(e.String())
		require.NoError(t, err)
		assert.Equal(t, e, got)
	}
	got, err := ParseEdition("Professional")
	require.NoError(t, err)
	assert.Equal(t, EditionProfessional, got)
	for _, s := range []string{"", "unknown", "gold"} {
		_, err := ParseEdition(s)
		assert.Equal(t, CodeEditionUnknown, CodeOf(err), s)
	}
	b, err := json.Marshal(struct{ E Edition }{EditionEnterprise})
	require.NoError(t, err)
	assert.JSONEq(t, `{"E":"enterprise"}`, string(b))
	var v struct{ E Edition }
	require.NoError(t, json.Unmarshal(b, &v))
	assert.Equal(t, EditionEnterprise, v.E)
	assert.Error(t, json.Unmarshal([]byte(`{"E":"gold"}`), &v))
}

func h(id, ownerName string, ed Edition, modules int, expiry time.Time) Holding {
	ms := make([]string, modules)
	for i := range ms {
		ms[i] = string(rune('a' + i))
	}
	return Holding{LicenseID: id, Product: "eberick", Owner: AccountID("acct-" + id), OwnerName: ownerName, Edition: ed, Modules: ms, Expiry: expiry}
}

func TestDefaultPick_MostModulesWinsOverEdition(t *testing.T) {
	small := h("L1", "A", EditionEnterprise, 2, t0)
	large := h("L2", "B", EditionBasic, 3, t0)
	got, ok := DefaultPick([]Holding{small, large})
	require.True(t, ok)
	assert.Equal(t, "L2", got.LicenseID)
}

func TestDefaultPick_CountsDistinctModules(t *testing.T) {
	dup := h("L1", "A", EditionBasic, 0, t0)
	dup.Modules = []string{"a", "a", "a"}
	two := h("L2", "B", EditionBasic, 2, t0)
	got, _ := DefaultPick([]Holding{dup, two})
	assert.Equal(t, "L2", got.LicenseID)
}

func TestDefaultPick_TiesGoToHigherEditionThenLaterExpiryThenOwnerName(t *testing.T) {
	later := t0.AddDate(1, 0, 0)
	tests := []struct {
		name       string
		candidates []Holding
		want       string
	}{
		{"higher edition", []Holding{h("L1", "A", EditionStandard, 2, later), h("L2", "B", EditionEnterprise, 2, t0)}, "L2"},
		{"later expiry", []Holding{h("L1", "A", EditionBasic, 2, t0), h("L2", "B", EditionBasic, 2, later)}, "L2"},
		{"perpetual is latest", []Holding{h("L1", "A", EditionBasic, 2, later), h("L2", "B", EditionBasic, 2, time.Time{})}, "L2"},
		{"owner name ascending", []Holding{h("L1", "Zeta", EditionBasic, 2, t0), h("L2", "Alpha", EditionBasic, 2, t0)}, "L2"},
		{"owner name ignores case", []Holding{h("L1", "beta", EditionBasic, 2, t0), h("L2", "Alpha", EditionBasic, 2, t0)}, "L2"},
		{"license ID last", []Holding{h("L9", "Same", EditionBasic, 2, t0), h("L3", "Same", EditionBasic, 2, t0)}, "L3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DefaultPick(tt.candidates)
			require.True(t, ok)
			assert.Equal(t, tt.want, got.LicenseID)
			rev := []Holding{tt.candidates[1], tt.candidates[0]}
			got, _ = DefaultPick(rev)
			assert.Equal(t, tt.want, got.LicenseID, "the pick does not depend on input order")
		})
	}
}

func TestDefaultPick_NoneWhenEmpty(t *testing.T) {
	_, ok := DefaultPick(nil)
	assert.False(t, ok)
}

func TestCompareHoldings_OnlyEqualForTheSameHolding(t *testing.T) {
	a := h("L1", "A", EditionBasic, 1, t0)
	assert.Equal(t, 0, CompareHoldings(a, a))
	b := a
	b.LicenseID = "L2"
	assert.Negative(t, CompareHoldings(a, b))
	assert.Positive(t, CompareHoldings(b, a))
}

func TestHoldingsByProduct_ListsAssignedSeatsPerProductInDefaultOrder(t *testing.T) {
	mk := func(id, product, ownerName string, ed Edition, s Seat) License {
		l := lic(id, s)
		l.Product, l.OwnerName, l.Edition = product, ownerName, ed
		return l
	}
	ls := []License{
		mk("L1", "eberick", "Acme", EditionBasic, assigned("S1", "bob@x.com")),
		mk("L2", "eberick", "Beta", EditionEnterprise, assigned("S1", "bob@x.com")),
		mk("L3", "qibuilder", "Acme", EditionBasic, assigned("S1", "bob@x.com")),
		mk("L4", "eberick", "Gamma", EditionEnterprise, pending("S1", "bob@x.com")),
		mk("L5", "eberick", "Delta", EditionEnterprise, assigned("S1", "carl@x.com")),
	}
	got := HoldingsByProduct(ls, "BOB@x.com")
	require.Len(t, got, 2)
	require.Len(t, got["eberick"], 2)
	assert.Equal(t, "L2", got["eberick"][0].LicenseID)
	assert.Equal(t, "Beta", got["eberick"][0].OwnerName)
	assert.Equal(t, "L1", got["eberick"][1].LicenseID)
	assert.Equal(t, "L3", got["qibuilder"][0].LicenseID)
	assert.Empty(t, HoldingsByProduct(ls, "not an address"))
}

func TestEffective_AdoptedWhileHeldElseDefault(t *testing.T) {
	big := h("L1", "A", EditionEnterprise, 3, t0)
	small := h("L2", "B", EditionBasic, 1, t0)
	cands := []Holding{big, small}

	got, st, err := Effective(cands, "")
	require.NoError(t, err)
	assert.Equal(t, "L1", got.LicenseID)
	assert.Equal(t, AdoptionDefault, st)

	got, st, err = Effective(cands, "L2")
	require.NoError(t, err)
	assert.Equal(t, "L2", got.LicenseID)
	assert.Equal(t, AdoptionAdopted, st)

	got, st, err = Effective([]Holding{big}, "L2")
	require.NoError(t, err)
	assert.Equal(t, "L1", got.LicenseID, "a lost adopted seat falls back to the default")
	assert.Equal(t, AdoptionDefault, st)

	_, _, err = Effective(nil, "L2")
	assert.Equal(t, NotFound, KindOf(err))
	assert.Equal(t, CodeAdoptionNone, CodeOf(err))
}

func TestAdopt_MarksTheChosenLicenseAdoptedAndRecordsWhatRanBefore(t *testing.T) {
	cands := []Holding{h("L1", "A", EditionEnterprise, 3, t0), h("L2", "B", EditionBasic, 1, t0)}
	got, ev, err := Adopt(by(), cands, "", "L2")
	require.NoError(t, err)
	assert.Equal(t, "L2", got.LicenseID)
	assert.Equal(t, Event{At: t0, Actor: owner, Action: AuditAdoptionAdopt, Subject: "L2", Before: "L1 (default)", After: "L2 (adopted)"}, ev)

	_, ev, err = Adopt(by(), cands, "L2", "L1")
	require.NoError(t, err)
	assert.Equal(t, "L2 (adopted)", ev.Before)
	assert.Equal(t, "L1 (adopted)", ev.After)
}

func TestAdopt_RefusesALicenseNotHeldByTheUser(t *testing.T) {
	cands := []Holding{h("L1", "A", EditionEnterprise, 3, t0)}
	_, _, err := Adopt(by(), cands, "", "L9")
	assert.Equal(t, NotFound, KindOf(err))
	assert.Equal(t, CodeAdoptionNotHeld, CodeOf(err))
}

func TestReconcileAdoption_FallsBackAndRecordsItWhenTheAdoptedSeatIsLost(t *testing.T) {
	cands := []Holding{h("L1", "A", EditionEnterprise, 3, t0)}
	adopted, events := ReconcileAdoption(by(), cands, "L2")
	assert.Equal(t, "", adopted)
	assert.Equal(t, []Event{{At: t0, Actor: owner, Action: AuditAdoptionFallback, Subject: "L2", Before: "L2 (adopted)", After: "L1 (default)"}}, events)

	adopted, events = ReconcileAdoption(by(), nil, "L2")
	assert.Equal(t, "", adopted)
	assert.Equal(t, "none", events[0].After)

	adopted, events = ReconcileAdoption(by(), cands, "L1")
	assert.Equal(t, "L1", adopted)
	assert.Empty(t, events)

	adopted, events = ReconcileAdoption(by(), cands, "")
	assert.Equal(t, "", adopted)
	assert.Empty(t, events)
}

func TestRunWith_CombinesTheSeatRuleWithAdoptionAndSkipsExpiredLicenses(t *testing.T) {
	mk := func(id string, ed Edition, s Seat, expiry time.Time) License {
		l := lic(id, s)
		l.Edition, l.Expiry = ed, expiry
		return l
	}
	bob := Email("bob@x.com")
	big := mk("L1", EditionEnterprise, assigned("S1", bob), time.Time{})
	small := mk("L2", EditionBasic, assigned("S1", bob), time.Time{})
	expiredAdopted := mk("L3", EditionBasic, assigned("S1", bob), t0)
	other := mk("L4", EditionEnterprise, assigned("S1", bob), time.Time{})
	other.Product = "qibuilder"
	ls := []License{big, small, expiredAdopted, other}

	got, st, err := RunWith(ls, bob, "eberick", "", t0)
	require.NoError(t, err)
	assert.Equal(t, "L1", got.LicenseID)
	assert.Equal(t, AdoptionDefault, st)

	got, st, err = RunWith(ls, bob, "eberick", "L2", t0)
	require.NoError(t, err)
	assert.Equal(t, "L2", got.LicenseID)
	assert.Equal(t, AdoptionAdopted, st)

	got, st, err = RunWith(ls, bob, "eberick", "L3", t0)
	require.NoError(t, err)
	assert.Equal(t, "L1", got.LicenseID, "an expired adopted license falls back")
	assert.Equal(t, AdoptionDefault, st)

	_, _, err = RunWith(ls, bob, "eberick", "L4", t0)
	require.NoError(t, err, "adopting another product's license does not matter here")

	_, _, err = RunWith([]License{mk("L5", EditionBasic, pending("S1", bob), time.Time{})}, bob, "eberick", "", t0)
	assert.Equal(t, CodeCloudLoginPending, CodeOf(err))
	_, _, err = RunWith(ls, bob, "other", "", t0)
	assert.Equal(t, CodeCloudLoginNoSeat, CodeOf(err))
}

func TestAdoptionState_String(t *testing.T) {
	assert.Equal(t, "adopted", AdoptionAdopted.String())
	assert.Equal(t, "default", AdoptionDefault.String())
	assert.Equal(t, "AdoptionState(5)", AdoptionState(5).String())
	assert.Equal(t, "Edition(9)", Edition(9).String())
}
