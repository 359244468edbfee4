// Package desk is the License Desk application: every use case of the
// window and of the command line (the session, trust in the portal's keys,
// activation online and offline, answering a request, deactivation, leases,
// the check and the launch, writes through the outbox, downloads) as one
// function that both faces call. The faces keep only presentation: ui its
// widgets and wording, cli its flags and tables.
//
// A Desk is one profile folder. It is safe for concurrent use: the window
// calls it from several background goroutines at once.
package desk

import (
	"context"
	"errors"
	gosync "sync"
	"time"

	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// DefaultAnswerWithin is how long an interactive call waits for the portal
// before it gives up on it: a read then answers from the local copy, a
// write stays queued. A person waiting on a hung portal should not wait
// longer than this.
const DefaultAnswerWithin = 3 * time.Second

// lockWait is how long a push waits for another process of the same
// profile (the window's background sync) to finish its own.
const lockWait = 10 * time.Second

// Options sets up a Desk.
type Options struct {
	// Dir is the profile folder (profile.DefaultDir).
	Dir string
	// SecretsMode is profile.EnvSecrets' value.
	SecretsMode string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Hardware reads the machine's fingerprint; nil is this machine's.
	// Only in-process callers (tests) set it: no flag or environment
	// variable does.
	Hardware machine.Source
	// Checkpoint is the crash tests' hook, called at named points of a
	// sync; nil in the shipped program.
	Checkpoint func(point string)
	// AnswerWithin bounds the wait for the portal in interactive calls;
	// DefaultAnswerWithin when zero.
	AnswerWithin time.Duration
	// Language is the user's language: the portal words its answers
	// (refusals, e-mails to a new account) in it. Und sends none.
	Language language.Tag
}

// Desk is one profile opened by License Desk.
type Desk struct {
	opts Options
	prof *profile.Profile

	mu       gosync.Mutex // guards the fields below
	cache    *lsync.Cache
	settings map[string]string
	token    string
	place    profile.Place
}

// Open opens the profile folder. The offline cache is opened on first use,
// so that the machine-only jobs (trust, offline activation, the check) do
// not pay for it.
func Open(opts Options) (*Desk, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.AnswerWithin == 0 {
		opts.AnswerWithin = DefaultAnswerWithin
	}
	if opts.Hardware == nil {
		// One source for the desk's life: the hardware is read once.
		opts.Hardware = machine.System()
	}
	p, err := profile.Open(opts.Dir, opts.SecretsMode)
	if err != nil {
		return nil, err
	}
	return &Desk{opts: opts, prof: p}, nil
}

// Close closes the cache.
func (d *Desk) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cache == nil {
		return nil
	}
	err := d.cache.Close()
	d.cache = nil
	return err
}

// Profile is the profile folder and its secrets.
func (d *Desk) Profile() *profile.Profile { return d.prof }

// Now is the desk's clock.
func (d *Desk) Now() time.Time { return d.opts.Now() }

// Cache opens (once) the offline cache and reads the login's settings and
// token.
func (d *Desk) Cache(ctx context.Context) (*lsync.Cache, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cache != nil {
		return d.cache, nil
	}
	c, err := lsync.OpenCache(ctx, d.prof.CachePath())
	if err != nil {
		return nil, err
	}
	d.cache = c
	if err := d.loadLocked(ctx); err != nil {
		c.Close()
		d.cache = nil
		return nil, err
	}
	return c, nil
}

// loadLocked reads the settings and the token of the login they name.
func (d *Desk) loadLocked(ctx context.Context) error {
	s, err := d.cache.Settings(ctx)
	if err != nil {
		return err
	}
	d.settings, d.token, d.place = s, "", ""
	if s[lsync.SettingEmail] == "" || s[lsync.SettingPortal] == "" {
		return nil
	}
	tok, place, err := d.prof.Secrets.Get(lsync.TokenName(s[lsync.SettingPortal], s[lsync.SettingEmail]))
	if err != nil && !errors.Is(err, profile.ErrNoSecret) {
		return err
	}
	d.token, d.place = tok, place
	return nil
}

// Session describes the profile's login.
type Session struct {
	Portal, Email, UserID, UserName, CAFile string
	// Insecure: the user allowed a plain http:// portal on another host.
	Insecure bool
	// HasToken: the portal session is open (else: signed out, or never
	// signed in; the cached copy may still be readable).
	HasToken bool
	// TokenIn is where the token is kept (keyring or file).
	TokenIn profile.Place
}

// LoggedIn reports whether someone logged in with this profile (the cache
// then holds their copy, readable offline).
func (s Session) LoggedIn() bool { return s.Email != "" && s.Portal != "" }

// Identity names the login that writes are made under.
func (s Session) Identity() string { return lsync.Identity(s.Portal, s.Email) }

