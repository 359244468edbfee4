package portal

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// Limits that no single user can break. Counters live in the store (shared
// by every instance); only the bound on concurrent password hashing is
// per process, because it protects this process's memory.

// Login throttling, per (e-mail, client address): five failures cost
// nothing, then each further one doubles the wait from one second up to
// fifteen minutes. A stranger elsewhere cannot make the victim wait: their
// failures count under their own address. Per client address across all
// e-mails (credential stuffing) the wait starts after 30 failures.
const (
	loginFree       = 5
	loginBase       = time.Second
	loginMax        = 15 * time.Minute
	loginClientFree = 30
	loginClientMax  = time.Minute
)

// Limits are the hourly budgets of sign-ups, verification attempts and
// code requests, per client address and per e-mail address. Zero fields
// take the defaults.
type Limits struct {
	SignupsPerClient, SignupsPerAddress   int
	VerifiesPerClient, VerifiesPerAddress int
	ResendsPerClient, ResendsPerAddress   int
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.SignupsPerClient, 20)
	def(&l.SignupsPerAddress, 5)
	def(&l.VerifiesPerClient, 30)
	def(&l.VerifiesPerAddress, 10)
	def(&l.ResendsPerClient, 20)
	def(&l.ResendsPerAddress, 3)
	return l
}

// limitWindow is the window of the hourly budgets.
const limitWindow = time.Hour

// errBusy answers when every password hashing slot is taken.
var errBusy = &httpError{status: http.StatusServiceUnavailable, code: "portal.busy",
	msg: "the portal is busy checking passwords; try again in a moment", retryAfter: 1}

// withHashSlot runs fn (a password hash or check: argon2id takes 19 MiB and
// tens of milliseconds) only when one of the bounded slots is free, waiting
// briefly for one; otherwise it answers 503 with Retry-After.
func (s *Server) withHashSlot(ctx context.Context, fn func()) error {
	t := time.NewTimer(200 * time.Millisecond)
	defer t.Stop()
	select {
	case s.hashSlots <- struct{}{}:
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	fn()
	return nil
}

// limit counts one event under key and refuses (429) when the window's
// budget is spent.
func (s *Server) limit(ctx context.Context, key string, n int, what string) error {
	ok, retry, err := s.cfg.Store.Hit(ctx, key, limitWindow, n)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	return &httpError{status: http.StatusTooManyRequests, code: "rate_limited",
		msg:        fmt.Sprintf("too many %s; try again in %d minutes", what, int(retry.Minutes())+1),
		retryAfter: int(retry.Seconds()) + 1}
}

// loginWait returns how long the failures of (e-mail, client) and of the
// client alone make this attempt wait.
func (s *Server) loginWait(ctx context.Context, pair, client string) (time.Duration, error) {
	w1, err := s.cfg.Store.LoginWait(ctx, pair, loginFree, loginBase, loginMax)
	if err != nil {
		return 0, err
	}
	w2, err := s.cfg.Store.LoginWait(ctx, client, loginClientFree, loginBase, loginClientMax)
	if err != nil {
		return 0, err
	}
	return max(w1, w2), nil
}

// ParseTrustedProxies reads comma-separated CIDRs (or single addresses) of
// the reverse proxies whose X-Forwarded-For the portal believes.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// clientAddr is the caller's address for rate limiting: the connection's
// peer, unless that peer is a configured trusted proxy; then the nearest
// address in X-Forwarded-For that is not itself a trusted proxy. A header
// from anyone else is ignored, so a client cannot pick its own address.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	client := peer.Unmap().String()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // a malformed hop: trust nothing beyond it
		}
		client = a.Unmap().String()
		if !s.trusted(a) {
			break
		}
	}
	return client
}
