package licensefile_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
)

// testKey returns a deterministic private key, so signed test files are
// reproducible (Ed25519 signatures are deterministic).
func testKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("licdesk licensefile test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

func testSigner(tb testing.TB, name string) licensefile.Signer {
	tb.Helper()
	s, err := licensefile.NewSigner(testKey(name))
	require.NoError(tb, err)
	return s
}

func trust(tb testing.TB, signers ...licensefile.Signer) licensefile.TrustedKeys {
	tb.Helper()
	t := licensefile.TrustedKeys{}
	for _, s := range signers {
		t[s.KeyID] = s.Public()
	}
	return t
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func samplePayload() licensefile.Payload {
	return licensefile.Payload{
		Kind:        licensefile.KindLicense,
		LicenseID:   "LIC-0001",
		Product:     "CAD Studio",
		Edition:     "Professional",
		Modules:     []string{"render", "export-dwg", "cam"},
		Owner:       "Acme Ltd <owner@acme.example>",
		Assignee:    "ana@acme.example",
		Fingerprint: map[string]string{"cpu": "9f86d081884c7d65", "disk": "2c26b46b68ffc68f", "mac": "fcde2b2edba56bf4"},
		Issued:      t0,
		Expiry:      t0.AddDate(1, 0, 0),
		LeaseEnd:    t0.AddDate(0, 0, 30),
	}
}

func sign(tb testing.TB, s licensefile.Signer, p licensefile.Payload) []byte {
	tb.Helper()
	f, err := s.Sign(p)
	require.NoError(tb, err)
	return f
}

// signedMessage and armor implement the documented format independently of
// the package, to check the documentation and to forge validly signed files
// with payloads the package itself would refuse to sign.
func signedMessage(typ, kid string, payload []byte) []byte {
	d := "licdesk-" + strings.ReplaceAll(strings.ToLower(typ), " ", "-") + "-v1\x00"
	return append([]byte(d+kid+"\x00"), payload...)
}

func armor(typ, kid string, payload, sig []byte) []byte {
	var b strings.Builder
	b.WriteString("-----BEGIN LICENSE DESK " + typ + "-----\n")
	b.WriteString("Key-Id: " + kid + "\n")
	enc := base64.StdEncoding.EncodeToString(payload)
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n")
	b.WriteString("=" + base64.StdEncoding.EncodeToString(sig) + "\n")
	b.WriteString("-----END LICENSE DESK " + typ + "-----\n")
	return []byte(b.String())
}

// forge signs arbitrary payload bytes as a license file with s.
func forge(s licensefile.Signer, payload string) []byte {
	sig := ed25519.Sign(s.Key, signedMessage("LICENSE", s.KeyID, []byte(payload)))
	return armor("LICENSE", s.KeyID, []byte(payload), sig)
}

// payloadOf extracts the payload bytes of an armored file per the documented
// format.
func payloadOf(tb testing.TB, file []byte) []byte {
	tb.Helper()
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	body, err := base64.StdEncoding.DecodeString(strings.Join(lines[2:len(lines)-2], ""))
	require.NoError(tb, err)
	return body
}

// requireOneLineError checks err wraps want and reads as one line.
func requireOneLineError(tb testing.TB, err, want error) {
	tb.Helper()
	require.ErrorIs(tb, err, want)
	require.NotContains(tb, err.Error(), "\n", "error must be one line")
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
