package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/portaltest"
	"github.com/licdesk/licdesk/portal/store"
)

func TestSolutionsAndSeats_TablesShowModulesContractStartAndRenewal(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick")

	table := ana.ok("solutions")
	for _, want := range []string{"MODULES", "CONTRACT", "START", "RENEWAL", "Concrete, Foundations", "ACME-EB-2026",
		lic.ContractStart.UTC().Format("2006-01-02"), lic.AutoRenewal.UTC().Format("2006-01-02")} {
		assert.Contains(t, table, want)
	}
	seats := ana.ok("seats", "list", "--license", lic.LicenseID)
	assert.Contains(t, seats, "modules: Concrete, Foundations; contract ACME-EB-2026 from "+lic.ContractStart.UTC().Format("2006-01-02"))
	assert.Contains(t, seats, "renewal "+lic.AutoRenewal.UTC().Format("2006-01-02"))
}

func TestSubscriptions_PhaseDaysLeftStopDateAndTheRenewAction(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	betaID := betaEberick(t, ana)

	var subs []struct {
		api.Subscription
		Action string `json:"action"`
	}
	require.NoError(t, json.Unmarshal([]byte(ana.ok("subscriptions", "--json")), &subs))
	var beta *api.Subscription
	for i, s := range subs {
		if s.ID == betaID {
			beta = &subs[i].Subscription
			assert.Equal(t, "renew", subs[i].Action)
		}
	}
	require.NotNil(t, beta, "Beta's Eberick, which Ana runs with")
	assert.Equal(t, "warning", beta.Phase)
	assert.InDelta(t, 8, beta.DaysLeft, 1)
	require.NotNil(t, beta.StopsIfUnreachable)
	table := ana.ok("subscriptions")
	assert.Contains(t, table, beta.StopsIfUnreachable.UTC().Format("2006-01-02"))
	assert.Contains(t, table, "warning")

	// Out of reach of the portal, the same subscription counts down.
	p.Stop()
	r := ana.run("", "subscriptions")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "countdown")
	assert.Contains(t, r.stderr, "did not answer")

	// The owner's solutions show the action on the license ending in 8
	// days and not renewed.
	p.Start()
	bruno := newUser(t)
	bruno.login(p, "bruno@beta.example", "demo-password")
	assert.Regexp(t, `Eberick\s+enterprise.*valid\s+renew`, bruno.ok("solutions"))
}

// betaEberick is Beta's license of Eberick among those assigned to Ana.
func betaEberick(t *testing.T, u *user) string {
	t.Helper()
	var ps []api.AssignedProduct
	require.NoError(t, json.Unmarshal([]byte(u.ok("assigned", "--json")), &ps))
	for _, p := range ps {
		for _, l := range p.Licenses {
			if p.Product == "Eberick" && l.OwnerName == "Beta Projetos" {
				return l.LicenseID
			}
		}
	}
	t.Fatal("no Eberick from Beta")
	return ""
}

func keysOf(t *testing.T, m *fieldMachine) []api.Key {
	t.Helper()
	var ks []api.Key
	require.NoError(t, json.Unmarshal([]byte(m.ok("keys", "list", "--json")), &ks))
	return ks
}

