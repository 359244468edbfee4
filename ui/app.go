// Package ui is License Desk's window: the app shell (sign-in, status bar,
// banners, menus, tray, shortcuts) around five tabs, over the sync layer.
//
// Threading: widgets are touched only on Fyne's UI goroutine. Everything that
// reads the cache, talks to the portal or writes files runs in a background
// goroutine owned by the App (started with bg, stopped by Close), and hands
// its result to the widgets with fyne.Do. Each tab splits its refresh the
// same way: load reads the cache and returns a func that applies the result
// to the widgets.
package ui

import (
	"context"
	"errors"
	"os"
	"runtime/debug"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/assets"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/machine"
	lsync "github.com/licdesk/licdesk/sync"
)

// Preference keys: the window's size and the last tab are remembered.
const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
	prefTab    = "window.tab"
)

// Login is a user the "Users" menu can switch to (the demo's logins).
type Login struct {
	Portal, Email, Password, Name string
	// Mailbox, when set, is connected after the login: the demo user's
	// inbox on the demo's IMAP server.
	Mailbox *MailboxLogin
}

// MailboxLogin is a mailbox to connect with its password.
type MailboxLogin struct {
	desk.MailboxSettings
	Password string
}

// Config sets up the window.
type Config struct {
	// ProfileDir is the profile folder (profile.DefaultDir); SecretsMode
	// is profile.EnvSecrets' value.
	ProfileDir, SecretsMode string
	// Users fills a "Users" menu that logs in as another user; nil hides it.
	Users []Login
	// Scheduler tunes the background sync.
	Scheduler lsync.SchedulerConfig
	// Inline runs background work on the calling goroutine and starts no
	// scheduler loop ("Sync now" runs a round at once). Fyne's test driver
	// runs fyne.Do inline too, so tests see each action's result when it
	// returns.
	Inline bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SignIn, when set, logs in as this user before the window shows (the
	// demo); a failure shows the sign-in screen with the reason.
	SignIn *Login
	// Menus are added to the main menu after File and Users: the
	// composition root's own (the demo's portal switch).
	// They are built in the window's language, again when it changes.
	Menus func(l *i18n.Lang) []*fyne.Menu

	// Getenv reads the environment for the system's language (i18n.Detect);
	// nil means os.Getenv. The language setting in the window wins over it.
	Getenv func(string) string

	// hardware replaces this machine's fingerprint source: tests in this
	// package only (the binary has no switch that fakes it).
	hardware machine.Source
	// allTabs builds every tab with the window instead of each one at its
	// first show: tests in this package that reach hidden tabs at once.
	allTabs bool
}

// tab is one of the five tabs.
type tab interface {
	content() fyne.CanvasObject
	// load reads what the tab shows (off the UI goroutine) and returns what
	// applies it to the widgets (on the UI goroutine).
	load(ctx context.Context) func()
	focusFilter(w fyne.Window)
}

// App is License Desk's window.
type App struct {
	fa  fyne.App
	win fyne.Window
	cfg Config
	// l is the window's language: every tab reads its words from it, and a
	// change of language builds the tabs again with the new one.
	l *i18n.Lang

	ctx    context.Context
	cancel context.CancelFunc
	wg     gosync.WaitGroup

	sess       *session
	stopSched  context.CancelFunc
	unsubSched func()
	offline    bool              // "Work offline": no sync rounds
	modal      int               // dialogs of the form pattern open: the window's shortcuts wait
	openForm   *form             // the form dialog on top, nil when none
	openMenu   *widget.PopUpMenu // the menu F10 or Alt+letter opened last
	menuShown  *fyne.Menu        // and what it shows

	// UI state, touched on the UI goroutine only.
	tabs    *container.AppTabs
	tabList []tab
	status  *widget.Label
	// Notice says what the last action did, in one sentence; its line is
	// always there, so nothing moves when it changes.
	Notice    *widget.Label
	failedBtn *widget.Button
	banner    *fyne.Container
	lastState lsync.Status
	closed    bool
	tray      bool // the tray menu is set up: a change of language words it again
	// loadedOnce is set once the first load of the tabs is shown.
	loadedOnce bool
	signIn     *SignIn
	notified   []notification // every desktop notification sent, for tests
	mail       mailState
	stopMail   context.CancelFunc

	// The "Found in your e-mail" strips of three tabs, and the Mailbox
	// dialog last opened.
	SolutionsMail, AssignedMail, KeysMail *MailStrip
	Mailbox                               *MailboxDialog

	Solutions *SolutionsTab
	Assigned  *AssignedTab
	Keys      *KeysTab
	Downloads *DownloadsTab
	Support   *SupportTab
}

// New builds the window; Show (or ShowAndRun) puts it on screen. It shows the
// sign-in screen when the profile has no login, the tabs otherwise.
func New(fa fyne.App, cfg Config) (*App, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{fa: fa, cfg: cfg, ctx: ctx, cancel: cancel, l: WindowLang(fa, cfg.Getenv)}
	sess, err := openSession(ctx, cfg, a.l.Tag())
	if err != nil {
		cancel()
		return nil, err
	}
	a.sess = sess
	fa.SetIcon(assets.Icon())
	// Disabled controls, placeholders and the progress bar read at WCAG's
	// contrast in the dark and the light variant alike.
	fa.Settings().SetTheme(newContrastTheme())
	a.win = fa.NewWindow(a.l.T("ui.app.name"))
	a.win.SetIcon(assets.Icon())
	p := fa.Preferences()
	a.win.Resize(fyne.NewSize(float32(p.FloatWithFallback(prefWidth, 1100)), float32(p.FloatWithFallback(prefHeight, 720))))
	a.win.SetCloseIntercept(a.Quit)
	// Registering the tray talks to the session bus and can take a few
	// hundred milliseconds (longest where no tray answers); do it once the
	// loop runs, so that the window's first frame does not wait for it.
	fa.Lifecycle().SetOnStarted(func() {
		a.bg(func(context.Context) {
			if trayAvailable() {
				a.do(a.setupTray)
			}
		})
	})
	if u := cfg.SignIn; u != nil {
		if err := sess.login(ctx, u.Portal, u.Email, u.Password, false, true); err != nil {
			a.showSignIn(a.l.Err(err))
			return a, nil
		}
		a.connectLoginMailbox(ctx, *u)
	}
	if sess.loggedIn() && sess.hasToken() {
		a.showMain()
	} else {
		a.showSignIn("")
	}
	return a, nil
}

// Window returns the main window.
func (a *App) Window() fyne.Window { return a.win }

// ShowAndRun shows the window and runs Fyne's loop until Quit.
func (a *App) ShowAndRun() {
	a.win.Show()
	a.fa.Run()
	a.Close()
}

// Quit remembers the window's size, stops the background work and quits.
func (a *App) Quit() {
	s := a.win.Canvas().Size()
	a.fa.Preferences().SetFloat(prefWidth, float64(s.Width))
	a.fa.Preferences().SetFloat(prefHeight, float64(s.Height))
	a.Close()
	a.fa.Quit()
}

// Close stops the scheduler and every background job, waits for them, and
// closes the cache. A fyne.Do after the driver stopped can crash, so nothing
// may outlive this call.
func (a *App) Close() {
	if a.closed {
		return
	}
	a.closed = true
	a.stopSync()
	a.stopMailWatch()
	a.cancel()
	a.wg.Wait()
	a.sess.close()
}

// bg runs fn off the UI goroutine, owned by the App: Close cancels ctx and
// waits for it.
func (a *App) bg(fn func(ctx context.Context)) {
	if a.cfg.Inline {
		fn(a.ctx)
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn(a.ctx)
	}()
}

// do hands fn to the UI goroutine unless the App is shutting down.
func (a *App) do(fn func()) {
	if a.ctx.Err() != nil {
		return
	}
	fyne.Do(fn)
}

// setupTray adds the tray menu where the desktop has one (trayAvailable);
// elsewhere (no desktop.App, no StatusNotifierWatcher) there is no tray.
func (a *App) setupTray() {
	d, ok := a.fa.(desktop.App)
	if !ok {
		return
	}
	a.tray = true
	d.SetSystemTrayMenu(fyne.NewMenu(a.l.T("ui.app.name"),
		fyne.NewMenuItem(a.l.T("ui.tray.open"), func() { a.win.Show(); a.win.RequestFocus() }),
		fyne.NewMenuItem(a.l.T("ui.menu.sync_now"), a.SyncNow),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(a.l.T("ui.tray.quit"), a.Quit)))
	d.SetSystemTrayIcon(assets.Icon())
}

// startSync builds the login's syncer and, unless Inline or offline, runs
// the scheduler until Close or a sign-out.
func (a *App) startSync() error {
	if err := a.sess.start(a.cfg.Scheduler); err != nil {
		return err
	}
	a.unsubSched = a.sess.sched.Subscribe(func(st lsync.Status) {
		// Called from the scheduler's goroutine: hand over, never block.
		a.do(func() { a.onStatus(st) })
	})
	if a.cfg.Inline || a.offline {
		return nil
	}
	ctx, stop := context.WithCancel(a.ctx)
	a.stopSched = stop
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		a.sess.sched.Run(ctx)
	}()
	return nil
}

