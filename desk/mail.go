package desk

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/mailbox"
	"github.com/licdesk/licdesk/mailscan"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// The mailbox use cases (docs/design.md, Mail): connect a mailbox, scan it,
// list what was found, act on a finding, import saved messages.

// MailboxSettings is a mailbox connection as the user gives it.
type MailboxSettings struct {
	// URL is imaps://USER@HOST[:PORT] or imap://USER@HOST[:PORT] (STARTTLS).
	URL string
	// Folder is the folder scanned ("" is INBOX).
	Folder string
	// Since skips older messages (zero: all).
	Since time.Time
	// InsecureSkipVerify accepts any certificate.
	InsecureSkipVerify bool
	// CAFile is a PEM file of extra certificate authorities.
	CAFile string
}

// ErrNoMailbox: the profile has no mailbox connected.
var ErrNoMailbox = i18n.Errorf("desk.mail.none")

// Mailbox reads the profile's mailbox settings; ok is false when none.
func (d *Desk) Mailbox(ctx context.Context) (MailboxSettings, bool, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return MailboxSettings{}, false, err
	}
	s, err := c.Settings(ctx)
	if err != nil {
		return MailboxSettings{}, false, err
	}
	if s[lsync.SettingMailURL] == "" {
		return MailboxSettings{}, false, nil
	}
	m := MailboxSettings{URL: s[lsync.SettingMailURL], Folder: s[lsync.SettingMailFolder],
		InsecureSkipVerify: s[lsync.SettingMailInsecure] == "1", CAFile: s[lsync.SettingMailCAFile]}
	if v := s[lsync.SettingMailSince]; v != "" {
		m.Since, _ = time.Parse(time.DateOnly, v)
	}
	return m, true, nil
}

// config is the connection of settings and a password.
func (m MailboxSettings) config(password string) (mailbox.Config, error) {
	cfg, err := mailbox.ParseURL(m.URL)
	if err != nil {
		return cfg, invalid("mail.url", err.Error())
	}
	cfg.Password, cfg.Folder, cfg.Since = password, m.Folder, m.Since
	cfg.InsecureSkipVerify, cfg.CAFile = m.InsecureSkipVerify, m.CAFile
	if cfg.Folder == "" {
		cfg.Folder = mailbox.DefaultFolder
	}
	return cfg, nil
}

// MailboxAdded is what connecting a mailbox did.
type MailboxAdded struct {
	URL, Folder string
	// Messages is how many messages the folder holds.
	Messages uint32
	// PasswordIn is where the password went (keyring or file).
	PasswordIn profile.Place
}

// AddMailbox checks the login and the folder, then keeps the connection:
// the password in the keyring (or the 0600 file, as the portal token), the
// rest in the profile's settings. Nothing is kept when the check fails.
// Another mailbox connected before is replaced.
func (d *Desk) AddMailbox(ctx context.Context, m MailboxSettings, password string) (MailboxAdded, error) {
	var out MailboxAdded
	if password == "" {
		return out, invalid("mail.password", "give the mailbox's password (or app password)")
	}
	cfg, err := m.config(password)
	if err != nil {
		return out, err
	}
	conn, err := mailbox.Dial(ctx, cfg)
	if err != nil {
		return out, err
	}
	f := conn.Folder()
	conn.Close()
	url := cfg.URL()
	old, had, err := d.Mailbox(ctx)
	if err != nil {
		return out, err
	}
	place, err := d.prof.Secrets.Set(lsync.MailPasswordName(url), password)
	if err != nil {
		return out, err
	}
	since := ""
	if !m.Since.IsZero() {
		since = m.Since.Format(time.DateOnly)
	}
	insecure := ""
	if m.InsecureSkipVerify {
		insecure = "1"
	}
	if err := d.setSettings(ctx, map[string]string{lsync.SettingMailURL: url, lsync.SettingMailFolder: cfg.Folder,
		lsync.SettingMailSince: since, lsync.SettingMailInsecure: insecure, lsync.SettingMailCAFile: m.CAFile}); err != nil {
		d.prof.Secrets.Delete(lsync.MailPasswordName(url))
		return out, err
	}
	if had && old.URL != url {
		d.prof.Secrets.Delete(lsync.MailPasswordName(old.URL))
	}
	return MailboxAdded{URL: url, Folder: cfg.Folder, Messages: f.Messages, PasswordIn: place}, nil
}

