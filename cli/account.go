package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// credentialFlags are the flags of login and signup.
type credentialFlags struct {
	portal, email, caFile  string
	passwordStdin, discard bool
	name, accountName      string
}

func (c *credentialFlags) register(f *flags, signup bool) {
	f.StringVar(&c.portal, "portal", "", "the portal's address, http(s)://HOST[:PORT] (default: the last one used)")
	f.StringVar(&c.email, "email", "", "your e-mail")
	f.BoolVar(&c.passwordStdin, "password-stdin", false, "read the password from standard input")
	f.StringVar(&c.caFile, "ca-file", "", "a PEM file of extra certificate authorities for the portal")
	f.BoolVar(&c.discard, "discard-pending", false, "drop writes of another login that are still waiting to be sent")
	if signup {
		f.StringVar(&c.name, "name", "", "your name (default: the e-mail's local part)")
		f.StringVar(&c.accountName, "account-name", "", "your account's name (default: your name)")
	}
}

func cmdLogin(ctx context.Context, a *app, args []string) error {
	return loginOrSignup(ctx, a, args, false)
}

func cmdSignup(ctx context.Context, a *app, args []string) error {
	return loginOrSignup(ctx, a, args, true)
}

func loginOrSignup(ctx context.Context, a *app, args []string, signup bool) error {
	name := "login"
	if signup {
		name = "signup"
	}
	f := newFlags(a, name)
	var c credentialFlags
	c.register(f, signup)
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	if c.portal == "" {
		c.portal = a.settings[lsync.SettingPortal]
	}
	if err := need("portal", c.portal, "email", c.email); err != nil {
		return err
	}
	base, err := lsync.ParsePortalURL(c.portal)
	if err != nil {
		return err
	}
	portal := base.String()
	email := strings.ToLower(strings.TrimSpace(c.email))
	if c.caFile == "" && portal == a.settings[lsync.SettingPortal] {
		c.caFile = a.settings[lsync.SettingCAFile]
	}

	// Another login's writes must never be sent with this login's token.
	newID, oldID := identity(portal, email), identity(a.settings[lsync.SettingPortal], a.settings[lsync.SettingEmail])
	if oldID != "" && oldID != newID {
		pending, _, err := a.cache.OutboxCounts(ctx)
		if err != nil {
			return err
		}
		if pending > 0 && !c.discard {
			return fmt.Errorf("%d writes of %s are still waiting to be sent: run licdesk sync when the portal is reachable, or add --discard-pending",
				pending, oldID)
		}
	}

	password, err := a.password(c.passwordStdin, email, signup)
	if err != nil {
		return err
	}
	cl, err := lsync.NewClient(lsync.ClientConfig{BaseURL: portal, CAFile: c.caFile})
	if err != nil {
		return err
	}
	var sess api.Session
	if signup {
		sess, err = cl.SignUp(ctx, api.Credentials{Email: email, Password: password, Name: c.name, AccountName: c.accountName})
	} else {
		sess, err = cl.Login(ctx, email, password)
	}
	if err != nil {
		return err
	}
	email = sess.User.Email
	newID = identity(portal, email)

	if oldID != newID {
		// A different person's copy must not show under this login.
		if err := a.cache.Reset(ctx); err != nil {
			return err
		}
		if oldID != "" {
			a.prof.Secrets.Delete(tokenName(a.settings[lsync.SettingPortal], a.settings[lsync.SettingEmail]))
		}
	}
	place, err := a.prof.Secrets.Set(tokenName(portal, email), sess.Token)
	if err != nil {
		return err
	}
	settings := map[string]string{lsync.SettingPortal: portal, lsync.SettingEmail: email,
		lsync.SettingUserID: sess.User.ID, lsync.SettingUserName: sess.User.Name,
		lsync.SettingCAFile: c.caFile, lsync.SettingTokenAt: string(place)}
	if err := a.cache.SetSettings(ctx, settings); err != nil {
		return err
	}
	for k, v := range settings {
		a.settings[k] = v
	}
	a.token, a.tokenPlace = sess.Token, place
	a.pinPortalKeys(ctx, cl)

	s, err := a.syncer(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	res, serr := s.Sync(ctx)
	out := struct {
		Portal  string   `json:"portal"`
		User    api.User `json:"user"`
		TokenIn string   `json:"token_in"`
		Synced  bool     `json:"synced"`
		Objects int      `json:"objects"`
		Error   string   `json:"sync_error,omitempty"`
	}{portal, sess.User, string(place), serr == nil, res.Pull.Changes, ""}
	if serr != nil {
		out.Error = serr.Error()
	}
	if a.json {
		return a.printJSON(out)
	}
	verb := "logged in"
	if signup {
		verb = "signed up and logged in"
	}
	fmt.Fprintf(a.env.Stdout, "%s as %s at %s\n", verb, email, portal)
	a.tokenNote()
	if serr != nil {
		fmt.Fprintf(a.env.Stderr, "licdesk: first sync failed (%s): run licdesk sync\n", serr)
	} else {
		fmt.Fprintf(a.env.Stdout, "synced: %d objects\n", res.Pull.Changes)
	}
	return nil
}

// tokenNote says where the token went when it is not the keyring.
func (a *app) tokenNote() {
	if a.tokenPlace == profile.InFile {
		why := ""
		if err := a.prof.Secrets.KeyringError(); err != nil {
			why = " (" + oneLine(err.Error()) + ")"
		}
		fmt.Fprintf(a.env.Stdout, "note: no system keyring answered%s; the session token is kept in %s, readable by you only\n",
			why, a.prof.Secrets.FilePath())
	}
}

// password reads the password: from stdin with --password-stdin, else from
// the terminal without echo (twice for a sign-up).
func (a *app) password(fromStdin bool, email string, confirm bool) (string, error) {
	if fromStdin {
		p, err := readLine(a.env.Stdin)
		if err != nil {
			return "", fmt.Errorf("read the password from standard input: %w", err)
		}
		return p, nil
	}
	if !a.env.StdinTerminal || a.env.ReadPassword == nil {
		return "", usagef("no terminal to ask the password on: pipe it in with --password-stdin")
	}
	fmt.Fprintf(a.env.Stderr, "Password for %s: ", email)
	p, err := a.env.ReadPassword()
	fmt.Fprintln(a.env.Stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if confirm {
		fmt.Fprint(a.env.Stderr, "Again: ")
		q, err := a.env.ReadPassword()
		fmt.Fprintln(a.env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		if string(q) != string(p) {
			return "", errors.New("the passwords differ")
		}
	}
	return string(p), nil
}

func cmdLogout(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "logout")
	discard := f.Bool("discard-pending", false, "log out even though writes wait to be sent (they are dropped)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	s, err := a.syncer(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	if !a.offline && a.token != "" {
		s.Push(ctx) // a last chance for waiting writes; what stays is counted below
	}
	pending, _, err := a.cache.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	if pending > 0 && !*discard {
		return fmt.Errorf("%d writes are still waiting to be sent: run licdesk sync when the portal is reachable, or add --discard-pending", pending)
	}
	if !a.offline && a.token != "" {
		cl, err := a.client(lsync.NoRetry())
		if err == nil {
			cl.Logout(ctx) // best effort: the token is forgotten here either way
		}
	}
	portal, email := a.settings[lsync.SettingPortal], a.settings[lsync.SettingEmail]
	if err := a.prof.Secrets.Delete(tokenName(portal, email)); err != nil {
		return err
	}
	if err := a.cache.Reset(ctx); err != nil {
		return err
	}
	// The portal's address stays as the default of the next login.
	if err := a.cache.SetSettings(ctx, map[string]string{lsync.SettingEmail: "", lsync.SettingUserID: "",
		lsync.SettingUserName: "", lsync.SettingTokenAt: ""}); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]string{"status": "logged out", "email": email, "portal": portal})
	}
	fmt.Fprintf(a.env.Stdout, "logged out %s from %s; the cached copy is gone\n", email, portal)
	return nil
}

