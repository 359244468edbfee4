package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

// How often the watcher polls a server without IDLE, and how long it waits
// before reconnecting after a failure.
const (
	mailPollEvery  = 3 * time.Minute
	mailRetryEvery = 30 * time.Second
)

// stripKinds are the findings each tab's "Found in your e-mail" strip
// shows: where the user acts on them.
var stripKinds = map[string][]string{
	"solutions": {"license-number", "news"},
	"assigned":  {"seat-assigned", "invitation", "seat-removed", "activation-response", "license-file"},
	"keys":      {"serial", "license-key", "install-key"},
}

// maxStripRows bounds a strip, so that it never pushes the tab's list away.
const maxStripRows = 3

// recentDone is how long a finding handled without the user (already
// known, or synced when the portal mailed) stays in the strip, so that
// what arrived by e-mail is seen; dismissing it clears it sooner.
const recentDone = 24 * time.Hour

// MailStrip is a tab's "Found in your e-mail" strip: the waiting findings
// of its kinds, each with a one-click action and a dismiss button.
type MailStrip struct {
	app   *App
	kinds []string
	box   *fyne.Container
	rows  *fyne.Container
	// Message says what the last action did, or why it failed.
	Message *widget.Label
	// Shown are the findings waiting for the user, in order (UI
	// goroutine); Buttons their action buttons, in the same order.
	Shown   []lsync.MailFinding
	Buttons []*widget.Button
	// Recent are findings done lately, shown with what became of them.
	Recent []lsync.MailFinding
}

func newMailStrip(a *App, tab string) *MailStrip {
	s := &MailStrip{app: a, kinds: stripKinds[tab], rows: container.NewVBox(), Message: widget.NewLabel("")}
	s.Message.Wrapping = fyne.TextWrapWord
	s.Message.Hide()
	title := widget.NewLabelWithStyle(a.l.T("ui.mail.found"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.box = container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.MailComposeIcon()), nil, title), s.rows, s.Message, widget.NewSeparator())
	s.box.Hide()
	return s
}

func (s *MailStrip) content() fyne.CanvasObject { return s.box }

// show puts the waiting findings of the strip's kinds on show (UI
// goroutine).
func (s *MailStrip) show(all []lsync.MailFinding) {
	s.Shown, s.Buttons, s.Recent = nil, nil, nil
	s.rows.RemoveAll()
	more := 0
	now := s.app.cfg.Now()
	for _, f := range all {
		if !contains(s.kinds, f.Kind) {
			continue
		}
		if f.State == lsync.FindingDone && now.Sub(f.FoundAt) < recentDone {
			if len(s.Shown)+len(s.Recent) == maxStripRows {
				more++
				continue
			}
			f := f
			s.Recent = append(s.Recent, f)
			dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { s.app.dismissFinding(s, f) })
			l := widget.NewLabel(s.app.findingText(f) + " · " + s.app.l.Text(f.Note))
			l.Truncation = fyne.TextTruncateEllipsis
			s.rows.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), dismiss, l))
			continue
		}
		if f.State != lsync.FindingNew {
			continue
		}
		if len(s.Shown)+len(s.Recent) == maxStripRows {
			more++
			continue
		}
		f := f
		s.Shown = append(s.Shown, f)
		act := widget.NewButton(desk.FindingAction(s.app.l, f), func() { s.app.applyFinding(s, f) })
		act.Importance = widget.HighImportance
		s.Buttons = append(s.Buttons, act)
		dismiss := widget.NewButtonWithIcon("", theme.CancelIcon(), func() { s.app.dismissFinding(s, f) })
		l := widget.NewLabel(s.app.findingText(f))
		l.Truncation = fyne.TextTruncateEllipsis
		s.rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(act, dismiss), l))
	}
	if more > 0 {
		s.rows.Add(widget.NewLabel(s.app.l.N("ui.mail.more", more)))
	}
	if len(s.Shown)+len(s.Recent) > 0 || !s.Message.Hidden {
		s.box.Show()
	} else {
		s.box.Hide()
	}
	s.box.Refresh()
}

// say shows a line in the strip (UI goroutine).
func (s *MailStrip) say(text string) {
	s.Message.SetText(text)
	s.Message.Show()
	s.box.Show()
}

// findingText words a finding on one line: what, which, from whom, when.
func (a *App) findingText(f lsync.MailFinding) string {
	key := "ui.mail.finding." + f.Kind
	what := f.Kind + " " + f.Value
	if a.l.Has(key) {
		what = a.l.T(key, "Value", f.Value, "In", f.In, "Product", f.Product)
	}
	return fmt.Sprintf("%s · %s · %s", what, words.OrDash(f.Sender), a.day(f.SentAt))
}

// applyFinding acts on a finding off the UI goroutine and says in the
// strip what it did. A serial first asks for its registration details.
func (a *App) applyFinding(s *MailStrip, f lsync.MailFinding) {
	if f.Kind == "serial" {
		a.askRegistration(f.Value, func(reg api.Registration) { a.runApply(s, f, desk.ApplyOptions{Registration: reg}) })
		return
	}
	a.runApply(s, f, desk.ApplyOptions{})
}

