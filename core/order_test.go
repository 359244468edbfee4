package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func partnerLicense(id string, seats ...Seat) License {
	return License{ID: id, Owner: "reseller", OwnerName: "Reseller", OwnerEmail: "p@reseller.com", Product: "meetings", Seats: seats}
}

var customer = Account{ID: "cust", Name: "Customer Co", OwnerEmail: "boss@cust.com"}

func TestAssignOrderToCustomer_MovesAllItsLicensesToTheCustomer(t *testing.T) {
	o := Order{ID: "O1", Partner: "reseller", Product: "meetings", Quantity: 2, LicenseIDs: []string{"L1", "L2"}}
	ls := []License{partnerLicense("L1", free("S1")), partnerLicense("L2", free("S1"), free("S2")), partnerLicense("L3", free("S1"))}
	got, moved, ev, err := AssignOrderToCustomer(by(), o, ls, customer)
	require.NoError(t, err)
	assert.Equal(t, AccountID("cust"), got.AssignedTo)
	require.Len(t, moved, 2)
	for _, l := range moved {
		assert.Equal(t, AccountID("cust"), l.Owner)
		assert.Equal(t, "Customer Co", l.OwnerName)
		assert.Equal(t, Email("boss@cust.com"), l.OwnerEmail)
	}
	assert.Equal(t, []string{"L1", "L2"}, []string{moved[0].ID, moved[1].ID})
	assert.Equal(t, AccountID("reseller"), ls[0].Owner, "the input is not changed")
	assert.Equal(t, Event{At: t0, Actor: owner, Action: AuditOrderAssign, Subject: "O1", Before: "held by reseller", After: "assigned to cust, 2 licenses"}, ev)
}

func TestAssignOrderToCustomer_RefusesWhatCannotMove(t *testing.T) {
	base := Order{ID: "O1", Partner: "reseller", LicenseIDs: []string{"L1"}}
	assignedOrder := base
	assignedOrder.AssignedTo = "other"
	foreign := partnerLicense("L1", free("S1"))
	foreign.Owner = "someone"
	tests := []struct {
		name     string
		o        Order
		ls       []License
		customer Account
		code     string
	}{
		{"already assigned", assignedOrder, []License{partnerLicense("L1")}, customer, CodeOrderAssigned},
		{"no customer", base, []License{partnerLicense("L1")}, Account{}, CodeOrderCustomer},
		{"to the partner itself", base, []License{partnerLicense("L1")}, Account{ID: "reseller"}, CodeOrderCustomer},
		{"license missing", base, nil, customer, CodeOrderLicenseMissing},
		{"license not the partner's", base, []License{foreign}, customer, CodeOrderLicenseOwner},
		{"seat in use", base, []License{partnerLicense("L1", free("S1"), assigned("S2", "p@reseller.com"))}, customer, CodeOrderSeatsInUse},
		{"seat pending", base, []License{partnerLicense("L1", pending("S1", "x@y.com"))}, customer, CodeOrderSeatsInUse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, moved, _, err := AssignOrderToCustomer(by(), tt.o, tt.ls, tt.customer)
			assert.Equal(t, tt.code, CodeOf(err))
			assert.Equal(t, tt.o, got)
			assert.Nil(t, moved)
		})
	}
}
