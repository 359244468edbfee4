package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/portaltest"
)

// user is one person's licdesk profile on this machine.
type user struct {
	t    *testing.T
	home string
}

type result struct {
	code           int
	stdout, stderr string
}

func newUser(t *testing.T) *user { return &user{t: t, home: t.TempDir()} }

func (u *user) run(stdin string, args ...string) result {
	u.t.Helper()
	return u.runCtx(context.Background(), stdin, args...)
}

// runCtx runs licdesk until ctx ends (Ctrl+C cancels main's context).
func (u *user) runCtx(ctx context.Context, stdin string, args ...string) result {
	u.t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"LICDESK_HOME": u.home, "LICDESK_SECRETS": "file"}
	env := cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }, Now: time.Now}
	code := cli.Run(ctx, args, env)
	return result{code, out.String(), errb.String()}
}

// ok runs a command that must succeed and returns its stdout.
func (u *user) ok(args ...string) string {
	u.t.Helper()
	r := u.run("", args...)
	require.Equal(u.t, 0, r.code, "licdesk %v: %s", args, r.stderr)
	return r.stdout
}

func (u *user) login(p *portaltest.Portal, email, password string) {
	u.t.Helper()
	r := u.run(password+"\n", "login", "--portal", p.URL, "--email", email, "--password-stdin")
	require.Equal(u.t, 0, r.code, r.stderr)
	require.Contains(u.t, r.stdout, "logged in as "+email)
}

func (u *user) solutions() []api.Solution {
	u.t.Helper()
	var sols []api.Solution
	require.NoError(u.t, json.Unmarshal([]byte(u.ok("solutions", "--json", "--offline")), &sols))
	return sols
}

func licenseOf(t *testing.T, sols []api.Solution, product string) api.Solution {
	t.Helper()
	for _, s := range sols {
		if s.Product == product {
			return s
		}
	}
	t.Fatalf("no %s license", product)
	return api.Solution{}
}

func seeded(t *testing.T) *portaltest.Portal {
	p := portaltest.Start(t)
	p.Seed()
	return p
}

func TestLogin_SavesTheTokenOutsideTheCacheAndSyncs(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	r := ana.run("demo-password\n", "login", "--portal", p.URL, "--email", "ana@acme.example", "--password-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "synced:")
	assert.Contains(t, r.stdout, "no system keyring answered", "the file fallback says so")

	info, err := os.Stat(filepath.Join(ana.home, "secrets.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	cache, err := os.ReadFile(filepath.Join(ana.home, "cache.db"))
	require.NoError(t, err)
	if wal, err := os.ReadFile(filepath.Join(ana.home, "cache.db-wal")); err == nil {
		cache = append(cache, wal...)
	}
	secrets, err := os.ReadFile(filepath.Join(ana.home, "secrets.json"))
	require.NoError(t, err)
	var tokens map[string]string
	require.NoError(t, json.Unmarshal(secrets, &tokens))
	for _, tok := range tokens {
		assert.NotContains(t, string(cache), tok, "the token never reaches the cache")
	}
	assert.NotContains(t, string(cache), "demo-password")

	status := ana.ok("status")
	assert.Contains(t, status, "online:       yes")
	assert.Contains(t, status, "no system keyring answered")
	assert.Contains(t, status, "ana@acme.example")
}

func TestLogin_WrongPasswordIsOneLineAndExitsNonZero(t *testing.T) {
	p := seeded(t)
	r := newUser(t).run("nope-nope-nope\n", "login", "--portal", p.URL, "--email", "ana@acme.example", "--password-stdin")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "licdesk login: wrong e-mail or password\n", r.stderr)
}

func TestCommands_RefuseBadUsageWithOneLine(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"seats assign needs a license", []string{"seats", "assign", "--email", "x@y.example"}, 2, "--license is required"},
		{"an unknown flag", []string{"solutions", "--colour"}, 2, "-colour"},
		{"an unknown subcommand", []string{"seats", "juggle"}, 2, "want list, assign, remove or reassign"},
		{"a malformed e-mail changes nothing", []string{"seats", "assign", "--license", "lic_x", "--email", "not-an-email"}, 1, "e-mail"},
		{"a license not in the cache", []string{"seats", "list", "--license", "lic_nope", "--offline"}, 1, "no license lic_nope"},
		{"an install key is activation's business", []string{"keys", "add", "INS-M5A6W-JBACQ-Q9EGP-CPTG4-QG7XE"}, 1, "licdesk activate"},
		{"a password without a terminal", []string{"login", "--portal", p.URL, "--email", "ana@acme.example"}, 2, "--password-stdin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ana.run("", tt.args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.msg)
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
		})
	}
	pending := ana.ok("status", "--json")
	assert.Contains(t, pending, `"pending": []`, "nothing was queued by a refused command line")
}

