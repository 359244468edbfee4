//go:build !release

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"

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
// process, and a throwaway profile beside it.
type demoPortal struct {
	*demo.Portal
	profileDir string
	users      []ui.Login
}

// startDemo serves a freshly seeded portal on a loopback port.
func startDemo(ctx context.Context) (*demoPortal, error) {
	p, err := demo.Start(ctx, demo.Options{Seed: true, Background: true})
	if err != nil {
		return nil, err
	}
	d := &demoPortal{Portal: p, profileDir: filepath.Join(p.Dir, "profile")}
	// ana first: owner, assignee of two owners and holder of keyed products.
	for _, l := range p.Logins {
		u := ui.Login{Portal: p.URL, Email: l.Email, Password: l.Password, Name: l.Name + " (" + l.Roles + ")"}
		if l.Email == "ana@acme.example" {
			d.users = append([]ui.Login{u}, d.users...)
		} else {
			d.users = append(d.users, u)
		}
	}
	if len(d.users) == 0 {
		p.Close()
		return nil, errors.New("the demo data has no logins")
	}
	return d, nil
}

// menu is the Demo menu: stop and start the embedded portal, to see the
// window work offline and its queued writes land.
func (d *demoPortal) Menu(w func() *ui.App) *fyne.Menu {
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

// ProfileDir is the demo's throwaway profile.
func (d *demoPortal) ProfileDir() string { return d.profileDir }

// Users are the demo's logins, ana first.
func (d *demoPortal) Users() []ui.Login { return d.users }
