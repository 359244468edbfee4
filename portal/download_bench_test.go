package portal_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// benchFileSize is the installer the download benchmarks serve: large
// enough that moving bytes, not the request around them, dominates.
const benchFileSize = 16 << 20

// fetch GETs url to the end and fails the benchmark on any other answer
// than want.
func fetch(b *testing.B, c *http.Client, url, token, rng string, want int) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != want {
		b.Fatalf("download: %d after %d bytes: %v", resp.StatusCode, n, err)
	}
}

// BenchmarkDownload measures GET /v1/downloads/{id}/content of a 16 MiB
// file over loopback: authentication, the access check, recording the
// download (full: from byte 0) or not (resumed: from byte 1), and
// http.ServeContent from the blob folder. BenchmarkServeContentBaseline
// serves the same file with a bare http.ServeContent; the ratio of their
// MB/s is the cost of the portal around it. On a shared machine, run the
// pair several times and compare within each run (the load drifts).
// Run: scripts/with-postgres.sh go test -run '^$' -bench 'BenchmarkDownload|BenchmarkServeContentBaseline' -benchtime 200x -count 1 ./portal/
func BenchmarkDownload(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			p := startContentPortal(b, storetest.Fresh(b, name))
			owner := p.signup("owner@bench.example", "Bench")
			if r := p.do("POST", "/v1/products", owner.Token, api.RegisterProductRequest{Product: "Eberick"}); r.Status != http.StatusCreated {
				b.Fatalf("register: %d %s", r.Status, r.Body)
			}
			f := p.publish("Eberick", "Eberick-setup.exe", "2026.1", time.Now(), installer("bench", benchFileSize))
			url := p.URL + "/v1/downloads/" + f.ID + "/content"
			c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			for _, v := range []struct{ name, rng string }{{"full", ""}, {"resumed", "bytes=1-"}} {
				want := http.StatusOK
				if v.rng != "" {
					want = http.StatusPartialContent
				}
				b.Run(v.name, func(b *testing.B) {
					b.SetBytes(benchFileSize)
					for b.Loop() {
						fetch(b, c, url, owner.Token, v.rng, want)
					}
				})
			}
		})
	}
}

// BenchmarkServeContentBaseline is the floor of BenchmarkDownload: the
// same bytes from the same kind of file, served by http.ServeContent alone
// on a loopback server. "sendfile" is ServeContent as it comes (the kernel
// copies file to socket); "usercopy" hides the ResponseWriter's ReadFrom,
// as the portal's access-log wrapper does, so the bytes go through user
// space in 32 KiB writes like the portal's: the ratio to it is the
// portal's own overhead.
func BenchmarkServeContentBaseline(b *testing.B) {
	path := filepath.Join(b.TempDir(), "Eberick-setup.exe")
	require.NoError(b, os.WriteFile(path, installer("bench", benchFileSize), 0o600))
	mod := time.Now()
	for _, v := range []struct {
		name string
		wrap func(http.ResponseWriter) http.ResponseWriter
	}{
		{"sendfile", func(w http.ResponseWriter) http.ResponseWriter { return w }},
		{"usercopy", func(w http.ResponseWriter) http.ResponseWriter { return plainWriter{w} }},
	} {
		b.Run(v.name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				f, err := os.Open(path)
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				defer f.Close()
				w.Header().Set("Content-Type", "application/octet-stream")
				http.ServeContent(v.wrap(w), r, "", mod, f)
			}))
			defer srv.Close()
			c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			b.SetBytes(benchFileSize)
			for b.Loop() {
				fetch(b, c, srv.URL, "", "", http.StatusOK)
			}
		})
	}
}

// plainWriter is a ResponseWriter without ReadFrom.
type plainWriter struct{ http.ResponseWriter }
