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
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// cmdMail is `licdesk mail`: the licenses that arrive by e-mail.
func cmdMail(ctx context.Context, a *app, args []string) error {
	sub, args := subcommand(args, "list")
	f := newFlags(a, "mail "+sub)
	imapURL := f.String("imap", "", a.only("add", "cli.mail.flag.imap"))
	folder := f.String("folder", "", a.only("add", "cli.mail.flag.folder"))
	since := f.String("since", "", a.only("add", "cli.mail.flag.since"))
	insecure := f.Bool("insecure-skip-verify", false, a.only("add", "cli.mail.flag.insecure"))
	caFile := f.String("ca-file", "", a.only("add", "cli.mail.flag.ca_file"))
	passwordStdin := f.Bool("password-stdin", false, a.only("add", "cli.login.flag.password_stdin"))
	all := f.Bool("all", false, a.only("apply", "cli.mail.flag.all"))
	account := f.String("account", "", a.only("apply", "cli.mail.flag.account"))
	var reg api.Registration
	f.StringVar(&reg.Company, "company", "", a.only("apply", "cli.mail.flag.serial", "What", a.lang.T("cli.keys.flag.company")))
	f.StringVar(&reg.Person, "person", "", a.only("apply", "cli.mail.flag.serial", "What", a.lang.T("cli.keys.flag.person")))
	f.StringVar(&reg.Address, "address", "", a.only("apply", "cli.mail.flag.serial", "What", a.lang.T("cli.keys.flag.address")))
	f.StringVar(&reg.Country, "country", "", a.only("apply", "cli.mail.flag.serial", "What", a.lang.T("cli.mail.flag.country")))
	f.StringVar(&reg.Phone, "phone", "", a.only("apply", "cli.mail.flag.serial", "What", a.lang.T("cli.keys.flag.phone")))
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
			return usage("cli.mail.dismiss_one")
		}
		id, err := findingID(pos[0])
		if err != nil {
			return err
		}
		if err := a.d.DismissFinding(ctx, id); err != nil {
			return err
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.dismissed", "ID", id))
		return nil
	case "remove":
		m, err := a.d.RemoveMailbox(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.removed", "URL", m.URL))
		return nil
	case "import":
		if len(pos) == 0 {
			return usage("cli.mail.import_one")
		}
		return mailImport(ctx, a, pos)
	}
	return a.want("mail "+sub, "add", "scan", "list", "apply", "dismiss", "remove", "import")
}

func mailAdd(ctx context.Context, a *app, imapURL, folder, since string, insecure bool, caFile string, passwordStdin bool) error {
	if err := need("imap", imapURL); err != nil {
		return err
	}
	m := desk.MailboxSettings{URL: imapURL, Folder: folder, InsecureSkipVerify: insecure, CAFile: caFile}
	if since != "" {
		t, err := time.Parse(time.DateOnly, since)
		if err != nil {
			return usage("cli.mail.bad_since", "Value", fmt.Sprintf("%q", since))
		}
		m.Since = t
	}
	var password string
	if passwordStdin {
		p, err := readLine(a.env.Stdin)
		if err != nil {
			return i18n.Wrap(err, "cli.password.read_stdin")
		}
		password = p
	} else {
		if !a.env.StdinTerminal || a.env.ReadPassword == nil {
			return usage("cli.password.no_terminal")
		}
		fmt.Fprint(a.env.Stderr, a.lang.T("cli.password.prompt", "Email", imapURL)+" ")
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
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.connected", "URL", res.URL, "Folder", res.Folder,
		"Messages", words.Plural(a.lang, int(res.Messages), "message")))
	if res.PasswordIn == profile.InFile {
		why := ""
		if err := a.d.KeyringError(); err != nil {
			why = " (" + oneLine(a.lang.Err(err)) + ")"
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.password_in_file", "Why", why, "File", a.d.TokenFile()))
	}
	return nil
}

