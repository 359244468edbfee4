package licensefile

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodePayload reaches the JSON decoder directly (through Verify it runs
// only after a valid signature, which a fuzzer cannot forge): no panic, and a
// payload that decodes is normalized and re-encodes to exactly its bytes.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range []string{
		`{"version":1,"kind":"license","license_id":"L","product":"P","issued":"2026-03-01T12:00:00Z","key_id":"k"}`,
		`{"version":1,"kind":"activation","license_id":"L","product":"P","edition":"Pro","modules":["a","b"],"owner":"o","assignee":"a@x","fingerprint":{"cpu":"1","mac":"2"},"issued":"2026-03-01T12:00:00Z","expiry":"2027-03-01T12:00:00Z","lease_end":"2026-04-01T12:00:00Z","activation_id":"A","nonce":"n","key_id":"k"}`,
		`{"version":1,"kind":"deactivation_receipt","license_id":"L","product":"P","issued":"2026-03-01T12:00:00Z","activation_id":"A","nonce":"n","key_id":"k"}`,
		`{"version":2}`, `{"version":1,"x":1}`, `null`, `[]`, `{"version":1}{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodePayload(body)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrInvalidPayload) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if n := normalize(p); !reflect.DeepEqual(n, p) {
			t.Fatalf("decoded payload is not normalized: %+v vs %+v", p, n)
		}
		if err := validate(p); err != nil {
			t.Fatalf("decoded payload is invalid: %v", err)
		}
		enc, err := encodePayload(p)
		if err != nil || !bytes.Equal(enc, body) {
			t.Fatalf("re-encoding differs (%v):\n%s\n%s", err, body, enc)
		}
	})
}
