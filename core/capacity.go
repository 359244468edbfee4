package core

import (
	"sort"
	"time"
)

// CapacityGrant is what one key adds to its product (source 002: a license
// for 25 devices), with the facts that decide whether it counts.
type CapacityGrant struct {
	Product string
	Unit    string // what is counted: "devices", "users", ...
	Amount  int
	Expiry  time.Time // zero: perpetual
	// Activated is true while the key is activated on at least one machine:
	// a license key that was added but never activated licenses nothing yet
	// (source 002: "added but must be activated").
	Activated bool
}

// Counts reports whether the grant adds to its product's capacity at now:
// activated, not expired, and a positive amount.
func (g CapacityGrant) Counts(now time.Time) bool {
	return g.Activated && g.Amount > 0 && (g.Expiry.IsZero() || now.Before(g.Expiry))
}

// ProductCapacity is the capacity of one product in one unit.
type ProductCapacity struct {
	Product string
	Unit    string
	Total   int // sum of the amounts of the grants that count
	Grants  int // how many grants count
}

// SumCapacity adds up, per product and unit, the grants that count at now
// (source 002: ten devices + one + five = sixteen), ordered by product then
// unit. Amounts in different units are never added together: 25 devices and
// 3 users are two capacities. A product whose grants all lapsed is left out,
// since it licenses nothing.
func SumCapacity(grants []CapacityGrant, now time.Time) []ProductCapacity {
	type pu struct{ product, unit string }
	sums := map[pu]*ProductCapacity{}
	for _, g := range grants {
		if !g.Counts(now) {
			continue
		}
		k := pu{g.Product, g.Unit}
		c := sums[k]
		if c == nil {
			c = &ProductCapacity{Product: g.Product, Unit: g.Unit}
			sums[k] = c
		}
		c.Total += g.Amount
		c.Grants++
	}
	out := make([]ProductCapacity, 0, len(sums))
	for _, c := range sums {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Product != out[j].Product {
			return out[i].Product < out[j].Product
		}
		return out[i].Unit < out[j].Unit
	})
	return out
}
