package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// credentialFlags are the flags of login and signup.
type credentialFlags struct {
	portal, email, caFile  string
	passwordStdin, discard bool
	insecure               bool
	name, accountName      string
}

func (c *credentialFlags) define(f *flags, signup bool) {
	l := f.a.lang
	f.StringVar(&c.portal, "portal", "", l.T("cli.login.flag.portal"))
	f.StringVar(&c.email, "email", "", l.T("cli.login.flag.email"))
	f.BoolVar(&c.passwordStdin, "password-stdin", false, l.T("cli.login.flag.password_stdin"))
	f.StringVar(&c.caFile, "ca-file", "", l.T("cli.login.flag.ca_file"))
	f.BoolVar(&c.discard, "discard-pending", false, l.T("cli.login.flag.discard"))
	f.BoolVar(&c.insecure, "insecure", false, l.T("cli.login.flag.insecure"))
	if signup {
		f.StringVar(&c.name, "name", "", l.T("cli.signup.flag.name"))
		f.StringVar(&c.accountName, "account-name", "", l.T("cli.signup.flag.account_name"))
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
	c.define(f, signup)
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	if c.portal == "" {
		c.portal = a.session(ctx).Portal
	}
	if err := need("portal", c.portal, "email", c.email); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(c.email))
	password, err := a.password(c.passwordStdin, email, signup)
	if err != nil {
		return err
	}
	res, err := a.d.Login(ctx, desk.Credentials{Portal: c.portal, Email: email, Password: password, CAFile: c.caFile,
		SignUp: signup, Name: c.name, AccountName: c.accountName, DiscardPending: c.discard, Insecure: c.insecure})
	var pw *desk.PendingWritesError
	if errors.As(err, &pw) {
		return i18n.Errorf("cli.login.pending", "Err", a.lang.Err(pw))
	}
	if err != nil {
		return err
	}
	a.trustNotes(res.Trust)
	if a.json {
		out := struct {
			Portal  string   `json:"portal"`
			User    api.User `json:"user"`
			TokenIn string   `json:"token_in"`
			Synced  bool     `json:"synced"`
			Objects int      `json:"objects"`
			Leases  int      `json:"leases_renewed"`
			Error   string   `json:"sync_error,omitempty"`
		}{res.Portal, res.User, string(res.TokenIn), res.SyncErr == nil, res.Sync.Pull.Changes, res.Leases, ""}
		if res.SyncErr != nil {
			out.Error = res.SyncErr.Error()
		}
		return a.printJSON(out)
	}
	done := "cli.login.done"
	if signup {
		done = "cli.signup.done"
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T(done, "Email", res.User.Email, "Portal", res.Portal))
	a.tokenNote(res.TokenIn)
	if !res.User.Verified {
		return a.askCode(ctx, res.User.Email)
	}
	if res.SyncErr != nil {
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.login.sync_failed", "Err", oneLine(a.lang.Err(res.SyncErr))))
	} else {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.login.synced", "Objects", a.lang.N("cli.count.objects", res.Sync.Pull.Changes),
			"Licenses", a.lang.N("cli.count.ready_licenses", res.Leases)))
	}
	return nil
}

// trustNotes says what became of the portal's signing keys at login.
func (a *app) trustNotes(t desk.TrustResult) {
	switch {
	case t.Err != nil:
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.trust.not_pinned", "Err", oneLine(a.lang.Err(t.Err))))
	case len(t.Unknown) > 0:
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.trust.unknown_keys", "Keys", strings.Join(t.Unknown, ", ")))
	case len(t.Added) > 0 && !a.json:
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.trust.pinned", "Keys", strings.Join(t.Added, ", ")))
	}
}

