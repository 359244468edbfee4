package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/cli"
	lsync "github.com/licdesk/licdesk/sync"
)

// These tests hold the behaviours that drifted while the window and the
// command line each carried their own copy of the client's procedures: each
// now goes through desk, and each is checked here through the real command
// line against a real portal on loopback.

// checked is `licdesk check --json`.
type checked struct {
	OK        bool   `json:"ok"`
	LicenseID string `json:"license_id"`
	Owner     string `json:"owner"`
}

func (u *user) check(product string) (checked, result) {
	u.t.Helper()
	r := u.run("", "check", product, "--json")
	var c checked
	require.NoError(u.t, json.Unmarshal([]byte(r.stdout), &c), r.stdout+r.stderr)
	return c, r
}

func TestLogin_InstallsTheLeasesSoCheckPassesAtOnce(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")

	c, r := ana.check("Eberick")
	assert.Equal(t, 0, r.code, "check right after login: %s", r.stderr)
	assert.True(t, c.OK)

	p.Stop()
	c, r = ana.check("Eberick")
	assert.Equal(t, 0, r.code, "and offline: %s", r.stderr)
	assert.True(t, c.OK)
}

func TestAdopt_CheckReadsTheAdoptedLicenseAtOnce(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	var products []api.AssignedProduct
	require.NoError(t, json.Unmarshal([]byte(ana.ok("assigned", "--json")), &products))
	var eberick api.AssignedProduct
	for _, ap := range products {
		if ap.Product == "Eberick" {
			eberick = ap
		}
	}
	require.Len(t, eberick.Licenses, 2, "Eberick from two owners")
	before, _ := ana.check("Eberick")
	var other api.AssignedLicense
	for _, l := range eberick.Licenses {
		if l.LicenseID != before.LicenseID {
			other = l
		}
	}
	require.NotEmpty(t, other.LicenseID)

	assert.Contains(t, ana.ok("adopt", "--license", other.LicenseID), "done")
	after, r := ana.check("Eberick")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, other.LicenseID, after.LicenseID, "check reads the adopted owner's license, with no sync between")
}

func TestIntegrationsList_IsCurrentAfterASeatWrite(t *testing.T) {
	p := seeded(t)
	carlos := newUser(t)
	carlos.login(p, "carlos@cobalt.example", "demo-password")
	carlos.ok("integrations", "set", "--account", "Cobalt Telecom", "--product", "MiTeam Meetings", "--controller", "off")
	require.Equal(t, "off", evaState(t, carlos))

	var sols []api.Solution
	require.NoError(t, json.Unmarshal([]byte(carlos.ok("solutions", "--json")), &sols))
	lic := licenseOf(t, sols, "MiTeam Meetings")
	assert.Contains(t, carlos.ok("seats", "assign", "--license", lic.LicenseID, "--email", "eva@cobalt.example"), "done")

	assert.Equal(t, "on", evaState(t, carlos, "--offline"), "the seat write brought the integration view with it")
	assert.Equal(t, "on", evaState(t, carlos), "and a sync keeps it")
}

func TestHungPortal_ReadAnswersFromTheCacheAndWriteQueuesWithinSeconds(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	sols := ana.solutions()
	lic := licenseOf(t, sols, "Eberick")

	p.Hang()
	// The deadline is 3 s; the bound leaves room for a loaded CI machine.
	const bound = 6 * time.Second
	start := time.Now()
	r := ana.run("", "solutions")
	assert.Less(t, time.Since(start), bound, "a read waits for the portal at most its deadline")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Eberick", "the read answers from the cache")
	assert.Contains(t, r.stderr, "did not answer in time")

	start = time.Now()
	r = ana.run("", "seats", "assign", "--license", lic.LicenseID, "--email", "hung@new.example")
	assert.Less(t, time.Since(start), bound, "a write queues within its deadline")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "queued")

	p.Start()
	assert.Contains(t, ana.ok("sync"), "sent 1 writes, 0 refused")
}

