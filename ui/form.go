package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	lsync "github.com/licdesk/licdesk/sync"
)

// This file is the one pattern of every dialog that asks for input: fields
// wide enough for what they hold, the first one focused, Enter submits,
// Escape cancels, a field's mistake shown under it without closing the
// dialog, and the portal's refusal shown in the same dialog. The dialog
// closes only once the action is done (or queued, which it says).

// formEntry is a one-line entry that submits its form on Enter and cancels
// it on Escape, as dialogs do everywhere else on the desktop.
type formEntry struct {
	widget.Entry
	onEscape func()
}

func newFormEntry(placeholder string, validate func(string) error) *formEntry {
	e := &formEntry{}
	e.ExtendBaseWidget(e)
	e.SetPlaceHolder(placeholder)
	if validate != nil {
		e.Validator = fyne.StringValidator(validate)
	}
	return e
}

// TypedKey cancels the form on Escape; every other key is the entry's.
func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}

// form is an open dialog of the pattern.
type form struct {
	app      *App
	d        *dialog.CustomDialog
	fields   *widget.Form
	status   *widget.Label
	ok, nope *widget.Button
	busy     bool
	submit   func(ctx context.Context) (string, error)
	done     func(msg string)
}

// formField is one labelled field; entries of type *formEntry take part in
// Enter and Escape.
type formField struct {
	label string
	obj   fyne.CanvasObject
	hint  string
}

// showForm opens a dialog of the pattern. submit runs off the UI goroutine
// and returns what to say once it succeeded; an error keeps the dialog
// open with the reason. done, on the UI goroutine, receives that message.
func (a *App) showForm(title, confirm string, fields []formField, submit func(ctx context.Context) (string, error), done func(msg string)) *form {
	f := &form{app: a, submit: submit, done: done}
	items := make([]*widget.FormItem, len(fields))
	var first fyne.Focusable
	for i, fl := range fields {
		items[i] = widget.NewFormItem(fl.label, fl.obj)
		items[i].HintText = fl.hint
		if e, ok := fl.obj.(*formEntry); ok {
			e.OnSubmitted = func(string) { f.send() }
			e.onEscape = f.cancel
			if first == nil {
				first = e
			}
		}
	}
	f.fields = widget.NewForm(items...)
	f.status = widget.NewLabel("")
	f.status.Wrapping = fyne.TextWrapWord
	f.status.Hide()
	f.ok = widget.NewButtonWithIcon(confirm, theme.ConfirmIcon(), f.send)
	f.ok.Importance = widget.HighImportance
	f.nope = widget.NewButtonWithIcon(a.l.T("ui.common.cancel"), theme.CancelIcon(), f.cancel)
	body := container.NewVBox(f.fields, f.status)
	f.d = dialog.NewCustomWithoutButtons(title, body, a.win)
	f.d.SetButtons([]fyne.CanvasObject{f.nope, f.ok})
	f.d.SetOnClosed(func() {
		if a.openForm == f {
			a.openForm = nil
		}
	})
	f.d.Resize(fyne.NewSize(560, body.MinSize().Height+140))
	a.openForm = f
	f.d.Show()
	if first != nil {
		a.win.Canvas().Focus(first)
	}
	return f
}

// send validates the fields and runs the action; a mistake or a refusal
// stays in the dialog.
func (f *form) send() {
	if f.busy {
		return
	}
	if err := f.fields.Validate(); err != nil {
		f.say(f.app.l.T("ui.form.check", "Reason", f.app.l.Err(err)))
		return
	}
	f.busy = true
	f.ok.Disable()
	f.say(f.app.l.T("ui.form.working"))
	f.app.bg(func(ctx context.Context) {
		msg, err := f.submit(ctx)
		f.app.do(func() {
			f.busy = false
			f.ok.Enable()
			if err != nil {
				f.say(f.app.l.Err(err))
				return
			}
			f.d.Hide()
			if f.done != nil {
				f.done(msg)
			}
		})
	})
}

func (f *form) cancel() {
	if !f.busy {
		f.d.Hide()
	}
}

func (f *form) say(s string) {
	f.status.SetText(s)
	f.status.Show()
}

// Submit runs the form's action as its button would (tests, shortcuts).
func (f *form) Submit() { f.send() }

// built is a write as its constructor returned it: write(lsync.X(...)).
type built struct {
	w   lsync.Write
	err error
}

// write wraps a constructor's two results for trySend.
func write(w lsync.Write, err error) built { return built{w, err} }

// trySend hands a write to the desk and says, in one sentence, what became
// of it: done, or queued because the portal could not be reached. The
// portal's refusal is the error, for the dialog to show.
func (a *App) trySend(ctx context.Context, b built) (string, error) {
	w, err := b.w, b.err
	if err != nil {
		return "", err
	}
	o, err := a.sess.d.Submit(ctx, w, !a.online())
	defer a.Refresh()
	var r *desk.RefusedError
	if errors.As(err, &r) {
		return "", i18n.Errorf("ui.form.refused", "Reason", r.Reason)
	}
	if err != nil {
		return "", err
	}
	what := a.writeText(w, a.licenseNames(ctx))
	if !o.Done {
		return a.l.T("ui.form.queued", "What", what), nil
	}
	return a.l.T("ui.form.done", "What", what), nil
}

// The fields' checks: each says what is wrong in words for the person
// typing (catalog errors: the form shows them in the window's language).

// required refuses an empty field; what names it, already in the
// window's language ("the license number").
func required(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return i18n.Errorf("ui.form.required", "What", what)
		}
		return nil
	}
}

func validEmail(s string) error {
	if _, err := core.NormalizeEmail(s); err != nil {
		return i18n.Errorf("ui.form.email")
	}
	return nil
}

func validKey(s string) error {
	if _, err := core.ParseKey(s); err != nil {
		return i18n.Errorf("ui.form.key")
	}
	return nil
}

func validCountry(s string) error {
	s = strings.TrimSpace(s)
	if len(s) != 2 || strings.Trim(strings.ToUpper(s), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return i18n.Errorf("ui.form.country")
	}
	return nil
}

func validQuantity(s string) error {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err != nil || n < 1 {
		return i18n.Errorf("ui.form.quantity")
	}
	return nil
}

// hintLabel is the line under a row of buttons that says why some are off.
func hintLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	l.Hide()
	return l
}

// setHint shows a hint, or hides its line when there is nothing to say.
func setHint(l *widget.Label, s string) {
	l.SetText(s)
	if s == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// enable turns a button on or off.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