func mailScan(ctx context.Context, a *app) error {
	res, err := a.d.ScanMail(ctx, desk.ScanOptions{Offline: a.offline})
	for _, s := range res.Skipped {
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.mail.skipped", "What", s))
	}
	if err != nil {
		// What was read before the failure is kept: say so, then fail.
		if res.Messages > 0 && !a.json {
			a.findingsTable(res.New)
		}
		return err
	}
	if res.SyncErr != nil {
		fmt.Fprintln(a.env.Stderr, "licdesk: "+a.lang.T("cli.mail.sync_failed", "Err", oneLine(a.lang.Err(res.SyncErr))))
	}
	if a.json {
		return a.printJSON(map[string]any{"messages": res.Messages, "new": res.New, "skipped": res.Skipped,
			"reset": res.Reset, "synced": res.Synced})
	}
	if res.Reset {
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.reset"))
	}
	fmt.Fprint(a.env.Stdout, a.lang.T("cli.mail.scanned", "Messages", words.Plural(a.lang, res.Messages, "message"),
		"Findings", words.Plural(a.lang, len(res.New), "new finding")))
	if res.Known > 0 {
		fmt.Fprint(a.env.Stdout, " "+a.lang.T("cli.mail.known", "Count", a.lang.Number(res.Known)))
	}
	if res.Synced {
		fmt.Fprint(a.env.Stdout, a.lang.T("cli.mail.synced"))
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
		// Notes are kept as catalog keys; JSON carries them in English.
		en := i18n.English()
		for i := range fs {
			fs[i].Note = en.Text(fs[i].Note)
		}
		return a.printJSON(fs)
	}
	if len(fs) == 0 {
		if _, ok, _ := a.d.Mailbox(ctx); !ok {
			return desk.ErrNoMailbox
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.nothing_yet"))
		return nil
	}
	a.findingsTable(fs)
	return nil
}

// findingsTable prints findings: what, its value, the product, who sent
// it, when, its state and what it offers.
func (a *app) findingsTable(fs []lsync.MailFinding) {
	tw := a.table("cli.header.id", "cli.header.kind", "cli.header.value", "cli.header.product", "cli.header.from",
		"cli.header.date", "cli.header.state", "cli.header.action")
	for _, f := range fs {
		v := f.Value
		if strings.HasPrefix(v, "-----BEGIN") {
			v = "(" + f.In + ")"
		}
		state := f.State
		if f.Note != "" {
			state += ": " + a.lang.Text(f.Note)
		}
		row(tw, f.ID, f.Kind, v, words.OrDash(f.Product), words.OrDash(f.Sender), a.date(f.SentAt), state, desk.FindingAction(a.lang, f))
	}
	tw.Flush()
}

func findingID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, usage("cli.mail.bad_id", "Value", fmt.Sprintf("%q", s))
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
			fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.nothing_waiting"))
			return nil
		}
	case !all && len(pos) == 1:
		id, err := findingID(pos[0])
		if err != nil {
			return err
		}
		ids = []int64{id}
	default:
		return usage("cli.usage.line", "Usage", "licdesk mail apply ID|--all")
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
				err = i18n.Errorf("cli.mail.needs_registration", "Err", a.lang.Err(nr))
			}
			if len(ids) == 1 {
				return err
			}
			failed++
			fmt.Fprintln(a.env.Stderr, "licdesk mail apply: "+a.lang.T("cli.mail.finding_failed", "ID", id, "Err", oneLine(a.lang.Err(err))))
			continue
		}
		results = append(results, res)
		if !a.json {
			fmt.Fprintf(a.env.Stdout, "%d %s: %s\n", id, res.Finding.Kind, a.lang.Text(res.Summary))
			if res.SignUp != nil {
				fmt.Fprintf(a.env.Stdout, "  licdesk signup --portal %s --email %s\n", res.SignUp.Portal, res.SignUp.Email)
			}
		}
	}
	if a.json {
		en := i18n.English()
		for i := range results {
			results[i].Summary = en.Text(results[i].Summary)
			results[i].Finding.Note = en.Text(results[i].Finding.Note)
		}
		if err := a.printJSON(results); err != nil {
			return err
		}
	}
	if failed > 0 {
		return i18n.Errorf("cli.mail.not_applied", "Failed", failed, "Total", len(ids))
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
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.mail.imported", "Files", words.Plural(a.lang, res.Files, "file"),
		"Findings", words.Plural(a.lang, len(res.New), "new finding")))
	if len(res.New) > 0 {
		a.findingsTable(res.New)
	}
	return nil
}
