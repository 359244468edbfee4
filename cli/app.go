package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// app is one command's view of the profile: the desk opened on first use,
// closed when the command ends.
type app struct {
	env     Env
	json    bool
	offline bool

	d     *desk.Desk
	cache *lsync.Cache // the desk's, once a command needs it
}

func newApp(env Env) *app { return &app{env: env} }

func (a *app) release() {
	if a.d != nil {
		a.d.Close()
	}
}

// desk opens the profile (not its cache: the machine-only commands do not
// need it).
func (a *app) desk() (*desk.Desk, error) {
	if a.d != nil {
		return a.d, nil
	}
	dir, err := profile.DefaultDir(a.env.Getenv)
	if err != nil {
		return nil, err
	}
	d, err := desk.Open(desk.Options{Dir: dir, SecretsMode: a.env.Getenv(profile.EnvSecrets), Now: a.env.Now,
		Hardware: a.env.Hardware, Checkpoint: a.env.Checkpoint})
	if err != nil {
		return nil, err
	}
	a.d = d
	return d, nil
}

// open opens the profile and its cache.
func (a *app) open(ctx context.Context) error {
	d, err := a.desk()
	if err != nil {
		return err
	}
	a.cache, err = d.Cache(ctx)
	return err
}

// session is the profile's login.
func (a *app) session(ctx context.Context) desk.Session {
	if err := a.open(ctx); err != nil {
		return desk.Session{}
	}
	s, _ := a.d.Session(ctx)
	return s
}

// requireProfile opens the profile and insists that someone logged in once.
func (a *app) requireProfile(ctx context.Context) error {
	if err := a.open(ctx); err != nil {
		return err
	}
	if !a.session(ctx).LoggedIn() {
		return errNotLoggedIn
	}
	return nil
}

var errNotLoggedIn = errors.New("not logged in: run licdesk login --portal URL --email E")

// freshen runs one quick sync round before a read, unless --offline. When
// the portal does not answer in time (or the session ended) the read goes
// on from the cache, with a note on stderr saying how old the copy is.
func (a *app) freshen(ctx context.Context) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	if a.offline {
		return nil
	}
	f, err := a.d.Freshen(ctx)
	a.noteRefused(f.Refused)
	if err != nil {
		return err
	}
	if f.Stale {
		when := "never synced"
		if !f.LastSync.LastSync.IsZero() {
			when = "copy from " + words.Ago(f.LastSync.LastSync, a.env.Now())
		}
		fmt.Fprintf(a.env.Stderr, "licdesk: offline (%s): showing the cached %s\n", oneLine(f.Why.Error()), when)
	}
	return nil
}

// writeOutcome is what became of a write, for --json.
type writeOutcome struct {
	Status  string          `json:"status"` // done, queued
	Summary string          `json:"summary"`
	Key     string          `json:"idempotency_key"`
	Reason  string          `json:"reason,omitempty"`
	Answer  json.RawMessage `json:"answer,omitempty"`
}

// submit hands a write to the desk and reports: done (the portal applied
// it), queued (it will be sent later), or the refusal as the command's
// error. render prints the portal's answer of an applied write.
func (a *app) submit(ctx context.Context, w lsync.Write, render func(answer json.RawMessage) error) error {
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	o, err := a.d.Submit(ctx, w, a.offline)
	a.noteRefused(o.Refused)
	var r *desk.RefusedError
	if errors.As(err, &r) {
		return fmt.Errorf("refused: %s", r.Reason)
	}
	if err != nil {
		return err
	}
	out := writeOutcome{Status: "queued", Summary: w.Summary, Key: o.Entry.Key}
	if o.Done {
		out.Status, out.Answer = "done", o.Answer
		if a.json {
			return a.printJSON(out)
		}
		if render != nil {
			return render(o.Answer)
		}
		fmt.Fprintln(a.env.Stdout, "done:", w.Summary)
		return nil
	}
	if a.offline {
		out.Reason = "--offline"
	} else if o.Why != nil {
		out.Reason = oneLine(o.Why.Error())
	}
	if a.json {
		return a.printJSON(out)
	}
	fmt.Fprintf(a.env.Stdout, "queued: will be sent when the portal is reachable: %s\n", out.Summary)
	if out.Reason != "" && out.Reason != "--offline" {
		fmt.Fprintf(a.env.Stderr, "licdesk: %s\n", out.Reason)
	}
	return nil
}

// noteRefused tells on stderr about earlier queued writes that the portal
// refused during this command's round.
func (a *app) noteRefused(refused []lsync.Entry) {
	for _, r := range refused {
		fmt.Fprintf(a.env.Stderr, "licdesk: a queued write was refused: %s: %s (licdesk status lists refused writes)\n",
			r.Write.Summary, r.Reason)
	}
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

// row writes one table row. Every cell is neutralised (words.Safe): cells
// carry other people's text (names, titles), which must not reach the
// terminal as escape sequences or bidi overrides.
func row(w io.Writer, cells ...any) {
	parts := make([]string, len(cells))
	for i, c := range cells {
		parts[i] = words.Safe(fmt.Sprint(c))
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