// Session reads the profile's login.
func (d *Desk) Session(ctx context.Context) (Session, error) {
	if _, err := d.Cache(ctx); err != nil {
		return Session{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sessionLocked(), nil
}

func (d *Desk) sessionLocked() Session {
	s := d.settings
	return Session{Portal: s[lsync.SettingPortal], Email: s[lsync.SettingEmail], UserID: s[lsync.SettingUserID],
		UserName: s[lsync.SettingUserName], CAFile: s[lsync.SettingCAFile], HasToken: d.token != "", TokenIn: d.place,
		Insecure: s[settingInsecure] == "yes"}
}

// Setting reads one of the profile's settings ("" when unset).
func (d *Desk) Setting(ctx context.Context, name string) (string, error) {
	if _, err := d.Cache(ctx); err != nil {
		return "", err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.settings[name], nil
}

// setSettings writes settings to the cache and to the desk's copy.
func (d *Desk) setSettings(ctx context.Context, kv map[string]string) error {
	c, err := d.Cache(ctx)
	if err != nil {
		return err
	}
	if err := c.SetSettings(ctx, kv); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, v := range kv {
		d.settings[k] = v
	}
	return nil
}

// settingInsecure records that the user allowed a plain http:// portal on
// another host (login --insecure).
const settingInsecure = "insecure"

// ErrNotLoggedIn: the job needs a login and the profile has none.
var ErrNotLoggedIn = i18n.Errorf("desk.not_logged_in")

// ErrNeedsPortal: the job needs the portal and this call was told to work
// offline (or the profile holds no session).
var ErrNeedsPortal = i18n.Errorf("desk.needs_portal")

// requireLogin insists that someone logged in once.
func (d *Desk) requireLogin(ctx context.Context) (Session, error) {
	s, err := d.Session(ctx)
	if err != nil {
		return s, err
	}
	if !s.LoggedIn() {
		return s, ErrNotLoggedIn
	}
	return s, nil
}

// Client is the portal client of the profile's login.
func (d *Desk) Client(ctx context.Context, retry lsync.RetryPolicy) (*lsync.Client, error) {
	s, err := d.requireLogin(ctx)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	tok := d.token
	d.mu.Unlock()
	return lsync.NewClient(lsync.ClientConfig{BaseURL: s.Portal, Token: tok, CAFile: s.CAFile, Retry: retry, Insecure: s.Insecure,
		Language: d.Language()})
}

// Language is the language the portal is asked to answer in.
func (d *Desk) Language() language.Tag {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.opts.Language
}

// SetLanguage changes the language the portal is asked to answer in, for
// the clients made from now on (the window's language setting).
func (d *Desk) SetLanguage(t language.Tag) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opts.Language = t
}

// online is the client of a login with an open session, or ErrNeedsPortal.
func (d *Desk) online(ctx context.Context, retry lsync.RetryPolicy) (*lsync.Client, error) {
	cl, err := d.Client(ctx, retry)
	if err != nil {
		return nil, err
	}
	if !cl.HasToken() {
		return nil, i18n.Wrap(ErrNeedsPortal, "desk.session_ended")
	}
	return cl, nil
}

// Syncer is the syncer of the profile's login. Every push takes the
// profile's lock, so that two processes never send the same writes.
func (d *Desk) Syncer(ctx context.Context, retry lsync.RetryPolicy) (*lsync.Syncer, error) {
	cl, err := d.Client(ctx, retry)
	if err != nil {
		return nil, err
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	s, _ := d.Session(ctx)
	return lsync.NewSyncer(lsync.SyncerConfig{Cache: c, Client: cl, Now: d.opts.Now, Identity: s.Identity(),
		Checkpoint: d.opts.Checkpoint, Lock: d.lock}), nil
}

// lock is the push lock of the profile.
func (d *Desk) lock(ctx context.Context) (func(), error) {
	unlock, err := d.prof.Lock(ctx, lockWait)
	if errors.Is(err, profile.ErrBusy) {
		return nil, &lsync.Error{Kind: lsync.Unavailable, Code: "profile.busy",
			Msg: "another License Desk (a window, or another command) is sending this profile's writes: try again in a moment", Err: err}
	}
	return unlock, err
}

// NewScheduler is the window's background sync of the profile's login.
func (d *Desk) NewScheduler(ctx context.Context, cfg lsync.SchedulerConfig) (*lsync.Scheduler, error) {
	s, err := d.Syncer(ctx, lsync.DefaultRetry())
	if err != nil {
		return nil, err
	}
	return lsync.NewScheduler(s, cfg), nil
}

// quick bounds an interactive call: the portal has AnswerWithin to answer.
func (d *Desk) quick(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.opts.AnswerWithin)
}

// Machine is the profile's local license store. It needs neither the cache
// nor a login: a field machine that never logged in activates offline,
// checks and launches.
func (d *Desk) Machine() (*machine.Store, error) { return machine.OpenStore(d.prof.Dir) }

// Fingerprint reads this machine's hardware fingerprint.
func (d *Desk) Fingerprint(ctx context.Context) (core.Fingerprint, error) {
	return machine.CollectFrom(ctx, d.opts.Hardware)
}
