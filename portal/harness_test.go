package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/api/apispec"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/demo"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// testPortal is a real licportal on loopback HTTP over a real database.
type testPortal struct {
	t       testing.TB
	URL     string
	Store   *store.Store
	MailDir string
	// FilesDir holds the bytes of published downloads.
	FilesDir string
	Server   *portal.Server
	// KEK seals the signing keys: a second instance on the same database
	// opens its store with the same one.
	KEK  []byte
	http *http.Client
}

// eachBackend runs fn against a fresh portal on every database backend.
func eachBackend(t *testing.T, fn func(t *testing.T, p *testPortal)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, startPortal(t, b.DSN)) })
	}
}

func startPortal(t testing.TB, dsn string) *testPortal {
	t.Helper()
	return startPortalKEK(t, dsn, testKEK(t))
}

// startPortalKEK is startPortal on a database whose signing keys are sealed
// with kek (a benchmark's database seeded by an earlier process).
func startPortalKEK(t testing.TB, dsn string, kek []byte) *testPortal {
	t.Helper()
	// The portal runs on portal/demo's loopback runner, the one the
	// client's tests (portal/portaltest) and licdesk --demo use too.
	o := demo.Options{Dir: t.TempDir(), DSN: dsn, KeyEncryptionKey: kek, Limits: testLimits}
	// Every call the tests make is checked against api/openapi.yaml; a
	// benchmark measures the portal alone, and a fuzz target is about
	// answers that are not 500s (and reports to its own *testing.T).
	switch t.(type) {
	case *testing.B, *testing.F:
	default:
		o.Wrap = func(h http.Handler) http.Handler { return apispec.Guard(t, h) }
	}
	d, err := demo.Start(context.Background(), o)
	require.NoError(t, err)
	t.Cleanup(d.Close)
	return &testPortal{t: t, URL: d.URL, Store: d.Store, MailDir: d.MailDir, FilesDir: d.FilesDir, Server: d.Server(), KEK: kek,
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
}

// reply is an HTTP answer.
type reply struct {
	Status int
	Body   []byte
}

func (r reply) problem(t testing.TB) api.Problem {
	t.Helper()
	var p api.Problem
	require.NoError(t, json.Unmarshal(r.Body, &p), string(r.Body))
	return p
}

func (r reply) decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), string(r.Body))
}

// do sends a request; body may be nil, a []byte or a value to encode.
func (p *testPortal) do(method, path, token string, body any, headers ...string) reply {
	p.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		require.NoError(p.t, err)
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, p.URL+path, rd)
	require.NoError(p.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := p.http.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return reply{Status: resp.StatusCode, Body: b}
}

// testLimits lift the hourly sign-up budgets for tests that sign many
// people up from one loopback address; the limit tests use the defaults.
var testLimits = portal.Limits{SignupsPerClient: 1 << 20, SignupsPerAddress: 1 << 20, VerifiesPerClient: 1 << 20}

// signup creates an account, verifies its address with the code the
// portal e-mailed, and returns its session.
func (p *testPortal) signup(email, name string) api.Session {
	p.t.Helper()
	s := p.signupUnverified(email, name)
	p.verifyByMail(s.User.Email)
	s.User.Verified = true
	return s
}

// signupUnverified creates an account and leaves its address unverified.
func (p *testPortal) signupUnverified(email, name string) api.Session {
	p.t.Helper()
	r := p.do("POST", "/v1/signup", "", api.Credentials{Email: email, Password: "correct horse battery", Name: name, AccountName: name})
	require.Equal(p.t, http.StatusCreated, r.Status, string(r.Body))
	var s api.Session
	r.decode(p.t, &s)
	return s
}

// codeRe finds the code in a verification e-mail's subject.
var codeRe = regexp.MustCompile(`Subject: Your License Desk code: (\d+)`)

