package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/mailbox/imapdemo"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
)

// mailWorld is a portal whose e-mails arrive in an IMAP server's inboxes.
type mailWorld struct {
	p    *portaltest.Portal
	imap *imapdemo.Server
}

func newMailWorld(t *testing.T, users ...string) *mailWorld {
	pw := map[string]string{}
	for _, u := range users {
		pw[u] = "mail-secret"
	}
	s, err := imapdemo.Start(imapdemo.Options{Users: pw})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	p := portaltest.StartWithMail(t, imapdemo.Sender{Server: s})
	p.Seed()
	return &mailWorld{p: p, imap: s}
}

func (w *mailWorld) imapURL(user string) string {
	return fmt.Sprintf("imaps://%s@127.0.0.1:%d", strings.Replace(user, "@", "%40", 1), w.imap.Port)
}

func (u *user) addMailbox(w *mailWorld, user string) result {
	u.t.Helper()
	return u.run("mail-secret\n", "mail", "add", "--imap", w.imapURL(user), "--ca-file", w.imap.CAFile, "--password-stdin")
}

func (u *user) findings() []lsync.MailFinding {
	u.t.Helper()
	var fs []lsync.MailFinding
	require.NoError(u.t, json.Unmarshal([]byte(u.ok("mail", "list", "--json")), &fs))
	return fs
}

func TestMail_AnAssignmentEmailIsFoundAppliedAndTheProductShowsUp(t *testing.T) {
	w := newMailWorld(t, "dora@example.com")
	w.p.SignUp("dora@example.com", "Dora")
	dora := newUser(t)
	dora.login(w.p, "dora@example.com", portaltest.Password)
	r := dora.addMailbox(w, "dora@example.com")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "connected: folder INBOX holds") // (the portal has mailed Dora to verify her address)
	assert.Contains(t, r.stdout, "the mail password is kept in", "the 0600 file fallback says so, as for the token")
	secrets, err := os.ReadFile(filepath.Join(dora.home, "secrets.json"))
	require.NoError(t, err)
	assert.Contains(t, string(secrets), "mail-secret")
	cache, err := os.ReadFile(filepath.Join(dora.home, "cache.db"))
	require.NoError(t, err)
	assert.NotContains(t, string(cache), "mail-secret", "the password never reaches the cache")

	// Ana gives Dora a seat; the portal's e-mail lands in Dora's mailbox.
	ana := newUser(t)
	ana.login(w.p, "ana@acme.example", "demo-password")
	eberick := licenseOf(t, ana.solutions(), "Eberick")
	ana.ok("seats", "assign", "--license", eberick.LicenseID, "--email", "dora@example.com")
	require.NoError(t, w.p.FlushMail(context.Background()))

	scan := dora.ok("mail", "scan", "--offline")
	assert.Contains(t, scan, ": 1 new finding")
	assert.Contains(t, scan, "seat-assigned")
	assert.Contains(t, scan, "Eberick")

	fs := dora.findings()
	require.Len(t, fs, 1)
	assert.Equal(t, "seat-assigned", fs[0].Kind)
	assert.Equal(t, eberick.LicenseID, fs[0].License)

	applied := dora.ok("mail", "apply", fmt.Sprint(fs[0].ID))
	assert.Contains(t, applied, "Eberick is listed under Assigned to you")
	var assigned []api.AssignedProduct
	require.NoError(t, json.Unmarshal([]byte(dora.ok("assigned", "--json", "--offline")), &assigned))
	require.Len(t, assigned, 1)
	assert.Equal(t, "Eberick", assigned[0].Product)
	assert.Equal(t, lsync.FindingDone, dora.findings()[0].State)

	again := dora.ok("mail", "scan")
	assert.Contains(t, again, "scanned 0 messages: 0 new findings", "a message is read once")
}

func TestMail_AScanAfterLoginSyncsAndMarksTheKnownAssignmentDone(t *testing.T) {
	w := newMailWorld(t, "dora@example.com")
	w.p.SignUp("dora@example.com", "Dora")
	ana := newUser(t)
	ana.login(w.p, "ana@acme.example", "demo-password")
	ana.ok("seats", "assign", "--license", licenseOf(t, ana.solutions(), "Eberick").LicenseID, "--email", "dora@example.com")
	require.NoError(t, w.p.FlushMail(context.Background()))

	dora := newUser(t)
	dora.login(w.p, "dora@example.com", portaltest.Password)
	require.Equal(t, 0, dora.addMailbox(w, "dora@example.com").code)
	scan := dora.ok("mail", "scan")
	assert.Contains(t, scan, "(1 already known); synced with the portal")
	assert.Equal(t, lsync.FindingDone, dora.findings()[0].State)
}

