package sync

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/version"
)

// ClientConfig sets up a Client.
type ClientConfig struct {
	// BaseURL is the portal, for example https://portal.example or
	// http://127.0.0.1:8470.
	BaseURL string
	// Token is the bearer token of the session; empty before login.
	Token string
	// Timeout bounds one attempt of one request, answer body included;
	// 60 seconds when zero.
	Timeout time.Duration
	// CAFile names a PEM file of extra certificate authorities trusted
	// beside the system's (a company portal with its own CA).
	CAFile string
	// Insecure allows a plain http:// portal on a host other than this
	// machine (loopback), where the token and passwords would cross the
	// network unencrypted; the command line sets it with --insecure.
	Insecure bool
	// Retry is how transient failures are retried; DefaultRetry when its
	// Attempts is zero.
	Retry RetryPolicy
	// MaxResponseBytes bounds a JSON answer; 64 MiB when zero.
	MaxResponseBytes int64
	// Transport replaces the HTTP transport (tests, benchmarks).
	Transport http.RoundTripper
	// Language is the user's language, sent as Accept-Language on every
	// request so that the portal words its refusals (problem+json title
	// and detail) and a new account's e-mails in it; Und sends none.
	Language language.Tag
}

// Client talks to the portal's JSON API. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	token   string
	http    *http.Client
	retry   RetryPolicy
	maxBody int64
	lang    string // Accept-Language; "" sends none
}

// NewClient checks the configuration and builds a client.
func NewClient(cfg ClientConfig) (*Client, error) {
	base, err := ParsePortalURLWith(cfg.BaseURL, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.Retry.Attempts == 0 {
		cfg.Retry = DefaultRetry()
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = 64 << 20
	}
	rt := cfg.Transport
	if rt == nil {
		tr, err := newTransport(cfg.CAFile)
		if err != nil {
			return nil, err
		}
		rt = tr
	}
	lang := ""
	if cfg.Language != language.Und {
		lang = cfg.Language.String()
	}
	return &Client{base: base, token: cfg.Token, retry: cfg.Retry, maxBody: cfg.MaxResponseBytes, lang: lang,
		http: &http.Client{Transport: rt, Timeout: cfg.Timeout,
			// A redirect would carry the bearer token somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}, nil
}

// ParsePortalURL checks a portal address: https, or http to this machine
// (loopback) only; a host, no query.
func ParsePortalURL(s string) (*url.URL, error) { return ParsePortalURLWith(s, false) }

// ParsePortalURLWith is ParsePortalURL that, with insecure set, also takes
// plain http:// to another host (the --insecure option).
func ParsePortalURLWith(s string, insecure bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(s), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return nil, &Error{Kind: Invalid, Code: "portal.url",
			Msg: fmt.Sprintf("%q is not a portal address: give http(s)://HOST[:PORT]", s)}
	}
	if u.Scheme == "http" && !insecure && !loopbackHost(u.Hostname()) {
		return nil, &Error{Kind: Invalid, Code: "portal.insecure",
			Msg: fmt.Sprintf("%s is not encrypted: use https://, or --insecure to send your password and token in clear anyway", u.Redacted())}
	}
	return u, nil
}

// loopbackHost reports whether a host name is this machine: "localhost" or
// a loopback address.
func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") || strings.HasSuffix(strings.ToLower(h), ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// newTransport is the HTTP transport: the system's roots plus an optional
// extra CA file, bounded dial and handshake times, kept-alive connections.
func newTransport(caFile string) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 45 * time.Second
	tr.MaxIdleConnsPerHost = 4
	tr.Proxy = http.ProxyFromEnvironment
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	} else {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return tr, nil
}

// BaseURL returns the portal's address.
func (c *Client) BaseURL() string { return c.base.String() }

// WithToken returns a client that authenticates with token, sharing this
// client's connections.
func (c *Client) WithToken(token string) *Client {
	cc := *c
	cc.token = token
	return &cc
}

// WithRetry returns a client with another retry policy, sharing this
// client's connections (a quick probe does not want three tries).
func (c *Client) WithRetry(p RetryPolicy) *Client {
	cc := *c
	cc.retry = p
	return &cc
}

// HasToken reports whether the client is logged in.
func (c *Client) HasToken() bool { return c.token != "" }

// Request is one call to the portal.
type Request struct {
	Method string
	// Path is below the base URL, starting with "/v1/", escaped as on the
	// wire (url.PathEscape each ID); Query is added.
	Path  string
	Query url.Values
	// Body is sent as is (application/json); nil sends none.
	Body []byte
	// ContentType is the body's media type when it is not JSON (a file
	// carried by hand).
	ContentType string
	// Key is the Idempotency-Key of a write; a write with a key is safe to
	// send again, so only then (and for reads) are failures retried.
	Key string
	// Retry allows retrying a write without a key (one that is harmless to
	// repeat, such as a login).
	Retry bool
}

// Do sends a request and decodes a 2xx JSON answer into out (nil: the
// answer is dropped; *json.RawMessage: kept as is). A problem answer or a
// network failure comes back as an *Error.
func (c *Client) Do(ctx context.Context, r Request, out any) error {
	if len(r.Body) > api.MaxBodyBytes {
		return &Error{Kind: Invalid, Code: "request.too_large",
			Msg: fmt.Sprintf("the request is over the portal's %d-byte limit", api.MaxBodyBytes)}
	}
	policy := c.retry
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Key == "" && !r.Retry {
		policy = NoRetry()
	}
	return policy.retry(ctx, func() error { return c.once(ctx, r, out) })
}

func (c *Client) once(ctx context.Context, r Request, out any) error {
	u := *c.base
	// r.Path is escaped (writes escape their IDs with url.PathEscape): keep
	// it as it is on the wire instead of escaping it a second time.
	u.RawPath = c.base.EscapedPath() + r.Path
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return &Error{Kind: Invalid, Code: "request.path", Msg: "a malformed request path: " + r.Path, Err: err}
	}
	u.Path = p
	if len(r.Query) > 0 {
		u.RawQuery = r.Query.Encode()
	}
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if r.Body != nil {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	req.Header.Set("Accept", "application/json")
	c.identify(req)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if r.Key != "" {
		req.Header.Set(api.IdempotencyHeader, r.Key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.netError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.problem(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return c.netError(ctx, err)
	}
	if int64(len(b)) > c.maxBody {
		return &Error{Kind: Unavailable, Code: "response.too_large", Status: resp.StatusCode,
			Msg: fmt.Sprintf("the portal's answer is over %d bytes", c.maxBody)}
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = b
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return &Error{Kind: Unavailable, Code: "response.malformed", Status: resp.StatusCode,
			Msg: "the portal's answer is not the JSON expected: is " + c.base.Host + " a License Desk portal?", Err: err}
	}
	return nil
}

// problem turns a non-2xx answer into an *Error.
func (c *Client) problem(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var p api.Problem
	if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "json") {
		_ = json.Unmarshal(b, &p) // a malformed problem still has its status
	}
	e := problemError(resp.StatusCode, p, retryAfter(resp.Header.Get("Retry-After")))
	if p.Code == "" && resp.StatusCode == http.StatusNotFound {
		// Not the portal's own 404 (which always has a code): a wrong URL.
		e.Msg = "the portal does not know " + resp.Request.URL.Path + ": is " + c.base.Host + " a License Desk portal of this version?"
	}
	return e
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// netError classifies a failure to get an answer. The caller's own
// cancellation is passed through as is: it is not the portal's fault; the
// caller's deadline is the portal's (it did not answer in time).
func (c *Client) netError(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		// The caller's deadline for an answer passed: the portal is as good
		// as unreachable for this call (a hung server, a dead link).
		return &Error{Kind: Offline, Code: "timeout",
			Msg: fmt.Sprintf("the portal at %s did not answer in time", c.base.Host), Err: ctx.Err(),
			Args: []any{"Host", c.base.Host}}
	case ctx.Err() != nil:
		return ctx.Err()
	}
	code, why := "network", err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		why = ue.Err.Error()
		if ue.Timeout() {
			code, why = "timeout", "no answer in time"
		}
	}
	var oe *net.OpError
	if code == "network" && errors.As(err, &oe) && oe.Err != nil {
		why = oe.Err.Error()
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			why = se.Err.Error()
		}
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		why = "connection refused"
	}
	return &Error{Kind: Offline, Code: code, Msg: fmt.Sprintf("cannot reach the portal at %s: %s", c.base.Host, why), Err: err,
		Args: []any{"Host", c.base.Host, "Why", why}}
}