func TestCommands_NotLoggedInSaysHowToLogIn(t *testing.T) {
	r := newUser(t).run("", "solutions")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "not logged in: run licdesk login")
}

// The seat story from the command line: the owner assigns a colleague,
// lists the seats, removes them; then, offline, queues writes that land
// once the portal is back.
func TestSeatStory_OnlineThenOffline(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick")

	out := ana.ok("seats", "assign", "--license", lic.LicenseID, "--email", "dora@acme.example")
	assert.Contains(t, out, "done:")
	assert.Contains(t, out, "dora@acme.example")
	out = ana.ok("seats", "list", "--license", lic.LicenseID)
	assert.Regexp(t, `pending\s+dora@acme.example`, out)

	r := ana.run("", "seats", "assign", "--license", lic.LicenseID, "--email", "dora@acme.example")
	assert.Equal(t, 1, r.code)
	assert.Equal(t, "licdesk seats: refused: that e-mail already holds a seat of this license\n", r.stderr)
	assert.Contains(t, ana.ok("status"), "[seat.duplicate]", "status keeps the refused write")
	assert.Contains(t, ana.ok("sync", "--dismiss-failed"), "dismissed 1")

	p.Stop()
	r = ana.run("", "seats", "remove", "--license", lic.LicenseID, "--email", "dora@acme.example")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "queued: will be sent when the portal is reachable")
	r = ana.run("", "seats", "list", "--license", lic.LicenseID)
	require.Equal(t, 0, r.code)
	assert.NotContains(t, r.stdout, "dora@acme.example", "the queued removal shows at once")
	assert.Contains(t, r.stderr, "offline")
	r = ana.run("", "solutions")
	assert.Contains(t, r.stdout, lic.LicenseID+" *", "a license with writes in flight is marked")
	status := ana.ok("status")
	assert.Contains(t, status, "online:       no")
	assert.Contains(t, status, "waiting:      1 writes")
	assert.Equal(t, 1, ana.run("", "sync").code, "sync fails while the portal is away")

	p.Start()
	out = ana.ok("sync")
	assert.Contains(t, out, "sent 1 writes, 0 refused")
	assert.Contains(t, ana.ok("status"), "waiting:      0 writes")
	var seats []api.Seat
	require.NoError(t, json.Unmarshal([]byte(ana.ok("seats", "list", "--license", lic.LicenseID, "--json")), &seats))
	for _, s := range seats {
		assert.NotEqual(t, "dora@acme.example", s.Email)
	}
}

// The adoption story: Ana holds Eberick from Acme and from Beta and picks
// which one the program runs with.
func TestAdoptionStory_AdoptOfflineThenLand(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	var assigned []api.AssignedProduct
	require.NoError(t, json.Unmarshal([]byte(ana.ok("assigned", "--json")), &assigned))
	require.Len(t, assigned, 1)
	var other api.AssignedLicense
	for _, l := range assigned[0].Licenses {
		if l.LicenseID != assigned[0].Effective {
			other = l
		}
	}
	require.NotEmpty(t, other.LicenseID)
	assert.Contains(t, ana.ok("assigned"), "this (default)")

	p.Stop()
	assert.Contains(t, ana.ok("adopt", "--license", other.LicenseID), "queued")
	assert.Regexp(t, other.LicenseID+`.*this \(adopted\)`, ana.ok("assigned", "--offline"))
	p.Start()
	out := ana.ok("adopt", "--license", other.LicenseID)
	assert.Contains(t, out, "now runs with license "+other.LicenseID)
	assert.Regexp(t, other.LicenseID+`.*this \(adopted\)`, ana.ok("assigned"))
}

