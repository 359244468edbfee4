package sync_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// portalSolutions reads the solutions straight from the portal.
func portalSolutions(t *testing.T, d *device) []api.Solution {
	t.Helper()
	var sols []api.Solution
	require.NoError(t, d.client.Do(context.Background(), lsync.Request{Method: "GET", Path: "/v1/solutions"}, &sols))
	return sols
}

func TestFirstSync_CacheHoldsWhatThePortalShows(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	ana := newDevice(t, p, "ana@acme.example", "demo-password")
	res := ana.sync()
	assert.True(t, res.Pull.Resync, "a first pull is a full copy")

	ctx := context.Background()
	cached, err := ana.cache.Solutions(ctx)
	require.NoError(t, err)
	want := portalSolutions(t, ana)
	assert.ElementsMatch(t, want, cached)

	var assigned []api.AssignedProduct
	require.NoError(t, ana.client.Do(ctx, lsync.Request{Method: "GET", Path: "/v1/assigned"}, &assigned))
	got, err := ana.cache.Assigned(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, assigned, got)

	accounts, err := ana.cache.Accounts(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, accounts)
	st, err := ana.cache.SyncState(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, st.Cursor)
	assert.False(t, st.LastSync.IsZero())
	assert.False(t, st.LastReached.IsZero())
}

func TestSync_NothingChangedCostsOneRoundTrip(t *testing.T) {
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@one.example", "One")
	p.Issue(acct, "Eberick", 3)
	d := newDevice(t, p, "owner@one.example", portaltest.Password)
	d.sync()

	before := d.net.requests.Load()
	res := d.sync()
	assert.Equal(t, int64(1), d.net.requests.Load()-before, "one GET /v1/changes")
	assert.Equal(t, 0, res.Pull.Changes)
	assert.False(t, res.Pull.Resync)
}

func TestSync_ChangesOfOthersArrive(t *testing.T) {
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@two.example", "Two")
	lic := p.Issue(acct, "Eberick", 3)
	laptop := newDevice(t, p, "owner@two.example", portaltest.Password)
	desktop := newDevice(t, p, "owner@two.example", portaltest.Password)
	laptop.sync()
	desktop.sync()

	desktop.submit(lsync.AssignSeat(lic, "colleague@two.example"))
	desktop.sync()
	res := laptop.sync()
	assert.Equal(t, 1, res.Pull.Changes)
	_, ok := holder(laptop.solution(lic), "colleague@two.example")
	assert.True(t, ok)
}

