// Package portal is licportal's HTTP JSON API: authentication, the
// endpoints of api/openapi.yaml, and the e-mails that writes call for. The
// rules live in core and the state in portal/store; this package checks who
// is asking, decodes, and answers.
package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// Config wires a Server.
type Config struct {
	Store  *store.Store
	Mail   mail.Sender
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// TokenTTL is how long a login lasts; 30 days when zero.
	TokenTTL time.Duration
	// BaseURL is where users reach the portal, for links in e-mails.
	BaseURL string
	// FilesDir is the content-addressed folder holding the bytes of
	// published downloads (package blobs); without it downloads list but
	// their content answers 503.
	FilesDir string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; without any, the connection's peer is the client.
	TrustedProxies []netip.Prefix
	// HashSlots bounds the password hashes computed at once (each takes
	// 19 MiB); GOMAXPROCS when zero.
	HashSlots int
	// Limits are the sign-up and verification budgets; defaults when zero.
	Limits Limits
	// MailClaim is how long an e-mail being sent stays claimed by this
	// instance (renewed before each send); two minutes when zero.
	MailClaim time.Duration
}

// Server answers the portal API.
type Server struct {
	cfg       Config
	hashSlots chan struct{}
	dummyMu   sync.Once
	dummy     string
	mux       *http.ServeMux
	handlers  http.Handler
	// patterns lists every route with whether it needs a login, so that
	// tests can prove each one checks who is asking.
	patterns []Route
}

// Route is one endpoint of the API.
type Route struct {
	Pattern string // "METHOD /path/{param}"
	Authed  bool   // needs a bearer token
}

// Routes lists the endpoints the server answers.
func (s *Server) Routes() []Route { return append([]Route(nil), s.patterns...) }

// New builds a server over a store.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = 30 * 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.MailClaim <= 0 {
		cfg.MailClaim = defaultMailClaim
	}
	if cfg.HashSlots <= 0 {
		cfg.HashSlots = max(2, runtime.GOMAXPROCS(0))
	}
	s := &Server{cfg: cfg, hashSlots: make(chan struct{}, cfg.HashSlots), mux: http.NewServeMux()}
	s.routes()
	s.handlers = s.logRequests(http.HandlerFunc(s.route))
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handlers.ServeHTTP(w, r) }

// route dispatches a request; a path no endpoint answers gets a
// problem+json 404 (or 405) like every other refusal, not the mux's text.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern == "" {
		rec := &probeRecorder{header: http.Header{}}
		s.mux.ServeHTTP(rec, r.WithContext(r.Context()))
		if rec.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", rec.header.Get("Allow"))
			writeProblem(w, localize(api.Problem{Status: http.StatusMethodNotAllowed, Code: "route.method",
				Detail: r.Method + " is not allowed on " + r.URL.Path}, requestLang(r), nil), 0)
			return
		}
		if rec.status == http.StatusNotFound || rec.status == 0 {
			writeProblem(w, localize(api.Problem{Status: http.StatusNotFound, Code: "route.unknown",
				Detail: "no such endpoint: " + r.Method + " " + r.URL.Path}, requestLang(r), nil), 0)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// probeRecorder captures what the mux answers for a path it has no
// endpoint for (404, 405 or a redirect), without writing it.
type probeRecorder struct {
	header http.Header
	status int
}

func (p *probeRecorder) Header() http.Header         { return p.header }
func (p *probeRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (p *probeRecorder) WriteHeader(code int)        { p.status = code }

// handler is an endpoint that may fail; the error becomes a problem answer.
type handler func(w http.ResponseWriter, r *http.Request) error

// authed is an endpoint for a logged-in caller.
type authed func(w http.ResponseWriter, r *http.Request, c store.Caller) error

func (s *Server) handle(pattern string, h handler) {
	s.patterns = append(s.patterns, Route{Pattern: pattern})
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) handleAuthed(pattern string, h authed) {
	defer func() { s.patterns[len(s.patterns)-1].Authed = true }()
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) error {
		c, err := s.caller(r)
		if err != nil {
			return err
		}
		return h(w, r, c)
	})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p, retry, internal := problemIn(err, requestLang(r))
	if internal {
		s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeProblem(w, p, retry)
}

// caller authenticates a request by its bearer token.
func (s *Server) caller(r *http.Request) (store.Caller, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return store.Caller{}, refuse(http.StatusUnauthorized, "auth.required", "log in first: this needs a bearer token")
	}
	return s.cfg.Store.CallerByToken(r.Context(), tokenHash(tok))
}

// newToken returns a random bearer token and the hash the store keeps; the
// token itself is never stored or logged.
func newToken() (token, hash string) {
	var b [32]byte
	rand.Read(b[:])
	token = "ldt_" + base64.RawURLEncoding.EncodeToString(b[:])
	return token, tokenHash(token)
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// statusRecorder remembers the status for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs method, path, status and duration: never headers,
// bodies or query strings, which may carry tokens and passwords.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.cfg.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"ms", time.Since(start).Milliseconds())
	})
}

// dummyHash is checked against when an e-mail has no account, so that a
// failed login takes as long whether or not the account exists. Made once,
// on first use, to keep it off start-up.
func (s *Server) dummyHash() string {
	s.dummyMu.Do(func() { s.dummy = hashPassword("licdesk-timing-equaliser") })
	return s.dummy
}

// Background runs the portal's background work until ctx ends: it delivers
// queued e-mails and forgets old idempotency answers. The caller owns the
// goroutine that runs it; Background returns when both loops stopped.
func (s *Server) Background(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); s.sendMailLoop(ctx) }()
	defer func() { <-done }()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := s.cfg.Store.PruneIdempotency(ctx, api.IdempotencyRetention.Milliseconds()); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("prune idempotency", "err", err)
		}
		if err := s.cfg.Store.PruneLimits(ctx, 24*time.Hour); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("prune rate limits", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
