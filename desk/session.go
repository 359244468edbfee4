package desk

import (
	"context"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// Credentials are what a login or a sign-up needs.
type Credentials struct {
	// Portal is the portal's address; "" is the last one this profile used.
	Portal, Email, Password string
	// CAFile is a PEM file of extra certificate authorities for the
	// portal; "" keeps the one of the last login at the same portal.
	CAFile string
	// SignUp creates the user and their account first; Name and
	// AccountName are then used (defaults: the portal's).
	SignUp            bool
	Name, AccountName string
	// DiscardPending drops the writes of another login still waiting to
	// be sent; without it, such writes refuse the login.
	DiscardPending bool
	// Insecure allows a plain http:// portal that is not on this machine
	// (the password and token then cross the network in the clear).
	Insecure bool
}

// LoggedIn is what a login did.
type LoggedIn struct {
	Portal string
	User   api.User
	// TokenIn is where the session token went.
	TokenIn profile.Place
	// Trust is what became of the portal's signing keys.
	Trust TrustResult
	// Sync is the first sync; SyncErr its failure (the login holds).
	Sync    lsync.Result
	SyncErr error
	// Leases counts the cloud-login leases installed on this machine.
	Leases int
}

// PendingWritesError refuses to drop writes still waiting to be sent.
type PendingWritesError struct {
	N int
	// Identity is the login they were made under.
	Identity string
}

// Error says how many writes wait.
func (e *PendingWritesError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *PendingWritesError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.pending_writes", Args: []any{"N", e.N, "Identity", e.Identity}}
}

// Login signs in (or up) at a portal and keeps the session in the profile:
// the token in the keyring (or the 0600 file), the portal's keys pinned on
// first use, a first sync, and the leases of the products assigned to the
// user, so that `check` and `launch` work at once. Another person's cached
// copy is dropped first.
func (d *Desk) Login(ctx context.Context, cr Credentials) (LoggedIn, error) {
	var out LoggedIn
	c, err := d.Cache(ctx)
	if err != nil {
		return out, err
	}
	old, _ := d.Session(ctx)
	if cr.Portal == "" {
		cr.Portal = old.Portal
	}
	if strings.TrimSpace(cr.Portal) == "" {
		return out, invalid("portal.url", "give the portal's address")
	}
	if !cr.Insecure && cr.Portal == old.Portal {
		cr.Insecure = old.Insecure
	}
	base, err := lsync.ParsePortalURLWith(cr.Portal, cr.Insecure)
	if err != nil {
		return out, err
	}
	portal := base.String()
	email := strings.ToLower(strings.TrimSpace(cr.Email))
	if email == "" || cr.Password == "" {
		return out, invalid("auth.credentials", "give your e-mail and password")
	}
	if cr.CAFile == "" && portal == old.Portal {
		cr.CAFile = old.CAFile
	}
	// Another login's writes must never be sent with this login's token.
	oldID := old.Identity()
	if oldID != "" && oldID != lsync.Identity(portal, email) && !cr.DiscardPending {
		if pending, _, err := c.OutboxCounts(ctx); err != nil {
			return out, err
		} else if pending > 0 {
			return out, &PendingWritesError{N: pending, Identity: oldID}
		}
	}
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: portal, CAFile: cr.CAFile, Insecure: cr.Insecure,
		Language: d.Language()})
	if err != nil {
		return out, err
	}
	var sess api.Session
	if cr.SignUp {
		sess, err = cl.SignUp(ctx, api.Credentials{Email: email, Password: cr.Password, Name: cr.Name, AccountName: cr.AccountName})
	} else {
		sess, err = cl.Login(ctx, email, cr.Password)
	}
	if err != nil {
		return out, err
	}
	if newID := lsync.Identity(portal, sess.User.Email); oldID != newID {
		// A different person's copy must not show under this login.
		if cr.DiscardPending {
			if _, err := c.DiscardPending(ctx); err != nil {
				return out, err
			}
		}
		if err := c.Reset(ctx); err != nil {
			return out, err
		}
		if oldID != "" {
			d.prof.Secrets.Delete(lsync.TokenName(old.Portal, old.Email))
		}
	}
	place, err := d.prof.Secrets.Set(lsync.TokenName(portal, sess.User.Email), sess.Token)
	if err != nil {
		return out, err
	}
	if err := d.setSettings(ctx, map[string]string{lsync.SettingPortal: portal, lsync.SettingEmail: sess.User.Email,
		lsync.SettingUserID: sess.User.ID, lsync.SettingUserName: sess.User.Name,
		lsync.SettingCAFile: cr.CAFile, lsync.SettingTokenAt: string(place),
		settingInsecure: verifiedValue(cr.Insecure), settingVerified: verifiedValue(sess.User.Verified)}); err != nil {
		return out, err
	}
	d.mu.Lock()
	d.token, d.place = sess.Token, place
	d.mu.Unlock()
	out = LoggedIn{Portal: portal, User: sess.User, TokenIn: place}
	out.Trust = d.PinPortalKeys(ctx)
	r, err := d.Sync(ctx)
	out.Sync, out.SyncErr, out.Leases = r.Result, err, r.Leases
	return out, nil
}

