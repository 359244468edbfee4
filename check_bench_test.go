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

// BenchmarkCheckProcess times a license check as a whole process (exec,
// start-up, profile, real hardware fingerprint, verify, exit 0), each
// program built here the way the packages build it:
//
//   - hello: a Go hello-world, the baseline;
//   - licdesk_check_program: licdesk-check PRODUCT (static, no cgo);
//   - licdesk_version: licdesk --version, the desktop binary's own start-up;
//   - licdesk_check: licdesk check PRODUCT.
//
// Run with a fixed -benchtime (200x) through cmd/benchratio, which
// alternates the rounds and prints the ratios to hello.
func BenchmarkCheckProcess(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()

	build := func(out string, env []string, args ...string) string {
		bin := filepath.Join(dir, out)
		cmd := exec.Command("go", append([]string{"build", "-trimpath", "-ldflags=-s -w", "-o", bin}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		msg, err := cmd.CombinedOutput()
		require.NoError(b, err, "%s", msg)
		return bin
	}
	src := filepath.Join(dir, "hello", "main.go")
	require.NoError(b, os.MkdirAll(filepath.Dir(src), 0o755))
	require.NoError(b, os.WriteFile(src, []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644))
	hello := build("hello.bin", []string{"GOFLAGS=", "GO111MODULE=off", "CGO_ENABLED=0"}, src)
	small := build("licdesk-check", []string{"CGO_ENABLED=0", "GOFLAGS=-tags=migrated_fynedo,release"}, "./cmd/licdesk-check")
	big := build("licdesk", []string{"GOFLAGS=-tags=migrated_fynedo,release"}, ".")

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

	env := append(os.Environ(), "LICDESK_HOME="+home, "LICDESK_SECRETS=file")
	run := func(b *testing.B, name string, args ...string) {
		for b.Loop() {
			cmd := exec.Command(name, args...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%v: %s", err, out)
			}
		}
	}
	b.Run("hello", func(b *testing.B) { run(b, hello) })
	b.Run("licdesk_check_program", func(b *testing.B) { run(b, small, "Bench Product") })
	b.Run("licdesk_version", func(b *testing.B) { run(b, big, "--version") })
	b.Run("licdesk_check", func(b *testing.B) { run(b, big, "check", "Bench Product") })
}
