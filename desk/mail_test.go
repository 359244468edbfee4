package desk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/mailbox/imapdemo"
	"github.com/licdesk/licdesk/portal/portaltest"
	"github.com/licdesk/licdesk/portal/store"
	lsync "github.com/licdesk/licdesk/sync"
)

// keyed is a profile logged in as a user whose account holds a fresh
// license key.
func keyed(t *testing.T) (*desk.Desk, string) {
	t.Helper()
	p := portaltest.Start(t)
	_, account := p.SignUp("dora@example.com", "Dora")
	key, err := p.Store.IssueKey(context.Background(), account, store.KeySpec{Product: "CAD Studio",
		Edition: core.EditionProfessional, Modules: []string{"render"}, Capacity: 1, Months: 12})
	require.NoError(t, err)
	d := open(t)
	_, err = d.Login(context.Background(), desk.Credentials{Portal: p.URL, Email: "dora@example.com", Password: portaltest.Password})
	require.NoError(t, err)
	return d, string(key)
}

// responseByMail answers an offline activation request of the key and
// returns the signed response's text.
func responseByMail(t *testing.T, d *desk.Desk, key string) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	_, err := d.WriteRequest(ctx, key, "lab PC", filepath.Join(dir, "lab.req"))
	require.NoError(t, err)
	_, err = d.AnswerRequest(ctx, filepath.Join(dir, "lab.req"), filepath.Join(dir, "lab.lda"))
	require.NoError(t, err)
	resp, err := os.ReadFile(filepath.Join(dir, "lab.lda"))
	require.NoError(t, err)
	return string(resp)
}

// mailed writes an e-mail carrying text in its body, quoted-printable and
// with CRLF lines, as a mail client would send it.
func mailed(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "msg.eml")
	body := strings.ReplaceAll(text, "\n", "\r\n")
	require.NoError(t, os.WriteFile(path, []byte("From: it@acme.example\r\nSubject: the response\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nHere it is:\r\n\r\n"+body), 0o644))
	return path
}

func importOne(t *testing.T, d *desk.Desk, path string) lsync.MailFinding {
	t.Helper()
	res, err := d.ImportMail(context.Background(), []string{path}, desk.ScanOptions{})
	require.NoError(t, err)
	require.Len(t, res.New, 1)
	return res.New[0]
}

func TestApplyFinding_AResponseByMailIsVerifiedThenActivates(t *testing.T) {
	ctx := context.Background()
	d, key := keyed(t)
	f := importOne(t, d, mailed(t, responseByMail(t, d, key)))
	assert.Equal(t, "activation-response", f.Kind)
	assert.Equal(t, "Import response", desk.FindingAction(i18n.English(), f))

	res, err := d.ApplyFinding(ctx, f.ID, desk.ApplyOptions{})
	require.NoError(t, err)
	assert.Contains(t, res.Summary, "activated")
	st, err := d.Machine()
	require.NoError(t, err)
	acts, err := st.Activations(ctx)
	require.NoError(t, err)
	assert.Len(t, acts, 1)
	fs, err := d.MailFindings(ctx)
	require.NoError(t, err)
	assert.Equal(t, lsync.FindingDone, fs[0].State)
}

func TestApplyFinding_AForgedResponseIsRefusedAndNothingInstalled(t *testing.T) {
	ctx := context.Background()
	d, key := keyed(t)
	resp := responseByMail(t, d, key)
	// One changed symbol in the signature line: the signature fails.
	lines := strings.Split(resp, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "=") && len(l) > 4 {
			b := []byte(l)
			if b[3] == 'A' {
				b[3] = 'B'
			} else {
				b[3] = 'A'
			}
			lines[i] = string(b)
		}
	}
	f := importOne(t, d, mailed(t, strings.Join(lines, "\n")))

	_, err := d.ApplyFinding(ctx, f.ID, desk.ApplyOptions{})
	require.Error(t, err)
	st, err2 := d.Machine()
	require.NoError(t, err2)
	acts, err2 := st.Activations(ctx)
	require.NoError(t, err2)
	assert.Empty(t, acts, "nothing installed")
	fs, err2 := d.MailFindings(ctx)
	require.NoError(t, err2)
	assert.Equal(t, lsync.FindingNew, fs[0].State, "the finding still waits")
	assert.NotEmpty(t, fs[0].Note, "with why it failed")
}