// RemoveMailbox forgets the mailbox: its password, its settings, how far
// it was read and what was found in it.
func (d *Desk) RemoveMailbox(ctx context.Context) (MailboxSettings, error) {
	m, ok, err := d.Mailbox(ctx)
	if err != nil {
		return m, err
	}
	if !ok {
		return m, ErrNoMailbox
	}
	if err := d.prof.Secrets.Delete(lsync.MailPasswordName(m.URL)); err != nil {
		return m, err
	}
	c, _ := d.Cache(ctx)
	if err := c.ForgetMail(ctx); err != nil {
		return m, err
	}
	return m, d.setSettings(ctx, map[string]string{lsync.SettingMailURL: "", lsync.SettingMailFolder: "",
		lsync.SettingMailSince: "", lsync.SettingMailInsecure: "", lsync.SettingMailCAFile: ""})
}

// mailConfig is the connected mailbox's configuration with its password.
func (d *Desk) mailConfig(ctx context.Context) (mailbox.Config, error) {
	m, ok, err := d.Mailbox(ctx)
	if err != nil {
		return mailbox.Config{}, err
	}
	if !ok {
		return mailbox.Config{}, ErrNoMailbox
	}
	pw, _, err := d.prof.Secrets.Get(lsync.MailPasswordName(m.URL))
	if errors.Is(err, profile.ErrNoSecret) {
		return mailbox.Config{}, i18n.Errorf("desk.mail.password_gone", "URL", m.URL)
	}
	if err != nil {
		return mailbox.Config{}, err
	}
	return m.config(pw)
}

// DialMailbox connects to the profile's mailbox (the window's watcher
// keeps the connection open between scans).
func (d *Desk) DialMailbox(ctx context.Context) (*mailbox.Conn, error) {
	cfg, err := d.mailConfig(ctx)
	if err != nil {
		return nil, err
	}
	return mailbox.Dial(ctx, cfg)
}

// MailScan is what a scan did.
type MailScan struct {
	// Messages counts the messages read; New the findings new to the
	// profile.
	Messages int
	New      []lsync.MailFinding
	// Skipped says, one line each, which messages could not be read (too
	// large, not a message); they are not read again.
	Skipped []string
	// Reset: the server renumbered the folder, which was read again.
	Reset bool
	// Idle: the server offers IDLE (it pushes new messages).
	Idle bool
	// Known counts new findings already in the profile (marked done).
	Known int
	// Synced: a finding came from the portal and the profile was synced;
	// SyncErr says why that failed.
	Synced  bool
	SyncErr error
}

// ScanOptions steer a scan.
type ScanOptions struct {
	// Offline does not sync when the portal mailed the user.
	Offline bool
}

// ScanMail reads the messages that arrived since the last scan. Each
// message's findings and the folder's mark are kept together, so that a
// scan cut off (a dropped connection, Ctrl+C) loses nothing and the next
// one resumes after the last message kept.
func (d *Desk) ScanMail(ctx context.Context, o ScanOptions) (MailScan, error) {
	conn, err := d.DialMailbox(ctx)
	if err != nil {
		return MailScan{}, err
	}
	defer conn.Close()
	return d.ScanWith(ctx, conn, o)
}