// statusReport is `licdesk status`.
type statusReport struct {
	Portal      string        `json:"portal"`
	Email       string        `json:"email"`
	Name        string        `json:"name,omitempty"`
	Online      bool          `json:"online"`
	OnlineError string        `json:"online_error,omitempty"`
	LoggedIn    bool          `json:"session"`
	TokenIn     string        `json:"token_in"`
	TokenFile   string        `json:"token_file,omitempty"`
	LastSync    time.Time     `json:"last_sync,omitzero"`
	LastReached time.Time     `json:"last_reached,omitzero"`
	LastError   string        `json:"last_error,omitempty"`
	Pending     []lsync.Entry `json:"pending"`
	Failed      []lsync.Entry `json:"failed"`
	Profile     string        `json:"profile"`
}

func cmdStatus(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "status")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	r := statusReport{Portal: a.settings[lsync.SettingPortal], Email: a.settings[lsync.SettingEmail],
		Name: a.settings[lsync.SettingUserName], LoggedIn: a.token != "", TokenIn: string(a.tokenPlace), Profile: a.prof.Dir}
	if a.tokenPlace == profile.InFile {
		r.TokenFile = a.prof.Secrets.FilePath()
	}
	if !a.offline {
		s, err := a.syncer(quickRetry())
		if err != nil {
			return err
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = s.Probe(pctx)
		cancel()
		r.Online = err == nil
		if err != nil {
			r.OnlineError = err.Error()
		}
	}
	st, err := a.cache.SyncState(ctx)
	if err != nil {
		return err
	}
	r.LastSync, r.LastReached, r.LastError = st.LastSync, st.LastReached, st.LastError
	if r.Pending, err = a.cache.Entries(ctx, lsync.Pending); err != nil {
		return err
	}
	if r.Failed, err = a.cache.Entries(ctx, lsync.Failed); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(r)
	}
	now := a.env.Now()
	w := a.env.Stdout
	user := r.Email
	if r.Name != "" {
		user = r.Name + " <" + r.Email + ">"
	}
	fmt.Fprintf(w, "portal:       %s\n", r.Portal)
	fmt.Fprintf(w, "user:         %s\n", user)
	switch {
	case a.offline:
		fmt.Fprintf(w, "online:       not checked (--offline)\n")
	case r.Online:
		fmt.Fprintf(w, "online:       yes\n")
	default:
		fmt.Fprintf(w, "online:       no (%s)\n", r.OnlineError)
	}
	switch {
	case !r.LoggedIn:
		fmt.Fprintf(w, "session:      none: run licdesk login\n")
	case r.TokenIn == string(profile.InFile):
		fmt.Fprintf(w, "session:      token in %s (no system keyring answered)\n", r.TokenFile)
	default:
		fmt.Fprintf(w, "session:      token in the system keyring\n")
	}
	fmt.Fprintf(w, "last sync:    %s\n", words.Ago(r.LastSync, now))
	fmt.Fprintf(w, "last reached: %s\n", words.Ago(r.LastReached, now))
	if r.LastError != "" {
		fmt.Fprintf(w, "last error:   %s\n", r.LastError)
	}
	fmt.Fprintf(w, "waiting:      %d writes\n", len(r.Pending))
	for _, e := range r.Pending {
		extra := ""
		if e.LastError != "" {
			extra = " (last try: " + e.LastError + ")"
		}
		fmt.Fprintf(w, "  - %s, queued %s%s\n", e.Write.Summary, words.Ago(e.CreatedAt, now), extra)
	}
	fmt.Fprintf(w, "refused:      %d writes\n", len(r.Failed))
	for _, e := range r.Failed {
		fmt.Fprintf(w, "  - %s: %s [%s]\n", e.Write.Summary, e.Reason, e.Code)
	}
	if len(r.Failed) > 0 {
		fmt.Fprintf(w, "              (licdesk sync --dismiss-failed forgets them)\n")
	}
	return nil
}