// LogoutOptions steer Logout.
type LogoutOptions struct {
	// Discard drops writes that are still waiting to be sent.
	Discard bool
	// Offline does not try the portal (no last push, no portal logout).
	Offline bool
}

// Logout ends the session: a last push of waiting writes, the portal's
// session ended, the token forgotten and the cached copy removed (another
// person may use this computer next). Writes still waiting refuse it with
// a *PendingWritesError unless Discard. The portal's address stays, as the
// next login's default.
func (d *Desk) Logout(ctx context.Context, o LogoutOptions) (Session, error) {
	s, err := d.requireLogin(ctx)
	if err != nil {
		return s, err
	}
	c, _ := d.Cache(ctx)
	if !o.Offline && s.HasToken {
		if sy, err := d.Syncer(ctx, lsync.NoRetry()); err == nil {
			qctx, cancel := d.quick(ctx)
			sy.Push(qctx) // a last chance for waiting writes; what stays is counted below
			cancel()
		}
	}
	pending, _, err := c.OutboxCounts(ctx)
	if err != nil {
		return s, err
	}
	if pending > 0 && !o.Discard {
		return s, &PendingWritesError{N: pending, Identity: s.Identity()}
	}
	if !o.Offline && s.HasToken {
		if cl, err := d.Client(ctx, lsync.NoRetry()); err == nil {
			qctx, cancel := d.quick(ctx)
			cl.Logout(qctx) // best effort: the token is forgotten here either way
			cancel()
		}
	}
	if err := d.prof.Secrets.Delete(lsync.TokenName(s.Portal, s.Email)); err != nil {
		return s, err
	}
	if _, err := c.DiscardPending(ctx); err != nil {
		return s, err
	}
	if err := c.Reset(ctx); err != nil {
		return s, err
	}
	if err := d.setSettings(ctx, map[string]string{lsync.SettingEmail: "", lsync.SettingUserID: "",
		lsync.SettingUserName: "", lsync.SettingTokenAt: "", settingVerified: ""}); err != nil {
		return s, err
	}
	d.mu.Lock()
	d.token, d.place = "", ""
	d.mu.Unlock()
	return s, nil
}

// Status is the state of the profile's login and outbox.
type Status struct {
	Session
	// Probed: the portal was asked; Online its answer.
	Probed, Online bool
	OnlineError    error
	lsync.SyncState
	Pending, Failed []lsync.Entry
	// TokenFile is the token's file when it is not in the keyring.
	TokenFile string
}

// Status reads the login's state; with probe, it also asks the portal
// whether it answers (within AnswerWithin).
func (d *Desk) Status(ctx context.Context, probe bool) (Status, error) {
	var st Status
	s, err := d.requireLogin(ctx)
	if err != nil {
		return st, err
	}
	st.Session = s
	if s.TokenIn == profile.InFile {
		st.TokenFile = d.prof.Secrets.FilePath()
	}
	c, _ := d.Cache(ctx)
	if probe {
		sy, err := d.Syncer(ctx, lsync.NoRetry())
		if err != nil {
			return st, err
		}
		qctx, cancel := d.quick(ctx)
		err = sy.Probe(qctx)
		cancel()
		st.Probed, st.Online, st.OnlineError = true, err == nil, err
	}
	if st.SyncState, err = c.SyncState(ctx); err != nil {
		return st, err
	}
	if st.Pending, err = c.Entries(ctx, lsync.Pending); err != nil {
		return st, err
	}
	if st.Failed, err = c.Entries(ctx, lsync.Failed); err != nil {
		return st, err
	}
	return st, nil
}

// KeyringError is why no system keyring answered, when the token went to
// the file instead (nil otherwise).
func (d *Desk) KeyringError() error { return d.prof.Secrets.KeyringError() }

// TokenFile is the file the token is kept in where no keyring answers.
func (d *Desk) TokenFile() string { return d.prof.Secrets.FilePath() }

// OwnAccount is the account a write goes to when the user names none: the
// one they own, else the first they manage for someone (admin, partner),
// else the first they belong to. ok is false when the cache knows none.
func (d *Desk) OwnAccount(ctx context.Context) (api.Membership, bool, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return api.Membership{}, false, err
	}
	ms, err := c.Accounts(ctx)
	if err != nil || len(ms) == 0 {
		return api.Membership{}, false, err
	}
	for _, role := range []string{"owner", "admin", "partner"} {
		for _, m := range ms {
			if m.Role == role {
				return m, true, nil
			}
		}
	}
	return ms[0], true, nil
}

// lastSync is when the cache was last brought up to date (zero: never).
func (d *Desk) lastSync(ctx context.Context) time.Time {
	c, err := d.Cache(ctx)
	if err != nil {
		return time.Time{}
	}
	st, err := c.SyncState(ctx)
	if err != nil {
		return time.Time{}
	}
	return st.LastSync
}

// invalid is a refusal of the caller's input, before anything is asked of
// the portal.
func invalid(code, msg string) error { return &lsync.Error{Kind: lsync.Invalid, Code: code, Msg: msg} }