// ScanWith scans over an open connection.
func (d *Desk) ScanWith(ctx context.Context, conn *mailbox.Conn, o ScanOptions) (MailScan, error) {
	var out MailScan
	cfg, err := d.mailConfig(ctx)
	if err != nil {
		return out, err
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return out, err
	}
	url, folder := cfg.URL(), cfg.Folder
	out.Idle = conn.Idle()
	v, last, err := c.MailMark(ctx, url, folder)
	if err != nil {
		return out, err
	}
	res, err := conn.Scan(ctx, mailbox.Mark{UIDValidity: v, LastUID: last}, mailscan.MaxMessageSize, func(it mailbox.Item) error {
		source := fmt.Sprintf("%s/%s;UIDVALIDITY=%d/;UID=%d", url, folder, conn.Folder().UIDValidity, it.UID)
		var fs []lsync.MailFinding
		if it.TooLarge {
			out.Skipped = append(out.Skipped, fmt.Sprintf("message %d (%d MB) is larger than %d MB: not read", it.UID, it.Size>>20, mailscan.MaxMessageSize>>20))
		} else if m, err := mailscan.Parse(it.Raw); err != nil {
			out.Skipped = append(out.Skipped, fmt.Sprintf("message %d: %s", it.UID, firstLine(err.Error())))
		} else {
			fs = d.findings(m, source)
		}
		added, err := c.RecordMail(ctx, url, folder, conn.Folder().UIDValidity, it.UID, fs)
		if err != nil {
			return err
		}
		out.Messages++
		out.New = append(out.New, added...)
		return nil
	})
	out.Reset = res.Reset
	if err != nil {
		d.afterScan(ctx, &out, o)
		return out, i18n.Wrap(err, "desk.mail.scan_stopped", "Count", out.Messages)
	}
	d.afterScan(ctx, &out, o)
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// findings turns a message's findings into the cache's records.
func (d *Desk) findings(m mailscan.Message, source string) []lsync.MailFinding {
	mailscan.SortFindings(m.Findings)
	out := make([]lsync.MailFinding, 0, len(m.Findings))
	now := d.Now()
	sent := m.Date
	if sent.IsZero() {
		sent = now
	}
	for _, f := range m.Findings {
		out = append(out, lsync.MailFinding{Kind: string(f.Kind), Value: f.Value, Product: f.Product, License: f.License,
			Portal: f.Portal, In: f.In, Source: source, MessageID: m.MessageID, Sender: m.From, Subject: m.Subject,
			SentAt: sent, FoundAt: now})
	}
	return out
}

// afterScan syncs when the portal mailed the user (its e-mail says
// something changed there), then marks findings the profile already knows
// as done: nothing is applied without the user, but a key already in the
// account is not offered again.
func (d *Desk) afterScan(ctx context.Context, out *MailScan, o ScanOptions) {
	if len(out.New) == 0 {
		return
	}
	fromPortal := false
	for _, f := range out.New {
		fromPortal = fromPortal || mailscan.Kind(f.Kind).FromPortal()
	}
	if s, err := d.Session(ctx); fromPortal && !o.Offline && err == nil && s.HasToken {
		_, err := d.Sync(ctx)
		out.Synced, out.SyncErr = err == nil, err
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return
	}
	for i, f := range out.New {
		if note, ok := d.known(ctx, f); ok {
			if c.SetMailFindingState(ctx, f.ID, lsync.FindingDone, note) == nil {
				out.New[i].State, out.New[i].Note = lsync.FindingDone, note
				out.Known++
			}
		}
	}
}

// known reports whether the profile already holds what a finding offers.
func (d *Desk) known(ctx context.Context, f lsync.MailFinding) (string, bool) {
	c, err := d.Cache(ctx)
	if err != nil {
		return "", false
	}
	switch mailscan.Kind(f.Kind) {
	case mailscan.LicenseKey, mailscan.InstallKey:
		keys, _ := lsync.List[api.Key](ctx, c, api.KindKey)
		for _, k := range keys {
			if strings.EqualFold(k.Key, f.Value) {
				return i18n.Stored("desk.mail.note.key_known"), true
			}
		}
	case mailscan.LicenseNumber:
		ps, _ := c.Products(ctx)
		for _, p := range ps {
			for _, l := range p.Licenses {
				if strings.EqualFold(l.Number, f.Value) {
					return i18n.Stored("desk.mail.note.registered", "Product", p.Product), true
				}
			}
		}
	case mailscan.SeatAssigned, mailscan.Invitation:
		if p, _ := c.AssignedProductOf(ctx, f.License); p != "" && d.synced(ctx, f.SentAt) {
			return i18n.Stored("desk.mail.note.assigned", "Product", p), true
		}
	case mailscan.SeatRemoved, mailscan.News:
		if d.synced(ctx, f.SentAt) {
			return i18n.Stored("desk.mail.note.up_to_date"), true
		}
	}
	return "", false
}

// synced reports whether the cache was synced after t.
func (d *Desk) synced(ctx context.Context, t time.Time) bool {
	last := d.lastSync(ctx)
	return !last.IsZero() && !last.Before(t.Add(-time.Second))
}

// MailFindings lists what was found, newest message first.
func (d *Desk) MailFindings(ctx context.Context) ([]lsync.MailFinding, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	return c.MailFindings(ctx)
}

// ApplyOptions are what some findings need beyond themselves.
type ApplyOptions struct {
	// Registration is the registration of a serial (source 001).
	Registration api.Registration
	// Account is where a product or key goes ("" is the user's own).
	Account string
	// Offline queues writes instead of sending them.
	Offline bool
}

// Applied is what acting on a finding did.
type Applied struct {
	Finding lsync.MailFinding
	// Summary says it in one line.
	Summary string
	// Outcome is the write's fate, for findings that write.
	Outcome *Outcome
	// SignUp is set for an invitation to an address with no login here:
	// the user signs up there with it.
	SignUp *SignUpInvite
}

// SignUpInvite is an invitation's sign-up.
type SignUpInvite struct{ Portal, Email string }

// NeedsRegistrationError: a serial needs the registration details.
type NeedsRegistrationError struct{ Serial string }

// Error says what to give.
func (e *NeedsRegistrationError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *NeedsRegistrationError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.needs_registration", Args: []any{"Serial", e.Serial}}
}

// ApplyFinding acts on a finding, as its kind offers: register the
// product, get the key of a serial, add a key, import a response or a
// license file (verified against the profile's trusted keys first), open
// what the portal assigned (a sync) or the invitation's sign-up. The
// finding is then marked done; a failure leaves it waiting, with why.
func (d *Desk) ApplyFinding(ctx context.Context, id int64, o ApplyOptions) (Applied, error) {
	c, err := d.Cache(ctx)
	if err != nil {
		return Applied{}, err
	}
	f, err := c.MailFinding(ctx, id)
	if err != nil {
		return Applied{}, err
	}
	out := Applied{Finding: f}
	out.Summary, err = d.apply(ctx, f, o, &out)
	if err != nil {
		c.SetMailFindingState(ctx, f.ID, lsync.FindingNew, firstLine(err.Error()))
		return out, err
	}
	state := lsync.FindingDone
	if out.SignUp != nil {
		state = lsync.FindingNew // offered, not done: it waits until the seat shows
	}
	c.SetMailFindingState(ctx, f.ID, state, out.Summary)
	out.Finding.State, out.Finding.Note = state, out.Summary
	return out, nil
}

// DismissFinding puts a finding aside.
func (d *Desk) DismissFinding(ctx context.Context, id int64) error {
	c, err := d.Cache(ctx)
	if err != nil {
		return err
	}
	if _, err := c.MailFinding(ctx, id); err != nil {
		return err
	}
	return c.SetMailFindingState(ctx, id, lsync.FindingDismissed, "dismissed")
}

func (d *Desk) apply(ctx context.Context, f lsync.MailFinding, o ApplyOptions, out *Applied) (string, error) {
	submit := func(w lsync.Write, err error) (string, error) {
		if err != nil {
			return "", err
		}
		oc, err := d.Submit(ctx, w, o.Offline)
		var r *RefusedError
		if errors.As(err, &r) {
			return "", i18n.Wrap(r, "desk.refused")
		}
		if err != nil {
			return "", err
		}
		out.Outcome = &oc
		if !oc.Done {
			return i18n.Stored("desk.mail.note.queued", "Summary", w.Summary), nil
		}
		return i18n.Stored("desk.mail.note.done", "Summary", w.Summary), nil
	}
	switch mailscan.Kind(f.Kind) {
	case mailscan.LicenseNumber:
		if _, err := d.requireLogin(ctx); err != nil {
			return "", err
		}
		return submit(d.RegisterProduct(ctx, f.Value, o.Account))
	case mailscan.LicenseKey, mailscan.InstallKey:
		if _, err := d.requireLogin(ctx); err != nil {
			return "", err
		}
		return submit(lsync.AddKey(f.Value, o.Account))
	case mailscan.Serial:
		s, err := d.requireLogin(ctx)
		if err != nil {
			return "", err
		}
		reg := o.Registration
		if reg.Company == "" || reg.Person == "" || reg.Address == "" || reg.Country == "" {
			return "", &NeedsRegistrationError{Serial: f.Value}
		}
		if reg.Email == "" {
			reg.Email = s.Email
		}
		return submit(lsync.GetKey(api.GetKeyRequest{Serial: f.Value, Registration: reg, AccountID: o.Account}))
	case mailscan.ActivationResponse, mailscan.LicenseFile:
		return d.installFromMail(ctx, f)
	case mailscan.Invitation:
		s, _ := d.Session(ctx)
		if !s.HasToken || (f.Portal != "" && !samePortal(f.Portal, s.Portal)) {
			email := s.Email
			if m, ok, _ := d.Mailbox(ctx); ok {
				if cfg, err := mailbox.ParseURL(m.URL); err == nil && strings.Contains(cfg.User, "@") {
					email = cfg.User
				}
			}
			out.SignUp = &SignUpInvite{Portal: f.Portal, Email: email}
			return fmt.Sprintf("sign up at %s to take the %s seat", f.Portal, f.Product), nil
		}
		fallthrough
	case mailscan.SeatAssigned, mailscan.SeatRemoved, mailscan.News:
		if _, err := d.requireLogin(ctx); err != nil {
			return "", err
		}
		if _, err := d.Sync(ctx); err != nil {
			return "", err
		}
		switch mailscan.Kind(f.Kind) {
		case mailscan.SeatAssigned, mailscan.Invitation:
			c, _ := d.Cache(ctx)
			if p, _ := c.AssignedProductOf(ctx, f.License); p != "" {
				return i18n.Stored("desk.mail.note.assigned", "Product", p), nil
			}
			return "", i18n.Errorf("desk.mail.not_assigned", "License", f.License, "Email", d.sessionEmail(ctx))
		case mailscan.SeatRemoved:
			return i18n.Stored("desk.mail.note.seat_gone", "Product", f.Product), nil
		}
		return i18n.Stored("desk.mail.note.news", "Product", f.Product), nil
	}
	return "", i18n.Errorf("desk.mail.no_action", "Kind", f.Kind)
}

func (d *Desk) sessionEmail(ctx context.Context) string {
	s, _ := d.Session(ctx)
	return s.Email
}

// samePortal compares two portal addresses loosely (trailing slash, case).
func samePortal(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "/"), strings.TrimSuffix(b, "/"))
}