// get is a read.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.Do(ctx, Request{Method: http.MethodGet, Path: path, Query: q}, out)
}

// Health asks whether the portal is up; it needs no login.
func (c *Client) Health(ctx context.Context) error {
	return c.get(ctx, "/v1/health", nil, nil)
}

// SignUp creates a user and their account and starts a session. It is not
// retried: a lost answer would make a second try fail with account.exists.
func (c *Client) SignUp(ctx context.Context, cr api.Credentials) (api.Session, error) {
	var s api.Session
	b, err := json.Marshal(cr)
	if err != nil {
		return s, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/signup", Body: b}, &s)
	return s, err
}

// Login starts a session.
func (c *Client) Login(ctx context.Context, email, password string) (api.Session, error) {
	var s api.Session
	b, err := json.Marshal(api.Credentials{Email: email, Password: password})
	if err != nil {
		return s, err
	}
	err = c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/login", Body: b, Retry: true}, &s)
	return s, err
}

// Logout ends the session on the portal.
func (c *Client) Logout(ctx context.Context) error {
	return c.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/logout", Retry: true}, nil)
}

// Me describes the logged-in user and their accounts.
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var me api.Me
	err := c.get(ctx, "/v1/me", nil, &me)
	return me, err
}

// Changes pulls one page of the change feed after cursor ("" for a full
// snapshot).
func (c *Client) Changes(ctx context.Context, cursor string) (api.Changes, error) {
	var page api.Changes
	err := c.get(ctx, "/v1/changes", url.Values{"cursor": {cursor}}, &page)
	return page, err
}

// Audit lists the recorded transitions of a license.
func (c *Client) Audit(ctx context.Context, licenseID string) ([]api.AuditEvent, error) {
	var evs []api.AuditEvent
	err := c.get(ctx, "/v1/licenses/"+url.PathEscape(licenseID)+"/audit", nil, &evs)
	return evs, err
}

// identify sets what every request says of its client: the program and
// the user's language (Accept-Language), in which the portal words its
// refusals.
func (c *Client) identify(req *http.Request) {
	req.Header.Set("User-Agent", "licdesk/"+version.Number)
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
}
