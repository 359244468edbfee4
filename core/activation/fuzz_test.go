package activation_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the committed seed corpus under testdata/fuzz")

func requestSeeds(tb testing.TB) map[string][]byte {
	good := encode(tb, sampleRequest(tb))
	body := string(bodyOf(tb, good))
	return map[string][]byte{
		"valid":             good,
		"crlf":              bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n")),
		"truncated":         good[:len(good)/2],
		"unknown_field":     armor(activation.RequestType, []byte(strings.Replace(body, `"created"`, `"x":1,"created"`, 1))),
		"future_version":    armor(activation.RequestType, []byte(`{"version":2}`)),
		"armor_only":        []byte("-----BEGIN LICENSE DESK ACTIVATION REQUEST-----\n=\n-----END LICENSE DESK ACTIVATION REQUEST-----\n"),
		"empty_fingerprint": armor(activation.RequestType, []byte(strings.Replace(body, `"cpu":"9f86d081884c7d65",`, "", 1))),
	}
}

func receiptSeeds(tb testing.TB) map[string][]byte {
	r, err := activation.NewReceipt("act_123", sampleRequest(tb).Nonce, t0, secret)
	require.NoError(tb, err)
	good, err := r.Encode()
	require.NoError(tb, err)
	return map[string][]byte{
		"valid":          good,
		"truncated":      good[:len(good)-10],
		"future_version": armor(activation.ReceiptType, []byte(`{"version":2,"mac":"00"}`)),
		"bad_mac":        armor(activation.ReceiptType, []byte(strings.Replace(string(bodyOf(tb, good)), `"mac":"`, `"mac":"zz`, 1))),
	}
}

// contentSeeds are the JSON contents of the well-armored file seeds, for
// the fuzzers that armor what they generate: the checksum would otherwise
// stop nearly every mutation before the content parser sees it.
func contentSeeds(tb testing.TB, files map[string][]byte) map[string][]byte {
	out := map[string][]byte{}
	for name, f := range files {
		if name == "valid" || strings.HasPrefix(name, "unknown") || strings.HasPrefix(name, "future") ||
			strings.HasPrefix(name, "empty") || strings.HasPrefix(name, "bad") {
			out[name] = bodyOf(tb, f)
		}
	}
	return out
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
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
	require.NoError(tb, err)
	return []byte(s)
}

// TestCommittedFuzzCorpusIsCurrent keeps the committed seed corpus equal to
// the seeds the fuzzers start from, and the valid seeds valid. Regenerate
// with go test ./core/activation -run TestCommittedFuzzCorpusIsCurrent -update-corpus
func TestCommittedFuzzCorpusIsCurrent(t *testing.T) {
	for fuzzer, seeds := range map[string]map[string][]byte{
		"FuzzParseRequest":        requestSeeds(t),
		"FuzzParseReceipt":        receiptSeeds(t),
		"FuzzParseRequestContent": contentSeeds(t, requestSeeds(t)),
		"FuzzParseReceiptContent": contentSeeds(t, receiptSeeds(t)),
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
	_, err := activation.ParseRequest(readCorpusFile(t, filepath.Join("testdata", "fuzz", "FuzzParseRequest", "valid")))
	assert.NoError(t, err)
	_, err = activation.ParseReceipt(readCorpusFile(t, filepath.Join("testdata", "fuzz", "FuzzParseReceipt", "valid")))
	assert.NoError(t, err)
}

// checkRefusal fails the fuzz run unless err is a one-line core refusal
// with one of codes.
func checkRefusal(t *testing.T, err error, codes ...string) {
	var ce *core.Error
	if !errors.As(err, &ce) {
		t.Fatalf("not a core refusal: %T %v", err, err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Fatalf("multi-line error: %q", err)
	}
	for _, c := range codes {
		if ce.Code == c {
			return
		}
	}
	t.Fatalf("unexpected code %q: %v", ce.Code, err)
}

// FuzzParseRequest: never panics, refuses with a request code, and a file
// that parses is exactly what Encode writes for what it parsed to.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range requestSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := activation.ParseRequest(file)
		if err != nil {
			checkRefusal(t, err, activation.CodeRequestTooLarge, activation.CodeRequestMalformed, activation.CodeRequestChecksum,
				activation.CodeRequestVersion, activation.CodeRequestInvalid)
			return
		}
		again, err := r.Encode()
		if err != nil {
			t.Fatalf("parsed request does not encode: %v", err)
		}
		if !bytes.Equal(again, file) {
			t.Fatalf("re-encoded request differs:\n%s\nvs\n%s", file, again)
		}
		if r.Fingerprint.Known() == 0 || len(file) > activation.MaxFileSize {
			t.Fatalf("a request that breaks a rule parsed: %+v", r)
		}
	})
}

// FuzzParseReceipt: never panics, refuses with a receipt code, and a file
// that parses re-encodes to itself.
func FuzzParseReceipt(f *testing.F) {
	for _, seed := range receiptSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := activation.ParseReceipt(file)
		if err != nil {
			checkRefusal(t, err, activation.CodeReceiptTooLarge, activation.CodeReceiptMalformed, activation.CodeReceiptChecksum,
				activation.CodeReceiptVersion, activation.CodeReceiptInvalid)
			return
		}
		again, err := r.Encode()
		if err != nil {
			t.Fatalf("parsed receipt does not encode: %v", err)
		}
		if !bytes.Equal(again, file) {
			t.Fatalf("re-encoded receipt differs:\n%s\nvs\n%s", file, again)
		}
		if err := r.Verify(secret); err != nil && core.CodeOf(err) != activation.CodeReceiptMAC {
			t.Fatalf("verify: %v", err)
		}
	})
}

// FuzzParseRequestContent fuzzes the JSON content of a request behind a
// valid armor and checksum: the same properties as FuzzParseRequest.
func FuzzParseRequestContent(f *testing.F) {
	for _, seed := range contentSeeds(f, requestSeeds(f)) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 {
			return
		}
		file := armor(activation.RequestType, body)
		r, err := activation.ParseRequest(file)
		if err != nil {
			checkRefusal(t, err, activation.CodeRequestTooLarge, activation.CodeRequestMalformed, activation.CodeRequestVersion,
				activation.CodeRequestInvalid)
			return
		}
		again, err := r.Encode()
		if err != nil || !bytes.Equal(again, file) {
			t.Fatalf("parsed request does not re-encode to itself: %v\n%s", err, body)
		}
	})
}

// FuzzParseReceiptContent fuzzes the JSON content of a receipt behind a
// valid armor and checksum.
func FuzzParseReceiptContent(f *testing.F) {
	for _, seed := range contentSeeds(f, receiptSeeds(f)) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 {
			return
		}
		file := armor(activation.ReceiptType, body)
		r, err := activation.ParseReceipt(file)
		if err != nil {
			checkRefusal(t, err, activation.CodeReceiptTooLarge, activation.CodeReceiptMalformed, activation.CodeReceiptVersion,
				activation.CodeReceiptInvalid)
			return
		}
		again, err := r.Encode()
		if err != nil || !bytes.Equal(again, file) {
			t.Fatalf("parsed receipt does not re-encode to itself: %v\n%s", err, body)
		}
	})
}
