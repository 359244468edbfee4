package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// EnvCheckpoint, for crash tests only, names the checkpoint (counted from 1
// over the whole run) at which the process announces itself on stderr and
// stops, waiting to be killed.
const EnvCheckpoint = "LICDESK_TEST_CHECKPOINT"

// app is one command's view of the profile: opened on first use, closed
// when the command ends.
type app struct {
	env     Env
	json    bool
	offline bool

	prof       *profile.Profile
	cache      *lsync.Cache
	settings   map[string]string
	token      string
	tokenPlace profile.Place

	stopAt, reached int
}

func newApp(env Env) *app {
	a := &app{env: env}
	if v := env.Getenv(EnvCheckpoint); v != "" {
		a.stopAt, _ = strconv.Atoi(v)
	}
	return a
}

func (a *app) close() {
	if a.cache != nil {
		a.cache.Close()
	}
}

// checkpoint is the syncer's crash-test hook: at the chosen checkpoint the
// process says where it is and sleeps until killed.
func (a *app) checkpoint(name string) {
	if a.stopAt == 0 {
		return
	}
	a.reached++
	if a.reached == a.stopAt {
		fmt.Fprintf(a.env.Stderr, "licdesk: stopped at checkpoint %d (%s)\n", a.reached, name)
		time.Sleep(time.Hour)
	}
}

// open opens the profile, its cache and its settings, and reads the token.
func (a *app) open(ctx context.Context) error {
	if a.cache != nil {
		return nil
	}
	dir, err := profile.DefaultDir(a.env.Getenv)
	if err != nil {
		return err
	}
	p, err := profile.Open(dir, a.env.Getenv(profile.EnvSecrets))
	if err != nil {
		return err
	}
	c, err := lsync.OpenCache(ctx, p.CachePath())
	if err != nil {
		return err
	}
	a.prof, a.cache = p, c
	if a.settings, err = c.Settings(ctx); err != nil {
		return err
	}
	if a.loggedIn() {
		tok, place, err := p.Secrets.Get(tokenName(a.settings[lsync.SettingPortal], a.settings[lsync.SettingEmail]))
		if err != nil && !errors.Is(err, profile.ErrNoSecret) {
			return err
		}
		a.token, a.tokenPlace = tok, place
	}
	return nil
}

// tokenName is the name a session token is kept under: one per login.
func tokenName(portal, email string) string { return lsync.TokenName(portal, email) }

// identity names the login writes are made under.
func identity(portal, email string) string { return lsync.Identity(portal, email) }

func (a *app) loggedIn() bool {
	return a.settings[lsync.SettingEmail] != "" && a.settings[lsync.SettingPortal] != ""
}

// requireProfile opens the profile and insists that someone logged in once.
func (a *app) requireProfile(ctx context.Context) error {
	if err := a.open(ctx); err != nil {
		return err
	}
	if !a.loggedIn() {
		return errors.New("not logged in: run licdesk login --portal URL --email E")
	}
	return nil
}

// client is the portal client of the profile's login.
func (a *app) client(retry lsync.RetryPolicy) (*lsync.Client, error) {
	return lsync.NewClient(lsync.ClientConfig{BaseURL: a.settings[lsync.SettingPortal], Token: a.token,
		CAFile: a.settings[lsync.SettingCAFile], Retry: retry})
}

// syncer is the syncer of the profile's login.
func (a *app) syncer(retry lsync.RetryPolicy) (*lsync.Syncer, error) {
	cl, err := a.client(retry)
	if err != nil {
		return nil, err
	}
	return lsync.NewSyncer(lsync.SyncerConfig{Cache: a.cache, Client: cl, Now: a.env.Now,
		Identity:   identity(a.settings[lsync.SettingPortal], a.settings[lsync.SettingEmail]),
		Checkpoint: a.checkpoint}), nil
}

// quickRetry is for rounds a read runs before showing the cache: one try,
// so that an unreachable portal costs one failed connection, not three.
func quickRetry() lsync.RetryPolicy { return lsync.NoRetry() }

