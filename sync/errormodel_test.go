package sync_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal/portaltest"
	"github.com/licdesk/licdesk/portal/store"
	lsync "github.com/licdesk/licdesk/sync"
)

// A refusal crosses the wire as core's error: the client's error answers
// errors.Is, core.CodeOf and core.KindOf exactly as the portal's store's
// error for the same request does.
func TestRefusal_IsCoresErrorOnBothSidesOfTheWire(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	owner, acct := p.SignUp("owner@errs.example", "Errs")
	stranger, _ := p.SignUp("stranger@errs.example", "Stranger")
	lic := p.Issue(acct, "Eberick", 1)
	d := newDevice(t, p, "owner@errs.example", portaltest.Password)
	other := newDevice(t, p, "stranger@errs.example", portaltest.Password)
	ownerCaller, err := p.Store.Caller(ctx, owner.User.ID)
	require.NoError(t, err)
	strangerCaller, err := p.Store.Caller(ctx, stranger.User.ID)
	require.NoError(t, err)
	send := func(d *device) func(lsync.Write, error) error {
		return func(w lsync.Write, err error) error {
			require.NoError(t, err)
			return d.client.Do(ctx, lsync.Request{Method: w.Method, Path: w.Path, Body: w.Body}, nil)
		}
	}
	require.NoError(t, send(d)(lsync.AssignSeat(lic, "owner@errs.example")))

	cases := []struct {
		name   string
		code   string
		kind   core.Kind
		portal func() error
		client func() error
	}{
		{"assigning an address twice is seat.duplicate", core.CodeSeatDuplicate, core.Conflict,
			func() error {
				_, err := p.Store.AssignSeat(ctx, ownerCaller, store.Write{}, lic, "owner@errs.example")
				return err
			},
			func() error { return send(d)(lsync.AssignSeat(lic, "owner@errs.example")) }},
		{"assigning with no free seat is seat.full", core.CodeSeatFull, core.Conflict,
			func() error {
				_, err := p.Store.AssignSeat(ctx, ownerCaller, store.Write{}, lic, "colleague@errs.example")
				return err
			},
			func() error { return send(d)(lsync.AssignSeat(lic, "colleague@errs.example")) }},
		{"removing an address that holds no seat is seat.not_held", core.CodeSeatNotHeld, core.NotFound,
			func() error {
				_, err := p.Store.RemoveSeat(ctx, ownerCaller, store.Write{}, lic, "nobody@errs.example")
				return err
			},
			func() error { return send(d)(lsync.RemoveSeat(lic, "nobody@errs.example")) }},
		{"adopting a license not assigned to you is adoption.not_held", core.CodeAdoptionNotHeld, core.NotFound,
			func() error {
				_, err := p.Store.Adopt(ctx, strangerCaller, store.Write{}, lic)
				return err
			},
			func() error { return send(other)(lsync.Adopt("", lic)) }},
		{"a malformed address is email.invalid", core.CodeEmailInvalid, core.Invalid,
			func() error {
				_, err := p.Store.AssignSeat(ctx, ownerCaller, store.Write{}, lic, "not an address")
				return err
			},
			func() error {
				return d.client.Do(ctx, lsync.Request{Method: http.MethodPost, Path: "/v1/licenses/" + lic + "/seats",
					Body: []byte(`{"email":"not an address"}`)}, nil)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			onPortal, onClient := tc.portal(), tc.client()
			for side, err := range map[string]error{"portal": onPortal, "client": onClient} {
				require.Error(t, err, side)
				assert.True(t, errors.Is(err, &core.Error{Code: tc.code}), "%s: errors.Is by code: %v", side, err)
				assert.True(t, errors.Is(err, &core.Error{Kind: tc.kind}), "%s: errors.Is by kind: %v", side, err)
				assert.Equal(t, tc.code, core.CodeOf(err), side)
				assert.Equal(t, tc.kind, core.KindOf(err), side)
			}
			assert.Equal(t, tc.code, lsync.CodeOf(onClient))
			assert.False(t, lsync.IsOffline(onClient), "a refusal is an answer")
		})
	}
}

