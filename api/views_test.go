package api_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

var viewNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func sampleLicense() core.License {
	return core.License{ID: "L1", Owner: "acc1", OwnerName: "Acme", OwnerEmail: "ana@acme.example", Product: "Eberick",
		Edition: core.EditionProfessional, Modules: []string{"Concrete"}, ContractNumber: "ACME-1",
		ContractStart: viewNow.AddDate(-1, 0, 0), SupportEnd: viewNow.AddDate(0, 0, -1), Expiry: viewNow.AddDate(1, 0, 0),
		Seats: []core.Seat{{ID: "L1.1", State: core.SeatAssigned, Email: "ana@acme.example"},
			{ID: "L1.2", State: core.SeatPending, Email: "new@acme.example"}, {ID: "L1.3"}}}
}

// A view rebuilt into core's license renders back to the same view, so the
// client's effects lose nothing of what the portal sent.
func TestSolutionView_RoundTripsThroughCoresLicense(t *testing.T) {
	v := api.SolutionOf(sampleLicense(), "O1", viewNow)
	l, err := v.License()
	require.NoError(t, err)
	assert.Equal(t, v, api.SolutionOf(l, "O1", viewNow))
	assert.Equal(t, sampleLicense(), l)
}

// The counts are core's: the owner's own seat is not "assigned to others".
func TestSolutionView_CountsAreCoresRelativeToTheOwner(t *testing.T) {
	v := api.SolutionOf(sampleLicense(), "", viewNow)
	assert.Equal(t, [3]int{3, 1, 1}, [3]int{v.Contracted, v.AssignedOthers, v.Available})
	assert.Equal(t, "renew", v.Action, "maintenance expired")
}

func TestSolutionView_BrokenViewsAreRefused(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*api.Solution)
	}{
		{"unknown seat state", func(s *api.Solution) { s.Seats[0].State = "borrowed" }},
		{"unknown edition", func(s *api.Solution) { s.Edition = "platinum" }},
		{"one address on two seats", func(s *api.Solution) { s.Seats[1].Email = s.Seats[0].Email }},
		{"available seat with an address", func(s *api.Solution) { s.Seats[2].Email = "x@acme.example" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := api.SolutionOf(sampleLicense(), "", viewNow)
			tc.mutate(&v)
			_, err := v.License()
			assert.Equal(t, core.Invalid, core.KindOf(err))
		})
	}
}

// The adopted holding and the default are marked as core decides, and the
// product's view rebuilds into the same holdings.
func TestAssignedView_RoundTripsThroughCoresHoldings(t *testing.T) {
	a := core.Holding{LicenseID: "A", Product: "Eberick", Owner: "o1", OwnerName: "Acme", Edition: core.EditionEnterprise, Modules: []string{"x"}}
	b := core.Holding{LicenseID: "B", Product: "Eberick", Owner: "o2", OwnerName: "Beta", Edition: core.EditionBasic, Modules: []string{"x"}}
	states := map[string]core.SeatState{"A": core.SeatAssigned, "B": core.SeatAssigned}
	for _, adopted := range []string{"", "B"} {
		v, err := api.AssignedProductOf("Eberick", []core.Holding{a, b}, adopted, func(id string) core.SeatState { return states[id] })
		require.NoError(t, err)
		assert.True(t, v.Licenses[0].Default)
		hs, st, got, err := v.Holdings()
		require.NoError(t, err)
		assert.Equal(t, adopted, got)
		assert.Equal(t, states, st)
		back, err := api.AssignedProductOf("Eberick", hs, got, func(id string) core.SeatState { return st[id] })
		require.NoError(t, err)
		assert.Equal(t, v, back)
	}
}
