package desk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/portal/demo"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// open is a fresh profile on this machine.
func open(t *testing.T) *desk.Desk {
	t.Helper()
	d, err := desk.Open(desk.Options{Dir: t.TempDir(), SecretsMode: "file"})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	return d
}

func login(t *testing.T, d *desk.Desk, p *portaltest.Portal, email string) desk.LoggedIn {
	t.Helper()
	res, err := d.Login(context.Background(), desk.Credentials{Portal: p.URL, Email: email, Password: "demo-password"})
	require.NoError(t, err)
	require.NoError(t, res.SyncErr)
	return res
}

func seeded(t *testing.T) *portaltest.Portal {
	t.Helper()
	p := portaltest.Start(t)
	p.Seed()
	return p
}

func solution(t *testing.T, d *desk.Desk, product string) api.Solution {
	t.Helper()
	c, err := d.Cache(context.Background())
	require.NoError(t, err)
	sols, err := c.Solutions(context.Background())
	require.NoError(t, err)
	for _, s := range sols {
		if s.Product == product {
			return s
		}
	}
	t.Fatalf("no %s", product)
	return api.Solution{}
}

func TestLogin_PinsTheKeysSyncsAndInstallsTheLeases(t *testing.T) {
	p := seeded(t)
	d := open(t)
	res := login(t, d, p, "ana@acme.example")
	assert.NotEmpty(t, res.Trust.Added, "the portal's keys are trusted on first use")
	assert.Positive(t, res.Sync.Pull.Changes)
	assert.Positive(t, res.Leases)
	chk, err := d.Check(context.Background(), "Eberick", "")
	require.NoError(t, err)
	assert.True(t, chk.OK, "%+v", chk.Reasons)
}

func TestLogout_RefusesToDropWaitingWritesUnlessAsked(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	lic := solution(t, d, "Eberick")
	p.Stop()
	w, err := lsync.AssignSeat(lic.LicenseID, "waiting@new.example")
	require.NoError(t, err)
	o, err := d.Submit(ctx, w, false)
	require.NoError(t, err)
	assert.False(t, o.Done, "the portal is down: queued")

	_, err = d.Logout(ctx, desk.LogoutOptions{})
	var pw *desk.PendingWritesError
	require.ErrorAs(t, err, &pw)
	assert.Equal(t, 1, pw.N)
	s, _ := d.Session(ctx)
	assert.True(t, s.HasToken, "nothing was forgotten")

	_, err = d.Logout(ctx, desk.LogoutOptions{Discard: true})
	require.NoError(t, err)
	s, _ = d.Session(ctx)
	assert.False(t, s.LoggedIn())
	assert.Equal(t, p.URL, s.Portal, "the portal stays as the next login's default")
	c, _ := d.Cache(ctx)
	pending, failed, err := c.OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Zero(t, pending+failed, "the writes went with the copy")
	sols, err := c.Solutions(ctx)
	require.NoError(t, err)
	assert.Empty(t, sols, "the copy is gone")
	_, err = os.Stat(filepath.Join(d.Profile().Dir, "secrets.json"))
	if err == nil {
		b, _ := os.ReadFile(filepath.Join(d.Profile().Dir, "secrets.json"))
		assert.NotContains(t, string(b), "ana@acme.example", "the token is gone")
	}
}

func TestSubmit_ARefusalComesBackAtOnceAndRollsTheCacheBack(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	lic := solution(t, d, "Eberick")
	w, err := lsync.AssignSeat(lic.LicenseID, "ana@acme.example")
	require.NoError(t, err)
	_, err = d.Submit(ctx, w, false)
	var r *desk.RefusedError
	require.ErrorAs(t, err, &r, "ana already holds a seat")
	assert.Equal(t, "seat.duplicate", r.Code)
	assert.ErrorIs(t, err, &core.Error{Code: "seat.duplicate"}, "the refusal is core's error, as on the portal")
	assert.Equal(t, core.Conflict, core.KindOf(err))
	assert.Equal(t, lic, solution(t, d, "Eberick"), "the optimistic effect is rolled back")
}

func TestSubmit_QueuedWhenThePortalIsDownAndLandsOnceWhenItReturns(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	lic := solution(t, d, "Eberick")
	p.Stop()
	w, err := lsync.AssignSeat(lic.LicenseID, "later@new.example")
	require.NoError(t, err)
	o, err := d.Submit(ctx, w, false)
	require.NoError(t, err)
	assert.False(t, o.Done)
	assert.True(t, lsync.IsTransient(o.Why), "it says why: %v", o.Why)
	assert.Equal(t, lic.Available-1, solution(t, d, "Eberick").Available, "the queued write shows at once")

	p.Start()
	res, err := d.Sync(ctx)
	require.NoError(t, err)
	assert.Len(t, res.Push.Accepted, 1)
	res, err = d.Sync(ctx)
	require.NoError(t, err)
	assert.Empty(t, res.Push.Accepted, "sent once")
}

