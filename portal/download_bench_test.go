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
// file over loopback, per store: full (authentication, the access check,
// recording the download that starts at byte 0, http.ServeContent from the
// blob folder) and resumed (from byte 1: not recorded). Its baselines run
// in the same process, right after the store's figures, so
// cmd/benchratio alternates them: baseline-sendfile is the same bytes from
// the same kind of file served by a bare http.ServeContent on a loopback
// server (the kernel copies file to socket); baseline-usercopy the same
// with the ResponseWriter's ReadFrom hidden, as the portal's access-log
// wrapper does, so the bytes go through user space in 32 KiB writes like
// the portal's: the ratio to it is the portal's own cost per request.
// The file size is fixed; b.N only repeats the download.
func BenchmarkDownload(b *testing.B) {
	for _, name := range storetest.Names() {
		b.Run(name, func(b *testing.B) {
			p := startContentPortal(b, storetest.Fresh(b, name))
			owner := p.signup("owner@bench.example", "Bench")
			p.sell("Eberick")
			if r := p.do("POST", "/v1/products", owner.Token, api.RegisterProductRequest{Product: "Eberick"}); r.Status != http.StatusCreated {
				b.Fatalf("register: %d %s", r.Status, r.Body)
			}
			body := installer("bench", benchFileSize)
			f := p.publish("Eberick", "Eberick-setup.exe", "2026.1", time.Now(), body)
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
			serveContentBaseline(b, body)
		})
	}
}

// serveContentBaseline runs the two baselines of BenchmarkDownload on a
// copy of body in a file of its own.
func serveContentBaseline(b *testing.B, body []byte) {
	path := filepath.Join(b.TempDir(), "Eberick-setup.exe")
	require.NoError(b, os.WriteFile(path, body, 0o600))
	mod := time.Now()
	for _, v := range []struct {
		name string
		wrap func(http.ResponseWriter) http.ResponseWriter
	}{
		{"baseline-sendfile", func(w http.ResponseWriter) http.ResponseWriter { return w }},
		{"baseline-usercopy", func(w http.ResponseWriter) http.ResponseWriter { return plainWriter{w} }},
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