// installFromMail installs a response or license file found in an e-mail,
// after the machine store verified it against the profile's trusted keys
// (a file never brings its own trust).
func (d *Desk) installFromMail(ctx context.Context, f lsync.MailFinding) (string, error) {
	st, err := d.Machine()
	if err != nil {
		return "", err
	}
	if s, err := d.Session(ctx); err == nil && s.HasToken {
		d.EnsureTrust(ctx)
	}
	fp, err := d.Fingerprint(ctx)
	if err != nil {
		return "", err
	}
	if mailscan.Kind(f.Kind) == mailscan.ActivationResponse {
		p, err := st.ImportResponse(ctx, []byte(f.Value), d.Now(), fp)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("activated %s on this machine", p.Product), nil
	}
	p, err := st.Install(ctx, []byte(f.Value), d.Now(), fp)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("installed the license of %s on this machine", p.Product), nil
}

// ImportedMail is what importing saved messages did.
type ImportedMail struct {
	Files int
	New   []lsync.MailFinding
	// Known counts new findings the profile already holds.
	Known int
}

// ImportMail reads saved messages (.eml files) with the same recognition as
// a scan. A file that cannot be read refuses the whole import before
// anything is kept.
func (d *Desk) ImportMail(ctx context.Context, paths []string, o ScanOptions) (ImportedMail, error) {
	var out ImportedMail
	type parsed struct {
		path string
		m    mailscan.Message
	}
	var all []parsed
	for _, p := range paths {
		raw, err := readSmallFile(p, mailscan.MaxMessageSize)
		if err != nil {
			return out, err
		}
		m, err := mailscan.Parse(raw)
		if err != nil {
			return out, fmt.Errorf("%s: %w", p, err)
		}
		abs, _ := filepath.Abs(p)
		all = append(all, parsed{abs, m})
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return out, err
	}
	scan := MailScan{}
	for _, p := range all {
		added, err := c.RecordMail(ctx, "", "", 0, 0, d.findings(p.m, "file:"+p.path))
		if err != nil {
			return out, err
		}
		scan.New = append(scan.New, added...)
		out.Files++
	}
	d.afterScan(ctx, &scan, o)
	out.New, out.Known = scan.New, scan.Known
	return out, nil
}

