package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/portal/portaltest"
	"github.com/licdesk/licdesk/portal/store"
)

// fieldMachine is a profile on a machine whose hardware and clock the test
// sets, in-process (the binary has no way to fake either).
type fieldMachine struct {
	t    *testing.T
	home string
	now  time.Time
	hw   machine.Identifiers
	// password is what standard input holds (portaltest.Password when "").
	password string
}

func newFieldMachine(t *testing.T, hw machine.Identifiers) *fieldMachine {
	return &fieldMachine{t: t, home: t.TempDir(), now: time.Now(), hw: hw}
}

func (m *fieldMachine) run(args ...string) result {
	m.t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"LICDESK_HOME": m.home, "LICDESK_SECRETS": "file"}
	hw := m.hw
	pw := m.password
	if pw == "" {
		pw = portaltest.Password
	}
	env := cli.Env{Stdin: strings.NewReader(pw + "\n"), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }, Now: func() time.Time { return m.now },
		Hardware: machine.SourceFunc(func(context.Context) (machine.Identifiers, error) { return hw, nil })}
	code := cli.Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func (m *fieldMachine) ok(args ...string) string {
	m.t.Helper()
	r := m.run(args...)
	require.Equal(m.t, 0, r.code, "licdesk %v: %s", args, r.stderr)
	return r.stdout
}

func (m *fieldMachine) fails(args ...string) result {
	m.t.Helper()
	r := m.run(args...)
	require.NotEqual(m.t, 0, r.code, "licdesk %v should fail: %s", args, r.stdout)
	return r
}

func laptop() machine.Identifiers {
	return machine.Identifiers{MachineID: "aa11bb22cc33dd44ee55ff6600778899", BoardUUID: "4c4c4544-0042-3510-8052-b2c04f4b3732",
		CPUVendor: "GenuineIntel", CPUFamily: "6", CPUModel: "140", MemoryBytes: 16 << 30,
		MACs: []string{"3c:7c:3f:12:34:56"}, DiskSerial: "S4EWNX0R123456"}
}

func desktop() machine.Identifiers {
	return machine.Identifiers{MachineID: "0f0e0d0c0b0a09080706050403020100", CPUVendor: "AuthenticAMD", CPUFamily: "25",
		CPUModel: "33", MemoryBytes: 64 << 30, MACs: []string{"a4:bb:6d:00:11:22"}}
}

// keyedPortal is a portal with Bruno's account holding a license key for
// one machine, and Bruno's profile logged in on his desktop.
func keyedPortal(t *testing.T) (*portaltest.Portal, *fieldMachine, core.Key) {
	t.Helper()
	p := portaltest.Start(t)
	_, account := p.SignUp("bruno@acme.example", "Bruno")
	key, err := p.Store.IssueKey(context.Background(), account, store.KeySpec{Product: "CAD Studio",
		Edition: core.EditionProfessional, Modules: []string{"render", "cam"}, Capacity: 1, Months: 12})
	require.NoError(t, err)
	b := newFieldMachine(t, desktop())
	out := b.ok("login", "--portal", p.URL, "--email", "bruno@acme.example", "--password-stdin")
	require.Contains(t, out, "trusting the portal's signing keys")
	return p, b, key
}