func (a *App) stopSync() {
	if a.unsubSched != nil {
		a.unsubSched()
		a.unsubSched = nil
	}
	if a.stopSched != nil {
		a.stopSched()
		a.stopSched = nil
	}
}

// showMain builds the tabs around the cache and starts syncing.
func (a *App) showMain() {
	a.signIn = nil
	// Only the tab on show is built before the first frame; each other one
	// is built (and loaded) the first time it is shown (buildTab), so that
	// the start does not create and measure the widgets of four hidden tabs.
	// A change of language comes back here and builds them again.
	a.Solutions, a.Assigned, a.Keys, a.Downloads, a.Support = nil, nil, nil, nil, nil
	a.SolutionsMail, a.AssignedMail, a.KeysMail = nil, nil, nil
	a.tabList = make([]tab, tabCount)
	items := make([]*container.TabItem, tabCount)
	for i := range items {
		title, icon := a.tabTitle(i)
		items[i] = container.NewTabItemWithIcon(title, icon, container.NewStack())
	}
	a.tabs = container.NewAppTabs(items...)
	sel := a.fa.Preferences().IntWithFallback(prefTab, 0)
	if sel < 0 || sel >= len(items) {
		sel = 0
	}
	a.buildTab(sel)
	if a.cfg.allTabs {
		for i := range a.tabList {
			a.buildTab(i)
		}
	}
	a.tabs.SelectIndex(sel)
	a.tabs.OnSelected = func(*container.TabItem) {
		i := a.tabs.SelectedIndex()
		if a.tabList[i] == nil {
			a.buildTab(i)
			a.loadTab(i)
			a.tabs.Refresh()
		}
		a.fa.Preferences().SetInt(prefTab, i)
	}
	a.status = widget.NewLabel(a.l.T("ui.status.starting"))
	a.status.Truncation = fyne.TextTruncateEllipsis
	a.failedBtn = widget.NewButtonWithIcon("", theme.WarningIcon(), a.showFailed)
	a.failedBtn.Hide()
	syncBtn := widget.NewButtonWithIcon(a.l.T("ui.menu.sync_now"), theme.ViewRefreshIcon(), a.SyncNow)
	// The status and what the last action did share the bar's one line.
	a.Notice = widget.NewLabel("")
	a.Notice.Truncation = fyne.TextTruncateEllipsis
	a.Notice.TextStyle = fyne.TextStyle{Bold: true}
	bar := container.NewBorder(nil, nil, nil, container.NewHBox(a.failedBtn, syncBtn),
		container.NewGridWithColumns(2, a.status, a.Notice))
	a.banner = container.NewVBox()
	a.win.SetContent(container.NewBorder(a.banner, container.NewVBox(widget.NewSeparator(), bar), nil, nil, a.tabs))
	a.win.SetMainMenu(a.menu())
	a.shortcuts()
	if err := a.startSync(); err != nil {
		a.showError(err)
	}
	a.pinTrust()
	a.startMailWatch()
	a.Refresh()
	a.askVerify()
	if a.cfg.Inline && !a.offline {
		a.SyncNow() // no scheduler loop to run the first round
	}
}

