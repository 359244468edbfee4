package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// movableClock is a store clock a test moves forward.
type movableClock struct{ ns atomic.Int64 }

func (c *movableClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *movableClock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newClock() *movableClock               { c := &movableClock{}; c.ns.Store(time.Now().UnixNano()); return c }

// proxiedPortal is a portal behind a trusted proxy on loopback: a test
// names the client's address in X-Forwarded-For.
func proxiedPortal(t *testing.T, dsn string, clock *movableClock, limits portal.Limits) *testPortal {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, store.WithClock(clock.now), store.WithKeyEncryptionKey(testKEK(t)))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	dir := filepath.Join(t.TempDir(), "mail")
	ps := portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: dir}, Limits: limits,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	srv := httptest.NewServer(ps)
	t.Cleanup(srv.Close)
	return &testPortal{t: t, URL: srv.URL, Store: st, MailDir: dir, Server: ps, http: srv.Client()}
}

func (p *testPortal) loginFrom(client, email, password string) reply {
	p.t.Helper()
	return p.do("POST", "/v1/login", "", api.Credentials{Email: email, Password: password}, "X-Forwarded-For", client)
}

func TestLogin_AStrangersFailuresDelayOnlyTheStrangerWithGrowingWaits(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			clock := newClock()
			p := proxiedPortal(t, b.DSN, clock, testLimits)
			p.signup("victim@acme.example", "Victim")
			const stranger, victim = "203.0.113.9", "198.51.100.7"
			for i := range 5 {
				r := p.loginFrom(stranger, "victim@acme.example", fmt.Sprint("guess ", i))
				require.Equal(t, http.StatusUnauthorized, r.Status)
			}
			r := p.loginFrom(stranger, "victim@acme.example", "guess 6")
			require.Equal(t, http.StatusTooManyRequests, r.Status)
			assert.Equal(t, "auth.rate_limited", r.problem(t).Code)
			// The victim, elsewhere, is not locked out by a stranger.
			assert.Equal(t, http.StatusOK, p.loginFrom(victim, "victim@acme.example", "correct horse battery").Status)

			// The stranger's waits double: 1 s, 2 s, 4 s...
			for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
				clock.add(wait)
				require.Equal(t, http.StatusUnauthorized, p.loginFrom(stranger, "victim@acme.example", "again").Status)
				r := p.loginFrom(stranger, "victim@acme.example", "too soon")
				require.Equal(t, http.StatusTooManyRequests, r.Status)
			}
			clock.add(8 * time.Second)
			assert.Equal(t, http.StatusOK, p.loginFrom(stranger, "victim@acme.example", "correct horse battery").Status,
				"a wait, not a lock: the right password works once it is over")
		})
	}
}

func TestLogin_FailuresCountedOnOneInstanceDelayTheOther(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			a, other := twoInstances(t, b.DSN)
			a.signup("victim@acme.example", "Victim")
			for i := range 5 {
				require.Equal(t, http.StatusUnauthorized, a.do("POST", "/v1/login", "", api.Credentials{Email: "victim@acme.example", Password: fmt.Sprint("guess ", i)}).Status)
			}
			r := other.do("POST", "/v1/login", "", api.Credentials{Email: "victim@acme.example", Password: "guess"})
			assert.Equal(t, http.StatusTooManyRequests, r.Status, "the other instance sees the same count")
		})
	}
}

func TestClientAddress_XForwardedForFromAnUntrustedPeerIsIgnored(t *testing.T) {
	p := startPortal(t, storetest.Backends(t)[0].DSN) // no trusted proxy
	p.signup("victim@acme.example", "Victim")
	for i := range 5 {
		r := p.do("POST", "/v1/login", "", api.Credentials{Email: "victim@acme.example", Password: fmt.Sprint("guess ", i)},
			"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		require.Equal(t, http.StatusUnauthorized, r.Status)
	}
	r := p.do("POST", "/v1/login", "", api.Credentials{Email: "victim@acme.example", Password: "guess"}, "X-Forwarded-For", "198.51.100.99")
	assert.Equal(t, http.StatusTooManyRequests, r.Status, "a made-up X-Forwarded-For does not make a new client")
}

func TestParseTrustedProxies_TakesCIDRsAndAddresses(t *testing.T) {
	ps, err := portal.ParseTrustedProxies("10.0.0.0/8, 192.0.2.1,::1")
	require.NoError(t, err)
	assert.Len(t, ps, 3)
	_, err = portal.ParseTrustedProxies("10.0.0.0/99")
	assert.Error(t, err)
	_, err = portal.ParseTrustedProxies("proxy.example")
	assert.Error(t, err)
}

func TestSignup_RateLimitedPerAddressAndPerClient(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			p := proxiedPortal(t, b.DSN, newClock(), portal.Limits{})
			signup := func(client, email string) reply {
				return p.do("POST", "/v1/signup", "", api.Credentials{Email: email, Password: "correct horse battery"}, "X-Forwarded-For", client)
			}
			for i := range 5 {
				require.Equal(t, http.StatusCreated, signup(fmt.Sprintf("203.0.113.%d", i), "target@acme.example").Status)
			}
			r := signup("203.0.113.77", "target@acme.example")
			assert.Equal(t, http.StatusTooManyRequests, r.Status, "per address")
			assert.NotEmpty(t, r.problem(t).Detail)
			for i := range 20 {
				require.Equal(t, http.StatusCreated, signup("198.51.100.1", fmt.Sprintf("s%d@acme.example", i)).Status)
			}
			assert.Equal(t, http.StatusTooManyRequests, signup("198.51.100.1", "one-more@acme.example").Status, "per client")
			assert.Equal(t, http.StatusCreated, signup("198.51.100.2", "one-more@acme.example").Status, "another client is not limited")
		})
	}
}

func TestPasswordHashing_IsBoundedAndAnswers503WithRetryAfterWhenFull(t *testing.T) {
	st, err := store.Open(context.Background(), storetest.Backends(t)[0].DSN, store.WithKeyEncryptionKey(testKEK(t)))
	require.NoError(t, err)
	defer st.Close()
	srv := httptest.NewServer(portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: t.TempDir()}, HashSlots: 1, Limits: testLimits}))
	defer srv.Close()
	p := &testPortal{t: t, URL: srv.URL, Store: st, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	const n = 24
	statuses := make([]int, n)
	retry := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", p.URL+"/v1/signup", jsonBody(t, api.Credentials{Email: fmt.Sprintf("h%d@acme.example", i), Password: "correct horse battery"}))
			req.Header.Set("Content-Type", "application/json")
			resp, err := p.http.Do(req)
			if !assert.NoError(t, err) {
				return
			}
			resp.Body.Close()
			statuses[i], retry[i] = resp.StatusCode, resp.Header.Get("Retry-After")
		}()
	}
	wg.Wait()
	busy := 0
	for i, st := range statuses {
		assert.Contains(t, []int{http.StatusCreated, http.StatusServiceUnavailable}, st)
		if st == http.StatusServiceUnavailable {
			busy++
			assert.Equal(t, "1", retry[i])
		}
	}
	assert.Positive(t, busy, "one hashing slot cannot take %d sign-ups at once", n)
}

func jsonBody(t *testing.T, v any) *bytes.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return bytes.NewReader(b)
}
