// Package demo runs a licportal inside another process, on a loopback
// address: the demo portal of `licdesk --demo` (seeded with the demo data,
// stopped and started again from the window's Demo menu) and the portal the
// tests of the client run against (portal/portaltest). The address stays
// the same across Stop and Start, as a real portal's does across a restart.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	gosync "sync"
	"time"

	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

// Options set up a Portal.
type Options struct {
	// Dir holds the database, the mail folder and the downloads' bytes;
	// "" makes a throwaway folder that Close removes.
	Dir string
	// DSN is the database when it is not the SQLite file in Dir: a
	// PostgreSQL URL (the portal's own tests run on both).
	DSN string
	// Seed loads the demo data set (its logins are in Portal.Logins).
	Seed bool
	// Background runs the portal's background work (the mail outbox's
	// sender, pruning) until Close.
	Background bool
	// Now is the portal's clock; nil is time.Now.
	Now func() time.Time
	// Logger receives the portal's log; nil discards it.
	Logger *slog.Logger
	// Limits are the portal's rate limits and caps (zero: the defaults).
	Limits portal.Limits
	// KeyEncryptionKey seals the portal's signing keys in its database;
	// nil makes a fresh one in memory, enough for a portal that lives as
	// long as this process (its signing keys die with it).
	KeyEncryptionKey []byte
	// Wrap, when set, wraps the portal's handler (the tests' check of
	// every call against the API document).
	Wrap func(http.Handler) http.Handler
	// AlsoMail receives the portal's e-mails after the mail folder: the
	// demo's IMAP server (mailbox/imapdemo.Sender), so that they arrive
	// in the demo users' mailboxes.
	AlsoMail mail.Sender
}

// bothSenders delivers to the folder, then to the other sender.
type bothSenders struct{ first, then mail.Sender }

// Send delivers m to both.
func (b bothSenders) Send(ctx context.Context, m mail.Message) error {
	if err := b.first.Send(ctx, m); err != nil {
		return err
	}
	return b.then.Send(ctx, m)
}

// Portal is a portal served in this process.
type Portal struct {
	// URL is the portal's address, the same across Stop and Start.
	URL string
	// Dir, MailDir and FilesDir are its folders.
	Dir, MailDir, FilesDir string
	// Store is its database.
	Store *store.Store
	// Logins are the demo's users, when seeded.
	Logins []portal.DemoLogin

	server  *portal.Server
	handler http.Handler // server, wrapped when Options.Wrap says so
	addr    string
	ownDir  bool
	cancel  context.CancelFunc
	bgDone  chan struct{}

	mu   gosync.Mutex  // guards srv and done
	srv  *http.Server  // nil while stopped
	done chan struct{} // closed when srv's Serve returned
}

// Start opens (or creates) the portal's store, seeds it if asked, and
// serves it on a free loopback port.
func Start(ctx context.Context, o Options) (*Portal, error) {
	p := &Portal{Dir: o.Dir, bgDone: make(chan struct{})}
	if p.Dir == "" {
		d, err := os.MkdirTemp("", "licdesk-demo-")
		if err != nil {
			return nil, err
		}
		p.Dir, p.ownDir = d, true
	}
	p.MailDir, p.FilesDir = filepath.Join(p.Dir, "mail"), filepath.Join(p.Dir, "files")
	fail := func(err error) (*Portal, error) {
		if p.Store != nil {
			p.Store.Close()
		}
		if p.ownDir {
			os.RemoveAll(p.Dir)
		}
		return nil, err
	}
	kek := o.KeyEncryptionKey
	if kek == nil {
		var err error
		if kek, err = store.GenerateKEK(); err != nil {
			return fail(err)
		}
	}
	var err error
	opts := []store.Option{store.WithKeyEncryptionKey(kek)}
	if o.Now != nil {
		opts = append(opts, store.WithClock(o.Now))
	}
	dsn := o.DSN
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(p.Dir, "portal.db")
	}
	if p.Store, err = store.Open(ctx, dsn, opts...); err != nil {
		return fail(err)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	var mailer mail.Sender = mail.Dir{Path: p.MailDir}
	if o.AlsoMail != nil {
		mailer = bothSenders{mailer, o.AlsoMail}
	}
	if o.Seed {
		if p.Logins, err = (portal.Seeder{Store: p.Store, Mail: mailer, Now: now(), FilesDir: p.FilesDir}).Demo(ctx); err != nil {
			return fail(fmt.Errorf("seed the demo data: %w", err))
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	p.addr = ln.Addr().String()
	p.URL = "http://" + p.addr
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv := portal.New(portal.Config{Store: p.Store, Mail: mailer, FilesDir: p.FilesDir, BaseURL: p.URL, Now: o.Now, Logger: logger,
		Limits: o.Limits})
	p.server, p.handler = srv, srv
	if o.Wrap != nil {
		p.handler = o.Wrap(srv)
	}
	bctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	if o.Background {
		go func() {
			defer close(p.bgDone)
			srv.Background(bctx)
		}()
	} else {
		close(p.bgDone)
	}
	p.serve(ln)
	return p, nil
}

// FlushMail delivers the e-mails the portal has queued, now.
func (p *Portal) FlushMail(ctx context.Context) error { return p.server.FlushMail(ctx) }

// Handler is the portal's HTTP handler (wrapped, when Options.Wrap said).
func (p *Portal) Handler() http.Handler { return p.handler }

// Server is the portal itself (to deliver its queued e-mails now).
func (p *Portal) Server() *portal.Server { return p.server }

// Addr is the portal's host:port.
func (p *Portal) Addr() string { return p.addr }

// serve answers on ln until Stop.
func (p *Portal) serve(ln net.Listener) {
	p.mu.Lock()
	defer p.mu.Unlock()
	srv := &http.Server{Handler: p.handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	p.srv, p.done = srv, done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "demo portal:", err)
		}
	}()
}

// Running reports whether the portal is serving.
func (p *Portal) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.srv != nil
}

// Stop takes the portal off the network at once, as if it went down: open
// connections are cut and the address refuses new ones until Start.
func (p *Portal) Stop() {
	p.mu.Lock()
	srv, done := p.srv, p.done
	p.srv = nil
	p.mu.Unlock()
	if srv == nil {
		return
	}
	srv.Close()
	<-done
}

// Start serves the portal again on the address its clients know. The
// kernel may hold the port a moment after Stop: Start tries for a second.
func (p *Portal) Start() error {
	if p.Running() {
		return nil
	}
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("serve the portal again on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

// Close stops the portal and its background work, closes the store and
// removes a throwaway folder.
func (p *Portal) Close() {
	p.Stop()
	p.cancel()
	<-p.bgDone
	p.Store.Close()
	if p.ownDir {
		os.RemoveAll(p.Dir)
	}
}
