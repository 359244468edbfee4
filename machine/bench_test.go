package machine_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/machine"
)

// BenchmarkCheck compares the whole in-process check of a node-locked
// license (read the file, trust.json and both copies of the offline state,
// verify, match the fingerprint) with the one ed25519.Verify over the same file's signed bytes
// that it cannot do without, in the same run. "real_fingerprint" also reads
// this machine's hardware, as a protected program does at start-up (a new
// store each time); "_again" is a later check of the same store.
func BenchmarkCheck(b *testing.B) {
	ctx := context.Background()
	st, portal, file := installed(b, nodeLocked())

	// The signed message per the licensefile format: domain, key ID, payload.
	lines := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	payload, err := base64.StdEncoding.DecodeString(strings.Join(lines[2:len(lines)-2], ""))
	require.NoError(b, err)
	sig, err := base64.StdEncoding.DecodeString(lines[len(lines)-2][1:])
	require.NoError(b, err)
	msg := append([]byte("licdesk-license-v1\x00"+portal.KeyID+"\x00"), payload...)
	pub := portal.Public()
	require.True(b, ed25519.Verify(pub, msg, sig))

	b.Run("ed25519_verify", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("verify failed")
			}
		}
	})
	b.Run("check_fake_fingerprint", func(b *testing.B) {
		opt := machine.CheckOptions{Fingerprint: fixedFP(here())}
		for b.Loop() {
			res, err := st.Check(ctx, product, t0, opt)
			if err != nil || !res.OK {
				b.Fatal(err, res.Reasons)
			}
		}
	})
	// A profile of this very machine, whose license is bound to and whose
	// offline state is sealed with its real fingerprint.
	fp, err := machine.Collect(ctx)
	require.NoError(b, err)
	dir, stateDir := b.TempDir(), b.TempDir()
	real, err := machine.OpenStoreWith(dir, machine.StoreOptions{StateDir: stateDir})
	require.NoError(b, err)
	_, err = real.Trust(ctx, keysOf(portal))
	require.NoError(b, err)
	p := nodeLocked()
	p.Fingerprint, p.Product = fp, "Real Machine Product"
	_, err = real.Install(ctx, sign(b, portal, p), t0, fp)
	require.NoError(b, err)
	// What a program pays at start: a store of its own, which reads the
	// hardware once.
	b.Run("check_real_fingerprint", func(b *testing.B) {
		for b.Loop() {
			st, err := machine.OpenStoreWith(dir, machine.StoreOptions{StateDir: stateDir})
			if err != nil {
				b.Fatal(err)
			}
			res, err := st.Check(ctx, p.Product, t0, machine.CheckOptions{})
			if err != nil || !res.OK {
				b.Fatal(err, res.Reasons)
			}
		}
	})
	// A second check in the same process: the hardware is memoised.
	b.Run("check_real_fingerprint_again", func(b *testing.B) {
		for b.Loop() {
			res, err := real.Check(ctx, p.Product, t0, machine.CheckOptions{})
			if err != nil || !res.OK {
				b.Fatal(err, res.Reasons)
			}
		}
	})
}