// portalKeysFile is the portal's public key document, as an operator hands
// it to a field machine.
func portalKeysFile(t *testing.T, p *portaltest.Portal) string {
	t.Helper()
	resp, err := http.Get(p.URL + api.WellKnownKeysPath)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "licdesk-keys.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// TestFieldStory plays issue 6's story on one machine with two profiles:
// A (never logged in, trusting the portal key) writes a request; B (logged
// in) fulfils it; A imports the response and check passes; a byte changed
// in the response fails; a hardware change shows the grace warning and
// fails after 7 days; a clock set back fails; deactivation by receipt frees
// the activation on the portal.
func TestFieldStory(t *testing.T) {
	p, b, key := keyedPortal(t)
	a := newFieldMachine(t, laptop())
	dir := t.TempDir()
	req, resp, receipt := filepath.Join(dir, "req.txt"), filepath.Join(dir, "resp.txt"), filepath.Join(dir, "receipt.txt")

	// A trusts the portal's key from the document the operator handed out.
	assert.Contains(t, a.ok("trust", "add", portalKeysFile(t, p)), "now trusting")
	assert.Equal(t, strings.TrimSpace(b.ok("trust", "list")), strings.TrimSpace(a.ok("trust", "list")), "the same key as pinned at B's login")

	// A writes the request: file, QR code on the terminal, PNG beside it.
	out := a.ok("activate", "--request", req, string(key), "--machine", "field-laptop")
	assert.Contains(t, out, "█")
	assert.Contains(t, out, "activation request for "+string(key))
	png, err := os.ReadFile(filepath.Join(dir, "req.png"))
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")))
	reqText, err := os.ReadFile(req)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(reqText, []byte("-----BEGIN LICENSE DESK ACTIVATION REQUEST-----\n")))

	a.fails("check", "CAD Studio")

	// B fulfils it.
	assert.Contains(t, b.ok("activate", "--fulfil", req, "--out", resp), `for machine "field-laptop"`)
	good, err := os.ReadFile(resp)
	require.NoError(t, err)

	// A byte changed on the way: refused, nothing installed.
	bad := bytes.Clone(good)
	lines := bytes.SplitAfter(good, []byte("\n"))
	at := len(lines[0]) + len(lines[1]) + 10 // inside the signed body
	bad[at] = map[bool]byte{true: 'B', false: 'A'}[bad[at] == 'A']
	badPath := filepath.Join(dir, "bad.txt")
	require.NoError(t, os.WriteFile(badPath, bad, 0o644))
	r := a.fails("activate", "--response", badPath)
	assert.Contains(t, r.stderr, "licdesk activate: ")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line")
	r = a.fails("check", "CAD Studio")
	assert.Contains(t, r.stderr, "not_activated")

	// A imports the real one; check passes.
	assert.Contains(t, a.ok("activate", "--response", resp), "activated CAD Studio on this machine")
	assert.Contains(t, a.ok("check", "CAD Studio", "--module", "render"), "valid: CAD Studio")
	// The same response again is a replay.
	r = a.fails("activate", "--response", resp)
	assert.Contains(t, r.stderr, "no activation request is waiting")

	// A hardware change: two of six parts remain; grace, then refused.
	changedAt := a.now
	a.hw.MachineID, a.hw.BoardUUID, a.hw.DiskSerial, a.hw.MemoryBytes = "11111111111111111111111111111111", "", "NEWDISK", 32<<30
	r = a.run("check", "CAD Studio")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "licdesk check: warning: hardware_changed:")
	assert.Contains(t, r.stderr, "7 more days")
	a.now = changedAt.Add(3*core.Day + time.Hour)
	r = a.run("check", "CAD Studio", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var js struct {
		OK            bool `json:"ok"`
		GraceDaysLeft int  `json:"grace_days_left"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &js))
	assert.True(t, js.OK)
	assert.Equal(t, 4, js.GraceDaysLeft)
	a.now = changedAt.Add(7*core.Day + time.Minute)
	r = a.fails("check", "CAD Studio")
	assert.Contains(t, r.stderr, "hardware_changed: hardware changed and grace over")

	// The old parts back: valid again. Then the clock set back: refused.
	a.hw = laptop()
	a.ok("check", "CAD Studio")
	a.now = changedAt.Add(core.Day)
	r = a.fails("check", "CAD Studio")
	assert.Contains(t, r.stderr, "clock_set_back: the system clock was set back to")

	// Deactivation by receipt frees the activation on the portal.
	a.now = time.Now()
	assert.Contains(t, a.ok("deactivate", "--receipt", receipt), "deactivated CAD Studio")
	a.fails("check", "CAD Studio")
	assert.Contains(t, b.ok("deactivate", "--submit", receipt), "is freed")
	r = b.fails("deactivate", "--submit", receipt)
	assert.Contains(t, r.stderr, "licdesk deactivate:")

	// Freed: the one-machine key activates again (here on B, online).
	assert.Contains(t, b.ok("activate", string(key)), "activated CAD Studio on this machine")
	b.ok("check", "CAD Studio")
}

func TestActivate_ResponseForAnotherMachineIsRefused(t *testing.T) {
	p, b, key := keyedPortal(t)
	a := newFieldMachine(t, laptop())
	dir := t.TempDir()
	a.ok("trust", "add", portalKeysFile(t, p))
	a.ok("activate", "--request", filepath.Join(dir, "req.txt"), string(key))
	b.ok("activate", "--fulfil", filepath.Join(dir, "req.txt"), "--out", filepath.Join(dir, "resp.txt"))

	// The same profile folder carried to another machine.
	a.hw = desktop()
	r := a.fails("activate", "--response", filepath.Join(dir, "resp.txt"))
	assert.Contains(t, r.stderr, "hardware_changed: this response answers a request written on another machine")
	a.hw = laptop()
	a.ok("activate", "--response", filepath.Join(dir, "resp.txt"))
}

func TestActivate_ResponseNeedsTrust(t *testing.T) {
	p, b, key := keyedPortal(t)
	a := newFieldMachine(t, laptop())
	dir := t.TempDir()
	a.ok("activate", "--request", filepath.Join(dir, "req.txt"), string(key))
	b.ok("activate", "--fulfil", filepath.Join(dir, "req.txt"), "--out", filepath.Join(dir, "resp.txt"))
	r := a.fails("activate", "--response", filepath.Join(dir, "resp.txt"))
	assert.Contains(t, r.stderr, "trusts no portal key")
	a.ok("trust", "add", portalKeysFile(t, p))
	a.ok("activate", "--response", filepath.Join(dir, "resp.txt"))
}

func TestActivate_OnlineAndDeactivateOnline(t *testing.T) {
	_, b, key := keyedPortal(t)
	out := b.ok("activate", string(key), "--json")
	var got struct {
		ActivationID string `json:"activation_id"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.NotEmpty(t, got.ActivationID)
	b.ok("check", "CAD Studio")
	assert.Contains(t, b.ok("deactivate"), "deactivated CAD Studio")
	r := b.fails("check", "CAD Studio")
	assert.Contains(t, r.stderr, "not_activated")
	// Freed on the portal: activating again works.
	b.ok("activate", string(key))
}

func TestTrust_BadFileChangesNothing(t *testing.T) {
	a := newFieldMachine(t, laptop())
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"keys":[{"kid":"x","alg":"RSA","public_key":"AA=="}]}`), 0o644))
	r := a.fails("trust", "add", path)
	assert.Contains(t, r.stderr, "licdesk trust: ")
	assert.Contains(t, a.ok("trust", "list"), "no portal key trusted yet")
}

func TestCheck_OneLinePerFailureAndUsage(t *testing.T) {
	a := newFieldMachine(t, laptop())
	r := a.fails("check")
	assert.Equal(t, 2, r.code)
	r = a.fails("check", "Nothing Here", "--json")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "licdesk check: not_activated: no license for Nothing Here on this machine: activate its key (licdesk activate KEY) or adopt a license assigned to you (licdesk adopt)\n", r.stderr)
	var js map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &js))
	assert.Equal(t, false, js["ok"])
}

func TestLaunch_RunsTheProgramOnlyAfterASuccessfulCheck(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake program is a shell script")
	}
	_, b, key := keyedPortal(t)
	prog := filepath.Join(t.TempDir(), "cad-studio")
	require.NoError(t, os.WriteFile(prog, []byte("#!/bin/sh\necho \"started with $LICDESK_LICENSE_FILE $*\"\n"), 0o755))

	r := b.fails("launch", "CAD Studio")
	assert.Contains(t, r.stderr, "no program is set")
	b.ok("launch", "--set-program", "CAD Studio", prog)

	r = b.fails("launch", "CAD Studio", "--", "--open", "part.dwg")
	assert.Contains(t, r.stderr, "CAD Studio does not start: activate its key")
	assert.NotContains(t, r.stdout, "started")

	b.ok("activate", string(key))
	out := b.ok("launch", "CAD Studio", "--", "--open", "part.dwg")
	assert.Contains(t, out, "started with "+filepath.Join(b.home, "licenses", machine.Slug("CAD Studio")+".lic")+" --open part.dwg")
}

func TestLaunch_RenewsTheCloudLoginLease(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake program is a shell script")
	}
	p := portaltest.Start(t)
	_, account := p.SignUp("carla@acme.example", "Carla")
	p.Issue(account, "Viewer", 2)
	c := newFieldMachine(t, desktop())
	c.ok("login", "--portal", p.URL, "--email", "carla@acme.example", "--password-stdin")
	sols := []api.Solution{}
	require.NoError(t, json.Unmarshal([]byte(c.ok("solutions", "--json", "--offline")), &sols))
	require.NotEmpty(t, sols)
	c.ok("seats", "assign", "--license", sols[0].LicenseID, "--email", "carla@acme.example")
	prog := filepath.Join(t.TempDir(), "viewer")
	require.NoError(t, os.WriteFile(prog, []byte("#!/bin/sh\necho viewer running\n"), 0o755))
	c.ok("launch", "--set-program", "Viewer", prog)

	assert.Contains(t, c.ok("launch", "Viewer"), "viewer running")
	out := c.ok("check", "Viewer", "--json")
	assert.Contains(t, out, `"kind": "lease"`)
}
