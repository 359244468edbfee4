package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// cmdMail is `licdesk mail`: the licenses that arrive by e-mail.
func cmdMail(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "mail "+sub)
	imapURL := f.String("imap", "", "add: the mailbox, imaps://USER@HOST[:PORT] or imap://USER@HOST[:PORT] (STARTTLS)")
	folder := f.String("folder", "", "add: the folder to scan (default INBOX)")
	since := f.String("since", "", "add: skip messages received before this day (YYYY-MM-DD)")
	insecure := f.Bool("insecure-skip-verify", false, "add: accept any certificate of the mail server")
	caFile := f.String("ca-file", "", "add: a PEM file of extra certificate authorities for the mail server")
	passwordStdin := f.Bool("password-stdin", false, "add: read the password from standard input")
	all := f.Bool("all", false, "apply: act on every waiting finding (serials are left: they need --company etc.)")
	account := f.String("account", "", "apply: the account products and keys go to (default: yours)")
	var reg api.Registration
	f.StringVar(&reg.Company, "company", "", "apply a serial: the registered company")
	f.StringVar(&reg.Person, "person", "", "apply a serial: the registered person")
	f.StringVar(&reg.Address, "address", "", "apply a serial: the company's address")
	f.StringVar(&reg.Country, "country", "", "apply a serial: the country (ISO code)")
	f.StringVar(&reg.Phone, "phone", "", "apply a serial: a phone number (optional)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := a.open(ctx); err != nil {
		return err
	}
	switch sub {
	case "add":
		return mailAdd(ctx, a, *imapURL, *folder, *since, *insecure, *caFile, *passwordStdin)
	case "scan":
		return mailScan(ctx, a)
	case "list":
		return mailList(ctx, a)
	case "apply":
		return mailApply(ctx, a, pos, *all, desk.ApplyOptions{Registration: reg, Account: *account, Offline: a.offline})
	case "dismiss":
		if len(pos) != 1 {
			return usagef("mail dismiss ID: give one finding's ID")
		}
		id, err := findingID(pos[0])
		if err != nil {
			return err
		}
		if err := a.d.DismissFinding(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stdout, "finding %d dismissed\n", id)
		return nil
	case "remove":
		m, err := a.d.RemoveMailbox(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stdout, "mailbox %s removed: its password and findings are forgotten\n", m.URL)
		return nil
	case "import":
		if len(pos) == 0 {
			return usagef("mail import FILE.eml...: give at least one file")
		}
		return mailImport(ctx, a, pos)
	}
	return usagef("mail %s: want add, scan, list, apply, dismiss, remove or import", sub)
}

func mailAdd(ctx context.Context, a *app, imapURL, folder, since string, insecure bool, caFile string, passwordStdin bool) error {
	if err := need("imap", imapURL); err != nil {
		return err
	}
	m := desk.MailboxSettings{URL: imapURL, Folder: folder, InsecureSkipVerify: insecure, CAFile: caFile}
	if since != "" {
		t, err := time.Parse(time.DateOnly, since)
		if err != nil {
			return usagef("--since wants a day as YYYY-MM-DD, not %q", since)
		}
		m.Since = t
	}
	var password string
	if passwordStdin {
		p, err := readLine(a.env.Stdin)
		if err != nil {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		password = p
	} else {
		if !a.env.StdinTerminal || a.env.ReadPassword == nil {
			return usagef("no terminal to ask the password on: pipe it in with --password-stdin")
		}
		fmt.Fprintf(a.env.Stderr, "Password for %s: ", imapURL)
		p, err := a.env.ReadPassword()
		fmt.Fprintln(a.env.Stderr)
		if err != nil {
			return err
		}
		password = string(p)
	}
	res, err := a.d.AddMailbox(ctx, m, password)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"mailbox": res.URL, "folder": res.Folder, "messages": res.Messages, "password_in": res.PasswordIn})
	}
	fmt.Fprintf(a.env.Stdout, "mailbox %s connected: folder %s holds %s; licdesk mail scan reads it\n",
		res.URL, res.Folder, words.Plural(a.lang, int(res.Messages), "message"))
	if res.PasswordIn == profile.InFile {
		why := ""
		if err := a.d.KeyringError(); err != nil {
			why = " (" + oneLine(err.Error()) + ")"
		}
		fmt.Fprintf(a.env.Stdout, "note: no system keyring answered%s; the mail password is kept in %s, readable by you only\n",
			why, a.d.TokenFile())
	}
	return nil
}

