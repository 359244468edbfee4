package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
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
		defer d.stop()
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

// demo is the in-process portal of --demo and its throwaway folders.
type demo struct {
	dir, profileDir string
	users           []ui.Login
	st              *store.Store
	handler         http.Handler
	addr            string // the portal keeps its address across stop and start
	cancel          context.CancelFunc
	bgDone          chan struct{}

	mu   sync.Mutex    // guards srv and done: the Demo menu stops and starts the portal
	srv  *http.Server  // nil while the portal is stopped
	done chan struct{} // closed when srv's Serve returned
}

// startDemo serves a freshly seeded portal on a loopback port.
func startDemo(ctx context.Context) (*demo, error) {
	dir, err := os.MkdirTemp("", "licdesk-demo-")
	if err != nil {
		return nil, err
	}
	d := &demo{dir: dir, profileDir: filepath.Join(dir, "profile"), bgDone: make(chan struct{})}
	fail := func(err error) (*demo, error) {
		if d.st != nil {
			d.st.Close()
		}
		os.RemoveAll(dir)
		return nil, err
	}
	// The demo portal lives in a temporary folder for one run: a fresh
	// key-encryption key in memory is all its signing keys need.
	kek, err := store.GenerateKEK()
	if err != nil {
		return fail(err)
	}
	if d.st, err = store.Open(ctx, "sqlite:"+filepath.Join(dir, "portal.db"), store.WithKeyEncryptionKey(kek)); err != nil {
		return fail(err)
	}
	mailer := mail.Dir{Path: filepath.Join(dir, "mail")}
	files := filepath.Join(dir, "files")
	logins, err := portal.Seeder{Store: d.st, Mail: mailer, Now: time.Now(), FilesDir: files}.Demo(ctx)
	if err != nil {
		return fail(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	d.addr = ln.Addr().String()
	url := "http://" + d.addr
	srv := portal.New(portal.Config{Store: d.st, Mail: mailer, FilesDir: files, BaseURL: url})
	d.handler = srv
	bctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() {
		defer close(d.bgDone)
		srv.Background(bctx) // the portal's mail queue and pruning
	}()
	d.serve(ln)
	// ana first: owner, assignee of two owners and holder of keyed products.
	for _, l := range logins {
		u := ui.Login{Portal: url, Email: l.Email, Password: l.Password, Name: l.Name + " (" + l.Roles + ")"}
		if l.Email == "ana@acme.example" {
			d.users = append([]ui.Login{u}, d.users...)
		} else {
			d.users = append(d.users, u)
		}
	}
	if len(d.users) == 0 {
		d.stop()
		return nil, errors.New("the demo data has no logins")
	}
	return d, nil
}

// serve answers the portal API on ln until stopPortal.
func (d *demo) serve(ln net.Listener) {
	d.mu.Lock()
	defer d.mu.Unlock()
	srv := &http.Server{Handler: d.handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	d.srv, d.done = srv, done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "licdesk: demo portal:", err)
		}
	}()
}

// stopPortal takes the portal off the network, as if it went down: the
// window goes on from its local copy and queues its writes.
func (d *demo) stopPortal() {
	d.mu.Lock()
	srv, done := d.srv, d.done
	d.srv = nil
	d.mu.Unlock()
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	<-done
}

// startPortal brings the portal back on the address the window knows.
func (d *demo) startPortal() error {
	d.mu.Lock()
	running := d.srv != nil
	d.mu.Unlock()
	if running {
		return nil
	}
	ln, err := net.Listen("tcp", d.addr)
	if err != nil {
		return fmt.Errorf("restart the demo portal on %s: %w", d.addr, err)
	}
	d.serve(ln)
	return nil
}

// menu is the Demo menu: stop and start the embedded portal, to see the
// window work offline and its queued writes land.
func (d *demo) menu(w func() *ui.App) *fyne.Menu {
	syncSoon := func() {
		if a := w(); a != nil {
			a.SyncNow()
		}
	}
	return fyne.NewMenu("Demo",
		fyne.NewMenuItem("Stop the portal (work offline)", func() {
			go func() {
				d.stopPortal()
				fyne.Do(syncSoon)
			}()
		}),
		fyne.NewMenuItem("Start the portal again", func() {
			go func() {
				if err := d.startPortal(); err != nil {
					fmt.Fprintln(os.Stderr, "licdesk:", err)
				}
				fyne.Do(syncSoon)
			}()
		}))
}

// stop shuts the portal down and removes the demo's folders.
func (d *demo) stop() {
	d.stopPortal()
	d.cancel()
	<-d.bgDone
	d.st.Close()
	os.RemoveAll(d.dir)
}
