package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

// buildCheckProgram builds licdesk-check as the packages do (static, no
// cgo) into a folder of the test's.
func buildCheckProgram(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "licdesk-check")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/licdesk-check")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(tb, err, "%s", out)
	return bin
}

// ran is what one process printed and how it exited.
type ran struct {
	stdout, stderr string
	code           int
}

// setBackAt is the process's own clock in the clock-set-back reason.
var setBackAt = regexp.MustCompile(`(set back to )\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`)

func runProcess(tb testing.TB, env []string, name string, args ...string) ran {
	tb.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(tb, err)
	}
	return ran{out.String(), errb.String(), code}
}

// checkProfile is a profile folder with a license of product "Checked"
// built by setup on this machine, whose real fingerprint is fp.
type checkProfile struct {
	name  string
	setup func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time)
	args  []string
	code  int
	// first is the code of the first failure (or warning, for a pass).
	first machine.Code
}

func activation(fp core.Fingerprint, now time.Time) licensefile.Payload {
	return licensefile.Payload{Kind: licensefile.KindActivation, LicenseID: "LIC-CHK", Product: "Checked",
		Edition: "Professional", Modules: []string{"render"}, Owner: "Acme Ltd", Fingerprint: fp,
		Issued: now.Add(-time.Hour), Expiry: now.AddDate(1, 0, 0), ActivationID: "ACT-CHK"}
}

func install(t *testing.T, st *machine.Store, portal licensefile.Signer, p licensefile.Payload, at time.Time, fp core.Fingerprint) {
	t.Helper()
	file, err := portal.Sign(p)
	require.NoError(t, err)
	_, err = st.Install(context.Background(), file, at, fp)
	require.NoError(t, err)
}