func TestKeys_CapacityFreeAnotherMachineAndBothActivationsOfAProduct(t *testing.T) {
	p := seeded(t)
	ana := newFieldMachine(t, laptop())
	ana.password = "demo-password"
	ana.ok("login", "--portal", p.URL, "--email", "ana@acme.example", "--password-stdin")

	// Capacity first: the sum over the active keys (25 + 5 devices).
	caps := ana.ok("keys", "capacity")
	assert.Regexp(t, portal.DemoKeyedProduct+`\s+30\s+devices\s+2`, caps)
	assert.Contains(t, ana.ok("keys", "list"), "capacity of "+portal.DemoKeyedProduct+": 30 devices over 2 active keys")

	var install, license string
	for _, k := range keysOf(t, ana) {
		switch k.Kind {
		case "install":
			install = k.Key
		case "license":
			if k.ActiveActivations > 0 {
				license = k.Key
			}
		}
	}
	require.NotEmpty(t, install)
	require.NotEmpty(t, license)

	// The install key is at its limit on the print server: refused, once.
	r := ana.fails("activate", install, "--machine", "laptop-1")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "the error is printed once: %q", r.stderr)
	assert.NotContains(t, r.stderr, "licensefile:")

	// Freeing another machine's activations asks first; --yes confirms.
	r = ana.fails("deactivate", "--machine", portal.DemoMachine)
	assert.Contains(t, r.stderr, "--yes")
	out := ana.ok("deactivate", "--machine", portal.DemoMachine, "--yes")
	assert.Equal(t, 2, strings.Count(out, "freed "+portal.DemoKeyedProduct+" on "+portal.DemoMachine), out)
	ana.fails("deactivate", "--machine", portal.DemoMachine, "--yes")

	// A first activation here says so.
	out = ana.ok("activate", install, "--machine", "laptop-1")
	assert.True(t, strings.HasPrefix(out, "activated "+portal.DemoKeyedProduct), out)
	assert.NotContains(t, out, "reactivated")
	assert.NotContains(t, out, "act_", "no internal activation ID")
	ana.ok("activate", license, "--machine", "laptop-1")

	// Two keys of one product here: deactivating the product frees one,
	// and the other is freed by the machine's name.
	ana.ok("deactivate", portal.DemoKeyedProduct)
	active := 0
	for _, k := range keysOf(t, ana) {
		active += k.ActiveActivations
	}
	assert.Equal(t, 1, active)
	assert.Contains(t, ana.ok("deactivate", "--machine", "laptop-1", "--yes"), "freed")
	active = 0
	for _, k := range keysOf(t, ana) {
		active += k.ActiveActivations
	}
	assert.Equal(t, 0, active, "both activations are free on the portal")
	assert.Contains(t, ana.ok("keys", "capacity", "--json"), "[]")
}

func TestProducts_StatusColumnsAndTheChoosableProductsOfSupport(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")

	table := ana.ok("products")
	assert.Contains(t, table, "SUPPORT")
	assert.Regexp(t, `QiBuilder\s+Acme Engenharia\s+expired\s+maintenance expired\s+renew`, table)
	assert.Regexp(t, `Eberick\s+Acme Engenharia\s+\S+\s+valid\s+-`, table)

	choices := ana.ok("support", "products")
	assert.Contains(t, choices, "Eberick")
	assert.NotContains(t, choices, "MiTeam Meetings")

	r := newUserFails(ana, "support", "new", "--product", "MiTeam Meetings", "--title", "x", "--description", "y")
	assert.Contains(t, r.stderr, "not among the account's products: choose one of")
	assert.Contains(t, r.stderr, "Eberick")
	var reqs []api.ServiceRequest
	require.NoError(t, json.Unmarshal([]byte(ana.ok("support", "list", "--json")), &reqs))
	for _, q := range reqs {
		assert.NotEqual(t, "MiTeam Meetings", q.Product, "nothing was opened")
	}
	assert.Contains(t, ana.ok("support", "new", "--product", "eberick", "--title", "Export", "--description", "fails"), "done: opened")
}

func newUserFails(u *user, args ...string) result {
	return u.fails(args...)
}

func TestNews_SettingsShowTheEmailSubscriptionAndTheRSSFeed(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	table := ana.ok("news", "settings")
	assert.Regexp(t, `Eberick\s+on\s+\d+\s+`+p.URL+`/v1/news/Eberick/rss`, table)
	ana.ok("news", "unsubscribe", "--product", "Eberick")
	assert.Regexp(t, `Eberick\s+off`, ana.ok("news", "settings"))
}

func TestDownloadsGet_SkipsAFileAlreadyComplete(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	var files []api.DownloadFile
	require.NoError(t, json.Unmarshal([]byte(ana.ok("downloads", "list", "--json")), &files))
	require.NotEmpty(t, files)
	dir := t.TempDir()
	assert.Contains(t, ana.ok("downloads", "get", files[0].ID, "--out", dir), "downloaded")
	path := filepath.Join(dir, files[0].Name)
	st, err := os.Stat(path)
	require.NoError(t, err)

	p.Stop() // a complete file needs no portal
	out := ana.ok("downloads", "get", files[0].ID, "--out", dir)
	assert.Contains(t, out, "already complete")
	st2, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, st.ModTime(), st2.ModTime(), "not written again")

	// A file of the right size but other bytes is downloaded again.
	p.Start()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	b[0] ^= 0xff
	require.NoError(t, os.WriteFile(path, b, 0o644))
	assert.Contains(t, ana.ok("downloads", "get", files[0].ID, "--out", dir), "downloaded")
}