// idleRenew is how long one IDLE lasts before it is renewed: servers may
// end an IDLE left alone for 30 minutes (RFC 2177).
const idleRenew = 25 * time.Minute

// MailWatchState is the window's mailbox connection state.
type MailWatchState struct {
	// Connected: the connection is open; Idle: the server pushes new
	// messages (else the watcher polls).
	Connected, Idle bool
	// Err is why the watcher is not connected (it retries).
	Err error
	// Scan is the last scan's result, when one ran.
	Scan *MailScan
}

// WatchMail scans the mailbox, then waits for new messages (IDLE, renewed
// every pollEvery, or a poll every pollEvery) and scans again, until ctx ends. A dropped
// connection is reopened after retryEvery. Every change of state and every
// scan that found something is reported to report, from this goroutine.
func (d *Desk) WatchMail(ctx context.Context, pollEvery, retryEvery time.Duration, report func(MailWatchState)) error {
	for {
		conn, err := d.DialMailbox(ctx)
		if err == nil {
			report(MailWatchState{Connected: true, Idle: conn.Idle()})
			err = d.watchConn(ctx, conn, pollEvery, report)
			conn.Close()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrNoMailbox) {
			report(MailWatchState{Err: err})
			return err
		}
		report(MailWatchState{Err: err})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retryEvery):
		}
	}
}