func mailScan(ctx context.Context, a *app) error {
	res, err := a.d.ScanMail(ctx, desk.ScanOptions{Offline: a.offline})
	for _, s := range res.Skipped {
		fmt.Fprintln(a.env.Stderr, "licdesk: skipped "+s)
	}
	if err != nil {
		// What was read before the failure is kept: say so, then fail.
		if res.Messages > 0 && !a.json {
			a.findingsTable(res.New)
		}
		return err
	}
	if res.SyncErr != nil {
		fmt.Fprintf(a.env.Stderr, "licdesk: the portal mailed you, but the sync failed (%s): run licdesk sync\n", oneLine(res.SyncErr.Error()))
	}
	if a.json {
		return a.printJSON(map[string]any{"messages": res.Messages, "new": res.New, "skipped": res.Skipped,
			"reset": res.Reset, "synced": res.Synced})
	}
	if res.Reset {
		fmt.Fprintln(a.env.Stdout, "the server renumbered the folder: it was read again")
	}
	fmt.Fprintf(a.env.Stdout, "scanned %s: %s", words.Plural(a.lang, res.Messages, "message"), words.Plural(a.lang, len(res.New), "new finding"))
	if res.Known > 0 {
		fmt.Fprintf(a.env.Stdout, " (%d already known)", res.Known)
	}
	if res.Synced {
		fmt.Fprint(a.env.Stdout, "; synced with the portal")
	}
	fmt.Fprintln(a.env.Stdout)
	if len(res.New) > 0 {
		a.findingsTable(res.New)
	}
	return nil
}

func mailList(ctx context.Context, a *app) error {
	fs, err := a.d.MailFindings(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(fs)
	}
	if len(fs) == 0 {
		if _, ok, _ := a.d.Mailbox(ctx); !ok {
			return desk.ErrNoMailbox
		}
		fmt.Fprintln(a.env.Stdout, "nothing found yet: licdesk mail scan reads the mailbox")
		return nil
	}
	a.findingsTable(fs)
	return nil
}

// findingsTable prints findings: what, its value, the product, who sent
// it, when, its state and what it offers.
func (a *app) findingsTable(fs []lsync.MailFinding) {
	tw := a.table("ID", "KIND", "VALUE", "PRODUCT", "FROM", "DATE", "STATE", "ACTION")
	for _, f := range fs {
		v := f.Value
		if strings.HasPrefix(v, "-----BEGIN") {
			v = "(" + f.In + ")"
		}
		state := f.State
		if f.Note != "" {
			state += ": " + f.Note
		}
		row(tw, f.ID, f.Kind, v, words.OrDash(f.Product), words.OrDash(f.Sender), a.date(f.SentAt), state, desk.FindingAction(a.lang, f))
	}
	tw.Flush()
}

func findingID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("a finding's ID is a number from licdesk mail list, not %q", s)
	}
	return id, nil
}

func mailApply(ctx context.Context, a *app, pos []string, all bool, o desk.ApplyOptions) error {
	var ids []int64
	switch {
	case all && len(pos) == 0:
		fs, err := a.d.MailFindings(ctx)
		if err != nil {
			return err
		}
		for _, f := range fs {
			if f.State == lsync.FindingNew && (f.Kind != "serial" || o.Registration.Company != "") {
				ids = append(ids, f.ID)
			}
		}
		if len(ids) == 0 {
			fmt.Fprintln(a.env.Stdout, "nothing waiting")
			return nil
		}
	case !all && len(pos) == 1:
		id, err := findingID(pos[0])
		if err != nil {
			return err
		}
		ids = []int64{id}
	default:
		return usagef("mail apply ID|--all")
	}
	failed := 0
	var results []desk.Applied
	for _, id := range ids {
		res, err := a.d.ApplyFinding(ctx, id, o)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var nr *desk.NeedsRegistrationError
			if errors.As(err, &nr) {
				err = fmt.Errorf("%s: add --company, --person, --address and --country", nr)
			}
			if len(ids) == 1 {
				return err
			}
			failed++
			fmt.Fprintf(a.env.Stderr, "licdesk mail apply: finding %d: %s\n", id, oneLine(err.Error()))
			continue
		}
		results = append(results, res)
		if !a.json {
			fmt.Fprintf(a.env.Stdout, "%d %s: %s\n", id, res.Finding.Kind, res.Summary)
			if res.SignUp != nil {
				fmt.Fprintf(a.env.Stdout, "  licdesk signup --portal %s --email %s\n", res.SignUp.Portal, res.SignUp.Email)
			}
		}
	}
	if a.json {
		if err := a.printJSON(results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d findings were not applied", failed, len(ids))
	}
	return nil
}

func mailImport(ctx context.Context, a *app, paths []string) error {
	res, err := a.d.ImportMail(ctx, paths, desk.ScanOptions{Offline: a.offline})
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(map[string]any{"files": res.Files, "new": res.New})
	}
	fmt.Fprintf(a.env.Stdout, "read %s: %s\n", words.Plural(a.lang, res.Files, "file"), words.Plural(a.lang, len(res.New), "new finding"))
	if len(res.New) > 0 {
		a.findingsTable(res.New)
	}
	return nil
}