// The offline story: sync, lose the portal, read everything, queue writes,
// get the portal back: the writes land once.
func TestOfflineStory_QueuedWritesLandOnceWhenThePortalReturns(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	p.Seed()
	ana := newDevice(t, p, "ana@acme.example", "demo-password")
	ana.sync()
	sols, err := ana.cache.Solutions(ctx)
	require.NoError(t, err)
	var eberick api.Solution
	for _, s := range sols {
		if s.Product == "Eberick" {
			eberick = s
		}
	}
	require.NotEmpty(t, eberick.LicenseID)
	assigned, err := ana.cache.Assigned(ctx)
	require.NoError(t, err)
	require.Len(t, assigned, 1)
	require.Len(t, assigned[0].Licenses, 2)
	var other string
	for _, l := range assigned[0].Licenses {
		if l.LicenseID != assigned[0].Effective {
			other = l.LicenseID
		}
	}

	p.Stop()

	// Every read works from the cache.
	for _, read := range []func() (int, error){
		func() (int, error) { v, err := ana.cache.Solutions(ctx); return len(v), err },
		func() (int, error) { v, err := ana.cache.Assigned(ctx); return len(v), err },
		func() (int, error) { v, err := ana.cache.Products(ctx); return len(v), err },
		func() (int, error) { v, err := ana.cache.Accounts(ctx); return len(v), err },
	} {
		n, err := read()
		require.NoError(t, err)
		assert.Positive(t, n)
	}
	_, err = ana.syncer.Sync(ctx)
	require.Error(t, err)
	assert.Equal(t, lsync.Offline, lsync.KindOf(err))

	// Writes made offline are queued and show at once.
	ana.submit(lsync.AssignSeat(eberick.LicenseID, "new.hire@acme.example"))
	ana.submit(lsync.RemoveSeat(eberick.LicenseID, "carla@acme.example"))
	ana.submit(lsync.Adopt(assigned[0].Product, other))
	_, err = ana.syncer.Sync(ctx)
	assert.Equal(t, lsync.Offline, lsync.KindOf(err))

	shown := ana.solution(eberick.LicenseID)
	_, hired := holder(shown, "new.hire@acme.example")
	_, carla := holder(shown, "carla@acme.example")
	assert.True(t, hired, "the queued assignment shows")
	assert.False(t, carla, "the queued removal shows")
	assert.Equal(t, eberick.Available, shown.Available, "one seat taken, one freed")
	pending, failed, err := ana.cache.OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, pending)
	assert.Zero(t, failed)
	got, err := ana.cache.Assigned(ctx)
	require.NoError(t, err)
	assert.Equal(t, other, got[0].Effective)
	assert.Equal(t, "adopted", got[0].Adoption)

	// The portal comes back on the same database.
	p.Start()
	res := ana.sync()
	assert.Len(t, res.Push.Accepted, 3)
	assert.Empty(t, res.Push.Refused)
	// A second round sends nothing again.
	res = ana.sync()
	assert.Empty(t, res.Push.Accepted)

	onPortal := portalSolutions(t, ana)
	for _, s := range onPortal {
		if s.LicenseID == eberick.LicenseID {
			_, hired := holder(s, "new.hire@acme.example")
			_, carla := holder(s, "carla@acme.example")
			assert.True(t, hired)
			assert.False(t, carla)
			assert.Equal(t, s, ana.solution(eberick.LicenseID), "the cache holds the portal's version")
		}
	}
	assert.Equal(t, 1, countAudit(t, ana, eberick.LicenseID, "seat.assign", "new.hire@acme.example"))
	assert.Equal(t, 1, countAudit(t, ana, eberick.LicenseID, "seat.remove", "carla@acme.example"))
	pending, failed, err = ana.cache.OutboxCounts(ctx)
	require.NoError(t, err)
	assert.Zero(t, pending)
	assert.Zero(t, failed)
	entries, err := ana.cache.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries, "answered writes leave the outbox once the pull confirmed them")
}

