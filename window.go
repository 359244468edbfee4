package main

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/profile"
	"github.com/licdesk/licdesk/ui"
)

// appID is the Fyne application ID (FyneApp.toml's); preferences live under it.
const appID = "io.github.licdesk.licdesk"

// openWindow runs the window until it is closed. With demo, it first starts
// a portal in this process over a throwaway store loaded with the demo data,
// and a throwaway profile logged in as the demo's owner; everything is
// removed when the window closes.
func openWindow(ctx context.Context, demo bool, env cli.Env) int {
	// The window follows the system's language (env's LANG and friends; the
	// UI language on Windows) unless the user chose one in File > Language.
	cfg := ui.Config{SecretsMode: env.Getenv(profile.EnvSecrets), Getenv: env.Getenv}
	fa := app.NewWithID(appID)
	if err := ui.RegisterFyneCatalogs(); err != nil {
		// The catalogs are embedded and tested: Fyne keeps its own words.
		fmt.Fprintln(env.Stderr, "licdesk:", err)
	}
	l := ui.WindowLang(fa, env.Getenv)
	var win *ui.App // set once built; the Demo menu's actions run after that
	if demo {
		d, err := startDemoSession(ctx)
		if err != nil {
			fmt.Fprintln(env.Stderr, "licdesk:", l.T("ui.demo.failed", "Reason", l.Err(err)))
			return 1
		}
		defer d.Close()
		users := d.Users()
		cfg.ProfileDir, cfg.SecretsMode, cfg.Users = d.ProfileDir(), "file", users
		cfg.SignIn = &users[0]
		cfg.Menus = func(l *i18n.Lang) []*fyne.Menu { return []*fyne.Menu{d.Menu(l, func() *ui.App { return win })} }
	} else {
		dir, err := profile.DefaultDir(env.Getenv)
		if err != nil {
			fmt.Fprintln(env.Stderr, "licdesk:", l.Err(err))
			return 1
		}
		cfg.ProfileDir = dir
	}
	w, err := ui.New(fa, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "licdesk:", l.Err(err))
		return 1
	}
	win = w
	// Ctrl+C in the terminal closes the window like its close button.
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(w.Quit)
		case <-done:
		}
	}()
	w.ShowAndRun()
	close(done)
	return 0
}

// demoSession is what --demo adds to the window: a portal served in this
// process, a throwaway profile signed in to it, and the Demo menu that
// stops and starts the portal. Release builds leave it out (window_nodemo.go):
// the demo and its database drivers stay in builds from source.
type demoSession interface {
	ProfileDir() string
	// Users are the demo's logins, the one signed in first.
	Users() []ui.Login
	Menu(l *i18n.Lang, win func() *ui.App) *fyne.Menu
	Close()
}