func TestInterrupt_PrintsOneClearLine(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	p.Hang()
	for _, args := range [][]string{{"solutions"}, {"sync"}, {"seats", "assign", "--license", "x", "--email", "y@z.example"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		r := ana.runCtx(ctx, "", args...)
		cancel()
		assert.Equal(t, 1, r.code, "%v", args)
		assert.Equal(t, "licdesk "+args[0]+": interrupted\n", r.stderr, "%v", args)
	}
}

func TestTwoSyncsAtOnce_SendEachQueuedWriteOnceAndReportNoFalseRefusal(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick")
	const n = 3
	require.GreaterOrEqual(t, lic.Available, n, "room for every queued write")
	p.Stop()
	for i := range n {
		assert.Contains(t, ana.ok("seats", "assign", "--license", lic.LicenseID, "--email", "twin"+string(rune('a'+i))+"@new.example"), "queued")
	}
	p.Start()

	var wg gosync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Go(func() { results[i] = ana.run("", "sync", "--json") })
	}
	wg.Wait()
	sent := 0
	for _, r := range results {
		require.Equal(t, 0, r.code, r.stderr)
		var out struct {
			Sent    int               `json:"sent"`
			Refused []json.RawMessage `json:"refused"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Empty(t, out.Refused, "no write that landed is reported refused")
		sent += out.Sent
	}
	assert.Equal(t, n, sent, "between them, the two syncs sent each write once")
	assert.Contains(t, ana.ok("status"), "refused:      0 writes")
	seats := ana.ok("seats", "list", "--license", lic.LicenseID)
	for i := range n {
		assert.Equal(t, 1, strings.Count(seats, "twin"+string(rune('a'+i))+"@new.example"))
	}
}

func TestSignup_TheCodeFromTheEmailVerifiesAndTurnsThePendingSeatAssigned(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	lic := licenseOf(t, ana.solutions(), "Eberick")
	assert.Contains(t, ana.ok("seats", "assign", "--license", lic.LicenseID, "--email", "dora@newhire.example"), "done")

	dora := newUser(t)
	r := dora.run("a long enough password\n", "signup", "--portal", p.URL, "--email", "dora@newhire.example", "--password-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "not verified yet: the code is in the e-mail sent to dora@newhire.example")
	assert.NotContains(t, dora.ok("assigned"), "Eberick", "an unverified address takes no seat")

	bad := dora.run("", "verify", "00000000")
	assert.Equal(t, 1, bad.code)
	assert.Contains(t, bad.stderr, "code is wrong")

	assert.Contains(t, dora.ok("verify", p.Code("dora@newhire.example")), "verified dora@newhire.example")
	assert.Contains(t, dora.ok("assigned"), "Eberick", "the seat that waited for her is hers")
}

func TestOffers_AMembershipOfferIsListedAndAccepted(t *testing.T) {
	ctx := context.Background()
	p := seeded(t)
	bob := newUser(t)
	r := bob.run("a long enough password\n", "signup", "--portal", p.URL, "--email", "bob@new.example", "--password-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	bob.ok("verify", p.Code("bob@new.example"))

	sess, err := lsync.NewClient(lsync.ClientConfig{BaseURL: p.URL})
	require.NoError(t, err)
	login, err := sess.Login(ctx, "ana@acme.example", "demo-password")
	require.NoError(t, err)
	ana := sess.WithToken(login.Token)
	me, err := ana.Me(ctx)
	require.NoError(t, err)
	acme := ""
	for _, m := range me.Memberships {
		if m.Role == "owner" {
			acme = m.AccountID
		}
	}
	_, err = ana.OfferMembership(ctx, lsync.NewKey(), acme, "bob@new.example", "member")
	require.NoError(t, err)

	assert.Regexp(t, `Acme Engenharia\s+member`, bob.ok("offers"))
	assert.Contains(t, bob.ok("offers", "accept", "Acme Engenharia"), "joined Acme Engenharia")
	assert.Contains(t, bob.ok("offers"), "no membership offer is waiting")
	r = bob.run("", "offers", "accept", "Nowhere Ltd")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no membership offer from Nowhere Ltd")
}

// runAt runs licdesk with the clock set to now.
func (u *user) runAt(now time.Time, args ...string) result {
	u.t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"LICDESK_HOME": u.home, "LICDESK_SECRETS": "file"}
	env := cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return vars[k] }, Now: func() time.Time { return now }}
	code := cli.Run(context.Background(), args, env)
	return result{code, out.String(), errb.String()}
}

func TestCountdown_OfflineASubscriptionWorksUntilTenDaysAfterItsExpiryAndSaysSo(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	var c struct {
		OK           bool
		Subscription *api.Subscription
	}
	r := ana.run("", "check", "Eberick", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &c))
	require.NotNil(t, c.Subscription, "Eberick runs with a subscription")
	require.NotNil(t, c.Subscription.Expiry)
	expiry := *c.Subscription.Expiry
	stop := expiry.Add(10 * 24 * time.Hour)
	assert.Equal(t, "warning", c.Subscription.Phase, "it ends within 10 days")
	assert.Contains(t, ana.run("", "check", "Eberick").stderr, "renew it to keep working")
	p.Stop()

	for _, tc := range []struct {
		name string
		at   time.Time
		code int
		says string
	}{
		{"a day after expiry, offline", expiry.Add(24 * time.Hour), 0, "keeps working offline for 9 days, until " + stop.UTC().Format("2006-01-02")},
		{"an hour before the stop", stop.Add(-time.Hour), 0, "keeps working offline for 1 day"},
		{"a minute after the stop", stop.Add(time.Minute), 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ana.runAt(tc.at, "check", "Eberick")
			assert.Equal(t, tc.code, r.code, r.stdout+r.stderr)
			assert.Contains(t, r.stderr, tc.says)
			if tc.code == 0 {
				st := ana.runAt(tc.at, "status", "--offline")
				assert.Contains(t, st.stdout, "attention:", "status shows the countdown")
				assert.Contains(t, ana.runAt(tc.at, "assigned", "--offline").stdout, "keeps working offline", "assigned too")
			}
		})
	}
}

func TestKeysNotices_ListsTheUpgradeNotificationsThenUpgradeUsesOne(t *testing.T) {
	p := seeded(t)
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	var ns []api.UpgradeNotice
	require.NoError(t, json.Unmarshal([]byte(ana.ok("keys", "notices", "--json")), &ns))
	require.NotEmpty(t, ns)
	assert.Contains(t, ana.ok("keys", "notices"), ns[0].ID)
	out := ana.ok("keys", "upgrade", "--notification", ns[0].ID, "--product", ns[0].Products[0], "--quantity", "1")
	assert.Contains(t, out, "done")
	assert.NotContains(t, ana.ok("keys", "notices"), ns[0].ID, "used up")
}