func cmdSync(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "sync")
	dismiss := f.Bool("dismiss-failed", false, "forget the refused writes shown by status")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	dismissed := 0
	if *dismiss {
		var err error
		if dismissed, err = a.cache.DismissFailed(ctx); err != nil {
			return err
		}
	}
	if a.offline {
		return usagef("sync needs the portal: drop --offline")
	}
	s, err := a.syncer(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	res, err := s.Sync(ctx)
	if err != nil {
		pending, _, _ := a.cache.OutboxCounts(ctx)
		if pending > 0 && lsync.IsTransient(err) {
			return fmt.Errorf("%s; %d writes stay queued", err, pending)
		}
		return err
	}
	leases := a.renewLeases(ctx)
	if a.json {
		return a.printJSON(struct {
			Sent      int           `json:"sent"`
			Refused   []lsync.Entry `json:"refused"`
			Changes   int           `json:"changes"`
			Resync    bool          `json:"full_copy"`
			Dismissed int           `json:"dismissed,omitempty"`
			Leases    int           `json:"leases_renewed"`
		}{len(res.Push.Accepted), nonNil(res.Push.Refused), res.Pull.Changes, res.Pull.Resync, dismissed, leases})
	}
	full := ""
	if res.Pull.Resync {
		full = " (full copy)"
	}
	fmt.Fprintf(a.env.Stdout, "synced: sent %d writes, %d refused, received %d changes%s, renewed %d leases\n",
		len(res.Push.Accepted), len(res.Push.Refused), res.Pull.Changes, full, leases)
	for _, e := range res.Push.Refused {
		fmt.Fprintf(a.env.Stdout, "refused: %s: %s\n", e.Write.Summary, e.Reason)
	}
	if dismissed > 0 {
		fmt.Fprintf(a.env.Stdout, "dismissed %d refused writes\n", dismissed)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