// A refusal the client makes itself, before queueing a write, is core's
// error too.
func TestClientRefusal_IsCoresError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"a malformed address", func() error { _, err := lsync.AssignSeat("L1", "nope"); return err }(), core.CodeEmailInvalid},
		{"an empty license ID", func() error { _, err := lsync.AssignSeat(" ", "a@b.example"); return err }(), "request.argument"},
		{"an empty service request title", func() error {
			_, err := lsync.OpenServiceRequest(api.NewServiceRequest{Product: "QiBuilder", Description: "d"})
			return err
		}(), core.CodeRequestTitle},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.code, core.CodeOf(tc.err))
			assert.Equal(t, core.Invalid, core.KindOf(tc.err))
			assert.Equal(t, lsync.Invalid, lsync.KindOf(tc.err))
			_, registered := api.LookupCode(tc.code)
			assert.True(t, registered, "%s is in the registry", tc.code)
		})
	}
}

// hungPortal accepts connections and never answers, as a portal stuck
// behind a broken proxy does.
func hungPortal(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return "http://" + ln.Addr().String()
}

// IsOffline is the one test of "work from the cache": no answer, a portal
// failing or throttling, or a deadline; never a refusal, an ended session
// or the user's own cancellation.
func TestIsOffline_TransportFailuresAndDeadlinesOnly(t *testing.T) {
	stopped := portaltest.Start(t)
	stoppedURL := stopped.URL
	stopped.Stop()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", api.ProblemContentType)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"status":503,"code":"internal","detail":"down for maintenance"}`))
	}))
	t.Cleanup(failing.Close)
	hung := hungPortal(t)

	call := func(base string, ctx context.Context) error {
		cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: base, Retry: fastRetry()})
		require.NoError(t, err)
		return cl.Health(ctx)
	}
	deadline := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	canceled := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"a portal that refuses connections", call(stoppedURL, context.Background()), true},
		{"a portal that answers 503", call(failing.URL, context.Background()), true},
		{"a portal that never answers, past the deadline", call(hung, deadline()), true},
		{"the caller's own cancellation", call(hung, canceled()), false},
		{"a bare context deadline", context.DeadlineExceeded, true},
		{"core's offline refusal", core.E(core.Offline, core.CodeKeyInstallOffline, "needs the portal"), true},
		{"a refusal", &lsync.Error{Kind: lsync.Conflict, Code: core.CodeSeatFull, Status: 409}, false},
		{"an ended session", &lsync.Error{Kind: lsync.Unauthorized, Code: "auth.token", Status: 401}, false},
		{"no error", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, lsync.IsOffline(tc.err), "%v", tc.err)
		})
	}
}

// The client's wording of a code is the registry's: no second list.
func TestMessage_ComesFromTheCodeRegistry(t *testing.T) {
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@words.example", "Words")
	lic := p.Issue(acct, "Eberick", 0)
	d := newDevice(t, p, "owner@words.example", portaltest.Password)
	w, err := lsync.AssignSeat(lic, "x@words.example")
	require.NoError(t, err)
	err = d.client.Do(context.Background(), lsync.Request{Method: w.Method, Path: w.Path, Body: w.Body}, nil)
	require.Error(t, err)
	info, ok := api.LookupCode(lsync.CodeOf(err))
	require.True(t, ok)
	require.NotEmpty(t, info.Message)
	assert.Equal(t, info.Message, err.Error())
}

// A write the portal refused keeps its refusal in the outbox as core's
// error: read back later, it answers errors.Is like the answer did.
func TestRefusedWrite_ReadBackIsCoresError(t *testing.T) {
	ctx := context.Background()
	p := portaltest.Start(t)
	_, acct := p.SignUp("owner@full.example", "Full")
	lic := p.Issue(acct, "Eberick", 1)
	d := newDevice(t, p, "owner@full.example", portaltest.Password)
	d.sync()
	d.submit(lsync.AssignSeat(lic, "first@full.example"))
	d.submit(lsync.AssignSeat(lic, "second@full.example"))
	res := d.sync()
	require.Len(t, res.Push.Refused, 1)

	failed, err := d.cache.Entries(ctx, lsync.Failed)
	require.NoError(t, err)
	require.Len(t, failed, 1)
	for name, e := range map[string]lsync.Entry{"as pushed": res.Push.Refused[0], "read back": failed[0]} {
		err := e.Refusal()
		assert.True(t, errors.Is(err, &core.Error{Code: core.CodeSeatFull}), name)
		assert.Equal(t, core.Conflict, core.KindOf(err), name)
		assert.Equal(t, lsync.Conflict, lsync.KindOf(err), name)
	}
	pending, err := d.cache.Entries(ctx, lsync.Pending)
	require.NoError(t, err)
	for _, e := range pending {
		assert.NoError(t, e.Refusal())
	}
}
