package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/portaltest"
	"github.com/licdesk/licdesk/portal/store"
)

// These tests walk the jobs of the vendor pages (issue 18) through the real
// command line against a real portal on loopback.

func (u *user) fails(args ...string) result {
	u.t.Helper()
	r := u.run("", args...)
	require.NotEqual(u.t, 0, r.code, "licdesk %v should fail: %s", args, r.stdout)
	assert.Equal(u.t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one line: %q", r.stderr)
	return r
}

func orders(t *testing.T, u *user) []api.Order {
	t.Helper()
	var os []api.Order
	require.NoError(t, json.Unmarshal([]byte(u.ok("orders", "list", "--json")), &os))
	return os
}

func TestOrdersAssign_TakesTheCustomersNameAndTheCustomerSeesTheOrder(t *testing.T) {
	p := seeded(t)
	paula := newUser(t)
	paula.login(p, "paula@nimbus.example", "demo-password")
	var waiting api.Order
	for _, o := range orders(t, paula) {
		if o.AssignedTo == "" {
			waiting = o
		}
	}
	require.NotEmpty(t, waiting.ID, "the demo has an order waiting for a customer")

	out := paula.ok("orders", "assign", "--order", waiting.ID, "--account", "acme engenharia")
	assert.Contains(t, out, "now belongs to Acme Engenharia")

	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	table := ana.ok("orders", "list")
	assert.Contains(t, table, waiting.ID, "the customer sees the order assigned to it")
	assert.Contains(t, table, "Nimbus Partners", "and the partner it came from")
	assert.Len(t, orders(t, ana), 2)
}

func TestOrdersAssign_AnAmbiguousOrUnknownNameIsRefusedWithTheChoices(t *testing.T) {
	p := portaltest.Start(t)
	ctx := context.Background()
	partner, pacct := p.SignUp("sales@north.example", "North Partners")
	require.NoError(t, p.Store.SetPartner(ctx, pacct, true))
	_, twin1 := p.SignUp("one@twin.example", "Twin")
	_, twin2 := p.SignUp("two@twin.example", "Twin")
	c, err := p.Store.Caller(ctx, partner.User.ID)
	require.NoError(t, err)
	var ids []string
	for _, to := range []string{twin1, twin2, ""} {
		o, err := p.Store.CreateOrder(ctx, c, store.Write{}, pacct, api.NewOrder{Product: "Eberick", Edition: "standard", Quantity: 1})
		require.NoError(t, err)
		ids = append(ids, o.ID)
		if to != "" {
			_, err = p.Store.AssignOrder(ctx, c, store.Write{}, o.ID, to)
			require.NoError(t, err)
		}
	}
	u := newUser(t)
	u.login(p, "sales@north.example", portaltest.Password)

	r := u.fails("orders", "assign", "--order", ids[2], "--account", "Twin")
	assert.Contains(t, r.stderr, twin1)
	assert.Contains(t, r.stderr, twin2)
	r = u.fails("orders", "assign", "--order", ids[2], "--account", "Nobody Inc")
	assert.Contains(t, r.stderr, "no account named Nobody Inc")
	assert.Contains(t, r.stderr, "Twin", "the names it knows")
	for _, o := range orders(t, u) {
		if o.ID == ids[2] {
			assert.Empty(t, o.AssignedTo, "nothing was assigned")
		}
	}

	assert.Contains(t, u.ok("orders", "assign", "--order", ids[2], "--account", twin2), "now belongs to Twin")
}

func TestMembers_OfferAcceptHandOverLeaveAndRemoveFromTheCommandLine(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	table := ana.ok("members")
	assert.Contains(t, table, "carla@acme.example")
	assert.Contains(t, table, "ROLE")

	// Adding is an offer the person accepts.
	assert.Contains(t, ana.ok("members", "add", "--email", "eva@cobalt.example", "--role", "admin", "--account", "Acme Engenharia"),
		"offered: eva@cobalt.example is offered the role admin")
	assert.Regexp(t, `eva@cobalt.example\s+Eva Torres\s+admin\s+offered`, ana.ok("members"))
	eva := newUser(t)
	eva.login(p, "eva@cobalt.example", "demo-password")
	assert.Contains(t, eva.ok("offers", "accept", "Acme Engenharia"), "joined Acme Engenharia")
	var ms []api.Member
	require.NoError(t, json.Unmarshal([]byte(ana.ok("members", "list", "--json")), &ms))
	roles := map[string]string{}
	for _, m := range ms {
		roles[m.Email] = m.Role + "/" + m.Status
	}
	assert.Equal(t, "admin/member", roles["eva@cobalt.example"])

	// The owner hands ownership over to a verified member, then is an admin.
	assert.Contains(t, ana.ok("members", "handover", "--email", "eva@cobalt.example", "--account", "Acme Engenharia"),
		"eva@cobalt.example owns the account now")

	// A member leaves; the new owner removes the old one.
	carla := newUser(t)
	carla.login(p, "carla@acme.example", "demo-password")
	assert.Contains(t, carla.ok("members", "leave", "--account", "Acme Engenharia"), "you left the account")
	assert.Contains(t, eva.ok("members", "remove", "--email", "ana@acme.example", "--account", "Acme Engenharia"), "no longer a member")
	final := eva.ok("members", "--account", "Acme Engenharia")
	assert.NotContains(t, final, "carla@acme.example")
	assert.NotContains(t, final, "ana@acme.example")
	assert.Regexp(t, `eva@cobalt.example\s+Eva Torres\s+owner`, final)

	r := eva.fails("members", "add", "--email", "nobody@nowhere.example", "--account", "Acme Engenharia")
	assert.Contains(t, r.stderr, "no account")
}

func TestDelegation_RevokeAndGrantByThePartnersName(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	paula := newUser(t)
	paula.login(p, "paula@nimbus.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick").LicenseID

	assert.Contains(t, ana.ok("delegation", "revoke"), "managed by its own members only")
	paula.ok("sync")
	r := paula.run("", "seats", "assign", "--license", lic, "--email", "new@acme.example")
	assert.NotEqual(t, 0, r.code, "the partner no longer manages Acme: %s", r.stdout)

	assert.Contains(t, ana.ok("delegation", "grant", "--partner", "Nimbus Partners"), "may now be managed by its partner Nimbus Partners")
	paula.ok("sync")
	assert.Contains(t, paula.ok("seats", "assign", "--license", lic, "--email", "new@acme.example"), "done")
}

func TestAudit_ShowsTheHistoryOfALicenseAndOfAnAccount(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick").LicenseID
	ana.ok("seats", "assign", "--license", lic, "--email", "audit@acme.example")

	table := ana.ok("audit", "--license", lic)
	assert.Contains(t, table, "audit@acme.example")
	assert.Contains(t, table, "ana@acme.example", "who did it")
	var evs []api.AuditEvent
	require.NoError(t, json.Unmarshal([]byte(ana.ok("audit", "--account", "Acme Engenharia", "--json")), &evs))
	assert.NotEmpty(t, evs)
	ana.fails("audit")
}

func TestSeats_EveryWriteIsRefusedWhileTheExternalControllerOwnsTheProduct(t *testing.T) {
	p := seeded(t)
	carlos := newUser(t)
	carlos.login(p, "carlos@cobalt.example", "demo-password")
	lic := licenseOf(t, carlos.solutions(), "MiTeam Meetings").LicenseID
	for _, args := range [][]string{
		{"seats", "assign", "--license", lic, "--email", "eva@cobalt.example"},
		{"seats", "remove", "--license", lic, "--email", "carlos@cobalt.example"},
		{"seats", "reassign", "--license", lic, "--email", "carlos@cobalt.example", "--to", "eva@cobalt.example"},
	} {
		r := carlos.fails(args...)
		assert.Contains(t, r.stderr, "managed by the external controller", args[1])
	}
	seats := carlos.ok("seats", "list", "--license", lic)
	assert.Contains(t, seats, "carlos@cobalt.example", "the refused writes were rolled back")
	assert.NotContains(t, seats, "eva@cobalt.example")
	assert.Contains(t, carlos.ok("status"), "refused:      3 writes")

	carlos.ok("integrations", "set", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings", "--controller", "off")
	assert.Contains(t, carlos.ok("seats", "assign", "--license", lic, "--email", "eva@cobalt.example"), "done")
}
