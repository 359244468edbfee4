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

const (
	meetings = "MiTeam Meetings"
	carlos   = "carlos@cobalt.example"
	eva      = "eva@cobalt.example"
)

// cobalt logs Carlos in to the demo portal and returns his device, synced,
// with Cobalt Telecom's account ID.
func cobalt(t *testing.T, p *portaltest.Portal) (*device, string) {
	t.Helper()
	d := newDevice(t, p, carlos, "demo-password")
	d.sync()
	accts, err := d.cache.Accounts(context.Background())
	require.NoError(t, err)
	for _, a := range accts {
		if a.AccountName == "Cobalt Telecom" {
			return d, a.AccountID
		}
	}
	t.Fatalf("Carlos is not in Cobalt Telecom: %+v", accts)
	return nil, ""
}

func (d *device) integration(acct string) api.Integration {
	d.t.Helper()
	var v api.Integration
	found, err := d.cache.Get(context.Background(), api.KindIntegration, lsync.IntegrationID(acct, meetings), &v)
	require.NoError(d.t, err)
	require.True(d.t, found, "integration of %s cached", acct)
	return v
}

func userState(t testing.TB, v api.Integration, email string) api.IntegrationUser {
	t.Helper()
	for _, u := range v.Users {
		if u.Email == email {
			return u
		}
	}
	t.Fatalf("%s is not among the users of %s: %+v", email, v.Product, v.Users)
	return api.IntegrationUser{}
}

func portalIntegration(t *testing.T, d *device, acct string) api.Integration {
	t.Helper()
	var v api.Integration
	require.NoError(t, d.client.Do(context.Background(), lsync.Request{Method: "GET",
		Path: "/v1/accounts/" + acct + "/integrations/MiTeam%20Meetings"}, &v))
	return v
}

func ptr(b bool) *bool { return &b }

func TestIntegration_SeededStateIsCached(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	d, acct := cobalt(t, p)
	v := d.integration(acct)
	assert.True(t, v.ProductOn)
	assert.True(t, v.ExternalController)
	c := userState(t, v, carlos)
	assert.Equal(t, "read-only on", c.State)
	assert.True(t, c.ReadOnly)
	assert.False(t, c.Enabled)
	e := userState(t, v, eva)
	assert.Equal(t, "No licenses", e.State)
	assert.False(t, e.Enabled)
}

func TestIntegration_ToggleWhileReadOnlyIsRefusedWithTheReason(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	ctx := context.Background()
	d, acct := cobalt(t, p)

	e := d.submit(lsync.SetUserLicense(acct, meetings, eva, true))
	// Core refuses it too: the cached view does not pretend it worked.
	assert.Equal(t, "No licenses", userState(t, d.integration(acct), eva).State)
	res := d.sync()
	require.Len(t, res.Push.Refused, 1)
	assert.Equal(t, e.Seq, res.Push.Refused[0].Seq)
	assert.Contains(t, res.Push.Refused[0].Reason, "external controller")
	got, ok, err := d.cache.Entry(ctx, e.Seq)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, lsync.Failed, got.State)
	assert.Contains(t, got.Reason, "external controller")
	assert.Equal(t, "No licenses", userState(t, d.integration(acct), eva).State)
	assert.Equal(t, "No licenses", userState(t, portalIntegration(t, d, acct), eva).State)
}

func TestIntegration_StaleToggleRollsBackWhenTheControllerCameBack(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	ctx := context.Background()
	laptop, acct := cobalt(t, p)
	desktop, _ := cobalt(t, p)

	laptop.submit(lsync.SetIntegration(acct, meetings, api.IntegrationSwitches{ExternalController: ptr(false)}))
	laptop.sync()
	desktop.sync()
	assert.Equal(t, "off", userState(t, desktop.integration(acct), eva).State)

	// The controller comes back on from the laptop; the desktop has not seen it.
	laptop.submit(lsync.SetIntegration(acct, meetings, api.IntegrationSwitches{ExternalController: ptr(true)}))
	laptop.sync()
	e := desktop.submit(lsync.SetUserLicense(acct, meetings, eva, true))
	v := desktop.integration(acct)
	assert.Equal(t, "on", userState(t, v, eva).State, "shown at once")
	assert.Equal(t, 1, v.FreeLicenses)

	res, err := desktop.syncer.Sync(ctx)
	require.NoError(t, err)
	require.Len(t, res.Push.Refused, 1)
	got, _, err := desktop.cache.Entry(ctx, e.Seq)
	require.NoError(t, err)
	assert.Equal(t, lsync.Failed, got.State)
	assert.Contains(t, got.Reason, "external controller")
	v = desktop.integration(acct)
	assert.True(t, v.ExternalController)
	assert.Equal(t, "No licenses", userState(t, v, eva).State, "rolled back")
	assert.False(t, userState(t, v, eva).Active)
}

func TestIntegration_ControllerOffThenEvaOnLands(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	d, acct := cobalt(t, p)

	d.submit(lsync.SetIntegration(acct, meetings, api.IntegrationSwitches{ExternalController: ptr(false)}))
	v := d.integration(acct)
	assert.False(t, v.ExternalController)
	assert.Equal(t, "on", userState(t, v, carlos).State, "the controller kept Carlos's license")
	assert.Equal(t, "off", userState(t, v, eva).State)
	assert.True(t, userState(t, v, eva).Enabled)

	d.submit(lsync.SetUserLicense(acct, meetings, eva, true))
	v = d.integration(acct)
	assert.Equal(t, "on", userState(t, v, eva).State)
	assert.Equal(t, 1, v.FreeLicenses)

	res := d.sync()
	assert.Len(t, res.Push.Accepted, 2)
	assert.Empty(t, res.Push.Refused)
	want := portalIntegration(t, d, acct)
	assert.Equal(t, "on", userState(t, want, eva).State)
	assert.Equal(t, want, d.integration(acct))
}

func TestIntegration_OfflineToggleQueuedThenLandsOnce(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	ctx := context.Background()
	d, acct := cobalt(t, p)
	var lic string
	sols, err := d.cache.Solutions(ctx)
	require.NoError(t, err)
	for _, s := range sols {
		if s.ContractNumber == "COBALT-MT-2026" {
			lic = s.LicenseID
		}
	}
	require.NotEmpty(t, lic)

	d.net.off.Store(true)
	d.submit(lsync.SetIntegration(acct, meetings, api.IntegrationSwitches{ExternalController: ptr(false)}))
	d.submit(lsync.SetUserLicense(acct, meetings, eva, true))
	_, err = d.syncer.Sync(ctx)
	require.Error(t, err)
	assert.Equal(t, lsync.Offline, lsync.KindOf(err))
	pending, _, err := d.cache.OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, pending)
	assert.Equal(t, "on", userState(t, d.integration(acct), eva).State, "queued, shown")

	d.net.off.Store(false)
	res := d.sync()
	assert.Len(t, res.Push.Accepted, 2)
	res = d.sync()
	assert.Empty(t, res.Push.Accepted, "nothing sent twice")
	pending, failed, err := d.cache.OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Zero(t, pending+failed)
	assert.Equal(t, "on", userState(t, portalIntegration(t, d, acct), eva).State)
	assert.Equal(t, 1, countAudit(t, d, lic, "seat.assign", eva), "eva's seat given once")
	n := 0
	for _, s := range d.solution(lic).Seats {
		if s.Email == eva {
			n++
		}
	}
	assert.Equal(t, 1, n)
}
