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
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// app is one command's view of the profile: the desk opened on first use,
// closed when the command ends.
type app struct {
	env     Env
	lang    *i18n.Lang // what the command prints is in this language
	json    bool
	offline bool

	d     *desk.Desk
	cache *lsync.Cache // the desk's, once a command needs it
}

func newApp(env Env, lang *i18n.Lang) *app { return &app{env: env, lang: lang} }

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
		Hardware: a.env.Hardware, Checkpoint: a.env.Checkpoint, Language: a.lang.Tag()})
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

var errNotLoggedIn = i18n.Errorf("cli.not_logged_in")

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
		why := oneLine(a.lang.Err(f.Why))
		if f.LastSync.LastSync.IsZero() {
			fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.freshen.stale_never", "Why", why))
		} else {
			fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.freshen.stale", "Why", why,
				"Ago", words.Ago(a.lang, f.LastSync.LastSync, a.env.Now())))
		}
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
		return i18n.Wrap(r, "cli.refused")
	}
	if err != nil {
		return err
	}
	out := writeOutcome{Status: "queued", Summary: i18n.English().Text(w.Summary), Key: o.Entry.Key}
	if o.Done {
		out.Status, out.Answer = "done", o.Answer
		if a.json {
			return a.printJSON(out)
		}
		if render != nil {
			return render(o.Answer)
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.submit.done", "Summary", a.lang.Text(w.Summary)))
		return nil
	}
	if a.offline {
		out.Reason = "--offline"
	} else if o.Why != nil {
		out.Reason = oneLine(o.Why.Error())
		if !a.json {
			out.Reason = oneLine(a.lang.Err(o.Why))
		}
	}
	if a.json {
		return a.printJSON(out)
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.submit.queued", "Summary", a.lang.Text(w.Summary)))
	if out.Reason != "" && out.Reason != "--offline" {
		fmt.Fprintf(a.env.Stderr, "licdesk: %s\n", out.Reason)
	}
	return nil
}

// noteRefused tells on stderr about earlier queued writes that the portal
// refused during this command's round.
func (a *app) noteRefused(refused []lsync.Entry) {
	for _, r := range refused {
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.refused_note", "Summary", a.lang.Text(r.Write.Summary), "Reason", r.Reason))
	}
}

// printJSON writes v as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table starts a table with a header row; the headers are catalog keys.
func (a *app) table(headers ...string) *tabwriter.Writer {
	tw := tabwriter.NewWriter(a.env.Stdout, 0, 0, 2, ' ', 0)
	for i, h := range headers {
		headers[i] = a.lang.T(h)
	}
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
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

// date writes a day the language's way (the UTC day), "-" for none.
func (a *app) date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return a.lang.Date(t.UTC())
}

// jsonDay writes the day of a JSON time the language's way ("-" for none
// or for what is not a time).
func (a *app) jsonDay(s string) string {
	if len(s) < 10 || strings.HasPrefix(s, "0001-01-01") {
		return "-"
	}
	t, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		return "-"
	}
	return a.lang.Date(t)
}

// enum words a domain value (a seat's state, a license's status) in the
// user's language. In English the command line keeps the value as the
// portal names it ("pending"), as scripts have always read it.
func (a *app) enum(kind, value string) string {
	if value == "" || a.lang.Tag() == i18n.English().Tag() {
		return value
	}
	return a.lang.Enum(kind, value)
}

// want is the usage error of an unknown subcommand: what was given and
// the subcommands there are ("list, assign or remove").
func (a *app) want(what string, choices ...string) error {
	list := choices[len(choices)-1]
	if len(choices) > 1 {
		list = a.lang.T("common.or", "Rest", strings.Join(choices[:len(choices)-1], ", "), "Last", list)
	}
	return usage("cli.usage.want", "What", what, "Choices", list)
}

// action words what a license's or subscription's status asks for
// ("renew", "reactivate", "activate"): the code in English, as --json
// gives it, the catalog's verb elsewhere.
func (a *app) action(code string) string {
	key := "cli.action." + code
	if code == "" || a.lang.Tag() == i18n.English().Tag() || !a.lang.Has(key) {
		return code
	}
	return a.lang.T(key)
}
