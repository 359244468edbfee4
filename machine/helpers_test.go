package machine_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

// t0 is the fixed "now" of the tests: the package takes the time as an
// argument, so no test reads the clock.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const product = "CAD Studio"

// signer returns a deterministic portal signing key.
func signer(tb testing.TB, name string) licensefile.Signer {
	tb.Helper()
	seed := sha256.Sum256([]byte("licdesk machine test key " + name))
	s, err := licensefile.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(tb, err)
	return s
}

func keysOf(signers ...licensefile.Signer) licensefile.TrustedKeys {
	t := licensefile.TrustedKeys{}
	for _, s := range signers {
		t[s.KeyID] = s.Public()
	}
	return t
}

// here is this test machine's fingerprint: six components, all known.
func here() core.Fingerprint {
	return core.Fingerprint{"machine_id": "a1", "board": "b1", "cpu": "c1", "memory": "d1", "mac": "e1", "disk": "f1"}
}

// changed returns here() with n components replaced.
func changed(n int) core.Fingerprint {
	fp := here()
	for i, k := range []string{"mac", "disk", "board", "memory", "cpu", "machine_id"} {
		if i == n {
			break
		}
		fp[k] = "new-" + k
	}
	return fp
}

// elsewhere is another machine: nothing in common with here().
func elsewhere() core.Fingerprint {
	return core.Fingerprint{"machine_id": "a9", "board": "b9", "cpu": "c9", "memory": "d9", "mac": "e9", "disk": "f9"}
}

func fixedFP(fp core.Fingerprint) func(context.Context) (core.Fingerprint, error) {
	return func(context.Context) (core.Fingerprint, error) { return fp, nil }
}

// nodeLocked is an activation license of the product bound to here().
func nodeLocked() licensefile.Payload {
	return licensefile.Payload{
		Kind: licensefile.KindActivation, LicenseID: "LIC-0001", Product: product, Edition: "Professional",
		Modules: []string{"render", "cam"}, Owner: "Acme Ltd", Assignee: "ana@acme.example",
		Fingerprint: here(), Issued: t0.Add(-time.Hour), Expiry: t0.AddDate(1, 0, 0), ActivationID: "ACT-1",
	}
}

// lease is a cloud-login lease of the product, not node-locked.
func lease() licensefile.Payload {
	return licensefile.Payload{
		Kind: licensefile.KindLease, LicenseID: "L-42", Product: product, Edition: "Standard",
		Modules: []string{"render"}, Owner: "Acme Ltd", Assignee: "ana@acme.example",
		Issued: t0.Add(-time.Hour), Expiry: t0.AddDate(0, 6, 0), LeaseEnd: t0.AddDate(0, 0, 30),
	}
}

func sign(tb testing.TB, s licensefile.Signer, p licensefile.Payload) []byte {
	tb.Helper()
	f, err := s.Sign(p)
	require.NoError(tb, err)
	return f
}

// openStore opens the profile dir on this test machine (here()), with the
// second copy of the offline state in a folder of the test's own.
func openStore(tb testing.TB, dir string) *machine.Store {
	tb.Helper()
	st, err := machine.OpenStoreWith(dir, machine.StoreOptions{StateDir: tb.TempDir(), Fingerprint: fixedFP(here())})
	require.NoError(tb, err)
	return st
}

// newStore is an empty profile trusting the portal key "portal".
func newStore(tb testing.TB) (*machine.Store, licensefile.Signer) {
	tb.Helper()
	st := openStore(tb, tb.TempDir())
	var err error
	portal := signer(tb, "portal")
	_, err = st.Trust(context.Background(), keysOf(portal))
	require.NoError(tb, err)
	return st, portal
}

// installed is a profile holding the payload, signed by the portal, installed
// at t0 on this machine.
func installed(tb testing.TB, p licensefile.Payload) (*machine.Store, licensefile.Signer, []byte) {
	tb.Helper()
	st, portal := newStore(tb)
	file := sign(tb, portal, p)
	_, err := st.Install(context.Background(), file, t0.Add(-30*time.Minute), here())
	require.NoError(tb, err)
	return st, portal, file
}

// snapshot reads every file of a profile, to prove that a refusal changed
// nothing.
func snapshot(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	require.NoError(tb, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return nil
	}))
	return out
}

func check(tb testing.TB, st *machine.Store, now time.Time, fp core.Fingerprint, opt machine.CheckOptions) machine.Result {
	tb.Helper()
	if fp == nil {
		fp = here()
	}
	if opt.Fingerprint == nil {
		opt.Fingerprint = fixedFP(fp)
	}
	res, err := st.Check(context.Background(), product, now, opt)
	require.NoError(tb, err)
	return res
}

func codes(rs []machine.Reason) []machine.Code {
	var out []machine.Code
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// flipByte changes one base64 character of the payload (line 3 of the
// armor), keeping the file well-formed so that the signature is what fails.
func flipByte(file []byte) []byte {
	out := append([]byte(nil), file...)
	lines := strings.SplitAfter(string(out), "\n")
	off := len(lines[0]) + len(lines[1]) + 10
	if out[off] == 'A' {
		out[off] = 'B'
	} else {
		out[off] = 'A'
	}
	return out
}

// licenseKey is a valid license key.
func licenseKey(tb testing.TB, b byte) core.Key {
	tb.Helper()
	k, err := core.NewKey(core.LicenseKey, [15]byte{b, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	require.NoError(tb, err)
	return k
}

// fulfil is the portal's side of an offline activation: it answers the
// request file with a signed response carrying a node-locked license.
func fulfil(tb testing.TB, portal licensefile.Signer, reqFile []byte, issued time.Time, activationID string) []byte {
	tb.Helper()
	req, err := activation.ParseRequest(reqFile)
	require.NoError(tb, err)
	lic := sign(tb, portal, licensefile.Payload{
		Kind: licensefile.KindActivation, LicenseID: string(req.Key), Product: product, Modules: []string{"render"},
		Fingerprint: req.Fingerprint, Issued: issued, ActivationID: activationID, Nonce: req.Nonce,
	})
	secret := sha256.Sum256([]byte("secret " + activationID))
	resp, err := activation.Response{ActivationID: activationID, Key: req.Key, Nonce: req.Nonce, Secret: secret[:], License: lic}.Seal(portal)
	require.NoError(tb, err)
	return resp
}

// TestMain keeps the second copy of the offline state of every profile the
// tests open (machine.OpenStore) out of the user's config folder.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "licdesk-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv(machine.EnvStateDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