// tokenNote says where the token went when it is not the keyring.
func (a *app) tokenNote(place profile.Place) {
	if place == profile.InFile {
		why := ""
		if err := a.d.KeyringError(); err != nil {
			why = " (" + oneLine(a.lang.Err(err)) + ")"
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.token_in_file", "Why", why, "File", a.d.TokenFile()))
	}
}

// password reads the password: from stdin with --password-stdin, else from
// the terminal without echo (twice for a sign-up).
func (a *app) password(fromStdin bool, email string, confirm bool) (string, error) {
	if fromStdin {
		p, err := readLine(a.env.Stdin)
		if err != nil {
			return "", i18n.Wrap(err, "cli.password.read_stdin")
		}
		return p, nil
	}
	if !a.env.StdinTerminal || a.env.ReadPassword == nil {
		return "", usage("cli.password.no_terminal")
	}
	fmt.Fprint(a.env.Stderr, a.lang.T("cli.password.prompt", "Email", email)+" ")
	p, err := a.env.ReadPassword()
	fmt.Fprintln(a.env.Stderr)
	if err != nil {
		return "", i18n.Wrap(err, "cli.password.read")
	}
	if confirm {
		fmt.Fprint(a.env.Stderr, a.lang.T("cli.password.again")+" ")
		q, err := a.env.ReadPassword()
		fmt.Fprintln(a.env.Stderr)
		if err != nil {
			return "", i18n.Wrap(err, "cli.password.read")
		}
		if string(q) != string(p) {
			return "", i18n.Errorf("cli.password.differ")
		}
	}
	return string(p), nil
}

func cmdLogout(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "logout")
	discard := f.Bool("discard-pending", false, a.lang.T("cli.logout.flag.discard"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	s, err := a.d.Logout(ctx, desk.LogoutOptions{Discard: *discard, Offline: a.offline})
	var pw *desk.PendingWritesError
	if errors.As(err, &pw) {
		return i18n.Errorf("cli.logout.pending", "Writes", a.lang.N("cli.count.writes_waiting", pw.N))
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]string{"status": "logged out", "email": s.Email, "portal": s.Portal})
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.logout.done", "Email", s.Email, "Portal", s.Portal))
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
	keep := f.Bool("keep-refused", false, a.lang.T("cli.status.flag.keep"))
	if _, err := f.parse(args); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	st, err := a.d.Status(ctx, !a.offline)
	if err != nil {
		return err
	}
	r := statusReport{Portal: st.Portal, Email: st.Email, Name: st.UserName, LoggedIn: st.HasToken,
		TokenIn: string(st.TokenIn), TokenFile: st.TokenFile, Online: st.Online, Profile: a.d.Profile().Dir,
		LastSync: st.LastSync, LastReached: st.LastReached, LastError: st.LastError,
		Pending: nonNil(st.Pending), Failed: nonNil(st.Failed)}
	if st.OnlineError != nil {
		r.OnlineError = oneLine(st.OnlineError.Error())
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
	field := a.fields("cli.status.portal", "cli.status.user", "cli.status.online", "cli.status.session",
		"cli.status.last_sync", "cli.status.last_reached", "cli.status.last_error", "cli.status.attention",
		"cli.status.waiting", "cli.status.refused")
	fmt.Fprintln(w, field("cli.status.portal")+r.Portal)
	fmt.Fprintln(w, field("cli.status.user")+user)
	switch {
	case a.offline:
		fmt.Fprintln(w, field("cli.status.online")+a.lang.T("cli.status.online_unchecked"))
	case r.Online:
		fmt.Fprintln(w, field("cli.status.online")+a.lang.T("cli.status.online_yes"))
	default:
		onlineErr := r.OnlineError
		if st.OnlineError != nil {
			onlineErr = oneLine(a.lang.Err(st.OnlineError))
		}
		fmt.Fprintln(w, field("cli.status.online")+a.lang.T("cli.status.online_no", "Err", onlineErr))
	}
	switch {
	case !r.LoggedIn:
		fmt.Fprintln(w, field("cli.status.session")+a.lang.T("cli.status.session_none"))
	case r.TokenIn == string(profile.InFile):
		fmt.Fprintln(w, field("cli.status.session")+a.lang.T("cli.status.session_file", "File", r.TokenFile))
	default:
		fmt.Fprintln(w, field("cli.status.session")+a.lang.T("cli.status.session_keyring"))
	}
	fmt.Fprintln(w, field("cli.status.last_sync")+words.Ago(a.lang, r.LastSync, now))
	fmt.Fprintln(w, field("cli.status.last_reached")+words.Ago(a.lang, r.LastReached, now))
	if r.LastError != "" {
		fmt.Fprintln(w, field("cli.status.last_error")+r.LastError)
	}
	reachable := r.Online
	if a.offline {
		reachable = a.d.RecentlyReached(ctx)
	}
	if subs, err := a.d.LocalSubscriptions(ctx, reachable); err == nil {
		for _, s := range subs {
			if line := a.countdownLine(s, now); line != "" {
				fmt.Fprintln(w, field("cli.status.attention")+line)
			}
		}
	}
	fmt.Fprintln(w, field("cli.status.waiting")+a.lang.N("cli.count.writes", len(r.Pending)))
	for _, e := range r.Pending {
		extra := ""
		if e.LastError != "" {
			extra = " " + a.lang.T("cli.status.last_try", "Err", e.LastError)
		}
		fmt.Fprintln(w, "  - "+a.lang.T("cli.status.queued", "Summary", a.lang.Text(e.Write.Summary), "Ago", words.Ago(a.lang, e.CreatedAt, now))+extra)
	}
	fmt.Fprintln(w, field("cli.status.refused")+a.lang.N("cli.count.writes", len(r.Failed)))
	var seen []int64
	for _, e := range r.Failed {
		fmt.Fprintf(w, "  - %s: %s [%s]\n", a.lang.Text(e.Write.Summary), e.Reason, e.Code)
		seen = append(seen, e.Seq)
	}
	// A refusal is news once: shown here, it is dismissed, so that the
	// next status shows only what was refused since (--keep-refused keeps
	// them; --json never dismisses, for scripts that poll).
	if len(seen) > 0 && !*keep {
		if _, err := a.cache.DismissRefused(ctx, seen); err != nil {
			return err
		}
		fmt.Fprintln(w, strings.Repeat(" ", len([]rune(field("cli.status.refused"))))+a.lang.T("cli.status.shown_once"))
	}
	return nil
}

func cmdSync(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "sync")
	dismiss := f.Bool("dismiss-failed", false, a.lang.T("cli.sync.flag.dismiss"))
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
		return usage("cli.needs_portal", "What", "sync")
	}
	res, err := a.d.Sync(ctx)
	if err != nil {
		pending, _, _ := a.cache.OutboxCounts(ctx)
		if pending > 0 && lsync.IsOffline(err) {
			return i18n.Errorf("cli.sync.stay_queued", "Err", a.lang.Err(err), "Writes", a.lang.N("cli.count.writes", pending))
		}
		return err
	}
	if a.json {
		return a.printJSON(struct {
			Sent      int           `json:"sent"`
			Refused   []lsync.Entry `json:"refused"`
			Changes   int           `json:"changes"`
			Resync    bool          `json:"full_copy"`
			Dismissed int           `json:"dismissed,omitempty"`
			Leases    int           `json:"leases_renewed"`
		}{len(res.Push.Accepted), nonNil(res.Push.Refused), res.Pull.Changes, res.Pull.Resync, dismissed, res.Leases})
	}
	full := ""
	if res.Pull.Resync {
		full = " " + a.lang.T("cli.sync.full_copy")
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.sync.done", "Sent", a.lang.N("cli.count.writes", len(res.Push.Accepted)),
		"Refused", a.lang.Number(len(res.Push.Refused)), "Changes", a.lang.N("cli.count.changes", res.Pull.Changes),
		"Full", full, "Leases", a.lang.N("cli.count.leases", res.Leases)))
	for _, e := range res.Push.Refused {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.sync.refused", "Summary", a.lang.Text(e.Write.Summary), "Reason", e.Reason))
	}
	if dismissed > 0 {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.sync.dismissed", "Writes", a.lang.N("cli.count.refused_writes", dismissed)))
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// fields returns the label of a status line padded to the widest of
// keys, so that the values line up in every language ("portal:       ").
func (a *app) fields(keys ...string) func(key string) string {
	width := 0
	for _, k := range keys {
		width = max(width, len([]rune(a.lang.T(k))))
	}
	return func(key string) string {
		label := a.lang.T(key)
		return label + strings.Repeat(" ", width-len([]rune(label))+1)
	}
}
