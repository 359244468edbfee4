package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

// BenchmarkCheckProcess times "licdesk check PRODUCT" as a whole process
// (exec, start-up, profile, real hardware fingerprint, verify, exit 0)
// against a Go program that only starts and exits, in the same run, with
// "licdesk --version" between them to show the binary's own start-up. The
// licdesk process is this test binary acting as licdesk (envBeLicdesk):
// the same run() over the same packages, so no second build of the module.
func BenchmarkCheckProcess(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()

	// The baseline: a program that does nothing.
	src := filepath.Join(dir, "nothing", "main.go")
	require.NoError(b, os.MkdirAll(filepath.Dir(src), 0o755))
	require.NoError(b, os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644))
	nothing := filepath.Join(dir, "nothing.bin")
	build := exec.Command("go", "build", "-o", nothing, src)
	build.Dir = filepath.Dir(src)
	build.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=off")
	out, err := build.CombinedOutput()
	require.NoError(b, err, "%s", out)

	// A profile holding a license bound to this machine.
	home := filepath.Join(dir, "home")
	st, err := machine.OpenStore(home)
	require.NoError(b, err)
	seed := sha256.Sum256([]byte("bench portal"))
	portal, err := licensefile.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(b, err)
	_, err = st.Trust(ctx, licensefile.TrustedKeys{portal.KeyID: portal.Public()})
	require.NoError(b, err)
	fp, err := machine.Collect(ctx)
	require.NoError(b, err)
	now := time.Now()
	file, err := portal.Sign(licensefile.Payload{Kind: licensefile.KindActivation, LicenseID: "LIC-BENCH", Product: "Bench Product",
		Fingerprint: fp, Issued: now.Add(-time.Hour), Expiry: now.AddDate(1, 0, 0), ActivationID: "ACT-BENCH"})
	require.NoError(b, err)
	_, err = st.Install(ctx, file, now, fp)
	require.NoError(b, err)

	self, err := os.Executable()
	require.NoError(b, err)
	env := append(os.Environ(), envBeLicdesk+"=1", "LICDESK_HOME="+home, "LICDESK_SECRETS=file")
	b.Run("start_and_exit", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command(nothing).Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// What the licdesk binary costs before any command: start-up alone.
	b.Run("licdesk_version", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command(self, "--version")
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
	b.Run("licdesk_check", func(b *testing.B) {
		for b.Loop() {
			cmd := exec.Command(self, "check", "Bench Product")
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	})
}