// tabCount is how many tabs the window has.
const tabCount = 5

// tabTitle is tab i's title, in the window's language, and icon.
func (a *App) tabTitle(i int) (string, fyne.Resource) {
	switch i {
	case 0:
		return a.l.T("ui.tab.solutions"), theme.StorageIcon()
	case 1:
		return a.l.T("ui.tab.assigned"), theme.AccountIcon()
	case 2:
		return a.l.T("ui.tab.keys"), theme.LoginIcon()
	case 3:
		return a.l.T("ui.tab.downloads"), theme.DownloadIcon()
	}
	return a.l.T("ui.tab.support"), theme.HelpIcon()
}

// buildTab builds tab i's widgets and content, with its "Found in your
// e-mail" strip where it has one (UI goroutine). Its data comes with the
// next Refresh, or loadTab.
func (a *App) buildTab(i int) {
	if a.tabList[i] != nil {
		return
	}
	withStrip := func(s *MailStrip, c fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(s.content(), nil, nil, nil, c)
	}
	var c fyne.CanvasObject
	switch i {
	case 0:
		a.Solutions, a.SolutionsMail = newSolutionsTab(a), newMailStrip(a, "solutions")
		a.tabList[i], c = a.Solutions, withStrip(a.SolutionsMail, a.Solutions.content())
	case 1:
		a.Assigned, a.AssignedMail = newAssignedTab(a), newMailStrip(a, "assigned")
		a.tabList[i], c = a.Assigned, withStrip(a.AssignedMail, a.Assigned.content())
	case 2:
		a.Keys, a.KeysMail = newKeysTab(a), newMailStrip(a, "keys")
		a.tabList[i], c = a.Keys, withStrip(a.KeysMail, a.Keys.content())
	case 3:
		a.Downloads = newDownloadsTab(a)
		a.tabList[i], c = a.Downloads, a.Downloads.content()
	case 4:
		a.Support = newSupportTab(a)
		a.tabList[i], c = a.Support, a.Support.content()
	}
	a.tabs.Items[i].Content = c
}

