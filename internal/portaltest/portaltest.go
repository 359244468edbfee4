// Package portaltest runs a real licportal for client tests: the portal's
// own HTTP handler on a loopback listener over a real SQLite file. It can be
// stopped and started again on the same address and database, which is how
// the client's offline story is played. Only tests import it.
package portaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// Password is the password of every user this package signs up.
const Password = "correct horse battery"

// Portal is a running (or stopped) portal on a fixed loopback address.
type Portal struct {
	t       testing.TB
	DBPath  string
	MailDir string
	// FilesDir holds the bytes of published downloads.
	FilesDir string
	// URL stays the same across Stop and Start.
	URL   string
	addr  string
	Store *store.Store
	srv   *httptest.Server
	// server is the portal behind srv, for delivering its e-mails.
	server *portal.Server
}

// Start opens a fresh portal database in a temporary folder and serves it.
func Start(t testing.TB) *Portal {
	t.Helper()
	dir := t.TempDir()
	return StartAt(t, filepath.Join(dir, "portal.db"), filepath.Join(dir, "mail"))
}

// StartAt serves the portal database at dbPath (created if missing).
func StartAt(t testing.TB, dbPath, mailDir string) *Portal {
	t.Helper()
	p := &Portal{t: t, DBPath: dbPath, MailDir: mailDir, FilesDir: filepath.Join(filepath.Dir(dbPath), "files")}
	p.start("127.0.0.1:0")
	t.Cleanup(p.Stop)
	return p
}

func (p *Portal) start(addr string) {
	p.t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+p.DBPath)
	require.NoError(p.t, err)
	var ln net.Listener
	// The port was ours a moment ago; the kernel may still hold it briefly.
	for i := 0; ; i++ {
		ln, err = net.Listen("tcp", addr)
		if err == nil || i == 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(p.t, err)
	// Client tests sign many people up from loopback: the hourly sign-up
	// budgets are lifted (the portal's own tests check them).
	server := portal.New(portal.Config{Store: st, Mail: mail.Dir{Path: p.MailDir}, FilesDir: p.FilesDir,
		Limits: portal.Limits{SignupsPerClient: 1 << 20, SignupsPerAddress: 1 << 20, VerifiesPerClient: 1 << 20}})
	srv := httptest.NewUnstartedServer(server)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	p.Store, p.srv, p.server, p.addr, p.URL = st, srv, server, ln.Addr().String(), srv.URL
}

// Stop shuts the portal down: its address refuses connections until Start.
func (p *Portal) Stop() {
	if p.srv == nil {
		return
	}
	p.srv.CloseClientConnections()
	p.srv.Close()
	p.Store.Close()
	p.srv, p.Store = nil, nil
}

// Start serves the same database on the same address again.
func (p *Portal) Start() {
	p.t.Helper()
	if p.srv != nil {
		return
	}
	p.start(p.addr)
}

// Running reports whether the portal is serving.
func (p *Portal) Running() bool { return p.srv != nil }

// Handler returns the portal's HTTP handler, for benchmarks that serve it
// themselves.
func (p *Portal) Handler() http.Handler { return p.srv.Config.Handler }

// SignUp creates a user and their account over the API and verifies the
// address with the code the portal e-mailed, returning the session and the
// account ID.
func (p *Portal) SignUp(email, name string) (api.Session, string) {
	p.t.Helper()
	sess, acct := p.SignUpUnverified(email, name)
	p.Verify(sess.User.Email)
	sess.User.Verified = true
	return sess, acct
}

// codeRe finds the code in a verification e-mail's subject.
var codeRe = regexp.MustCompile(`Subject: Your License Desk code: (\d+)`)

// Code delivers the queued e-mails and returns the newest verification
// code sent to an address, as its owner reads it in their mailbox.
func (p *Portal) Code(email string) string {
	p.t.Helper()
	require.NoError(p.t, p.server.FlushMail(context.Background()))
	entries, err := os.ReadDir(p.MailDir)
	require.NoError(p.t, err)
	code := ""
	for _, e := range entries { // named by time first: oldest to newest
		if !strings.Contains(e.Name(), email) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(p.MailDir, e.Name()))
		require.NoError(p.t, err)
		if m := codeRe.FindSubmatch(b); m != nil {
			code = string(m[1])
		}
	}
	require.NotEmpty(p.t, code, "no verification e-mail to %s", email)
	return code
}

// Verify enters the code e-mailed to an address over the API.
func (p *Portal) Verify(email string) {
	p.t.Helper()
	body, err := json.Marshal(api.VerifyRequest{Email: email, Code: p.Code(email)})
	require.NoError(p.t, err)
	resp, err := http.Post(p.URL+"/v1/verify", "application/json", bytes.NewReader(body))
	require.NoError(p.t, err)
	defer resp.Body.Close()
	require.Equal(p.t, http.StatusOK, resp.StatusCode)
}

// SignUpUnverified creates a user and their account over the API and
// leaves the address unverified.
func (p *Portal) SignUpUnverified(email, name string) (api.Session, string) {
	p.t.Helper()
	body, err := json.Marshal(api.Credentials{Email: email, Password: Password, Name: name, AccountName: name})
	require.NoError(p.t, err)
	resp, err := http.Post(p.URL+"/v1/signup", "application/json", bytes.NewReader(body))
	require.NoError(p.t, err)
	defer resp.Body.Close()
	require.Equal(p.t, http.StatusCreated, resp.StatusCode)
	var sess api.Session
	require.NoError(p.t, json.NewDecoder(resp.Body).Decode(&sess))
	acct, err := p.Store.OwnedAccount(context.Background(), sess.User.ID)
	require.NoError(p.t, err)
	return sess, acct
}

// Issue gives an account a license with n seats, as the vendor does.
func (p *Portal) Issue(accountID, product string, seats int) string {
	p.t.Helper()
	now := time.Now()
	id, err := p.Store.IssueLicense(context.Background(), accountID, store.LicenseSpec{Product: product,
		Edition: core.EditionProfessional, Modules: []string{"Core"}, Seats: seats,
		ContractNumber: product + "-" + accountID[len(accountID)-4:],
		Start:          now.AddDate(0, -1, 0), Expiry: now.AddDate(1, 0, 0)})
	require.NoError(p.t, err)
	return id
}

// Seed loads the demo data set and returns its logins.
func (p *Portal) Seed() []portal.DemoLogin {
	p.t.Helper()
	logins, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: p.MailDir}, Now: time.Now(), FilesDir: p.FilesDir}.Demo(context.Background())
	require.NoError(p.t, err)
	return logins
}
