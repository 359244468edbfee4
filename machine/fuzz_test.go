package machine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The store's own files sit in a folder the user (or anything running as the
// user) can write to, so their parsers get arbitrary bytes: they must
// refuse, never panic, and what they accept must survive a round trip.

func FuzzParseClock(f *testing.F) {
	f.Add([]byte(`{"latest":"2026-03-01T12:00:00Z"}`))
	f.Add([]byte(`{"latest":"2026-03-01T12:00:00+02:00"}` + "\n"))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"latest":"0001-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"latest":"2026-03-01T12:00:00Z","extra":1}`))
	f.Add([]byte(`{"latest":"2026-03-01T12:00:00Z"} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseClock(b)
		if err != nil {
			return
		}
		if got.IsZero() || got.Location() != time.UTC {
			t.Fatalf("accepted %q as %v", b, got)
		}
		again, err := json.Marshal(clockDoc{Latest: got})
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseClock(again)
		if err != nil || !back.Equal(got) {
			t.Fatalf("round trip of %q: %v, %v", b, back, err)
		}
	})
}

func FuzzParseGrace(f *testing.F) {
	f.Add([]byte(`{"cad-studio-1234abcd":{"license_id":"L","activation_id":"A","since":"2026-03-01T12:00:00Z"}}`))
	f.Add([]byte(`{"x":{"license_id":"","since":"2026-03-01T12:00:00Z"}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := parseGrace(b)
		if err != nil {
			return
		}
		for k, e := range g {
			if k == "" || e.LicenseID == "" || e.Since.IsZero() {
				t.Fatalf("accepted an incomplete entry from %q", b)
			}
		}
		again, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseGrace(again); err != nil {
			t.Fatalf("round trip of %q: %v", b, err)
		}
	})
}

func FuzzParseActivationRecord(f *testing.F) {
	f.Add([]byte(`{"product":"CAD Studio","license_id":"LIC-1","activation_id":"ACT-1","key":"LIC-1","nonce":"00112233445566778899aabbccddeeff","secret":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","activated":"2026-03-01T12:00:00Z"}`))
	f.Add([]byte(`{"product":"","secret":"!!"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseActivationRecord(b)
		if err != nil {
			return
		}
		if err := r.validate(); err != nil {
			t.Fatalf("accepted an invalid record from %q: %v", b, err)
		}
	})
}

// FuzzStoreFiles writes arbitrary bytes as trust.json, clock.json and
// grace.json and runs a check: errors are fine, panics are not, and a check
// that answers must not have been fooled into OK without a trusted key.
func FuzzStoreFiles(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`), []byte(`{"latest":"2026-03-01T12:00:00Z"}`), []byte(`{}`))
	f.Add([]byte(`{"keys":[{"kid":"k","alg":"Ed25519","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}`), []byte(`{`), []byte(`{"a":{}}`))
	f.Fuzz(func(t *testing.T, trust, clock, grace []byte) {
		dir := t.TempDir()
		for name, b := range map[string][]byte{trustFile: trust, clockFile: clock, graceFile: grace} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s, err := OpenStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, _ = s.Trusted(ctx)
		_, _ = s.HighWater(ctx)
		res, err := s.Check(ctx, "CAD Studio", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), CheckOptions{})
		if err == nil && res.OK {
			t.Fatal("a check with no license file passed")
		}
	})
}