func TestApplyFinding_ASerialWithoutRegistrationSaysWhatItNeeds(t *testing.T) {
	p := seeded(t)
	d := open(t)
	login(t, d, p, "ana@acme.example")
	path := filepath.Join(t.TempDir(), "serial.eml")
	require.NoError(t, os.WriteFile(path, []byte("Subject: your serial\r\n\r\nSerial number: 0000-03NQ-K8N1\r\n"), 0o644))
	f := importOne(t, d, path)
	_, err := d.ApplyFinding(context.Background(), f.ID, desk.ApplyOptions{})
	var nr *desk.NeedsRegistrationError
	require.ErrorAs(t, err, &nr)
	assert.Equal(t, "0000-03NQ-K8N1", nr.Serial)
}

func TestImportMail_AnUnreadableFileKeepsNothing(t *testing.T) {
	d := open(t)
	good := filepath.Join(t.TempDir(), "good.eml")
	require.NoError(t, os.WriteFile(good, []byte("Subject: k\r\n\r\nLicense key: LIC-04106-1050R-3GG28-A1C60-T3GFK\r\n"), 0o644))
	_, err := d.ImportMail(context.Background(), []string{good, filepath.Join(t.TempDir(), "missing.eml")}, desk.ScanOptions{})
	require.Error(t, err)
	fs, err := d.MailFindings(context.Background())
	require.NoError(t, err)
	assert.Empty(t, fs)
}

func TestWatchMail_IdlePicksUpNewMessagesAndReconnectsAfterADrop(t *testing.T) {
	s, err := imapdemo.Start(imapdemo.Options{Users: map[string]string{"dora@example.com": "mail-secret"}})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	d := open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err = d.AddMailbox(ctx, desk.MailboxSettings{URL: fmt.Sprintf("imaps://dora@example.com@127.0.0.1:%d", s.Port), CAFile: s.CAFile}, "mail-secret")
	require.NoError(t, err)

	reports := make(chan desk.MailWatchState, 100)
	done := make(chan error, 1)
	go func() {
		// IDLE wakes the watcher at once; the renewal every 2 s covers a
		// message that lands between a scan and the IDLE, which the
		// in-memory server announces only with the next change.
		done <- d.WatchMail(ctx, 2*time.Second, 50*time.Millisecond, func(st desk.MailWatchState) { reports <- st })
	}()
	next := func(want func(desk.MailWatchState) bool) desk.MailWatchState {
		t.Helper()
		for {
			select {
			case st := <-reports:
				if want(st) {
					return st
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no such report")
			}
		}
	}
	found := func(st desk.MailWatchState) bool { return st.Scan != nil && len(st.Scan.New) > 0 }
	st := next(func(st desk.MailWatchState) bool { return st.Connected && st.Scan != nil })
	assert.True(t, st.Idle, "the watcher waits in IDLE")

	require.NoError(t, s.Deliver("dora@example.com", []byte("Subject: k\r\n\r\nLicense key: LIC-04106-1050R-3GG28-A1C60-T3GFK\r\n")))
	st = next(found)
	assert.Equal(t, "LIC-04106-1050R-3GG28-A1C60-T3GFK", st.Scan.New[0].Value)

	s.DropConnections()
	next(func(st desk.MailWatchState) bool { return st.Err != nil })
	next(func(st desk.MailWatchState) bool { return st.Connected })
	require.NoError(t, s.Deliver("dora@example.com", []byte("Subject: k2\r\n\r\nInstall key: INS-144GJ-28914-4GJ28-9144G-J2896\r\n")))
	st = next(found)
	assert.Equal(t, "INS-144GJ-28914-4GJ28-9144G-J2896", st.Scan.New[0].Value, "after the drop, the next message and only it")

	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}