func TestOwnAccount_IsTheOneTheUserOwns(t *testing.T) {
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	m, ok, err := d.OwnAccount(context.Background())
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "owner", m.Role)
	assert.Equal(t, "Acme Engenharia", m.AccountName)
}

func TestAnswerRequest_WritesNoFileWhenAnsweringFails(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	field := open(t)
	req := filepath.Join(t.TempDir(), "req.lda")
	unknown, err := core.NewKey(core.LicenseKey, [15]byte{1, 2, 3})
	require.NoError(t, err)
	_, err = field.WriteRequest(ctx, string(unknown), "field-pc", req)
	require.NoError(t, err, "a well-formed key the portal does not know")
	office := open(t)
	login(t, office, p, "ana@acme.example")
	out := filepath.Join(t.TempDir(), "resp.lda")
	_, err = office.AnswerRequest(ctx, req, out)
	require.Error(t, err)
	_, statErr := os.Stat(out)
	assert.True(t, errors.Is(statErr, os.ErrNotExist), "no response file is left behind")
}

func TestWriteRequest_RefusesAKeyNoMachineCouldAnswerAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	c, _ := d.Cache(ctx)
	keys, err := lsync.List[api.Key](ctx, c, api.KindKey)
	require.NoError(t, err)
	var install, full string
	for _, k := range keys {
		switch {
		case k.Kind == "install":
			install = k.Key
		case k.MaxActivations > 0 && k.ActiveActivations >= k.MaxActivations:
			full = k.Key
		}
	}
	require.NotEmpty(t, install, "the demo has an install key")
	require.NotEmpty(t, full, "the demo has a license key at its limit")
	for name, key := range map[string]string{"install key": install, "key at its limit": full} {
		path := filepath.Join(t.TempDir(), "req.lda")
		_, err := d.WriteRequest(ctx, key, "field-pc", path)
		var no *desk.NotOfflineError
		assert.ErrorAs(t, err, &no, name)
		_, statErr := os.Stat(path)
		assert.True(t, errors.Is(statErr, os.ErrNotExist), "%s: no request file", name)
	}
}

func TestCancelRequest_ForgetsTheWaitingRequest(t *testing.T) {
	ctx := context.Background()
	field := open(t)
	k, err := core.NewKey(core.LicenseKey, [15]byte{4, 5, 6})
	require.NoError(t, err)
	req := filepath.Join(t.TempDir(), "req.lda")
	_, err = field.WriteRequest(ctx, string(k), "field-pc", req)
	require.NoError(t, err)
	waiting, err := field.PendingRequests(ctx)
	require.NoError(t, err)
	require.Len(t, waiting, 1)

	require.NoError(t, field.CancelRequest(ctx, string(k)))
	waiting, err = field.PendingRequests(ctx)
	require.NoError(t, err)
	assert.Empty(t, waiting)
	var no *desk.NoRequestError
	assert.ErrorAs(t, field.CancelRequest(ctx, string(k)), &no, "cancelling twice says there is none")
}

func TestRenewLease_WhenThePortalSaysTheSubscriptionEndedTheProductStopsAtOnce(t *testing.T) {
	ctx := context.Background()
	var mu gosync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	p, err := demo.Start(ctx, demo.Options{Dir: t.TempDir(), Seed: true, Now: clock})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	d, err := desk.Open(desk.Options{Dir: t.TempDir(), SecretsMode: "file", Now: clock})
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })
	// Carla holds one Eberick license: when it ends, nothing else covers it.
	_, err = d.Login(ctx, desk.Credentials{Portal: p.URL, Email: "carla@acme.example", Password: "demo-password"})
	require.NoError(t, err)
	chk, err := d.Check(ctx, "Eberick", "")
	require.NoError(t, err)
	require.True(t, chk.OK)
	require.NotNil(t, chk.License)
	expiry := chk.License.Expiry
	require.False(t, expiry.IsZero(), "Eberick runs with a subscription")

	// A day after the expiry the portal answers: not renewed.
	mu.Lock()
	now = expiry.Add(24 * time.Hour)
	mu.Unlock()
	_, err = d.Login(ctx, desk.Credentials{Portal: p.URL, Email: "carla@acme.example", Password: "demo-password"})
	require.NoError(t, err, "a new session (the old one ran out meanwhile)")
	_, err = d.RenewLease(ctx, "Eberick")
	require.ErrorIs(t, err, &core.Error{Code: core.CodeCloudLoginExpired})
	chk, err = d.Check(ctx, "Eberick", "")
	require.NoError(t, err)
	assert.False(t, chk.OK, "the product stops now, not ten days later")
}

func TestUpgradeNotices_AreThoseOfTheUsersAccountsOnly(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	ana := open(t)
	login(t, ana, p, "ana@acme.example")
	mine, err := ana.UpgradeNotices(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, mine)
	bruno := open(t)
	login(t, bruno, p, "bruno@beta.example")
	theirs, err := bruno.UpgradeNotices(ctx)
	require.NoError(t, err)
	for _, n := range theirs {
		for _, m := range mine {
			assert.NotEqual(t, m.ID, n.ID, "another account's notification is not listed")
		}
	}
}
