package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/mailbox/imapdemo"
	"github.com/licdesk/licdesk/portal/portaltest"
)

// mailRig is a window logged in as a fresh user whose mailbox is on an
// in-process IMAP server, where the portal's e-mails arrive.
type mailRig struct {
	app   *App
	p     *portaltest.Portal
	imap  *imapdemo.Server
	owner *App // ana's window, to assign seats from
}

func newMailRig(t *testing.T) *mailRig {
	s, err := imapdemo.Start(imapdemo.Options{Users: map[string]string{"dora@example.com": "mail-secret"}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	p := portaltest.StartWithMail(t, imapdemo.Sender{Server: s})
	p.Seed()
	p.SignUp("dora@example.com", "Dora")
	open := func(email, password string) *App {
		a, err := New(test.NewTempApp(t), Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, allTabs: true,
			SignIn: &Login{Portal: p.URL, Email: email, Password: password}, hardware: fakeHardware(laptop())})
		require.NoError(t, err)
		t.Cleanup(a.Close)
		require.NotNil(t, a.Solutions)
		return a
	}
	return &mailRig{app: open("dora@example.com", portaltest.Password), p: p, imap: s, owner: open("ana@acme.example", "demo-password")}
}

func TestMailboxDialog_ConnectsAndTestsInPlace(t *testing.T) {
	r := newMailRig(t)
	md := r.app.showMailbox()
	test.Type(md.URL, fmt.Sprintf("imaps://dora%%40example.com@127.0.0.1:%d", r.imap.Port))
	test.Type(md.Password, "wrong")
	test.Type(md.CAFile, r.imap.CAFile)
	test.Tap(md.ConnectBtn)
	assert.Contains(t, md.Message.Text, "Not connected: the mail server refused the user name or password")
	assert.True(t, md.RemoveBtn.Disabled(), "nothing was kept")
	assert.NotContains(t, r.app.Status(), "Mail:")

	md.Password.SetText("")
	test.Type(md.Password, "mail-secret")
	test.Tap(md.ConnectBtn)
	assert.Contains(t, md.Message.Text, "Connected: INBOX holds")
	assert.False(t, md.RemoveBtn.Disabled())
	assert.Empty(t, md.Password.Text, "the password does not stay in the form")
	assert.Contains(t, r.app.Status(), "Mail: watching")

	test.Tap(md.RemoveBtn)
	assert.Contains(t, md.Message.Text, "Mailbox removed")
	assert.NotContains(t, r.app.Status(), "Mail:")
}

func TestMailStrip_AnAssignmentEmailIsOneClickAwayOnAssignedToYou(t *testing.T) {
	r := newMailRig(t)
	md := r.app.showMailbox()
	test.Type(md.URL, fmt.Sprintf("imaps://dora%%40example.com@127.0.0.1:%d", r.imap.Port))
	test.Type(md.Password, "mail-secret")
	test.Type(md.CAFile, r.imap.CAFile)
	test.Tap(md.ConnectBtn)
	require.Contains(t, md.Message.Text, "Connected")
	assert.True(t, r.app.AssignedMail.box.Hidden, "nothing found yet: no strip")

	// Ana assigns Dora a seat in her window; the e-mail reaches Dora's inbox.
	var license string
	for _, s := range r.owner.Solutions.List.rows.items {
		if s.ContractNumber == "ACME-EB-2026" {
			license = s.LicenseID
		}
	}
	require.NotEmpty(t, license)
	r.owner.Solutions.Assign(license, "dora@example.com")
	require.NoError(t, r.p.FlushMail(context.Background()))
	// A key in a vendor's e-mail goes to the Keys strip.
	require.NoError(t, r.imap.Deliver("dora@example.com", []byte("From: shop@vendor.example\r\nSubject: your key\r\n\r\nLicense key: LIC-04106-1050R-3GG28-A1C60-T3GFK\r\n")))

	r.app.offline = true // the scan must not sync by itself: the click does
	r.app.ScanMailNow()
	r.app.offline = false
	strip := r.app.AssignedMail
	require.False(t, strip.box.Hidden, "the strip shows on Assigned to you")
	require.Len(t, strip.Shown, 1)
	assert.Equal(t, "seat-assigned", strip.Shown[0].Kind)
	assert.Equal(t, "Open license", strip.Buttons[0].Text)
	require.Len(t, r.app.KeysMail.Shown, 1)
	assert.Equal(t, "Add key", r.app.KeysMail.Buttons[0].Text)
	assert.True(t, r.app.SolutionsMail.box.Hidden)

	test.Tap(strip.Buttons[0])
	assert.Equal(t, "Eberick is listed under Assigned to you", strip.Message.Text)
	assert.Empty(t, strip.Shown, "a finding acted on no longer waits")
	require.Len(t, strip.Recent, 1, "it shows what became of it for a while")
	r.app.dismissFinding(strip, strip.Recent[0])
	assert.Empty(t, strip.Recent, "until dismissed")
	var products []string
	for _, row := range r.app.Assigned.List.rows.items {
		products = append(products, row.Product)
	}
	assert.Contains(t, products, "Eberick", "the product shows up")

	test.Tap(r.app.KeysMail.Buttons[0])
	assert.True(t, strings.HasPrefix(r.app.KeysMail.Message.Text, "Add key failed") || strings.HasPrefix(r.app.KeysMail.Message.Text, "Done"),
		r.app.KeysMail.Message.Text)
}