func TestReads_PrintJSONOfflineForEveryCommand(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	p.Stop()
	for _, args := range [][]string{
		{"solutions"}, {"assigned"}, {"orders", "list"}, {"products", "list"}, {"keys", "list"},
		{"downloads", "list"}, {"support", "list"}, {"news", "list"}, {"status"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := ana.run("", append(args, "--json")...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.True(t, json.Valid([]byte(r.stdout)), r.stdout)
			r = ana.run("", args...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.NotEmpty(t, r.stdout)
		})
	}
}

func TestContent_SupportKeysNewsAndDownloads(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")

	out := ana.ok("support", "new", "--product", "Eberick", "--title", "Export fails", "--description", "DWG export stops at 50%")
	assert.Regexp(t, `done: opened SR-\d+ \(open\): Export fails`, out)
	var reqs []api.ServiceRequest
	require.NoError(t, json.Unmarshal([]byte(ana.ok("support", "list", "--json")), &reqs))
	var id string
	for _, r := range reqs {
		if r.Title == "Export fails" {
			id = r.ID
		}
	}
	require.NotEmpty(t, id)
	assert.NotContains(t, id, "local-", "the portal's ID replaced the local one")
	assert.Contains(t, ana.ok("support", "comment", id, "--body", "Also with DXF"), "commented on "+id)
	assert.Contains(t, ana.ok("support", "show", id), "Also with DXF")

	p.Stop()
	out = ana.ok("support", "new", "--product", "QiBuilder", "--title", "Offline one", "--description", "made on a plane")
	assert.Contains(t, out, "queued")
	assert.Regexp(t, `local-[0-9a-f]+\s+QiBuilder\s+Offline one\s+open`, ana.ok("support", "list", "--offline"))
	p.Start()
	ana.ok("sync")
	list := ana.ok("support", "list")
	assert.Regexp(t, `SR-\d+\s+QiBuilder\s+Offline one`, list)
	assert.NotContains(t, list, "local-")

	assert.Contains(t, ana.ok("news", "list", "--new"), "new")
	ana.ok("news", "read")
	assert.NotContains(t, ana.ok("news", "list", "--new"), "new ")

	out = ana.ok("keys", "get", "--serial", portal.DemoSerial, "--company", "Acme", "--person", "Ana Souza",
		"--address", "Rua 1, Sao Paulo", "--country", "BR", "--yes")
	assert.Contains(t, out, "done: license key LIC-")
	assert.Contains(t, ana.ok("keys", "list"), "10 devices")

	var files []api.DownloadFile
	require.NoError(t, json.Unmarshal([]byte(ana.ok("downloads", "list", "--json")), &files))
	require.NotEmpty(t, files)
	dir := t.TempDir()
	out = ana.ok("downloads", "get", files[0].ID, "--out", dir)
	assert.Contains(t, out, "SHA-256 verified")
	info, err := os.Stat(filepath.Join(dir, files[0].Name))
	require.NoError(t, err)
	assert.Equal(t, files[0].Size, info.Size())
}

func TestSignupThenLogout_ForgetsTheTokenAndTheCopy(t *testing.T) {
	p := seeded(t)
	bob := newUser(t)
	r := bob.run("a long enough password\n", "signup", "--portal", p.URL, "--email", "Bob@New.example", "--password-stdin", "--name", "Bob")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "signed up and logged in as bob@new.example")
	assert.Contains(t, bob.ok("status"), "Bob <bob@new.example>")
	assert.Equal(t, "[]\n", bob.ok("solutions", "--json"), "a new account has no licenses")

	// Bob enters the code from his mailbox; the address is then taken.
	p.Verify("bob@new.example")
	r = bob.run("a long enough password\n", "signup", "--portal", p.URL, "--email", "bob@new.example", "--password-stdin")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "an account already exists for this e-mail")

	p.Stop()
	bob.ok("products", "register", "--number", "NOPE-1")
	r = bob.run("", "logout")
	assert.Equal(t, 1, r.code, "a write still waits")
	assert.Contains(t, r.stderr, "1 writes are still waiting")
	out := bob.ok("logout", "--discard-pending")
	assert.Contains(t, out, "logged out bob@new.example")
	_, err := os.Stat(filepath.Join(bob.home, "secrets.json"))
	assert.True(t, os.IsNotExist(err), "the token is gone")
	r = bob.run("", "solutions")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "not logged in")

	p.Start()
	r = bob.run("a long enough password\n", "login", "--email", "bob@new.example", "--password-stdin")
	require.Equal(t, 0, r.code, "the portal's address is remembered: %s", r.stderr)
}

func TestSync_RenewsTheLeaseOfEveryAssignedProductSoCheckPassesOffline(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	assert.Contains(t, ana.ok("sync"), "renewed 1 leases")
	p.Stop()
	after := ana.run("", "check", "Eberick")
	assert.Equal(t, 0, after.code, "the lease checks offline: %s", after.stderr)
}
