// Package portaltest is the portal the client's tests run against: a real
// licportal on a loopback address (portal/demo's runner), over a SQLite file
// in the test's temporary folder, that can be stopped, hung and started
// again on the same address, with helpers to sign users up and issue
// licenses. It sits beside portal/store/storetest, the store's own harness.
package portaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/api/apispec"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/demo"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// Password is the password of every user this package signs up.
const Password = "correct horse battery"

// Portal is a running (or stopped) portal on a fixed loopback address.
type Portal struct {
	*demo.Portal
	t    testing.TB
	hung func() // releases the address Hang holds
}

// Start opens a fresh portal database in a temporary folder and serves it
// until the test ends.
func Start(t testing.TB) *Portal {
	t.Helper()
	return StartWithMail(t, nil)
}

// StartWithMail is Start with the portal's e-mails also handed to also
// (after the mail folder), e.g. an IMAP server's inboxes; FlushMail sends
// the queued ones.
func StartWithMail(t testing.TB, also mail.Sender) *Portal {
	t.Helper()
	return start(t, also, nil)
}

// StartWrapped is Start with the portal's handler wrapped by wrap (outside
// the OpenAPI guard): a test's way to slow or watch the wire, e.g. a
// download throttled so that it can be paused.
func StartWrapped(t testing.TB, wrap func(http.Handler) http.Handler) *Portal {
	t.Helper()
	return start(t, nil, wrap)
}

func start(t testing.TB, also mail.Sender, wrap func(http.Handler) http.Handler) *Portal {
	t.Helper()
	// Client tests sign many people up from loopback: the hourly sign-up
	// budgets are lifted (the portal's own tests check them). Every call
	// the client makes is checked against api/openapi.yaml; a benchmark
	// measures the portal alone.
	opts := demo.Options{Dir: t.TempDir(), AlsoMail: also,
		Limits: portal.Limits{SignupsPerClient: 1 << 20, SignupsPerAddress: 1 << 20, VerifiesPerClient: 1 << 20}}
	if _, bench := t.(*testing.B); !bench {
		opts.Wrap = func(h http.Handler) http.Handler { return apispec.Guard(t, h) }
	}
	if wrap != nil {
		guard := opts.Wrap
		opts.Wrap = func(h http.Handler) http.Handler {
			// Outside the guard, which holds a whole answer to check it:
			// a wrapper that paces the wire must see the real writer.
			if guard != nil {
				return wrap(guard(h))
			}
			return wrap(h)
		}
	}
	d, err := demo.Start(context.Background(), opts)
	require.NoError(t, err)
	p := &Portal{Portal: d, t: t}
	t.Cleanup(func() {
		p.release()
		d.Close()
	})
	return p
}

// Stop shuts the portal down: its address refuses connections until Start.
func (p *Portal) Stop() {
	p.release()
	p.Portal.Stop()
}

// Start serves the same database on the same address again.
func (p *Portal) Start() {
	p.t.Helper()
	p.release()
	require.NoError(p.t, p.Portal.Start())
}

// Hang stops the portal and, on its address, accepts connections that never
// get an answer: a hung server, or a link that dropped mid-way. Start
// serves the portal again.
func (p *Portal) Hang() {
	p.t.Helper()
	p.Stop()
	ln, err := net.Listen("tcp", p.Addr())
	require.NoError(p.t, err)
	conns := make(chan net.Conn, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case conns <- c: // held: read nothing, answer nothing
			default:
				c.Close()
			}
		}
	}()
	p.hung = func() {
		ln.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	}
}

func (p *Portal) release() {
	if p.hung != nil {
		p.hung()
		p.hung = nil
	}
}

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
	require.NoError(p.t, p.Server().FlushMail(context.Background()))
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
	logins, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: p.MailDir}, Now: time.Now(), FilesDir: p.FilesDir,
		BaseURL: p.URL}.Demo(context.Background())
	require.NoError(p.t, err)
	return logins
}