// loadTab loads a tab built after the window's Refresh: its data and its
// e-mail strip's findings.
func (a *App) loadTab(i int) {
	t := a.tabList[i]
	strips := []*MailStrip{a.SolutionsMail, a.AssignedMail, a.KeysMail}
	a.bg(func(ctx context.Context) {
		apply := t.load(ctx)
		findings, _ := a.sess.d.MailFindings(ctx)
		a.do(func() {
			apply()
			for _, s := range strips {
				if s != nil {
					s.show(findings)
				}
			}
		})
	})
}

// badgeSupport puts the count of unread news on the Support tab's title
// (UI goroutine).
func (a *App) badgeSupport(unread int) {
	if a.tabs == nil || len(a.tabs.Items) < 5 {
		return
	}
	title := a.l.T("ui.tab.support")
	if unread > 0 {
		title = a.l.N("ui.tab.support.unread", unread)
	}
	if it := a.tabs.Items[4]; it.Text != title {
		it.Text = title
		a.tabs.Refresh()
	}
}

// OpenMenu opens the window's menus as a pop-up driven by the keyboard
// (arrows, Enter, Escape): F10 opens all of them, Alt+letter the one named.
func (a *App) OpenMenu(label string) {
	main := a.win.MainMenu()
	if main == nil {
		return
	}
	menu := fyne.NewMenu("")
	for _, m := range main.Items {
		if label != "" && m.Label == label {
			menu = m
			break
		}
		it := fyne.NewMenuItem(m.Label, nil)
		it.ChildMenu = m
		menu.Items = append(menu.Items, it)
	}
	pop := widget.NewPopUpMenu(menu, a.win.Canvas())
	pop.ShowAtPosition(fyne.NewPos(0, 0))
	a.win.Canvas().Focus(pop)
	a.openMenu, a.menuShown = pop, menu
}

// dialogOpen reports whether a dialog (any: a form, a confirmation, a file
// chooser) is over the window: its shortcuts then wait.
func (a *App) dialogOpen() bool { return a.win.Canvas().Overlays().Top() != nil }

// dismissTop presses the dismiss button (Close, Cancel, No, OK) of the
// dialog on top, as Escape does in every desktop dialog. Fyne's dialogs
// are a modal pop-up whose content holds the button row at index 3 with
// the dismiss button first (dialog.create in Fyne 2.7; a test pins it).
// Forms handle Escape in their entries and land here only when no entry
// has focus.
func (a *App) dismissTop() {
	p, ok := a.win.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok {
		return
	}
	c, ok := p.Content.(*fyne.Container)
	if !ok || len(c.Objects) < 4 {
		return
	}
	row, ok := c.Objects[3].(*fyne.Container)
	if !ok || len(row.Objects) == 0 {
		return
	}
	if b, ok := row.Objects[0].(*widget.Button); ok && !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
	}
}

// notice shows what the last action did (UI goroutine).
func (a *App) notice(msg string) { a.Notice.SetText(msg) }