func (a *App) runApply(s *MailStrip, f lsync.MailFinding, o desk.ApplyOptions) {
	o.Offline = !a.online()
	a.bg(func(ctx context.Context) {
		res, err := a.sess.d.ApplyFinding(ctx, f.ID, o)
		a.do(func() {
			switch {
			case err != nil:
				s.say(a.l.T("ui.mail.apply_failed", "Action", desk.FindingAction(a.l, f), "Reason", a.l.Err(err)))
			case res.SignUp != nil:
				s.say(a.l.T("ui.mail.signup", "Portal", res.SignUp.Portal, "Email", res.SignUp.Email))
			default:
				s.say(upperFirst(s.app.l.Text(res.Summary)))
			}
		})
		a.Refresh()
	})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (a *App) dismissFinding(s *MailStrip, f lsync.MailFinding) {
	a.bg(func(ctx context.Context) {
		err := a.sess.d.DismissFinding(ctx, f.ID)
		a.do(func() {
			if err != nil {
				s.say(a.l.Err(err))
			}
		})
		a.Refresh()
	})
}

// askRegistration asks for a serial's registration details (source 001).
func (a *App) askRegistration(serial string, then func(api.Registration)) {
	l := a.l
	company, person, address, country, phone := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	country.SetPlaceHolder(l.T("ui.mail.reg.country.placeholder"))
	items := []*widget.FormItem{widget.NewFormItem(l.T("ui.getkey.company"), company), widget.NewFormItem(l.T("ui.getkey.person"), person),
		widget.NewFormItem(l.T("ui.getkey.address"), address), widget.NewFormItem(l.T("ui.mail.reg.country"), country),
		widget.NewFormItem(l.T("ui.mail.reg.phone"), phone)}
	dialog.ShowForm(l.T("ui.mail.reg.title", "Serial", serial), l.T("ui.getkey.ok"), l.T("ui.common.cancel"), items, func(ok bool) {
		if ok {
			then(api.Registration{Company: company.Text, Person: person.Text, Address: address.Text, Country: country.Text, Phone: phone.Text})
		}
	}, a.win)
}

// mailState is the mailbox watcher's last report (UI goroutine).
type mailState struct {
	configured bool
	desk.MailWatchState
}

// mailStatus words the mailbox's state for the status bar ("" when no
// mailbox is connected).
func (a *App) mailStatus() string {
	m := a.mail
	switch {
	case !m.configured:
		return ""
	case m.Err != nil:
		return a.l.T("ui.mail.status.error", "Reason", firstLine(a.l.Err(m.Err)))
	case m.Connected && m.Idle:
		return a.l.T("ui.mail.status.watching")
	case m.Connected:
		return a.l.T("ui.mail.status.polling", "Minutes", int(mailPollEvery.Minutes()))
	}
	return a.l.T("ui.mail.status.connecting")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// startMailWatch watches the profile's mailbox while the window is open:
// a scan, then IDLE (or a poll) and a scan again; every report is handed
// to the UI goroutine. Inline (tests), ScanMailNow scans instead.
func (a *App) startMailWatch() {
	a.stopMailWatch()
	a.bg(func(ctx context.Context) {
		_, ok, _ := a.sess.d.Mailbox(ctx)
		a.do(func() {
			a.mail = mailState{configured: ok}
			a.renderStatus()
			if !ok || a.cfg.Inline || a.closed {
				return
			}
			wctx, stop := context.WithCancel(a.ctx)
			a.stopMail = stop
			a.wg.Add(1)
			go func() {
				defer a.wg.Done()
				a.sess.d.WatchMail(wctx, mailPollEvery, mailRetryEvery, func(st desk.MailWatchState) {
					a.do(func() { a.onMailState(st) })
				})
			}()
		})
	})
}

func (a *App) stopMailWatch() {
	if a.stopMail != nil {
		a.stopMail()
		a.stopMail = nil
	}
}

// onMailState shows a watcher report; a scan that found something reloads
// the strips (and syncs, when the portal mailed: desk did that).
func (a *App) onMailState(st desk.MailWatchState) {
	if errors.Is(st.Err, context.Canceled) {
		return
	}
	a.mail = mailState{configured: true, MailWatchState: st}
	a.renderStatus()
	if st.Scan != nil && len(st.Scan.New) > 0 {
		a.Refresh()
	}
}

// ScanMailNow scans the mailbox once, off the UI goroutine.
func (a *App) ScanMailNow() {
	a.bg(func(ctx context.Context) {
		res, err := a.sess.d.ScanMail(ctx, desk.ScanOptions{Offline: !a.online()})
		a.do(func() {
			a.onMailState(desk.MailWatchState{Connected: err == nil, Idle: res.Idle, Err: err, Scan: &res})
		})
		a.Refresh()
	})
}

// MailboxDialog is File > Mailbox…: connect a mailbox and test it.
type MailboxDialog struct {
	URL, Folder, Since, CAFile *widget.Entry
	Password                   *widget.Entry
	Insecure                   *widget.Check
	ConnectBtn, RemoveBtn      *widget.Button
	// Message says what the test found, in place.
	Message *widget.Label
	d       dialog.Dialog
}

// showMailbox opens the Mailbox dialog, filled with the connected
// mailbox's settings.
func (a *App) showMailbox() *MailboxDialog {
	l := a.l
	md := &MailboxDialog{URL: widget.NewEntry(), Folder: widget.NewEntry(), Since: widget.NewEntry(), CAFile: widget.NewEntry(),
		Password: widget.NewPasswordEntry(), Insecure: widget.NewCheck(l.T("ui.mailbox.insecure"), nil),
		Message: widget.NewLabel("")}
	md.URL.SetPlaceHolder(l.T("ui.mailbox.url.placeholder"))
	md.Folder.SetPlaceHolder("INBOX")
	md.Since.SetPlaceHolder(l.T("ui.mailbox.since.placeholder"))
	md.CAFile.SetPlaceHolder(l.T("ui.mailbox.ca.placeholder"))
	md.Password.SetPlaceHolder(l.T("ui.mailbox.password.placeholder"))
	md.Message.Wrapping = fyne.TextWrapWord
	md.ConnectBtn = widget.NewButtonWithIcon(l.T("ui.mailbox.connect"), theme.ConfirmIcon(), func() { a.connectMailbox(md) })
	md.ConnectBtn.Importance = widget.HighImportance
	md.RemoveBtn = widget.NewButtonWithIcon(l.T("ui.mailbox.remove"), theme.DeleteIcon(), func() { a.removeMailbox(md) })
	md.RemoveBtn.Disable()
	form := widget.NewForm(widget.NewFormItem(l.T("ui.mailbox.title"), md.URL), widget.NewFormItem(l.T("ui.signin.password"), md.Password),
		widget.NewFormItem(l.T("ui.mailbox.folder"), md.Folder), widget.NewFormItem(l.T("ui.mailbox.since"), md.Since),
		widget.NewFormItem(l.T("ui.mailbox.ca"), md.CAFile), widget.NewFormItem("", md.Insecure))
	note := widget.NewLabel(l.T("ui.mailbox.note"))
	note.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(form, flow(md.ConnectBtn, md.RemoveBtn), md.Message, note)
	md.d = dialog.NewCustom(l.T("ui.mailbox.title"), l.T("ui.common.close"), body, a.win)
	md.d.Resize(fyne.NewSize(620, 420))
	md.d.Show()
	a.bg(func(ctx context.Context) {
		m, ok, err := a.sess.d.Mailbox(ctx)
		a.do(func() {
			if err != nil {
				md.Message.SetText(a.l.Err(err))
				return
			}
			if ok {
				md.URL.SetText(m.URL)
				md.Folder.SetText(m.Folder)
				if !m.Since.IsZero() {
					md.Since.SetText(m.Since.Format(time.DateOnly))
				}
				md.CAFile.SetText(m.CAFile)
				md.Insecure.SetChecked(m.InsecureSkipVerify)
				md.RemoveBtn.Enable()
				md.Message.SetText(a.l.T("ui.mailbox.connected") + " " + a.mailStatus())
			}
		})
	})
	return md
}

// connectMailbox tests the settings and keeps them when the test passes.
func (a *App) connectMailbox(md *MailboxDialog) {
	m := desk.MailboxSettings{URL: md.URL.Text, Folder: md.Folder.Text, CAFile: md.CAFile.Text, InsecureSkipVerify: md.Insecure.Checked}
	if s := strings.TrimSpace(md.Since.Text); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			md.Message.SetText(a.l.T("ui.mailbox.since.bad"))
			return
		}
		m.Since = t
	}
	password := md.Password.Text
	md.Message.SetText(a.l.T("ui.mailbox.connecting"))
	md.ConnectBtn.Disable()
	a.bg(func(ctx context.Context) {
		res, err := a.sess.d.AddMailbox(ctx, m, password)
		a.do(func() {
			md.ConnectBtn.Enable()
			if err != nil {
				md.Message.SetText(a.l.T("ui.mailbox.failed", "Reason", firstLine(a.l.Err(err))))
				return
			}
			text := a.l.N("ui.mailbox.done", int(res.Messages), "Folder", res.Folder)
			if res.PasswordIn == "file" {
				text += " " + a.l.T("ui.mailbox.file", "Path", a.sess.d.TokenFile())
			}
			md.Message.SetText(text)
			md.Password.SetText("")
			md.RemoveBtn.Enable()
			a.startMailWatch()
			if a.cfg.Inline {
				a.ScanMailNow()
			}
		})
	})
}

func (a *App) removeMailbox(md *MailboxDialog) {
	a.stopMailWatch()
	a.bg(func(ctx context.Context) {
		_, err := a.sess.d.RemoveMailbox(ctx)
		a.do(func() {
			if err != nil {
				md.Message.SetText(a.l.Err(err))
				return
			}
			md.Message.SetText(a.l.T("ui.mailbox.removed"))
			md.RemoveBtn.Disable()
			a.mail = mailState{}
			a.renderStatus()
		})
		a.Refresh()
	})
}
