package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// session is one profile opened by the window: its cache, its settings and,
// once someone logged in, the syncer and scheduler of that login. It follows
// the command line's conventions (token name, identity), so that `licdesk
// login` in a terminal and the window share one profile.
type session struct {
	prof     *profile.Profile
	cache    *lsync.Cache
	settings map[string]string
	token    string

	client *lsync.Client
	syncer *lsync.Syncer
	sched  *lsync.Scheduler
}

// openSession opens the profile folder and its cache. It does not need the
// portal: a window opened offline reads from it.
func openSession(ctx context.Context, dir, secretsMode string) (*session, error) {
	p, err := profile.Open(dir, secretsMode)
	if err != nil {
		return nil, err
	}
	c, err := lsync.OpenCache(ctx, p.CachePath())
	if err != nil {
		return nil, err
	}
	s := &session{prof: p, cache: c}
	if err := s.loadSettings(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

func (s *session) loadSettings(ctx context.Context) error {
	var err error
	if s.settings, err = s.cache.Settings(ctx); err != nil {
		return err
	}
	s.token = ""
	if s.loggedIn() {
		tok, _, err := s.prof.Secrets.Get(lsync.TokenName(s.portal(), s.email()))
		if err != nil && !errors.Is(err, profile.ErrNoSecret) {
			return err
		}
		s.token = tok
	}
	return nil
}

func (s *session) portal() string { return s.settings[lsync.SettingPortal] }
func (s *session) email() string  { return s.settings[lsync.SettingEmail] }

// loggedIn reports whether someone logged in once with this profile (the
// cache then holds their copy, readable offline).
func (s *session) loggedIn() bool { return s.email() != "" && s.portal() != "" }

// hasCopy reports whether the cache was synced at least once: "Work offline"
// makes sense only then.
func (s *session) hasCopy(ctx context.Context) bool {
	st, err := s.cache.SyncState(ctx)
	return err == nil && s.loggedIn() && !st.LastSync.IsZero()
}

// login signs in (or up) at a portal and keeps the session in the profile,
// as `licdesk login` does. Another person's cached copy is dropped first;
// writes of another login still waiting are refused unless discard.
func (s *session) login(ctx context.Context, portalURL, email, password string, signup, discard bool) error {
	base, err := lsync.ParsePortalURL(strings.TrimSpace(portalURL))
	if err != nil {
		return err
	}
	portal := base.String()
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" || password == "" {
		return errors.New("enter your e-mail and password")
	}
	oldID := lsync.Identity(s.portal(), s.email())
	if oldID != "" && oldID != lsync.Identity(portal, email) && !discard {
		pending, _, err := s.cache.OutboxCounts(ctx)
		if err != nil {
			return err
		}
		if pending > 0 {
			return fmt.Errorf("%d writes of %s are still waiting to be sent", pending, oldID)
		}
	}
	caFile := ""
	if portal == s.portal() {
		caFile = s.settings[lsync.SettingCAFile]
	}
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: portal, CAFile: caFile})
	if err != nil {
		return err
	}
	var sess api.Session
	if signup {
		sess, err = cl.SignUp(ctx, api.Credentials{Email: email, Password: password})
	} else {
		sess, err = cl.Login(ctx, email, password)
	}
	if err != nil {
		return err
	}
	if newID := lsync.Identity(portal, sess.User.Email); oldID != newID {
		if discard {
			if _, err := s.cache.DiscardPending(ctx); err != nil {
				return err
			}
		}
		if err := s.cache.Reset(ctx); err != nil {
			return err
		}
		if oldID != "" {
			s.prof.Secrets.Delete(lsync.TokenName(s.portal(), s.email()))
		}
	}
	place, err := s.prof.Secrets.Set(lsync.TokenName(portal, sess.User.Email), sess.Token)
	if err != nil {
		return err
	}
	if err := s.cache.SetSettings(ctx, map[string]string{lsync.SettingPortal: portal,
		lsync.SettingEmail: sess.User.Email, lsync.SettingUserID: sess.User.ID,
		lsync.SettingUserName: sess.User.Name, lsync.SettingCAFile: caFile,
		lsync.SettingTokenAt: string(place)}); err != nil {
		return err
	}
	return s.loadSettings(ctx)
}

// start builds the syncer and scheduler of the logged-in user. Without a
// token (work offline) the syncer still exists: writes queue and the
// scheduler reports "signed out".
func (s *session) start(cfg lsync.SchedulerConfig) error {
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: s.portal(), Token: s.token,
		CAFile: s.settings[lsync.SettingCAFile]})
	if err != nil {
		return err
	}
	s.client = cl
	s.syncer = lsync.NewSyncer(lsync.SyncerConfig{Cache: s.cache, Client: cl,
		Identity: lsync.Identity(s.portal(), s.email())})
	s.sched = lsync.NewScheduler(s.syncer, cfg)
	return nil
}

// accountID is the account the user owns (or the first they manage), used
// where a write needs an account and the user did not pick one.
func (s *session) accountID(ctx context.Context) string {
	ms, err := s.cache.Accounts(ctx)
	if err != nil {
		return ""
	}
	for _, m := range ms {
		if m.Role == "owner" {
			return m.AccountID
		}
	}
	if len(ms) > 0 {
		return ms[0].AccountID
	}
	return ""
}

func (s *session) close() {
	if s.cache != nil {
		s.cache.Close()
	}
}