// menu is the main menu: File (sync, sign out) and, in the demo, Users.
func (a *App) menu() *fyne.MainMenu {
	file := fyne.NewMenu(a.l.T("ui.menu.file"),
		fyne.NewMenuItem(a.l.T("ui.menu.sync_now"), a.SyncNow),
		fyne.NewMenuItem(a.l.T("ui.menu.mailbox"), func() { a.Mailbox = a.showMailbox() }),
		fyne.NewMenuItem(a.l.T("ui.menu.offers"), a.OffersDialog),
		fyne.NewMenuItem(a.l.T("ui.menu.verify"), a.VerifyDialog),
		a.languageMenu(),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(a.l.T("ui.menu.sign_out"), a.signOut),
	)
	menus := []*fyne.Menu{file}
	if len(a.cfg.Users) > 0 {
		var items []*fyne.MenuItem
		for _, u := range a.cfg.Users {
			items = append(items, fyne.NewMenuItem(u.Name+" <"+u.Email+">", func() { a.SwitchUser(u) }))
		}
		menus = append(menus, fyne.NewMenu(a.l.T("ui.menu.users"), items...))
	}
	if a.cfg.Menus != nil {
		menus = append(menus, a.cfg.Menus(a.l)...)
	}
	return fyne.NewMainMenu(menus...)
}

// shortcuts binds Ctrl+F (filter), Ctrl+R and F5 (sync now), Ctrl+1..5 (tabs).
func (a *App) shortcuts() {
	c := a.win.Canvas()
	// Behind an open dialog the window's shortcuts wait: Ctrl+4 must not
	// switch tabs under the form the user is typing in.
	free := func(fn func()) func(fyne.Shortcut) {
		return func(fyne.Shortcut) {
			if !a.dialogOpen() {
				fn()
			}
		}
	}
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, free(func() {
		if t := a.tabList[a.tabs.SelectedIndex()]; t != nil {
			t.focusFilter(a.win)
		}
	}))
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}, free(a.SyncNow))
	c.SetOnTypedKey(func(e *fyne.KeyEvent) {
		switch {
		case a.dialogOpen() && e.Name == fyne.KeyEscape:
			a.dismissTop()
		case a.dialogOpen():
		case e.Name == fyne.KeyF5:
			a.SyncNow()
		case e.Name == fyne.KeyF10:
			a.OpenMenu("")
		}
	})
	// Alt+letter opens the menu of that initial (File, Users, Demo), as
	// desktop menus are reached from the keyboard.
	for _, m := range a.menu().Items {
		r, _ := utf8.DecodeRuneInString(m.Label)
		first := fyne.KeyName(strings.ToUpper(string(r)))
		label := m.Label
		c.AddShortcut(&desktop.CustomShortcut{KeyName: first, Modifier: fyne.KeyModifierAlt}, free(func() { a.OpenMenu(label) }))
	}
	for i, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5} {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}, free(func() {
			a.tabs.SelectIndex(i)
		}))
	}
}

// SyncNow runs a sync round: it asks the scheduler, or runs one inline.
func (a *App) SyncNow() {
	if a.sess.sched == nil {
		return
	}
	if a.offline {
		a.offline = false // the user asked to reach the portal after all
		a.stopSync()
		if err := a.startSync(); err != nil {
			a.showError(err)
		}
		return
	}
	if !a.cfg.Inline {
		a.sess.sched.Kick()
		return
	}
	a.bg(func(ctx context.Context) {
		_, err := a.sess.d.Sync(ctx)
		st := a.sess.sched.Status()
		st.Err = err
		st.State = lsync.StateIdle
		if err != nil {
			st.State = lsync.StateError
			switch {
			case lsync.IsOffline(err):
				st.State = lsync.StateOffline
			case lsync.KindOf(err) == lsync.Unauthorized:
				st.State = lsync.StateSignedOut
			}
		} else {
			st.LastSync = a.cfg.Now()
		}
		a.do(func() { a.onStatus(st) })
	})
}

// onStatus shows a scheduler status and, after a round that changed
// something, reloads the tabs from the cache.
func (a *App) onStatus(st lsync.Status) {
	prev := a.lastState
	a.lastState = st
	a.renderStatus()
	roundEnded := prev.State == lsync.StateSyncing && st.State != lsync.StateSyncing
	if (roundEnded || a.cfg.Inline) && st.State == lsync.StateIdle && st.Err == nil {
		// A round succeeded: what changed since the last one may be news.
		a.notifyChanges()
	}
	switch {
	case a.cfg.Inline || st.Pending != prev.Pending || st.Failed != prev.Failed || roundEnded && changedCache(st):
		a.Refresh()
	case roundEnded:
		// Nothing the tabs show changed (the portal was out of reach, or
		// had nothing new): the status and the banners only, without
		// reading every license again.
		a.refresh(false)
	}
}

