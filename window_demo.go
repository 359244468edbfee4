//go:build !release

package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"

	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/mailbox/imapdemo"
	"github.com/licdesk/licdesk/portal/demo"
	"github.com/licdesk/licdesk/ui"
)

// startDemoSession starts the demo of --demo.
func startDemoSession(ctx context.Context) (demoSession, error) {
	d, err := startDemo(ctx)
	if err != nil {
		return nil, err
	}
	return d, nil
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
		return nil, i18n.Wrap(err, "ui.demo.mail_server")
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
		return nil, i18n.Errorf("ui.demo.no_logins")
	}
	return d, nil
}

// menu is the Demo menu: stop and start the embedded portal, to see the
// window work offline and its queued writes land.
func (d *demoPortal) Menu(l *i18n.Lang, w func() *ui.App) *fyne.Menu {
	syncSoon := func() {
		if a := w(); a != nil {
			a.SyncNow()
		}
	}
	return fyne.NewMenu(l.T("ui.demo.menu"),
		fyne.NewMenuItem(l.T("ui.demo.stop"), func() {
			go func() {
				d.Stop()
				fyne.Do(syncSoon)
			}()
		}),
		fyne.NewMenuItem(l.T("ui.demo.start"), func() {
			go func() {
				if err := d.Start(); err != nil {
					fmt.Fprintln(os.Stderr, "licdesk:", l.Err(err))
				}
				fyne.Do(syncSoon)
			}()
		}))
}

// demoMailPassword is the demo users' mailbox password (demo only).
const demoMailPassword = "demo-mail"

// ProfileDir is the demo's throwaway profile.
func (d *demoPortal) ProfileDir() string { return d.profileDir }

// Users are the demo's logins, ana first.
func (d *demoPortal) Users() []ui.Login { return d.users }
