package sync_test

// Benchmarks of the sync layer against a real portal on loopback holding
// `licportal seed --scale 10000` (10,000 licenses, 100,000 seats; a fixed
// size, never derived from b.N). Each benchmark's figures and their
// baselines are sub-benchmarks of it, run in the same process one after
// the other; cmd/benchratio runs them in alternated rounds and publishes
// the ratios (make bench):
//
//	go run ./cmd/benchratio -pkg ./sync -rounds 5 -benchtime 1x -bench 'FirstSync_100kSeats$' -ratio ...

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// scalePortal is a portal seeded with the scale data set, and the token of
// its owner.
func scalePortal(b *testing.B) (*portaltest.Portal, string) {
	b.Helper()
	p := portaltest.Start(b)
	_, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: p.MailDir}, Now: time.Now()}.Scale(context.Background(), 10000)
	require.NoError(b, err)
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL})
	require.NoError(b, err)
	s, err := cl.Login(context.Background(), portal.ScaleOwner, portal.DemoPassword)
	require.NoError(b, err)
	return p, s.Token
}

// recordFeed fetches every page of a first sync as raw bytes, keyed by the
// cursor that asks for it.
func recordFeed(b *testing.B, p *portaltest.Portal, token string) (map[string][]byte, int) {
	b.Helper()
	pages := map[string][]byte{}
	total, cursor := 0, ""
	for {
		req, _ := http.NewRequest("GET", p.URL+"/v1/changes?cursor="+url.QueryEscape(cursor), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(b, err)
		pages[cursor] = body
		total += len(body)
		var page api.Changes
		require.NoError(b, jsonUnmarshal(body, &page))
		if page.Complete {
			return pages, total
		}
		cursor = page.Cursor
	}
}

// staticFeed serves recorded pages over loopback HTTP: the same bytes the
// portal sent, without the portal's work of producing them.
func staticFeed(b *testing.B, pages map[string][]byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Query().Get("cursor")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// feedOrder lists the recorded pages' cursors in the order a pull asks for
// them, and the rows they carry.
func feedOrder(b *testing.B, pages map[string][]byte) (cursors []string, rows []api.Change) {
	b.Helper()
	cursor := ""
	for {
		var page api.Changes
		require.NoError(b, jsonUnmarshal(pages[cursor], &page))
		cursors = append(cursors, cursor)
		rows = append(rows, page.Changes...)
		if page.Complete {
			return cursors, rows
		}
		cursor = page.Cursor
	}
}

// floor moves the same bytes over loopback HTTP (every page, read whole, in
// order) and bulk-inserts the same rows (kind, id, data) into a fresh
// SQLite file with the cache's pragmas, in one transaction with a prepared
// statement: what any client must at least do with this sync. The rows are
// decoded before the clock starts.
func floor(b *testing.B, srv *httptest.Server, cursors []string, rows []api.Change, dir string) time.Duration {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "floor.db")+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	require.NoError(b, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE objects (kind TEXT NOT NULL, id TEXT NOT NULL, data BLOB, PRIMARY KEY (kind, id))`)
	require.NoError(b, err)
	start := time.Now()
	for _, c := range cursors {
		resp, err := http.Get(srv.URL + "/v1/changes?cursor=" + url.QueryEscape(c))
		require.NoError(b, err)
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.NoError(b, err)
	}
	tx, err := db.Begin()
	require.NoError(b, err)
	stmt, err := tx.Prepare(`INSERT INTO objects (kind, id, data) VALUES (?, ?, ?)`)
	require.NoError(b, err)
	for _, c := range rows {
		_, err := stmt.Exec(c.Kind, c.ID, []byte(c.Data))
		require.NoError(b, err)
	}
	stmt.Close()
	require.NoError(b, tx.Commit())
	return time.Since(start)
}

// fetchAll asks the portal for every page of a first sync and reads the
// bytes without using them: the portal's own share of a first sync.
func fetchAll(b *testing.B, base, token string, cursors []string) time.Duration {
	b.Helper()
	start := time.Now()
	for _, c := range cursors {
		req, _ := http.NewRequest("GET", base+"/v1/changes?cursor="+url.QueryEscape(c), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(b, err)
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.NoError(b, err)
	}
	return time.Since(start)
}

// firstSync pulls everything from baseURL into a fresh cache.
func firstSync(b *testing.B, baseURL, token, dir string) time.Duration {
	return firstSyncN(b, baseURL, token, dir, 10000)
}

// firstSyncN is firstSync of a portal holding n licenses.
func firstSyncN(b *testing.B, baseURL, token, dir string, licenses int) time.Duration {
	b.Helper()
	ctx := context.Background()
	cache, err := lsync.OpenCache(ctx, filepath.Join(dir, "cache.db"))
	require.NoError(b, err)
	defer cache.Close()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: baseURL, Token: token})
	require.NoError(b, err)
	s := lsync.NewSyncer(lsync.SyncerConfig{Cache: cache, Client: cl, Identity: "bench"})
	start := time.Now()
	res, err := s.Sync(ctx)
	require.NoError(b, err)
	d := time.Since(start)
	require.True(b, res.Pull.Resync)
	n, err := cache.Count(ctx, api.KindSolution)
	require.NoError(b, err)
	require.Equal(b, licenses, n)
	return d
}

// reportPerOp sets the benchmark's ns/op to total over b.N: the time the
// helpers measured themselves, without the set-up (fresh folders, opening
// the cache) that the loop also runs.
func reportPerOp(b *testing.B, total time.Duration) {
	b.ReportMetric(float64(total.Nanoseconds())/float64(b.N), "ns/op")
}

// BenchmarkFirstSync_100kSeats: a full first sync into an empty cache, in
// four sub-benchmarks on the same recorded pages. client-static is the
// real client pulling the recorded bytes from a static server (the
// client's own cost); floor is the same bytes over loopback from that
// server plus the same rows bulk-inserted into SQLite (what any client
// must do, its baseline); client-portal is the real client against the
// real portal; portal-bytes is the portal producing and sending those
// pages to a client that only reads them (the portal's share, which the
// client's pipelining hides its own work behind).
func BenchmarkFirstSync_100kSeats(b *testing.B) {
	p, token := scalePortal(b)
	pages, total := recordFeed(b, p, token)
	srv := staticFeed(b, pages)
	cursors, rows := feedOrder(b, pages)
	b.Logf("%d pages, %.1f MiB", len(pages), float64(total)/(1<<20))
	b.Run("portal-bytes", func(b *testing.B) {
		var d time.Duration
		for b.Loop() {
			d += fetchAll(b, p.URL, token, cursors)
		}
		reportPerOp(b, d)
	})
	b.Run("floor", func(b *testing.B) {
		var d time.Duration
		for b.Loop() {
			d += floor(b, srv, cursors, rows, b.TempDir())
		}
		reportPerOp(b, d)
	})
	b.Run("client-static", func(b *testing.B) {
		var d time.Duration
		for b.Loop() {
			d += firstSync(b, srv.URL, token, b.TempDir())
		}
		reportPerOp(b, d)
	})
	b.Run("client-portal", func(b *testing.B) {
		var d time.Duration
		for b.Loop() {
			d += firstSync(b, p.URL, token, b.TempDir())
		}
		reportPerOp(b, d)
	})
}

// BenchmarkNoChangeSync: sync is a sync round when nothing changed (push
// nothing, one GET /v1/changes, one small cache commit); bare, its
// baseline, a bare HTTP round trip to the same portal (GET /v1/health on
// a kept-alive connection); changes-request the GET /v1/changes request
// alone (the portal's share).
func BenchmarkNoChangeSync(b *testing.B) {
	p, token := scalePortal(b)
	ctx := context.Background()
	cache, err := lsync.OpenCache(ctx, filepath.Join(b.TempDir(), "cache.db"))
	require.NoError(b, err)
	defer cache.Close()
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL, Token: token})
	require.NoError(b, err)
	s := lsync.NewSyncer(lsync.SyncerConfig{Cache: cache, Client: cl, Identity: "bench"})
	_, err = s.Sync(ctx)
	require.NoError(b, err)
	st, err := cache.SyncState(ctx)
	require.NoError(b, err)
	b.Run("sync", func(b *testing.B) {
		for b.Loop() {
			res, err := s.Sync(ctx)
			if err != nil || res.Pull.Changes != 0 {
				b.Fatalf("sync: %v %+v", err, res)
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		for b.Loop() {
			if err := cl.Health(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("changes-request", func(b *testing.B) {
		for b.Loop() {
			if _, err := cl.Changes(ctx, st.Cursor); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSolutionsJSON: `licdesk solutions --json` as a whole process on
// the scale cache (a real build of licdesk), offline (cache only) and
// online (one no-change sync round first, as by default), against
// version, `licdesk --version` of the same binary (the process's start-up
// alone).
func BenchmarkSolutionsJSON(b *testing.B) {
	p, _ := scalePortal(b)
	dir := b.TempDir()
	bin := filepath.Join(dir, "licdesk")
	build := exec.Command("go", "build", "-o", bin, "github.com/licdesk/licdesk")
	out, err := build.CombinedOutput()
	require.NoError(b, err, string(out))
	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "LICDESK_HOME="+home, "LICDESK_SECRETS=file")
	login := exec.Command(bin, "login", "--portal", p.URL, "--email", portal.ScaleOwner, "--password-stdin")
	login.Env, login.Stdin = env, strings.NewReader(portal.DemoPassword+"\n")
	out, err = login.CombinedOutput()
	require.NoError(b, err, string(out))
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(b, err)
	defer devnull.Close()
	run := func(b *testing.B, args ...string) {
		cmd := exec.Command(bin, args...)
		var stderr strings.Builder
		cmd.Env, cmd.Stdout, cmd.Stderr = env, devnull, &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%v: %v %s", args, err, stderr.String())
		}
	}
	// The first online run fills the cache (a first sync): outside the
	// timed part.
	run(b, "solutions", "--json")
	for _, v := range []struct {
		name string
		args []string
	}{
		{"version", []string{"--version"}},
		{"offline", []string{"solutions", "--json", "--offline"}},
		{"online", []string{"solutions", "--json"}},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				run(b, v.args...)
			}
		})
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// BenchmarkSubmitSeatAssign: queueing a seat assignment on the scale cache
// (10 000 licenses) and showing its effect, which rebuilds core's license,
// runs core's rule and asks the cache whether the address has an account
// (effect); against queue-only, the same write queued without a target,
// so the same outbox row in the same transaction and no effect (its
// baseline: what showing the effect adds). Each iteration queues a new
// address and drops the write again, outside the timed part, so the
// cache stays the same size.
func BenchmarkSubmitSeatAssign(b *testing.B) {
	p, token := scalePortal(b)
	ctx := context.Background()
	cache, err := lsync.OpenCache(ctx, filepath.Join(b.TempDir(), "cache.db"))
	require.NoError(b, err)
	defer cache.Close()
	require.NoError(b, cache.SetSettings(ctx, map[string]string{lsync.SettingEmail: portal.ScaleOwner}))
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL, Token: token})
	require.NoError(b, err)
	s := lsync.NewSyncer(lsync.SyncerConfig{Cache: cache, Client: cl, Identity: "bench"})
	_, err = s.Sync(ctx)
	require.NoError(b, err)
	sols, err := cache.Solutions(ctx)
	require.NoError(b, err)
	var lic string
	for _, sol := range sols {
		if sol.Available > 0 {
			lic = sol.LicenseID
			break
		}
	}
	require.NotEmpty(b, lic, "a license with a free seat")
	for _, v := range []struct {
		name    string
		targets bool
	}{{"effect", true}, {"queue-only", false}} {
		b.Run(v.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				w, err := lsync.AssignSeat(lic, fmt.Sprintf("bench%d@scale.example", i))
				require.NoError(b, err)
				if !v.targets {
					w.Targets = nil
				}
				if _, err := s.Submit(ctx, w); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_, err = cache.DiscardPending(ctx)
				require.NoError(b, err)
				b.StartTimer()
			}
		})
	}
}
