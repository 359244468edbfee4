package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/mailbox/imapdemo"
	"github.com/licdesk/licdesk/portal/demo"
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
	cfg := ui.Config{SecretsMode: env.Getenv(profile.EnvSecrets)}
	var win *ui.App // set once built; the Demo menu's actions run after that
	if demo {
		d, err := startDemo(ctx)
		if err != nil {
			fmt.Fprintln(env.Stderr, "licdesk: demo:", err)
			return 1
		}
		defer d.Close()
		cfg.ProfileDir, cfg.SecretsMode, cfg.Users = d.profileDir, "file", d.users
		cfg.SignIn = &d.users[0]
		cfg.Menus = []*fyne.Menu{d.menu(func() *ui.App { return win })}
	} else {
		dir, err := profile.DefaultDir(env.Getenv)
		if err != nil {
			fmt.Fprintln(env.Stderr, "licdesk:", err)
			return 1
		}
		cfg.ProfileDir = dir
	}
	fa := app.NewWithID(appID)
	w, err := ui.New(fa, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "licdesk:", err)
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

// demoPortal is the portal of --demo: the demo data served in this
// process, an IMAP server where its e-mails arrive for the demo users, and
// a throwaway profile beside them, connected to the user's inbox.
type demoPortal struct {
	*demo.Portal
	mail       *imapdemo.Server
	profileDir string
	users      []ui.Login
}

// Close stops the portal and the mail server.
func (d *demoPortal) Close() {
	d.Portal.Close()
	d.mail.Close()
}

// startDemo serves a freshly seeded portal on a loopback port, its e-mails
// delivered to the demo users' inboxes on an in-process IMAP server too.
func startDemo(ctx context.Context) (*demoPortal, error) {
	// Every address the demo portal mails gets an inbox (with the demo
	// password), so that the seed's e-mails are there at once.
	ms, err := imapdemo.Start(imapdemo.Options{NewUsersPassword: demoMailPassword})
	if err != nil {
		return nil, fmt.Errorf("the demo mail server: %w", err)
	}
	p, err := demo.Start(ctx, demo.Options{Seed: true, Background: true, AlsoMail: imapdemo.Sender{Server: ms}})
	if err != nil {
		ms.Close()
		return nil, err
	}
	d := &demoPortal{Portal: p, mail: ms, profileDir: filepath.Join(p.Dir, "profile")}
	// ana first: owner, assignee of two owners and holder of keyed products.
	for _, l := range p.Logins {
		if err := ms.EnsureUser(l.Email, demoMailPassword); err != nil {
			d.Close()
			return nil, err
		}
		inbox := (&url.URL{Scheme: "imaps", User: url.User(l.Email), Host: net.JoinHostPort(ms.Host, strconv.Itoa(ms.Port))}).String()
		u := ui.Login{Portal: p.URL, Email: l.Email, Password: l.Password, Name: l.Name + " (" + l.Roles + ")",
			Mailbox: &ui.MailboxLogin{MailboxSettings: desk.MailboxSettings{URL: inbox, CAFile: ms.CAFile}, Password: demoMailPassword}}
		if l.Email == "ana@acme.example" {
			d.users = append([]ui.Login{u}, d.users...)
		} else {
			d.users = append(d.users, u)
		}
	}
	if len(d.users) == 0 {
		d.Close()
		return nil, errors.New("the demo data has no logins")
	}
	return d, nil
}

// menu is the Demo menu: stop and start the embedded portal, to see the
// window work offline and its queued writes land.
func (d *demoPortal) menu(w func() *ui.App) *fyne.Menu {
	syncSoon := func() {
		if a := w(); a != nil {
			a.SyncNow()
		}
	}
	return fyne.NewMenu("Demo",
		fyne.NewMenuItem("Stop the portal (work offline)", func() {
			go func() {
				d.Stop()
				fyne.Do(syncSoon)
			}()
		}),
		fyne.NewMenuItem("Start the portal again", func() {
			go func() {
				if err := d.Start(); err != nil {
					fmt.Fprintln(os.Stderr, "licdesk:", err)
				}
				fyne.Do(syncSoon)
			}()
		}))
}

// demoMailPassword is the demo users' mailbox password (demo only).
const demoMailPassword = "demo-mail"