// changedCache reports whether the round that ended may have changed the
// cache: it pulled changes or the portal answered writes.
func changedCache(st lsync.Status) bool {
	if st.Err != nil {
		return false // a failed round applies nothing (a push it got through moves the outbox counts)
	}
	l := st.Last
	return l.Pull.Changes > 0 || l.Pull.Resync || len(l.Push.Accepted) > 0 || len(l.Push.Refused) > 0
}

// renderStatus writes the status bar (UI goroutine).
func (a *App) renderStatus() {
	st := a.lastState
	var s string
	switch st.State {
	case lsync.StateIdle:
		s = a.l.T("ui.status.online")
	case lsync.StateSyncing:
		s = a.l.T("ui.status.syncing")
	case lsync.StateOffline:
		s = a.l.T("ui.status.offline")
	case lsync.StateSignedOut:
		s = a.l.T("ui.status.signed_out")
	case lsync.StateError:
		s = a.l.T("ui.status.failed")
	default:
		s = st.State.String()
	}
	if a.offline {
		s = a.l.T("ui.status.working_offline")
	}
	last, _ := a.sess.cache.SyncState(a.ctx)
	s += " · " + a.sess.email() + " · " + a.l.T("ui.status.last_sync", "Ago", a.l.Ago(last.LastSync, a.cfg.Now()))
	if st.Pending > 0 {
		s += " · " + a.l.N("ui.status.pending", st.Pending)
	}
	if st.Err != nil && st.State == lsync.StateError {
		s += " · " + a.l.Err(st.Err)
	}
	if m := a.mailStatus(); m != "" {
		s += " · " + m
	}
	a.status.SetText(s)
	if st.Failed > 0 {
		a.failedBtn.SetText(a.l.N("ui.status.failed_writes", st.Failed))
		a.failedBtn.Show()
	} else {
		a.failedBtn.Hide()
	}
}

// Status returns the status bar's text, for tests and the offline screenshot.
func (a *App) Status() string { return a.status.Text }

// Refresh reloads every tab built so far, the counts and the banners from
// the cache, off the UI goroutine.
func (a *App) Refresh() { a.refresh(true) }

// refresh reloads the status bar, the banners and the e-mail strips, and
// with tabs the data of the tabs built so far.
func (a *App) refresh(withTabs bool) {
	// The tabs built so far (the others load when first shown); a copy, as
	// buildTab fills the list on the UI goroutine while this one loads.
	var tabs []tab
	for _, t := range a.tabList {
		if t != nil && withTabs {
			tabs = append(tabs, t)
		}
	}
	strips := []*MailStrip{a.SolutionsMail, a.AssignedMail, a.KeysMail}
	supportBuilt := a.Support != nil
	a.bg(func(ctx context.Context) {
		applies := make([]func(), 0, len(tabs)+1)
		for _, t := range tabs {
			applies = append(applies, t.load(ctx))
		}
		// The Support tab's title counts the new news even before the tab
		// is built (its load does it once it is).
		unread := -1
		if !supportBuilt && withTabs {
			news, _ := lsync.List[api.ProductNews](ctx, a.sess.cache, api.KindNews)
			unread = unreadNews(news)
		}
		pending, failed, _ := a.sess.cache.OutboxCounts(ctx)
		banners := a.loadBanners(ctx)
		findings, _ := a.sess.d.MailFindings(ctx)
		a.do(func() {
			for _, f := range applies {
				f()
			}
			for _, s := range strips {
				if s != nil {
					s.show(findings)
				}
			}
			if unread >= 0 {
				a.badgeSupport(unread)
			}
			a.lastState.Pending, a.lastState.Failed = pending, failed
			a.renderStatus()
			a.showBanners(banners)
			if withTabs && !a.loadedOnce {
				// The first load reads every license at once; what it
				// decoded and dropped is given back to the system now,
				// rather than kept resident until the heap next grows.
				a.loadedOnce = true
				a.bg(func(context.Context) { debug.FreeOSMemory() })
			}
		})
	})
}

// banner is one line above the tabs.
type banner struct {
	text string
	stop bool
}

