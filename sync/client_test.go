package sync_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// problemServer answers every request with one status and problem.
func problemServer(t *testing.T, status int, p api.Problem, header map[string]string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", api.ProblemContentType)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(p)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestClient_ProblemsBecomeTypedErrorsWithOneLineMessages(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		code    string
		detail  string
		kind    lsync.Kind
		msg     string
		refusal bool
	}{
		{"the last seat was taken", 409, "seat.full", "license x has no available seat", lsync.Conflict, "no seat of this license is free", true},
		{"a duplicate assignment", 409, "seat.duplicate", "", lsync.Conflict, "already holds a seat", true},
		{"an ended session asks to log in", 401, "auth.token", "", lsync.Unauthorized, "log in again", false},
		{"another account's license", 404, "not_found", "", lsync.NotFound, "no such object", true},
		{"a forbidden action", 403, "access.denied", "", lsync.Forbidden, "does not allow", true},
		{"an unknown code keeps the portal's detail", 400, "thing.weird", "the thing is weird", lsync.Invalid, "the thing is weird", true},
		{"a failing portal is transient", 500, "internal", "", lsync.Unavailable, "try again later", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := problemServer(t, tt.status, api.Problem{Status: tt.status, Code: tt.code, Detail: tt.detail}, nil)
			cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, Token: "t", Retry: lsync.NoRetry()})
			require.NoError(t, err)
			err = cl.Do(context.Background(), lsync.Request{Method: "POST", Path: "/v1/x", Body: []byte(`{}`), Key: "k"}, nil)
			var e *lsync.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.kind, e.Kind)
			assert.Equal(t, tt.code, e.Code)
			assert.Equal(t, tt.status, e.Status)
			assert.Contains(t, e.Error(), tt.msg)
			assert.NotContains(t, e.Error(), "\n")
			assert.Equal(t, tt.refusal, e.Refusal())
		})
	}
}

func TestClient_RetriesTransientFailuresOfReadsAndKeyedWrites(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	retry := lsync.RetryPolicy{Attempts: 4, Backoff: lsync.Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond}, MaxRetryAfter: time.Second}
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, Retry: retry})
	require.NoError(t, err)

	var out map[string]string
	require.NoError(t, cl.Do(context.Background(), lsync.Request{Method: "GET", Path: "/v1/health"}, &out))
	assert.Equal(t, int32(3), calls.Load())

	calls.Store(0)
	require.NoError(t, cl.Do(context.Background(), lsync.Request{Method: "POST", Path: "/v1/w", Body: []byte(`{}`), Key: "k"}, nil))
	assert.Equal(t, int32(3), calls.Load(), "a write with an idempotency key is safe to retry")

	calls.Store(0)
	err = cl.Do(context.Background(), lsync.Request{Method: "POST", Path: "/v1/signup", Body: []byte(`{}`)}, nil)
	assert.Equal(t, lsync.Unavailable, lsync.KindOf(err))
	assert.Equal(t, int32(1), calls.Load(), "a write without a key is sent once")
}

func TestClient_ThrottlingLongerThanThePolicyWaitsIsReturned(t *testing.T) {
	srv := problemServer(t, 429, api.Problem{Status: 429, Code: "auth.rate_limited", Detail: "too many failed logins; try again in 15 minutes"},
		map[string]string{"Retry-After": "900"})
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL})
	require.NoError(t, err)
	start := time.Now()
	_, err = cl.Login(context.Background(), "a@b.example", "x")
	var e *lsync.Error
	require.ErrorAs(t, err, &e)
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.Equal(t, 900*time.Second, e.RetryAfter)
	assert.Equal(t, "too many failed logins; try again in 15 minutes", e.Error())
}

func TestClient_UnreachablePortalIsOffline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: "http://" + addr, Retry: lsync.NoRetry()})
	require.NoError(t, err)
	err = cl.Health(context.Background())
	assert.Equal(t, lsync.Offline, lsync.KindOf(err))
	assert.True(t, lsync.IsTransient(err))
	assert.Equal(t, "cannot reach the portal at "+addr+": connection refused", err.Error())
}

func TestClient_OversizedAnswersAreRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`"` + string(make([]byte, 2048)) + `"`))
	}))
	defer srv.Close()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, MaxResponseBytes: 1024, Retry: lsync.NoRetry()})
	require.NoError(t, err)
	var s string
	err = cl.Do(context.Background(), lsync.Request{Method: "GET", Path: "/v1/x"}, &s)
	assert.Equal(t, "response.too_large", lsync.CodeOf(err))
}

func TestClient_RejectsBadPortalAddresses(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "portal.example", "http://", "http://u:p@x.example", "http://x.example/?q=1"} {
		_, err := lsync.NewClient(lsync.ClientConfig{BaseURL: u})
		assert.Equal(t, lsync.Invalid, lsync.KindOf(err), u)
	}
}

func TestClient_TrustsAnExtraCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	}))
	defer srv.Close()
	// Without the CA the system roots refuse the test certificate.
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, Retry: lsync.NoRetry()})
	require.NoError(t, err)
	assert.Error(t, cl.Health(context.Background()))

	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pemOf(srv.Certificate().Raw), 0o600))
	cl, err = lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, CAFile: ca, Retry: lsync.NoRetry()})
	require.NoError(t, err)
	assert.NoError(t, cl.Health(context.Background()))

	_, err = lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, CAFile: filepath.Join(t.TempDir(), "none.pem")})
	assert.Error(t, err)
}

func TestBackoff_GrowsWithJitterUpToTheCap(t *testing.T) {
	b := lsync.Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	for attempt, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		want *= time.Millisecond
		for range 20 {
			d := b.Delay(attempt)
			assert.GreaterOrEqual(t, d, want/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, want, "attempt %d", attempt)
		}
	}
}

func pemOf(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestClient_SendsTheUsersLanguageOnEveryRequest(t *testing.T) {
	for _, c := range []struct {
		name string
		tag  language.Tag
		want string
	}{
		{"Portuguese", language.BrazilianPortuguese, "pt-BR"},
		{"French", language.French, "fr"},
		{"none chosen sends none", language.Und, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			var mu gosync.Mutex
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, r.Header.Get("Accept-Language"))
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"status":"ok"}`))
			}))
			defer srv.Close()
			cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: srv.URL, Language: c.tag})
			require.NoError(t, err)
			var out map[string]string
			require.NoError(t, cl.Do(context.Background(), lsync.Request{Method: "GET", Path: "/v1/health"}, &out))
			require.NoError(t, cl.Health(context.Background()))
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{c.want, c.want}, got)
		})
	}
}

func TestClient_ATransportFailureCarriesItsCodeAndValuesForTheFacesWording(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: "http://" + addr, Retry: lsync.NoRetry()})
	require.NoError(t, err)
	err = cl.Health(context.Background())
	var c i18n.Coded
	require.ErrorAs(t, err, &c)
	assert.Equal(t, "network", c.ErrorCode())
	assert.Equal(t, []any{"Host", addr, "Why", "connection refused"}, c.ErrorArgs())
	assert.Equal(t, "cannot reach the portal at "+addr+": connection refused", err.Error(), "the English is as it was")
}
