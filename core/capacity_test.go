package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSumCapacity_AddsTheActivatedLiveKeysOfAProduct(t *testing.T) {
	live := func(product string, n int) CapacityGrant {
		return CapacityGrant{Product: product, Unit: "devices", Amount: n, Activated: true, Expiry: t0.Add(Day)}
	}
	tests := []struct {
		name   string
		grants []CapacityGrant
		want   []ProductCapacity
	}{
		{"source 002: ten + one + five devices make sixteen",
			[]CapacityGrant{live("MyQ", 10), live("MyQ", 1), live("MyQ", 5)},
			[]ProductCapacity{{Product: "MyQ", Unit: "devices", Total: 16, Grants: 3}}},
		{"a key added but not activated adds nothing",
			[]CapacityGrant{live("MyQ", 10), {Product: "MyQ", Unit: "devices", Amount: 5}},
			[]ProductCapacity{{Product: "MyQ", Unit: "devices", Total: 10, Grants: 1}}},
		{"an expired key adds nothing, at the expiry instant itself",
			[]CapacityGrant{live("MyQ", 10), {Product: "MyQ", Unit: "devices", Amount: 5, Activated: true, Expiry: t0}},
			[]ProductCapacity{{Product: "MyQ", Unit: "devices", Total: 10, Grants: 1}}},
		{"a perpetual key always counts",
			[]CapacityGrant{{Product: "MyQ", Unit: "devices", Amount: 7, Activated: true}},
			[]ProductCapacity{{Product: "MyQ", Unit: "devices", Total: 7, Grants: 1}}},
		{"units are never mixed and products are ordered",
			[]CapacityGrant{live("Zeta", 1), {Product: "MyQ", Unit: "users", Amount: 3, Activated: true}, live("MyQ", 25)},
			[]ProductCapacity{
				{Product: "MyQ", Unit: "devices", Total: 25, Grants: 1},
				{Product: "MyQ", Unit: "users", Total: 3, Grants: 1},
				{Product: "Zeta", Unit: "devices", Total: 1, Grants: 1},
			}},
		{"a product whose keys all lapsed is left out",
			[]CapacityGrant{{Product: "MyQ", Unit: "devices", Amount: 5, Activated: true, Expiry: t0.Add(-Day)}},
			[]ProductCapacity{}},
		{"no grants, no capacity", nil, []ProductCapacity{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SumCapacity(tt.grants, t0))
		})
	}
}

func TestCapacityGrant_ZeroOrNegativeAmountsNeverCount(t *testing.T) {
	assert.False(t, CapacityGrant{Product: "P", Amount: 0, Activated: true}.Counts(t0))
	assert.False(t, CapacityGrant{Product: "P", Amount: -3, Activated: true}.Counts(t0))
}