// loadBanners applies the subscription rules (core timerules) to the
// licenses assigned to the user and the keys they hold: a warning from 10
// days before expiry, and the countdown while the portal cannot be reached.
func (a *App) loadBanners(ctx context.Context) []banner {
	now := a.cfg.Now()
	reachable := a.lastState.State != lsync.StateOffline && !a.offline
	subs, err := a.sess.d.LocalSubscriptions(ctx, reachable)
	if err != nil {
		return nil
	}
	st, _ := a.sess.cache.SyncState(ctx)
	var out []banner
	// While the portal cannot be reached every subscription counts down;
	// one banner names the soonest stop rather than one line per license.
	var soonest *api.Subscription
	counting := 0
	what := func(s api.Subscription) string {
		if s.Source == "key" {
			return a.l.T("ui.banner.key", "Product", s.Product, "Key", s.ID)
		}
		return s.Product
	}
	for i, s := range subs {
		switch s.Phase {
		case "warning":
			out = append(out, banner{text: a.l.N("ui.banner.ends_in", s.DaysLeft, "What", what(s), "Date", a.dayp(s.Expiry))})
		case "countdown":
			counting++
			if soonest == nil || s.DaysLeft < soonest.DaysLeft {
				soonest = &subs[i]
			}
		case "stopped":
			if s.Expiry != nil && now.Sub(*s.Expiry) < 30*core.Day {
				out = append(out, banner{text: a.l.T("ui.banner.ended", "What", what(s), "Date", a.dayp(s.Expiry)), stop: true})
			}
		}
	}
	if soonest != nil {
		since := a.l.T("ui.banner.unreachable_now")
		if !st.LastReached.IsZero() && now.Sub(st.LastReached) >= core.Day {
			since = a.l.N("ui.banner.unreachable_for", int(now.Sub(st.LastReached)/core.Day))
		}
		text := since + " " + a.l.N("ui.banner.countdown", soonest.DaysLeft, "What", what(*soonest), "Date", a.dayp(soonest.StopsIfUnreachable))
		if counting > 1 {
			text += " " + a.l.N("ui.banner.counting", counting)
		}
		out = append([]banner{{text: text}}, out...)
	}
	return out
}

// showBanners replaces the banner area (UI goroutine), at most three lines
// and a count of the rest, so that banners never push the tabs away.
func (a *App) showBanners(bs []banner) {
	a.banner.RemoveAll()
	if len(bs) == 0 {
		// The line stays when there is nothing to say, so that the tabs
		// never jump when a banner comes or goes.
		ok := widget.NewLabel(a.l.T("ui.banner.ok"))
		ok.Importance = widget.LowImportance
		a.banner.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.ConfirmIcon()), nil, ok))
	}
	for i, b := range bs {
		if i == 3 {
			a.banner.Add(widget.NewLabel(a.l.N("ui.banner.more", len(bs)-3)))
			break
		}
		icon := theme.WarningIcon()
		if b.stop {
			icon = theme.ErrorIcon()
		}
		l := widget.NewLabel(b.text)
		l.Wrapping = fyne.TextWrapWord
		a.banner.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
	}
	a.banner.Refresh()
}

// send hands a write to the desk: it shows at once, is tried online
// first, and stays queued when the portal cannot be reached. A refusal is
// shown at once, with the portal's reason.
func (a *App) send(w lsync.Write, err error) {
	if err != nil {
		a.showError(err)
		return
	}
	a.bg(func(ctx context.Context) {
		_, err := a.sess.d.Submit(ctx, w, !a.online())
		a.Refresh()
		var r *desk.RefusedError
		if errors.As(err, &r) {
			what := a.writeText(w, a.licenseNames(ctx))
			a.do(func() { a.showError(i18n.Errorf("ui.write.refused", "What", what, "Reason", r.Reason)) })
		} else if err != nil {
			a.do(func() { a.showError(err) })
		}
		if a.sess.sched != nil && !a.cfg.Inline {
			a.sess.sched.Kick() // the status bar counts what is left
		} else if a.cfg.Inline && a.online() {
			a.SyncNow()
		}
	})
}

