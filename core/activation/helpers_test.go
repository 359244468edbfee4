package activation_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
)

// t0 is a fixed instant: the package reads no clock, nor do its tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testKey is a valid license key fixed for the tests.
func testKey(tb testing.TB) core.Key {
	tb.Helper()
	k, err := core.NewKey(core.LicenseKey, [15]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	require.NoError(tb, err)
	return k
}

func otherKey(tb testing.TB) core.Key {
	tb.Helper()
	k, err := core.NewKey(core.LicenseKey, [15]byte{9, 9, 9})
	require.NoError(tb, err)
	return k
}

func sampleRequest(tb testing.TB) activation.Request {
	return activation.Request{
		Key:         testKey(tb),
		Machine:     "print-srv-01 (Lisboa)",
		Fingerprint: core.Fingerprint{"cpu": "9f86d081884c7d65", "disk": "2c26b46b68ffc68f", "mac": "fcde2b2edba56bf4", "board": ""},
		Nonce:       activation.NewNonce([16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}),
		Created:     t0,
	}
}

func encode(tb testing.TB, r activation.Request) []byte {
	tb.Helper()
	f, err := r.Encode()
	require.NoError(tb, err)
	return f
}

// armor implements the documented format independently of the package, to
// check the documentation and to make files with contents the package would
// refuse to write.
func armor(typ string, body []byte) []byte {
	var b strings.Builder
	b.WriteString("-----BEGIN LICENSE DESK " + typ + "-----\n")
	enc := base64.StdEncoding.EncodeToString(body)
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n")
	sum := sha256.Sum256(append([]byte("licdesk-"+strings.ReplaceAll(strings.ToLower(typ), " ", "-")+"-v1\x00"), body...))
	b.WriteString("=" + base64.StdEncoding.EncodeToString(sum[:]) + "\n")
	b.WriteString("-----END LICENSE DESK " + typ + "-----\n")
	return []byte(b.String())
}

// bodyOf extracts the JSON content of an armored file per the documented
// format.
func bodyOf(tb testing.TB, file []byte) []byte {
	tb.Helper()
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	body, err := base64.StdEncoding.DecodeString(strings.Join(lines[1:len(lines)-2], ""))
	require.NoError(tb, err)
	return body
}

func testSigner(tb testing.TB, name string) licensefile.Signer {
	tb.Helper()
	seed := sha256.Sum256([]byte("licdesk activation test key " + name))
	s, err := licensefile.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(tb, err)
	return s
}

func trust(signers ...licensefile.Signer) licensefile.TrustedKeys {
	t := licensefile.TrustedKeys{}
	for _, s := range signers {
		t[s.KeyID] = s.Public()
	}
	return t
}

// requireRefusal checks err is a one-line core refusal with code.
func requireRefusal(tb testing.TB, err error, code string) {
	tb.Helper()
	require.Error(tb, err)
	require.Equal(tb, code, core.CodeOf(err), "%v", err)
	require.NotContains(tb, err.Error(), "\n", "a refusal is one line")
}

var secret = []byte("0123456789abcdef0123456789abcdef")

// respond is what the portal does for a request: sign the activation
// license file and seal it into a response.
func respond(tb testing.TB, s licensefile.Signer, req activation.Request, actID string) []byte {
	tb.Helper()
	req = req.Normalize()
	lic, err := s.Sign(licensefile.Payload{Kind: licensefile.KindActivation, LicenseID: string(req.Key), Product: "MyQ Print Server",
		Fingerprint: req.Fingerprint, Issued: t0, ActivationID: actID, Nonce: req.Nonce})
	require.NoError(tb, err)
	f, err := activation.Response{ActivationID: actID, Key: req.Key, Nonce: req.Nonce, Secret: secret, License: lic}.Seal(s)
	require.NoError(tb, err)
	return f
}