// mailedCode returns the newest verification code e-mailed to an address.
func (p *testPortal) mailedCode(email string) string {
	p.t.Helper()
	var code string
	if p.Server == nil {
		p.t.Fatalf("this test portal has no mail sender")
	}
	require.NoError(p.t, p.Server.FlushMail(context.Background()))
	for _, m := range p.allMails(email) {
		if c := codeRe.FindStringSubmatch(m); c != nil {
			code = c[1]
		}
	}
	require.NotEmpty(p.t, code, "no verification e-mail to %s", email)
	return code
}

// verifyByMail enters the code e-mailed to an address, as its owner does.
func (p *testPortal) verifyByMail(email string) {
	p.t.Helper()
	if p.Server == nil {
		require.NoError(p.t, p.Store.MarkVerified(context.Background(), core.Email(email)))
		return
	}
	r := p.do("POST", "/v1/verify", "", api.VerifyRequest{Email: email, Code: p.mailedCode(email)})
	require.Equal(p.t, http.StatusOK, r.Status, string(r.Body))
}

// accountOf returns the account a session's user owns.
func (p *testPortal) accountOf(tok string) string {
	p.t.Helper()
	var me api.Me
	p.do("GET", "/v1/me", tok, nil).decode(p.t, &me)
	for _, m := range me.Memberships {
		if m.Role == "owner" {
			return m.AccountID
		}
	}
	p.t.Fatalf("no owned account")
	return ""
}

// issue gives an account a license as the vendor does.
func (p *testPortal) issue(account, product, edition string, modules []string, seats int) string {
	p.t.Helper()
	ed, err := core.ParseEdition(edition)
	require.NoError(p.t, err)
	now := time.Now()
	id, err := p.Store.IssueLicense(context.Background(), account, store.LicenseSpec{Product: product,
		Edition: ed, Modules: modules, Seats: seats, Start: now.AddDate(0, -1, 0), Expiry: now.AddDate(1, 0, 0)})
	require.NoError(p.t, err)
	return id
}

// mails delivers the queued e-mails and returns the .eml files written to
// an address, oldest first.
func (p *testPortal) mails(to string) []string {
	p.t.Helper()
	require.NoError(p.t, p.Server.FlushMail(context.Background()))
	return p.mailsNoFlush(to)
}

// mailsNoFlush returns the .eml files already written to an address,
// without the verification codes every sign-up sends.
func (p *testPortal) mailsNoFlush(to string) []string {
	p.t.Helper()
	var out []string
	for _, m := range p.allMails(to) {
		if !codeRe.MatchString(m) {
			out = append(out, m)
		}
	}
	return out
}

// allMails returns every .eml file already written to an address.
func (p *testPortal) allMails(to string) []string {
	p.t.Helper()
	entries, _ := os.ReadDir(p.MailDir)
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), to) && strings.HasSuffix(e.Name(), ".eml") {
			b, err := os.ReadFile(filepath.Join(p.MailDir, e.Name()))
			require.NoError(p.t, err)
			out = append(out, string(b))
		}
	}
	return out
}

func seatOf(s api.Solution, email string) (api.Seat, bool) {
	for _, seat := range s.Seats {
		if seat.Email == email {
			return seat, true
		}
	}
	return api.Seat{}, false
}

func (p *testPortal) nowForTest() time.Time { return time.Now() }

func testProcs() int { return runtime.GOMAXPROCS(0) }

// startPortalLive is startPortal with the background loops running, as in
// production: benchmarks pay for delivering the e-mails they cause.
func startPortalLive(t testing.TB, dsn string) *testPortal {
	p := startPortal(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Server.Background(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// testKEK is a fresh key-encryption key: every test portal makes its own.
func testKEK(t testing.TB) []byte {
	t.Helper()
	k, err := store.GenerateKEK()
	require.NoError(t, err)
	return k
}

// sell puts a product in the vendor's catalogue (a serial of it), so that
// users may register it from the list.
func (p *testPortal) sell(product string) {
	p.t.Helper()
	_, err := p.Store.CreateSerial(context.Background(), "", store.KeySpec{Product: product, Edition: core.EditionProfessional, Capacity: 1})
	require.NoError(p.t, err)
}
