package machine

import (
	"context"
	"encoding/json"
	"github.com/licdesk/licdesk/core"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The store's own files sit in a folder the user (or anything running as the
// user) can write to, so their parsers get arbitrary bytes: they must
// refuse, never panic, and what they accept must survive a round trip.

func FuzzParseState(f *testing.F) {
	st := offlineState{Latest: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Deactivated: []string{"ACT-1"},
		Grace: map[string]graceEntry{"cad-studio-1234abcd": {LicenseID: "L", ActivationID: "A", Since: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}}
	fp := map[string]string{"machine_id": "a1"}
	mac, _ := stateMAC(st, fp)
	good, _ := json.Marshal(sealedState{State: st, Fingerprint: fp, MAC: mac})
	f.Add(good)
	f.Add([]byte(`{"state":{"latest":"2026-03-01T12:00:00Z"},"fingerprint":{},"mac":"00"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseState(b)
		if err != nil {
			return
		}
		if d.State.Latest.IsZero() {
			t.Fatalf("accepted %q without a mark", b)
		}
		for k, e := range d.State.Grace {
			if k == "" || e.LicenseID == "" || e.Since.IsZero() {
				t.Fatalf("accepted an incomplete entry from %q", b)
			}
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseState(again); err != nil {
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

// FuzzStoreFiles writes arbitrary bytes as trust.json and the two copies
// of the offline state and runs a check: errors are fine, panics are not, and a check
// that answers must not have been fooled into OK without a trusted key.
func FuzzStoreFiles(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`), []byte(`{"latest":"2026-03-01T12:00:00Z"}`), []byte(`{}`))
	f.Add([]byte(`{"keys":[{"kid":"k","alg":"Ed25519","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}`), []byte(`{`), []byte(`{"a":{}}`))
	f.Fuzz(func(t *testing.T, trust, state, state2 []byte) {
		dir := t.TempDir()
		s, err := OpenStoreWith(dir, StoreOptions{StateDir: t.TempDir(),
			Fingerprint: func(context.Context) (core.Fingerprint, error) { return core.Fingerprint{"machine_id": "a1"}, nil }})
		if err != nil {
			t.Fatal(err)
		}
		paths := s.statePaths()
		for path, b := range map[string][]byte{filepath.Join(dir, trustFile): trust, paths[0]: state, paths[1]: state2} {
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
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
