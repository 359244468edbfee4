package sync_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// The cache shows a seat write at once, before the portal has it. What it
// shows must be what the portal answers once the write lands: the client
// applies core's seat rules, not a copy of them. The demo's Acme is owned
// by ana; paula's partner account manages it by delegation; QiBuilder has a
// free seat and ana holds none of it; ana holds an Eberick seat.
func TestOptimisticSeatEffect_EqualsThePortalsAnswer(t *testing.T) {
	cases := []struct {
		name, actor, product string
		write                func(license string) (lsync.Write, error)
	}{
		{"partner assigns the owner's own e-mail", "paula@nimbus.example", "QiBuilder",
			func(l string) (lsync.Write, error) { return lsync.AssignSeat(l, "ana@acme.example") }},
		{"partner removes the owner's own seat", "paula@nimbus.example", "Eberick",
			func(l string) (lsync.Write, error) { return lsync.RemoveSeat(l, "ana@acme.example") }},
		{"partner moves the owner's seat to themselves", "paula@nimbus.example", "Eberick",
			func(l string) (lsync.Write, error) {
				return lsync.ReassignSeat(l, "ana@acme.example", "paula@nimbus.example")
			}},
		{"partner moves a colleague's seat to the owner", "paula@nimbus.example", "QiBuilder",
			func(l string) (lsync.Write, error) {
				return lsync.ReassignSeat(l, "diego@newhire.example", "ana@acme.example")
			}},
		{"partner assigns an address with no account: pending", "paula@nimbus.example", "QiBuilder",
			func(l string) (lsync.Write, error) { return lsync.AssignSeat(l, "nobody.yet@acme.example") }},
		{"owner assigns their own e-mail", "ana@acme.example", "QiBuilder",
			func(l string) (lsync.Write, error) { return lsync.AssignSeat(l, "ana@acme.example") }},
		{"owner moves a colleague's seat to themselves", "ana@acme.example", "QiBuilder",
			func(l string) (lsync.Write, error) {
				return lsync.ReassignSeat(l, "diego@newhire.example", "ana@acme.example")
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := portaltest.Start(t)
			p.Seed()
			d := newDevice(t, p, tc.actor, "demo-password")
			d.sync()
			var lic string
			for _, s := range portalSolutions(t, d) {
				if s.Product == tc.product && s.OwnerEmail == "ana@acme.example" {
					lic = s.LicenseID
				}
			}
			require.NotEmpty(t, lic, "%s sees Acme's %s", tc.actor, tc.product)

			d.submit(tc.write(lic))
			shown := d.solution(lic)

			res := d.sync()
			require.Len(t, res.Push.Accepted, 1, "the portal accepts the write")
			var answered api.Solution
			for _, s := range portalSolutions(t, d) {
				if s.LicenseID == lic {
					answered = s
				}
			}
			assert.Equal(t, answered.Seats, shown.Seats, "seats")
			assert.Equal(t, [3]int{answered.Contracted, answered.AssignedOthers, answered.Available},
				[3]int{shown.Contracted, shown.AssignedOthers, shown.Available}, "contracted, assigned to others, available")
			assert.Equal(t, answered, shown)
		})
	}
}

// Adopting shows at once what the portal answers: core.Adopt on the
// holdings the cache shows, rendered with the portal's view builder.
func TestOptimisticAdopt_EqualsThePortalsAnswer(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	p.Seed()
	ana := newDevice(t, p, "ana@acme.example", "demo-password")
	ana.sync()
	assigned, err := ana.cache.Assigned(ctx)
	require.NoError(t, err)
	require.Len(t, assigned, 1)
	var other string
	for _, l := range assigned[0].Licenses {
		if l.LicenseID != assigned[0].Effective {
			other = l.LicenseID
		}
	}
	require.NotEmpty(t, other)

	ana.submit(lsync.Adopt(assigned[0].Product, other))
	shown, err := ana.cache.Assigned(ctx)
	require.NoError(t, err)
	res := ana.sync()
	require.Len(t, res.Push.Accepted, 1)
	var answered []api.AssignedProduct
	require.NoError(t, ana.client.Do(ctx, lsync.Request{Method: "GET", Path: "/v1/assigned"}, &answered))
	assert.Equal(t, answered, shown)
	assert.Equal(t, other, shown[0].Effective)
}
