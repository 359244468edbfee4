package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
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
	f.StringVar(&c.portal, "portal", "", "the portal's address, http(s)://HOST[:PORT] (default: the last one used)")
	f.StringVar(&c.email, "email", "", "your e-mail")
	f.BoolVar(&c.passwordStdin, "password-stdin", false, "read the password from standard input")
	f.StringVar(&c.caFile, "ca-file", "", "a PEM file of extra certificate authorities for the portal")
	f.BoolVar(&c.discard, "discard-pending", false, "drop writes of another login that are still waiting to be sent")
	f.BoolVar(&c.insecure, "insecure", false, "allow a plain http:// portal on another host (the password crosses the network in the clear)")
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
		return fmt.Errorf("%s: run licdesk sync when the portal is reachable, or add --discard-pending", pw)
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
	verb := "logged in"
	if signup {
		verb = "signed up and logged in"
	}
	fmt.Fprintf(a.env.Stdout, "%s as %s at %s\n", verb, res.User.Email, res.Portal)
	a.tokenNote(res.TokenIn)
	if !res.User.Verified {
		return a.askCode(ctx, res.User.Email)
	}
	if res.SyncErr != nil {
		fmt.Fprintf(a.env.Stderr, "licdesk: first sync failed (%s): run licdesk sync\n", oneLine(res.SyncErr.Error()))
	} else {
		fmt.Fprintf(a.env.Stdout, "synced: %d objects, %d licenses ready on this machine\n", res.Sync.Pull.Changes, res.Leases)
	}
	return nil
}

// trustNotes says what became of the portal's signing keys at login.
func (a *app) trustNotes(t desk.TrustResult) {
	switch {
	case t.Err != nil:
		fmt.Fprintf(a.env.Stderr, "licdesk: portal keys not pinned: %s (licdesk trust add FILE adds them)\n", oneLine(t.Err.Error()))
	case len(t.Unknown) > 0:
		fmt.Fprintf(a.env.Stderr, "licdesk: the portal signs with keys this profile does not trust (%s): if the portal's operator announced a new key, add it with licdesk trust add FILE\n",
			strings.Join(t.Unknown, ", "))
	case len(t.Added) > 0 && !a.json:
		fmt.Fprintf(a.env.Stdout, "trusting the portal's signing keys: %s\n", strings.Join(t.Added, ", "))
	}
}

// tokenNote says where the token went when it is not the keyring.
func (a *app) tokenNote(place profile.Place) {
	if place == profile.InFile {
		why := ""
		if err := a.d.KeyringError(); err != nil {
			why = " (" + oneLine(err.Error()) + ")"
		}
		fmt.Fprintf(a.env.Stdout, "note: no system keyring answered%s; the session token is kept in %s, readable by you only\n",
			why, a.d.TokenFile())
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
	s, err := a.d.Logout(ctx, desk.LogoutOptions{Discard: *discard, Offline: a.offline})
	var pw *desk.PendingWritesError
	if errors.As(err, &pw) {
		return fmt.Errorf("%d writes are still waiting to be sent: run licdesk sync when the portal is reachable, or add --discard-pending", pw.N)
	}
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]string{"status": "logged out", "email": s.Email, "portal": s.Portal})
	}
	fmt.Fprintf(a.env.Stdout, "logged out %s from %s; the cached copy is gone\n", s.Email, s.Portal)
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
	keep := f.Bool("keep-refused", false, "list the refused writes again next time")
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
	fmt.Fprintf(w, "last sync:    %s\n", words.Ago(a.lang, r.LastSync, now))
	fmt.Fprintf(w, "last reached: %s\n", words.Ago(a.lang, r.LastReached, now))
	if r.LastError != "" {
		fmt.Fprintf(w, "last error:   %s\n", r.LastError)
	}
	reachable := r.Online
	if a.offline {
		reachable = a.d.RecentlyReached(ctx)
	}
	if subs, err := a.d.LocalSubscriptions(ctx, reachable); err == nil {
		for _, s := range subs {
			if line := a.countdownLine(s, now); line != "" {
				fmt.Fprintf(w, "attention:    %s\n", line)
			}
		}
	}
	fmt.Fprintf(w, "waiting:      %d writes\n", len(r.Pending))
	for _, e := range r.Pending {
		extra := ""
		if e.LastError != "" {
			extra = " (last try: " + e.LastError + ")"
		}
		fmt.Fprintf(w, "  - %s, queued %s%s\n", e.Write.Summary, words.Ago(a.lang, e.CreatedAt, now), extra)
	}
	fmt.Fprintf(w, "refused:      %d writes\n", len(r.Failed))
	var seen []int64
	for _, e := range r.Failed {
		fmt.Fprintf(w, "  - %s: %s [%s]\n", e.Write.Summary, e.Reason, e.Code)
		seen = append(seen, e.Seq)
	}
	// A refusal is news once: shown here, it is dismissed, so that the
	// next status shows only what was refused since (--keep-refused keeps
	// them; --json never dismisses, for scripts that poll).
	if len(seen) > 0 && !*keep {
		if _, err := a.cache.DismissRefused(ctx, seen); err != nil {
			return err
		}
		fmt.Fprintf(w, "              (shown once: the next status lists only writes refused after now)\n")
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
	res, err := a.d.Sync(ctx)
	if err != nil {
		pending, _, _ := a.cache.OutboxCounts(ctx)
		if pending > 0 && lsync.IsOffline(err) {
			return fmt.Errorf("%s; %d writes stay queued", err, pending)
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
		full = " (full copy)"
	}
	fmt.Fprintf(a.env.Stdout, "synced: sent %d writes, %d refused, received %d changes%s, renewed %d leases\n",
		len(res.Push.Accepted), len(res.Push.Refused), res.Pull.Changes, full, res.Leases)
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