// freshen runs one quick sync round before a read, unless --offline. When
// the portal cannot be reached (or the session ended) the read goes on from
// the cache, with a note on stderr saying how old the copy is.
func (a *app) freshen(ctx context.Context) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if a.offline {
		return nil
	}
	s, err := a.syncer(quickRetry())
	if err != nil {
		return err
	}
	res, err := s.Sync(ctx)
	a.noteRefused(res, 0)
	if err == nil {
		return nil
	}
	switch lsync.KindOf(err) {
	case lsync.Offline, lsync.Unavailable, lsync.Unauthorized:
		a.staleNote(ctx, err)
		return nil
	}
	return err
}

// staleNote tells on stderr that what follows comes from the cache.
func (a *app) staleNote(ctx context.Context, why error) {
	st, _ := a.cache.SyncState(ctx)
	when := "never synced"
	if !st.LastSync.IsZero() {
		when = "copy from " + words.Ago(st.LastSync, a.env.Now())
	}
	fmt.Fprintf(a.env.Stderr, "licdesk: offline (%s): showing the cached %s\n", why, when)
}

// writeOutcome is what became of a write, for --json.
type writeOutcome struct {
	Status  string          `json:"status"` // done, queued
	Summary string          `json:"summary"`
	Key     string          `json:"idempotency_key"`
	Reason  string          `json:"reason,omitempty"`
	Answer  json.RawMessage `json:"answer,omitempty"`
}

// submit queues a write, tries to send it at once, and reports: done (the
// portal applied it), queued (it will be sent later), or the refusal as the
// command's error. render prints the portal's answer of an applied write.
func (a *app) submit(ctx context.Context, w lsync.Write, render func(answer json.RawMessage) error) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	s, err := a.syncer(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	e, err := s.Submit(ctx, w)
	if err != nil {
		return err
	}
	out := writeOutcome{Status: "queued", Summary: w.Summary, Key: e.Key}
	if a.offline {
		out.Reason = "--offline"
		return a.reportQueued(out)
	}
	res, serr := s.Sync(ctx)
	a.noteRefused(res, e.Seq)
	for _, r := range res.Push.Refused {
		if r.Seq == e.Seq {
			return fmt.Errorf("refused: %s", r.Reason)
		}
	}
	for _, d := range res.Push.Accepted {
		if d.Seq == e.Seq {
			out.Status, out.Answer = "done", d.Answer
			if a.json {
				return a.printJSON(out)
			}
			if render != nil {
				return render(d.Answer)
			}
			fmt.Fprintln(a.env.Stdout, "done:", w.Summary)
			return nil
		}
	}
	if serr != nil {
		out.Reason = serr.Error()
	}
	return a.reportQueued(out)
}

// noteRefused tells on stderr about earlier queued writes that the portal
// refused during this command's round (except the command's own, seq).
func (a *app) noteRefused(res lsync.Result, seq int64) {
	for _, r := range res.Push.Refused {
		if r.Seq != seq {
			fmt.Fprintf(a.env.Stderr, "licdesk: a queued write was refused: %s: %s (licdesk status lists refused writes)\n",
				r.Write.Summary, r.Reason)
		}
	}
}

func (a *app) reportQueued(out writeOutcome) error {
	if a.json {
		return a.printJSON(out)
	}
	fmt.Fprintf(a.env.Stdout, "queued: will be sent when the portal is reachable: %s\n", out.Summary)
	if out.Reason != "" && out.Reason != "--offline" {
		fmt.Fprintf(a.env.Stderr, "licdesk: %s\n", out.Reason)
	}
	return nil
}

// printJSON writes v as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table starts a table with a header row.
func (a *app) table(header ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	return tw
}

// row writes one table row.
func row(w io.Writer, cells ...any) {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = fmt.Sprint(c)
	}
	fmt.Fprintln(w, strings.Join(parts, "\t"))
}

// date formats a day, "-" for none.
func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

// dash shows an empty cell as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