func TestMail_ALicenseNumberInASavedEmailRegistersTheProduct(t *testing.T) {
	p := seeded(t)
	_, acct := p.SignUp("dora@example.com", "Dora")
	p.Issue(acct, "QiBuilder5", 2)
	number := "QiBuilder5-" + acct[len(acct)-4:]
	eml := filepath.Join(t.TempDir(), "order.eml")
	require.NoError(t, os.WriteFile(eml, []byte("From: sales@vendor.example\r\nSubject: Your order\r\n"+
		"Content-Type: text/html; charset=utf-8\r\n\r\n<p>License number: <b>"+number+"</b></p>\r\n"), 0o644))
	dora := newUser(t)
	dora.login(p, "dora@example.com", portaltest.Password)

	out := dora.ok("mail", "import", eml)
	assert.Contains(t, out, "read 1 file")
	assert.Contains(t, out, number)
	applied := dora.ok("mail", "apply", "--all")
	assert.Contains(t, applied, "done: register")
	assert.Contains(t, dora.ok("products", "list", "--offline"), "QiBuilder5")
}

func TestMail_AddRefusesAWrongPasswordAndKeepsNothing(t *testing.T) {
	w := newMailWorld(t, "dora@example.com")
	dora := newUser(t)
	r := dora.run("wrong\n", "mail", "add", "--imap", w.imapURL("dora@example.com"), "--ca-file", w.imap.CAFile, "--password-stdin")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "refused the user name or password")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line")
	_, err := os.Stat(filepath.Join(dora.home, "secrets.json"))
	assert.True(t, os.IsNotExist(err), "no password kept")
	r = dora.run("", "mail", "scan")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no mailbox connected")
}

func TestMail_AnUntrustedCertificateIsOneLine(t *testing.T) {
	w := newMailWorld(t, "dora@example.com")
	dora := newUser(t)
	r := dora.run("mail-secret\n", "mail", "add", "--imap", w.imapURL("dora@example.com"), "--password-stdin")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "certificate is not trusted")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
	r = dora.run("mail-secret\n", "mail", "add", "--imap", w.imapURL("dora@example.com"), "--insecure-skip-verify", "--password-stdin")
	assert.Equal(t, 0, r.code, r.stderr)
}

func TestMail_AMalformedOrHugeMessageIsSkippedAndTheScanGoesOn(t *testing.T) {
	w := newMailWorld(t, "dora@example.com")
	dora := newUser(t)
	require.Equal(t, 0, dora.addMailbox(w, "dora@example.com").code)
	require.NoError(t, w.imap.Deliver("dora@example.com", []byte("\x00garbage without headers")))
	require.NoError(t, w.imap.Deliver("dora@example.com", append([]byte("Subject: big\r\n\r\n"), make([]byte, 11<<20)...)))
	require.NoError(t, w.imap.Deliver("dora@example.com", []byte("Subject: key\r\n\r\nLicense key: LIC-04106-1050R-3GG28-A1C60-T3GFK\r\n")))
	r := dora.run("", "mail", "scan")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "scanned 3 messages: 1 new finding")
	assert.Contains(t, r.stdout, "LIC-04106-1050R-3GG28-A1C60-T3GFK")
	assert.Contains(t, r.stderr, "larger than 10 MB: not read")
	assert.Contains(t, dora.ok("mail", "scan"), "scanned 0 messages", "skipped messages are not read again")
}

func TestMail_RemoveForgetsThePasswordAndFindings(t *testing.T) {
	w := newMailWorld(t, "dora@example.com")
	dora := newUser(t)
	require.Equal(t, 0, dora.addMailbox(w, "dora@example.com").code)
	require.NoError(t, w.imap.Deliver("dora@example.com", []byte("Subject: key\r\n\r\nLicense key: LIC-04106-1050R-3GG28-A1C60-T3GFK\r\n")))
	dora.ok("mail", "scan")
	assert.Contains(t, dora.ok("mail", "remove"), "removed")
	_, err := os.Stat(filepath.Join(dora.home, "secrets.json"))
	assert.True(t, os.IsNotExist(err), "the password is gone")
	assert.Empty(t, dora.findings())
}