func (d *Desk) watchConn(ctx context.Context, conn *mailbox.Conn, pollEvery time.Duration, report func(MailWatchState)) error {
	for {
		s, err := d.ScanWith(ctx, conn, ScanOptions{})
		if err != nil {
			return err
		}
		report(MailWatchState{Connected: true, Idle: conn.Idle(), Scan: &s})
		// IDLE wakes the wait when a message arrives; it is renewed (with
		// a scan) every pollEvery anyway, which also catches a server that
		// failed to announce one.
		wait := min(pollEvery, idleRenew)
		if err := conn.Wait(ctx, wait); err != nil {
			return err
		}
	}
}

// FindingAction names what acting on a finding does, in l's language, as
// both faces offer it ("" once it is done or dismissed).
func FindingAction(l *i18n.Lang, f lsync.MailFinding) string {
	if f.State != lsync.FindingNew {
		return ""
	}
	switch mailscan.Kind(f.Kind) {
	case mailscan.LicenseNumber:
		return l.T("desk.finding.register")
	case mailscan.Serial:
		return l.T("desk.finding.get_key")
	case mailscan.LicenseKey, mailscan.InstallKey:
		return l.T("desk.finding.add_key")
	case mailscan.ActivationResponse:
		return l.T("desk.finding.import_response")
	case mailscan.LicenseFile:
		return l.T("desk.finding.install")
	case mailscan.SeatAssigned:
		return l.T("desk.finding.open")
	case mailscan.Invitation:
		return l.T("desk.finding.sign_up")
	case mailscan.SeatRemoved, mailscan.News:
		return l.T("desk.finding.sync")
	}
	return ""
}