func TestInvitationMail_QuotesTheSignupCommandWithThePortal(t *testing.T) {
	p := seeded(t)
	var found string
	ents, err := os.ReadDir(p.MailDir)
	require.NoError(t, err)
	for _, e := range ents {
		text := mailText(t, filepath.Join(p.MailDir, e.Name()))
		if strings.Contains(text, "licdesk signup") {
			found = text
		}
	}
	require.NotEmpty(t, found, "the demo's invitation")
	assert.Contains(t, found, "licdesk signup --portal '"+p.URL+"' --email 'diego@newhire.example'")
}

func TestDemo_TheUnusedSerialAndTheUpgradeNotificationAreFoundInAMail(t *testing.T) {
	p := portaltest.Start(t)
	logins := p.Seed()
	var found string
	ents, err := os.ReadDir(p.MailDir)
	require.NoError(t, err)
	for _, e := range ents {
		text := mailText(t, filepath.Join(p.MailDir, e.Name()))
		if strings.Contains(text, portal.DemoSerial) {
			found = text
		}
	}
	require.NotEmpty(t, found)
	assert.Contains(t, found, portal.DemoUpgradeNotification)
	assert.Contains(t, found, "To: ana@acme.example")
	var roles string
	for _, l := range logins {
		roles += l.Roles
	}
	assert.Contains(t, roles, portal.DemoSerial)
}

// mailText reads an .eml file with its quoted-printable body decoded.
func mailText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	head, body, _ := strings.Cut(string(b), "\r\n\r\n")
	dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	require.NoError(t, err)
	return head + "\n\n" + strings.ReplaceAll(string(dec), "\r\n", "\n")
}

func TestHelp_EachSubcommandHasAUsageLineAndTheSummaryFits100Columns(t *testing.T) {
	var b strings.Builder
	cli.Usage(&b, i18n.English())
	for _, line := range strings.Split(b.String(), "\n") {
		assert.LessOrEqual(t, len([]rune(line)), 100, line)
	}
	u := newUser(t)
	out := u.ok("seats", "assign", "--help")
	assert.True(t, strings.HasPrefix(out, "usage: licdesk seats assign --license ID"), out)
	assert.Contains(t, out, "--email")
	assert.NotContains(t, out, "--to", "reassign's flag is not assign's")
	out = u.ok("keys", "get", "--help")
	assert.True(t, strings.HasPrefix(out, "usage: licdesk keys get --serial S --company C"), out)
	assert.NotContains(t, out, "--notification")
	out = u.ok("members", "--help")
	assert.True(t, strings.HasPrefix(out, "usage: licdesk members"), out)
}

func TestStatus_ShowsARefusedWriteOnceThenOnlyTheNewOnes(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick").LicenseID
	assert.Contains(t, ana.ok("seats", "assign", "--license", lic, "--email", "twice@acme.example", "--offline"), "queued")
	// Meanwhile someone else gives that e-mail a seat: the queued write
	// will be refused.
	owner, _, err := p.Store.Credentials(context.Background(), "ana@acme.example")
	require.NoError(t, err)
	c, err := p.Store.Caller(context.Background(), owner.ID)
	require.NoError(t, err)
	_, err = p.Store.AssignSeat(context.Background(), c, store.Write{}, lic, "twice@acme.example")
	require.NoError(t, err)
	assert.Contains(t, ana.ok("sync"), "1 refused")

	var st struct {
		Failed []json.RawMessage `json:"failed"`
	}
	require.NoError(t, json.Unmarshal([]byte(ana.ok("status", "--json")), &st))
	assert.Len(t, st.Failed, 1, "--json does not dismiss")
	out := ana.ok("status", "--keep-refused")
	assert.Contains(t, out, "refused:      1 writes")
	out = ana.ok("status")
	assert.Contains(t, out, "refused:      1 writes")
	assert.Contains(t, out, "twice@acme.example")
	assert.Contains(t, ana.ok("status"), "refused:      0 writes", "seen once, then gone")
}

func TestMessages_NoPackagePrefixes(t *testing.T) {
	u := newUser(t)
	bad := filepath.Join(t.TempDir(), "response.lda")
	require.NoError(t, os.WriteFile(bad, []byte("-----BEGIN LICENSE DESK ACTIVATION RESPONSE-----\nnot base64\n-----END LICENSE DESK ACTIVATION RESPONSE-----\n"), 0o644))
	r := u.run("", "activate", "--response", bad)
	require.NotEqual(t, 0, r.code)
	for _, prefix := range []string{"licensefile:", "activation:", "trust:", "outbox:"} {
		assert.NotContains(t, r.stderr, prefix)
	}
}