// TestMail_AgainstARealDovecot is the end-to-end story on a real IMAP
// server (scripts/with-dovecot.sh, as make test runs it): the portal's
// assignment e-mail, as its mail folder holds it, is delivered into the
// user's Maildir; `mail scan` finds it, `mail apply` opens the license.
func TestMail_AgainstARealDovecot(t *testing.T) {
	addr := os.Getenv("LICDESK_TEST_DOVECOT")
	if addr == "" {
		t.Skip("no Dovecot: run under scripts/with-dovecot.sh (make test does)")
	}
	users := strings.Fields(os.Getenv("LICDESK_TEST_DOVECOT_USERS"))
	require.NotEmpty(t, users)
	box := users[len(users)-1] // the mailbox package's tests take them from the first
	maildir := filepath.Join(os.Getenv("LICDESK_TEST_DOVECOT_MAIL"), box, "Maildir")

	p := seeded(t)
	p.SignUp("dora@example.com", "Dora")
	ana := newUser(t)
	ana.login(p, "ana@acme.example", "demo-password")
	eberick := licenseOf(t, ana.solutions(), "Eberick")
	ana.ok("seats", "assign", "--license", eberick.LicenseID, "--email", "dora@example.com")
	require.NoError(t, p.FlushMail(context.Background()))
	files, err := filepath.Glob(filepath.Join(p.MailDir, "*dora@example.com*.eml"))
	require.NoError(t, err)
	var raw []byte
	for _, f := range files { // the portal also mailed Dora to verify her address
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		if strings.Contains(string(b), "X-Licdesk-Kind: seat.assigned") {
			raw = b
		}
	}
	require.NotNil(t, raw, "the portal wrote the assignment e-mail")
	name := fmt.Sprintf("%d.licdesk-cli-test.eml", os.Getpid())
	require.NoError(t, os.WriteFile(filepath.Join(maildir, "tmp", name), raw, 0o666))
	require.NoError(t, os.Rename(filepath.Join(maildir, "tmp", name), filepath.Join(maildir, "new", name)))

	dora := newUser(t)
	dora.login(p, "dora@example.com", portaltest.Password)
	r := dora.run(os.Getenv("LICDESK_TEST_DOVECOT_PASSWORD")+"\n", "mail", "add", "--imap", "imaps://"+box+"@"+addr,
		"--ca-file", os.Getenv("LICDESK_TEST_DOVECOT_CA"), "--password-stdin")
	require.Equal(t, 0, r.code, r.stderr)
	scan := dora.ok("mail", "scan", "--offline")
	assert.Contains(t, scan, "scanned 1 message: 1 new finding")
	assert.Contains(t, scan, "seat-assigned")
	assert.Contains(t, scan, "done: Eberick is listed under Assigned to you", "her login's sync already shows it: known, marked done")
	assert.Contains(t, dora.ok("mail", "apply", "1"), "Eberick is listed under Assigned to you")
	assert.Contains(t, dora.ok("assigned", "--offline"), "Eberick")
	assert.Contains(t, dora.ok("mail", "scan"), "scanned 0 messages", "read once")
}

func TestMail_AnInvitationOffersTheSignUpWithTheMailboxAddress(t *testing.T) {
	w := newMailWorld(t, "newbie@example.com")
	ana := newUser(t)
	ana.login(w.p, "ana@acme.example", "demo-password")
	ana.ok("seats", "assign", "--license", licenseOf(t, ana.solutions(), "Eberick").LicenseID, "--email", "newbie@example.com")
	require.NoError(t, w.p.FlushMail(context.Background()))

	newbie := newUser(t) // no login yet: only the mailbox
	require.Equal(t, 0, newbie.addMailbox(w, "newbie@example.com").code)
	scan := newbie.ok("mail", "scan")
	assert.Contains(t, scan, "invitation")
	assert.Contains(t, scan, "Sign up")
	out := newbie.ok("mail", "apply", "--all")
	assert.Contains(t, out, "sign up at "+w.p.URL)
	assert.Contains(t, out, "licdesk signup --portal "+w.p.URL+" --email newbie@example.com")
	assert.Equal(t, lsync.FindingNew, newbie.findings()[0].State, "offered, not done: it waits until the seat shows")
}
