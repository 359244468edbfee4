package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/i18n"
)

// prefLang is the window's language setting: "" follows the system, else
// a tag of i18n.Supported ("pt-BR").
const prefLang = "window.lang"

// WindowLang is the language a window of fa opens in: the setting kept in
// fa's preferences when the user chose one, else the system's (LANG and
// friends, or the Windows UI language; i18n.Detect). The composition root
// words what it prints before the window with it.
func WindowLang(fa fyne.App, getenv func(string) string) *i18n.Lang {
	return i18n.New(i18n.Detect(fa.Preferences().String(prefLang), getenv))
}

// Lang is the language the window speaks.
func (a *App) Lang() *i18n.Lang { return a.l }

// SetLanguage keeps the language setting ("" for the system's) and puts the
// window in that language at once: the tabs (or the sign-in screen) are
// built again from the cache, as after switching users.
func (a *App) SetLanguage(setting string) {
	a.fa.Preferences().SetString(prefLang, setting)
	a.l = WindowLang(a.fa, a.cfg.Getenv)
	if a.sess != nil && a.sess.d != nil {
		a.sess.d.SetLanguage(a.l.Tag()) // the portal's refusals follow at once
	}
	if a.tray {
		a.setupTray()
	}
	if a.signIn != nil {
		a.showSignIn("")
		return
	}
	a.stopSync()
	a.showMain()
	if setting != "" && a.online() {
		// A language the user chose is the one they read: the portal's
		// e-mails to them follow it (the account keeps it).
		tag := a.l.Tag().String()
		a.bg(func(ctx context.Context) {
			if _, err := a.sess.d.SetEmailLanguage(ctx, tag); err != nil {
				a.do(func() { a.notice(a.l.T("ui.lang.email_failed", "Reason", a.l.Err(err))) })
			}
		})
	}
}

// languageMenu is File > Language: the system's language or one of the
// catalogs', each named in itself so that anyone finds theirs.
func (a *App) languageMenu() *fyne.MenuItem {
	current := a.fa.Preferences().String(prefLang)
	sys := fyne.NewMenuItem(a.l.T("ui.menu.language.system"), func() { a.SetLanguage("") })
	sys.Checked = current == ""
	items := []*fyne.MenuItem{sys, fyne.NewMenuItemSeparator()}
	for _, t := range i18n.Supported {
		tag := t.String()
		it := fyne.NewMenuItem(i18n.New(t).Name(), func() { a.SetLanguage(tag) })
		it.Checked = current == tag
		items = append(items, it)
	}
	m := fyne.NewMenuItem(a.l.T("ui.menu.language"), nil)
	m.ChildMenu = fyne.NewMenu("", items...)
	return m
}

// languageSelect is the sign-in screen's language choice (it has no menu).
func (a *App) languageSelect() *widget.Select {
	names := []string{a.l.T("ui.menu.language.system")}
	tags := []string{""}
	for _, t := range i18n.Supported {
		names = append(names, i18n.New(t).Name())
		tags = append(tags, t.String())
	}
	s := widget.NewSelect(names, nil)
	current := a.fa.Preferences().String(prefLang)
	for i, t := range tags {
		if t == current {
			s.SetSelectedIndex(i)
		}
	}
	s.OnChanged = func(string) {
		if i := s.SelectedIndex(); i >= 0 && tags[i] != current {
			a.SetLanguage(tags[i])
		}
	}
	return s
}

// showError shows err in the user's language in a dialog of our own words
// (UI goroutine): Fyne's error dialog titles itself from the system locale,
// which the language setting does not reach.
func (a *App) showError(err error) {
	l := widget.NewLabel(a.l.Err(err))
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(a.l.T("ui.error.title"), a.l.T("ui.common.close"), l, a.win)
	d.Resize(fyne.NewSize(480, l.MinSize().Height+140))
	d.Show()
}

// confirm asks a yes/no question with our own button words (Fyne's follow
// the system locale, not the setting).
func (a *App) confirm(title, msg, yes string, fn func(bool)) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, yes, a.l.T("ui.common.cancel"), container.NewPadded(l), fn, a.win)
	d.Resize(fyne.NewSize(480, l.MinSize().Height+140))
	d.Show()
}

// inform shows a message with a Close button in the user's language.
func (a *App) inform(title, msg string) {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, a.l.T("ui.common.close"), l, a.win)
	d.Resize(fyne.NewSize(480, l.MinSize().Height+140))
	d.Show()
}

// RegisterFyneCatalogs gives Fyne's lang package our catalogs, so that what
// Fyne words itself (file dialogs, entry menus) and our keys agree on the
// language. Fyne chooses its language once from the system: on Linux and
// macOS the POSIX variables (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), on
// Windows the user's locale (GetUserDefaultLocaleName, the regional format,
// which may differ from the UI language i18n reads); the window's own
// language setting does not reach it, which is why the window's dialogs use
// our words for their buttons. Call it once per process, before the window.
func RegisterFyneCatalogs() error {
	for _, t := range i18n.Supported {
		data, err := i18n.Catalog(t)
		if err != nil {
			return err
		}
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(t.String())); err != nil {
			return err
		}
	}
	return nil
}
