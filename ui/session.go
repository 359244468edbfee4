package ui

import (
	"context"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/desk"
	lsync "github.com/licdesk/licdesk/sync"
)

// session is the profile the window opened, through the desk that both
// the window and the command line use (so that `licdesk login` in a
// terminal and the window share one profile), with the background sync of
// its login.
type session struct {
	d     *desk.Desk
	cache *lsync.Cache
	sched *lsync.Scheduler
}

// openSession opens the profile folder and its cache. It does not need the
// portal: a window opened offline reads from it. The portal words its
// answers in lang (Accept-Language); a language chosen later in the window
// reaches the portal's answers at the next start.
func openSession(ctx context.Context, cfg Config, lang language.Tag) (*session, error) {
	d, err := desk.Open(desk.Options{Dir: cfg.ProfileDir, SecretsMode: cfg.SecretsMode, Now: cfg.Now, Hardware: cfg.hardware,
		Language: lang})
	if err != nil {
		return nil, err
	}
	c, err := d.Cache(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &session{d: d, cache: c}, nil
}

// info is the profile's login.
func (s *session) info() desk.Session {
	i, _ := s.d.Session(context.Background()) // the cache is open: no I/O error left
	return i
}

func (s *session) portal() string { return s.info().Portal }
func (s *session) email() string  { return s.info().Email }

// loggedIn reports whether someone logged in once with this profile.
func (s *session) loggedIn() bool { return s.info().LoggedIn() }

// hasToken reports whether the portal session is open.
func (s *session) hasToken() bool { return s.info().HasToken }

// hasCopy reports whether the cache was synced at least once: "Work offline"
// makes sense only then.
func (s *session) hasCopy(ctx context.Context) bool {
	st, err := s.cache.SyncState(ctx)
	return err == nil && s.loggedIn() && !st.LastSync.IsZero()
}

// start builds the scheduler of the logged-in user. Without a token (work
// offline) it still exists: writes queue and it reports "signed out".
func (s *session) start(cfg lsync.SchedulerConfig) error {
	sc, err := s.d.NewScheduler(context.Background(), cfg)
	if err != nil {
		return err
	}
	s.sched = sc
	return nil
}

// accountID is the account a write goes to when the user names none.
func (s *session) accountID(ctx context.Context) string {
	m, _, _ := s.d.OwnAccount(ctx)
	return m.AccountID
}

func (s *session) close() { s.d.Close() }

// login signs in (or up) through the desk, as `licdesk login` does; writes
// of another login still waiting are refused unless discard.
func (s *session) login(ctx context.Context, portalURL, email, password string, signup, discard bool) error {
	_, err := s.d.Login(ctx, desk.Credentials{Portal: portalURL, Email: email, Password: password,
		SignUp: signup, DiscardPending: discard})
	return err
}
