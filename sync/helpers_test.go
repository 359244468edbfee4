package sync_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// switchTransport is a real HTTP transport that can be cut off, as a
// machine that loses its network is: while off, every request fails to
// connect. It also counts the requests that went out.
type switchTransport struct {
	rt       http.RoundTripper
	off      atomic.Bool
	requests atomic.Int64
}

func newSwitchTransport() *switchTransport {
	return &switchTransport{rt: &http.Transport{MaxIdleConnsPerHost: 4}}
}

func (s *switchTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.off.Load() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: network is unreachable")}
	}
	s.requests.Add(1)
	return s.rt.RoundTrip(r)
}

// device is one client machine: its own cache, logged in as one user.
type device struct {
	t      testing.TB
	email  string
	cache  *lsync.Cache
	syncer *lsync.Syncer
	client *lsync.Client
	net    *switchTransport
}

// fastRetry keeps tests quick when the portal is away.
func fastRetry() lsync.RetryPolicy {
	return lsync.RetryPolicy{Attempts: 2, Backoff: lsync.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}}
}

// newDevice logs email in to the portal from a fresh cache.
func newDevice(t testing.TB, p *portaltest.Portal, email, password string) *device {
	t.Helper()
	ctx := context.Background()
	tr := newSwitchTransport()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL, Transport: tr, Retry: fastRetry()})
	require.NoError(t, err)
	sess, err := cl.Login(ctx, email, password)
	require.NoError(t, err)
	cache, err := lsync.OpenCache(ctx, filepath.Join(t.TempDir(), "cache.db"))
	require.NoError(t, err)
	t.Cleanup(func() { cache.Close() })
	require.NoError(t, cache.SetSettings(ctx, map[string]string{lsync.SettingPortal: p.URL, lsync.SettingEmail: email}))
	cl = cl.WithToken(sess.Token)
	s := lsync.NewSyncer(lsync.SyncerConfig{Cache: cache, Client: cl, Identity: email + " at " + p.URL})
	return &device{t: t, email: email, cache: cache, syncer: s, client: cl, net: tr}
}

func (d *device) sync() lsync.Result {
	d.t.Helper()
	res, err := d.syncer.Sync(context.Background())
	require.NoError(d.t, err)
	return res
}

func (d *device) submit(w lsync.Write, err error) lsync.Entry {
	d.t.Helper()
	require.NoError(d.t, err)
	e, err := d.syncer.Submit(context.Background(), w)
	require.NoError(d.t, err)
	return e
}

func (d *device) solution(id string) api.Solution {
	d.t.Helper()
	var s api.Solution
	found, err := d.cache.Get(context.Background(), api.KindSolution, id, &s)
	require.NoError(d.t, err)
	require.True(d.t, found, "license %s cached", id)
	return s
}

func holder(s api.Solution, email string) (api.Seat, bool) {
	for _, seat := range s.Seats {
		if seat.Email == email {
			return seat, true
		}
	}
	return api.Seat{}, false
}

// countAudit counts a license's audit events of one action whose before or
// after state names the e-mail.
func countAudit(t testing.TB, d *device, license, action, email string) int {
	t.Helper()
	evs, err := d.client.Audit(context.Background(), license)
	require.NoError(t, err)
	n := 0
	for _, e := range evs {
		if e.Action == action && strings.Contains(e.Before+" "+e.After, email) {
			n++
		}
	}
	return n
}
