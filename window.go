package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
	if demo {
		d, err := startDemo(ctx)
		if err != nil {
			fmt.Fprintln(env.Stderr, "licdesk: demo:", err)
			return 1
		}
		defer d.stop()
		cfg.ProfileDir, cfg.SecretsMode, cfg.Users = d.profileDir, "file", d.users
		cfg.SignIn = &d.users[0]
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
	srv             *http.Server
	st              *store.Store
	cancel          context.CancelFunc
	done, bgDone    chan struct{}
}

// startDemo serves a freshly seeded portal on a loopback port.
func startDemo(ctx context.Context) (*demo, error) {
	dir, err := os.MkdirTemp("", "licdesk-demo-")
	if err != nil {
		return nil, err
	}
	d := &demo{dir: dir, profileDir: filepath.Join(dir, "profile"), done: make(chan struct{}), bgDone: make(chan struct{})}
	fail := func(err error) (*demo, error) {
		if d.st != nil {
			d.st.Close()
		}
		os.RemoveAll(dir)
		return nil, err
	}
	if d.st, err = store.Open(ctx, "sqlite:"+filepath.Join(dir, "portal.db")); err != nil {
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
	url := "http://" + ln.Addr().String()
	srv := portal.New(portal.Config{Store: d.st, Mail: mailer, FilesDir: files, BaseURL: url})
	d.srv = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	bctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() {
		defer close(d.bgDone)
		srv.Background(bctx) // the portal's mail queue and pruning
	}()
	go func() {
		defer close(d.done)
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "licdesk: demo portal:", err)
		}
	}()
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

// stop shuts the portal down and removes the demo's folders.
func (d *demo) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.srv.Shutdown(ctx)
	<-d.done
	d.cancel()
	<-d.bgDone
	d.st.Close()
	os.RemoveAll(d.dir)
}