func TestCheckProgram_AnswersAsLicdeskCheckDoes(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the profiles are built on this machine's real fingerprint; Linux CI")
	}
	ctx := context.Background()
	checker := buildCheckProgram(t)
	self, err := os.Executable()
	require.NoError(t, err)
	fp, err := machine.Collect(ctx)
	require.NoError(t, err)
	seed := sha256.Sum256([]byte("check program portal"))
	portal, err := licensefile.NewSigner(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(t, err)

	valid := func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
		install(t, st, portal, activation(fp, now), now, fp)
	}
	profiles := []checkProfile{
		{"a valid activation passes", valid, nil, 0, ""},
		{"a module the license has passes", valid, []string{"--module", "render"}, 0, ""},
		{"a missing module fails", valid, []string{"--module", "cam"}, 1, machine.CodeModuleMissing},
		{"nothing installed is not activated", func(*testing.T, *machine.Store, string, licensefile.Signer, core.Fingerprint, time.Time) {}, nil, 1, machine.CodeNotActivated},
		{"an expired license fails", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			p := activation(fp, now.AddDate(0, -3, 0))
			p.Expiry = now.AddDate(0, -1, 0)
			install(t, st, portal, p, now.AddDate(0, -2, 0), fp)
		}, nil, 1, machine.CodeExpired},
		{"expiry near is a warning", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			p := activation(fp, now)
			p.Expiry = now.AddDate(0, 0, 5)
			install(t, st, portal, p, now, fp)
		}, nil, 0, machine.CodeExpiringSoon},
		{"an ended lease fails", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			p := activation(nil, now.AddDate(0, 0, -40))
			p.Kind, p.ActivationID, p.Assignee, p.LeaseEnd = licensefile.KindLease, "", "ana@acme.example", now.AddDate(0, 0, -10)
			install(t, st, portal, p, now.AddDate(0, 0, -40), fp)
		}, nil, 1, machine.CodeLeaseEnded},
		{"a changed machine runs in grace with a warning", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			old := core.Fingerprint{}
			for k, v := range fp {
				old[k] = v
				if k != core.ComponentMachineID {
					old[k] = "00000000000000000000000000000000"
				}
			}
			install(t, st, portal, activation(old, now), now, old)
		}, nil, 0, machine.CodeHardwareChanged},
		{"another machine's license fails", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			other := core.Fingerprint{}
			for k := range fp {
				other[k] = "11111111111111111111111111111111"
			}
			// Installed on this machine, then its file replaced by another
			// machine's (Install itself refuses one).
			install(t, st, portal, activation(fp, now), now, fp)
			file, err := portal.Sign(activation(other, now))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(home, "licenses", machine.Slug("Checked")+".lic"), file, 0o600))
		}, nil, 1, machine.CodeOtherMachine},
		{"a changed byte fails the signature", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			install(t, st, portal, activation(fp, now), now, fp)
			path := filepath.Join(home, "licenses", machine.Slug("Checked")+".lic")
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			i := bytes.Index(b, []byte("\n")) + 10
			b[i] ^= 0x01
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}, nil, 1, machine.CodeSignature},
		{"a clock set back fails", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			install(t, st, portal, activation(fp, now), now.AddDate(0, 0, 3), fp)
		}, nil, 1, machine.CodeClockSetBack},
		{"a deleted offline state fails", func(t *testing.T, st *machine.Store, home string, portal licensefile.Signer, fp core.Fingerprint, now time.Time) {
			install(t, st, portal, activation(fp, now), now, fp)
			require.NoError(t, os.Remove(filepath.Join(home, "state.json")))
			matches, _ := filepath.Glob(filepath.Join(os.Getenv(machine.EnvStateDir), "*.json"))
			for _, m := range matches {
				if strings.Contains(m, machine.Slug(home)) {
					require.NoError(t, os.Remove(m))
				}
			}
		}, nil, 1, machine.CodeStateMissing},
		{"no product is a usage error", valid, []string{}, 2, ""},
		{"an unknown flag is a usage error", valid, []string{"--frobnicate"}, 2, ""},
	}
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			home := t.TempDir()
			st, err := machine.OpenStore(home)
			require.NoError(t, err)
			_, err = st.Trust(ctx, licensefile.TrustedKeys{portal.KeyID: portal.Public()})
			require.NoError(t, err)
			p.setup(t, st, home, portal, fp, time.Now())
			env := append(os.Environ(), envBeLicdesk+"=1", machine.EnvHome+"="+home, "LICDESK_SECRETS=file")
			args := []string{"Checked"}
			if p.code == 2 {
				args = nil
			}
			args = append(args, p.args...)
			for _, format := range [][]string{nil, {"--json"}} {
				a := append(append([]string{}, args...), format...)
				small := runProcess(t, env, checker, a...)
				big := runProcess(t, env, self, append([]string{"check"}, a...)...)
				assert.Equal(t, big.code, small.code, "exit code of %v", a)
				assert.Equal(t, p.code, small.code, "exit code of %v: %s", a, small.stderr)
				// The clock-set-back reason names the moment each process ran,
				// which may be a second apart: that instant is not compared.
				assert.Equal(t, setBackAt.ReplaceAllString(big.stdout, "$1NOW"), setBackAt.ReplaceAllString(small.stdout, "$1NOW"),
					"standard output of %v", a)
				assert.Equal(t, setBackAt.ReplaceAllString(strings.ReplaceAll(big.stderr, "licdesk check: ", ""), "$1NOW"),
					setBackAt.ReplaceAllString(strings.ReplaceAll(small.stderr, "licdesk-check: ", ""), "$1NOW"),
					"stderr lines of %v, the program's name aside", a)
				if format != nil && p.code != 2 {
					var out struct {
						OK       bool             `json:"ok"`
						Reasons  []machine.Reason `json:"reasons"`
						Warnings []machine.Reason `json:"warnings"`
					}
					require.NoError(t, json.Unmarshal([]byte(small.stdout), &out), small.stdout)
					assert.Equal(t, p.code == 0, out.OK)
					got := out.Reasons
					if p.code == 0 {
						got = out.Warnings
					}
					if p.first == "" {
						assert.Empty(t, got)
					} else if assert.NotEmpty(t, got) {
						assert.Equal(t, p.first, got[0].Code, "%+v", got)
					}
				}
			}
		})
	}
}

// TestCheckProgram_IsStaticWithoutWindowDatabaseOrHTTP holds licdesk-check
// to what it is for: a static binary whose packages and modules leave out
// the window (Fyne), the cache's database driver and the HTTP client.
func TestCheckProgram_IsStaticWithoutWindowDatabaseOrHTTP(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./cmd/licdesk-check").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/licdesk/licdesk/checkcmd")
	for _, d := range deps {
		assert.False(t, strings.HasPrefix(d, "fyne.io/"), "licdesk-check links %s", d)
		assert.False(t, strings.Contains(d, "sqlite"), "licdesk-check links %s", d)
		assert.False(t, strings.HasPrefix(d, "net/http"), "licdesk-check links %s", d)
		if own, ok := strings.CutPrefix(d, "github.com/licdesk/licdesk/"); ok {
			assert.Contains(t, []string{"cmd/licdesk-check", "checkcmd", "machine", "version", "core", "core/activation", "core/licensefile"},
				own, "licdesk-check links %s", d)
		}
	}

	bin := buildCheckProgram(t)
	info, err := buildinfo.ReadFile(bin)
	require.NoError(t, err)
	for _, m := range info.Deps {
		assert.False(t, strings.HasPrefix(m.Path, "fyne.io/"), "licdesk-check's binary holds %s", m.Path)
		assert.NotContains(t, m.Path, "sqlite", "licdesk-check's binary holds %s", m.Path)
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" {
			assert.Equal(t, "0", s.Value, "built without cgo")
		}
	}
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		require.NoError(t, err)
		defer f.Close()
		for _, p := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "static: no dynamic loader")
		}
	}
}