// The conflict story: two admins race for a license's last seat while one of
// them is offline; the offline one's queued assignment is refused when it
// reconnects, its effect is rolled back, and the reason is kept.
func TestConflictStory_OfflineAssignOfTheLastSeatIsRefusedAndRolledBack(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	_, acct := p.SignUp("boss@race.example", "Race")
	lic := p.Issue(acct, "Eberick", 2)
	online := newDevice(t, p, "boss@race.example", portaltest.Password)
	offline := newDevice(t, p, "boss@race.example", portaltest.Password)
	online.submit(lsync.AssignSeat(lic, "first@race.example"))
	online.sync()
	offline.sync()
	require.Equal(t, 1, offline.solution(lic).Available)

	offline.net.off.Store(true)
	offline.submit(lsync.AssignSeat(lic, "late@race.example"))
	_, err := offline.syncer.Sync(ctx)
	require.Equal(t, lsync.Offline, lsync.KindOf(err))
	shown := offline.solution(lic)
	assert.Zero(t, shown.Available, "optimistically taken")
	_, ok := holder(shown, "late@race.example")
	assert.True(t, ok)

	online.submit(lsync.AssignSeat(lic, "winner@race.example"))
	res := online.sync()
	require.Len(t, res.Push.Accepted, 1)

	offline.net.off.Store(false)
	res = offline.sync()
	require.Len(t, res.Push.Refused, 1)
	assert.Equal(t, "seat.full", res.Push.Refused[0].Code)

	shown = offline.solution(lic)
	_, late := holder(shown, "late@race.example")
	_, winner := holder(shown, "winner@race.example")
	assert.False(t, late, "the refused assignment is rolled back")
	assert.True(t, winner, "the winner's seat arrived")
	assert.Zero(t, shown.Available)

	failed, err := offline.cache.Entries(ctx, lsync.Failed)
	require.NoError(t, err)
	require.Len(t, failed, 1)
	assert.Equal(t, "seat.full", failed[0].Code)
	assert.Contains(t, failed[0].Reason, "no seat of this license is free")
	assert.Contains(t, failed[0].Write.Summary, "late@race.example")
	assert.Zero(t, countAudit(t, offline, lic, "seat.assign", "late@race.example"))

	n, err := offline.cache.DismissFailed(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestPull_PendingWritesStayShownOverNewerPortalData(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@rebase.example", "Rebase")
	lic := p.Issue(acct, "Eberick", 4)
	mine := newDevice(t, p, "owner@rebase.example", portaltest.Password)
	theirs := newDevice(t, p, "owner@rebase.example", portaltest.Password)
	mine.sync()

	mine.submit(lsync.AssignSeat(lic, "mine@rebase.example"))
	theirs.submit(lsync.AssignSeat(lic, "theirs@rebase.example"))
	theirs.sync()

	// Pull without pushing: the portal's newer license arrives and the
	// queued write stays applied on top of it.
	_, err := mine.syncer.Pull(ctx)
	require.NoError(t, err)
	s := mine.solution(lic)
	_, a := holder(s, "mine@rebase.example")
	_, b := holder(s, "theirs@rebase.example")
	assert.True(t, a)
	assert.True(t, b)
	assert.Equal(t, 2, s.Available)

	// Pushing alone keeps the effect shown (acknowledged, not yet pulled).
	pr, err := mine.syncer.Push(ctx)
	require.NoError(t, err)
	require.Len(t, pr.Accepted, 1)
	var answer api.Solution
	require.NoError(t, json.Unmarshal(pr.Accepted[0].Answer, &answer))
	_, a = holder(answer, "mine@rebase.example")
	assert.True(t, a, "the answer is the portal's license after the write")
	_, a = holder(mine.solution(lic), "mine@rebase.example")
	assert.True(t, a)
	entries, err := mine.cache.Entries(ctx, lsync.Acked)
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	_, err = mine.syncer.Pull(ctx)
	require.NoError(t, err)
	entries, err = mine.cache.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries)
	assert.Equal(t, portalSolutions(t, mine)[0], mine.solution(lic))
}

func TestPull_ResyncDropsWhatThePortalNoLongerShows(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@resync.example", "Resync")
	lic := p.Issue(acct, "Eberick", 2)
	d := newDevice(t, p, "owner@resync.example", portaltest.Password)
	d.sync()
	require.NoError(t, lsync.PutObject(ctx, d.cache, api.KindSolution, "lic_ghost", []byte(`{"license_id":"lic_ghost"}`)))

	// The portal forgets its feed history past this device's cursor: the
	// next pull is a full copy that replaces the cache.
	p.Issue(acct, "QiBuilder", 1)
	other := newDevice(t, p, "owner@resync.example", portaltest.Password)
	other.sync()
	st, err := other.cache.SyncState(ctx)
	require.NoError(t, err)
	head, err := strconv.ParseInt(st.Cursor, 10, 64)
	require.NoError(t, err)
	require.NoError(t, p.Store.PruneChanges(ctx, head))

	res := d.sync()
	assert.True(t, res.Pull.Resync)
	d.solution(lic)
	n, err := d.cache.Count(ctx, api.KindSolution)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the ghost is gone, the new license came")
	var ghost api.Solution
	found, err := d.cache.Get(ctx, api.KindSolution, "lic_ghost", &ghost)
	require.NoError(t, err)
	assert.False(t, found)
}