// showFailed lists the writes the portal refused, with their reasons, and
// offers to send them again or dismiss them.
func (a *App) showFailed() {
	a.bg(func(ctx context.Context) {
		failed, err := a.sess.cache.Entries(ctx, lsync.Failed)
		names := a.licenseNames(ctx)
		a.do(func() {
			if err != nil {
				a.showError(err)
				return
			}
			// A refusal is final (sending it again gets the same no): the
			// dialog says what was refused and why, and dismisses them.
			box := container.NewVBox()
			for _, e := range failed {
				l := widget.NewLabel("• " + a.writeText(e.Write, names) + ": " + words.OrDash(e.Reason))
				l.Wrapping = fyne.TextWrapWord
				box.Add(l)
			}
			d := dialog.NewCustom(a.l.T("ui.failed.title"), a.l.T("ui.failed.dismiss"), container.NewVScroll(box), a.win)
			d.SetOnClosed(func() {
				a.bg(func(ctx context.Context) {
					a.sess.cache.DismissFailed(ctx)
					a.Refresh()
				})
			})
			d.Resize(fyne.NewSize(600, 320))
			d.Show()
		})
	})
}

// licenseNames maps the cached licenses' IDs to the names people know
// them by: product, edition and contract number.
func (a *App) licenseNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	// Only the names are decoded, not the licenses' seats.
	if sols, err := lsync.List[struct {
		LicenseID      string `json:"license_id"`
		Product        string `json:"product"`
		Edition        string `json:"edition"`
		ContractNumber string `json:"contract_number"`
	}](ctx, a.sess.cache, api.KindSolution); err == nil {
		for _, s := range sols {
			out[s.LicenseID] = s.Product + " " + a.l.Enum("edition", s.Edition) + " (" + s.ContractNumber + ")"
		}
	}
	return out
}

// named replaces the license IDs in a write's summary by their names.
func named(summary string, names map[string]string) string {
	for id, name := range names {
		summary = strings.ReplaceAll(summary, id, name)
	}
	return summary
}

// SwitchUser logs in as another user (the demo's Users menu); writes still
// waiting for the current user are dropped after a confirmation.
func (a *App) SwitchUser(u Login) {
	a.bg(func(ctx context.Context) {
		pending, _, _ := a.sess.cache.OutboxCounts(ctx)
		a.do(func() {
			doSwitch := func() {
				a.bg(func(ctx context.Context) {
					err := a.sess.login(ctx, u.Portal, u.Email, u.Password, false, true)
					if err == nil {
						a.connectLoginMailbox(ctx, u)
					}
					a.do(func() {
						if err != nil {
							a.showError(err)
							return
						}
						a.stopSync()
						a.offline = false
						a.showMain()
					})
				})
			}
			if pending == 0 {
				doSwitch()
				return
			}
			a.confirm(a.l.T("ui.switch.title"), a.l.N("ui.switch.confirm", pending, "Email", u.Email), a.l.T("ui.switch.ok"), func(ok bool) {
				if ok {
					doSwitch()
				}
			})
		})
	})
}

// signOut ends the session as `licdesk logout` does (a last push, the
// token and the local copy forgotten), after a confirmation that says what
// is lost; writes not sent yet are dropped only when the user agrees.
func (a *App) signOut() {
	a.bg(func(ctx context.Context) {
		pending, _, _ := a.sess.cache.OutboxCounts(ctx)
		a.do(func() {
			msg := a.l.T("ui.signout.confirm", "Portal", a.sess.portal())
			if pending > 0 {
				msg += "\n" + a.l.N("ui.signout.dropped", pending)
			}
			a.confirm(a.l.T("ui.signout.title"), msg, a.l.T("ui.signout.ok"), func(ok bool) {
				if !ok {
					return
				}
				a.stopSync()
				a.bg(func(ctx context.Context) {
					_, err := a.sess.d.Logout(ctx, desk.LogoutOptions{Discard: true, Offline: !a.online()})
					a.do(func() {
						a.win.SetMainMenu(nil)
						msg := ""
						if err != nil {
							msg = a.l.Err(err)
						}
						a.showSignIn(msg)
					})
				})
			})
		})
	})
}

// errOffline is what a portal-only action says offline.
var errOffline = i18n.Errorf("ui.error.offline")

// connectLoginMailbox connects the mailbox a login comes with (the demo's
// users), replacing the one connected before. A failure shows in the
// status bar: the login holds.
func (a *App) connectLoginMailbox(ctx context.Context, u Login) {
	if u.Mailbox == nil {
		return
	}
	if _, err := a.sess.d.AddMailbox(ctx, u.Mailbox.MailboxSettings, u.Mailbox.Password); err != nil {
		a.mail = mailState{configured: true, MailWatchState: desk.MailWatchState{Err: err}}
	}
}
