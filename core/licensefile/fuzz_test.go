package licensefile_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the committed seed corpus under testdata/fuzz")

// fuzzSigner is the key the fuzzers trust; the committed seed corpus is
// signed with it (deterministic), so seeds exercise the full Verify path.
func fuzzSigner(tb testing.TB) licensefile.Signer { return testSigner(tb, "fuzz") }

// verifySeeds are the committed FuzzVerify seeds, by file name.
func verifySeeds(tb testing.TB) map[string][]byte {
	s := fuzzSigner(tb)
	p := samplePayload()
	lease := licensefile.Payload{Kind: licensefile.KindLease, LicenseID: "L-2", Product: "P", Issued: t0, LeaseEnd: t0.AddDate(0, 0, 7)}
	receipt := licensefile.Payload{Kind: licensefile.KindDeactivationReceipt, LicenseID: "L-3", Product: "P", Issued: t0, ActivationID: "ACT-1", Nonce: "0123456789abcdef"}
	valid := sign(tb, s, p)
	return map[string][]byte{
		"valid_license":         valid,
		"valid_lease":           sign(tb, s, lease),
		"valid_receipt":         sign(tb, s, receipt),
		"crlf":                  bytes.ReplaceAll(valid, []byte("\n"), []byte("\r\n")),
		"unknown_field_signed":  forge(s, `{"version":1,"kind":"license","license_id":"L","product":"P","issued":"2026-03-01T12:00:00Z","key_id":"`+s.KeyID+`","x":1}`),
		"future_version_signed": forge(s, `{"version":2}`),
		"armor_only":            []byte("-----BEGIN LICENSE DESK LICENSE-----\nKey-Id: x\n=\n-----END LICENSE DESK LICENSE-----\n"),
	}
}

func publicKeySeeds(tb testing.TB) map[string][]byte {
	doc, err := licensefile.MarshalPublicKeys(trust(tb, testSigner(tb, "A"), testSigner(tb, "B")))
	require.NoError(tb, err)
	return map[string][]byte{
		"two_keys":  doc,
		"empty":     []byte(`{"keys":[]}`),
		"wrong_alg": bytes.Replace(doc, []byte("Ed25519"), []byte("RS256"), 1),
	}
}

func corpusFile(data []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n")
}

func readCorpusFile(tb testing.TB, path string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(tb, err)
	header, lit, ok := strings.Cut(strings.TrimSuffix(string(raw), "\n"), "\n")
	require.True(tb, ok)
	require.Equal(tb, "go test fuzz v1", header)
	require.True(tb, strings.HasPrefix(lit, "[]byte(") && strings.HasSuffix(lit, ")"), "one []byte value")
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
	require.NoError(tb, err)
	return []byte(s)
}

// TestCommittedFuzzCorpusIsCurrent keeps the seed corpus meaningful: the
// valid seeds must still verify with the fuzz key. Regenerate with
// go test ./core/licensefile -run TestCommittedFuzzCorpusIsCurrent -update-corpus
func TestCommittedFuzzCorpusIsCurrent(t *testing.T) {
	for fuzzer, seeds := range map[string]map[string][]byte{
		"FuzzVerify":          verifySeeds(t),
		"FuzzParsePublicKeys": publicKeySeeds(t),
		"FuzzParseKeySet":     keySetSeeds(t),
	} {
		dir := filepath.Join("testdata", "fuzz", fuzzer)
		for name, data := range seeds {
			path := filepath.Join(dir, name)
			if *updateCorpus {
				require.NoError(t, os.MkdirAll(dir, 0o755))
				require.NoError(t, os.WriteFile(path, corpusFile(data), 0o644))
			}
			assert.Equal(t, string(data), string(readCorpusFile(t, path)), "%s is stale; rerun with -update-corpus", path)
		}
	}
	trusted := trust(t, fuzzSigner(t))
	for _, name := range []string{"valid_license", "valid_lease", "valid_receipt"} {
		_, err := licensefile.Verify(readCorpusFile(t, filepath.Join("testdata", "fuzz", "FuzzVerify", name)), trusted)
		assert.NoError(t, err, name)
	}
}

// FuzzVerify: Verify never panics, returns a package error or a payload, and
// a file that verifies is exactly what Sign produces for its payload
// (canonical encoding, deterministic signature), with a clean time check.
func FuzzVerify(f *testing.F) {
	for _, seed := range verifySeeds(f) {
		f.Add(seed)
	}
	s := fuzzSigner(f)
	trusted := trust(f, s, testSigner(f, "other"))
	f.Fuzz(func(t *testing.T, file []byte) {
		p, err := licensefile.Verify(file, trusted)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			for _, known := range []error{licensefile.ErrTooLarge, licensefile.ErrMalformed, licensefile.ErrUnknownKey,
				licensefile.ErrBadSignature, licensefile.ErrUnsupportedVersion, licensefile.ErrInvalidPayload} {
				if errors.Is(err, known) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		again, err := s.Sign(p)
		if err != nil {
			t.Fatalf("verified payload does not re-sign: %v", err)
		}
		if !bytes.Equal(again, file) {
			t.Fatalf("re-signed file differs:\n%s\nvs\n%s", file, again)
		}
		p2, err := licensefile.Verify(again, trusted)
		if err != nil {
			t.Fatalf("re-signed file does not verify: %v", err)
		}
		if fmt.Sprint(p) != fmt.Sprint(p2) {
			t.Fatalf("payload changed: %+v vs %+v", p, p2)
		}
		_ = p.CheckTime(p.Issued, licensefile.DefaultSkew)
	})
}

// FuzzParsePublicKeys: never panics; a parsed document re-marshals and
// re-parses to the same keys.
func FuzzParsePublicKeys(f *testing.F) {
	for _, seed := range publicKeySeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := licensefile.ParsePublicKeys(data)
		if err != nil {
			if !errors.Is(err, licensefile.ErrMalformed) && !errors.Is(err, licensefile.ErrTooLarge) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		doc, err := licensefile.MarshalPublicKeys(keys)
		if err != nil {
			t.Fatalf("parsed keys do not marshal: %v", err)
		}
		again, err := licensefile.ParsePublicKeys(doc)
		if err != nil {
			t.Fatalf("marshalled keys do not parse: %v", err)
		}
		if len(again) != len(keys) {
			t.Fatalf("key count changed")
		}
		for kid, pub := range keys {
			if !bytes.Equal(again[kid], pub) {
				t.Fatalf("key %q changed", kid)
			}
		}
	})
}
