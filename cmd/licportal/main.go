// Command licportal is the reference cloud licensing portal that License Desk
// syncs with: an HTTP JSON API over SQLite or PostgreSQL.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches one invocation and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	var err error
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, version.String("licportal"))
		return 0
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	case "serve":
		err = serve(ctx, args[1:], stderr)
	case "seed":
		err = seed(ctx, args[1:], stdout)
	case "keys":
		err = signingKeys(ctx, args[1:], stdout)
	default:
		err = fmt.Errorf("unknown command %q (try licportal --help)", args[0])
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "licportal:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, `licportal: the License Desk reference licensing portal

usage:
  licportal serve [--db sqlite:FILE|postgres://...] [--listen ADDR] [--mail-dir DIR|--smtp URL]
                  [--files-dir DIR]
                  [--tls-cert FILE --tls-key FILE] [--base-url URL]
  licportal seed  [--db ...] (--demo | --scale N) [--json] [--mail-dir DIR] [--files-dir DIR]
  licportal keys  init --key-file FILE     write a fresh key-encryption key (mode 0600)
  licportal keys  list|rotate [--db ...]   the license-signing keys (rotate: new active key; the old one stays
                                           published until its window ends, its private half is erased)
  licportal keys  revoke KEY-ID [--db ...] withdraw a retired key: clients refuse every file it signed
  licportal --version

The signing keys are encrypted in the database with a key-encryption key
kept outside it: serve, seed and keys take --key-file FILE (or
`+store.EnvKeyFile+`); --dev-plain-keys keeps them unencrypted, for
development only.

Defaults: the database, the mail folder and the downloads folder live in
the user's data folder (`+dataDir()+`); the API listens on 127.0.0.1:8470.
`)
}

// dataDir is where licportal keeps its files by default.
func dataDir() string {
	var base string
	switch runtime.GOOS {
	case "windows":
		base = os.Getenv("LOCALAPPDATA")
	case "darwin":
		if h, err := os.UserHomeDir(); err == nil {
			base = filepath.Join(h, "Library", "Application Support")
		}
	default:
		base = os.Getenv("XDG_DATA_HOME")
		if base == "" {
			if h, err := os.UserHomeDir(); err == nil {
				base = filepath.Join(h, ".local", "share")
			}
		}
	}
	if base == "" {
		base = "."
	}
	return filepath.Join(base, "licportal")
}

// common are the flags serve, seed and keys share.
type common struct {
	db, mailDir, smtp string
	filesDir          string
	keyFile           string
	devPlainKeys      bool
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "sqlite:"+filepath.Join(dataDir(), "portal.db"), "database: sqlite:FILE or postgres://...")
	fs.StringVar(&c.mailDir, "mail-dir", filepath.Join(dataDir(), "mail"), "write e-mails as .eml files into this folder")
	fs.StringVar(&c.filesDir, "files-dir", filepath.Join(dataDir(), "files"), "keep the bytes of published downloads in this folder (content-addressed)")
	fs.StringVar(&c.smtp, "smtp", "", "send e-mails through this server instead: smtp://[user:pass@]host:port, smtp+starttls://..., smtps://...")
	fs.StringVar(&c.keyFile, "key-file", os.Getenv(store.EnvKeyFile), "the key-encryption key of the signing keys (licportal keys init makes one; default $"+store.EnvKeyFile+")")
	fs.BoolVar(&c.devPlainKeys, "dev-plain-keys", false, "keep the signing keys unencrypted (development only)")
}

// keyOption is how the store keeps its signing keys: under the key file,
// or plain when the development flag says so; never plain by default.
func (c *common) keyOption() (store.Option, error) {
	switch {
	case c.keyFile != "" && c.devPlainKeys:
		return nil, errors.New("give --key-file or --dev-plain-keys, not both")
	case c.devPlainKeys:
		return store.WithPlainSigningKeys(), nil
	case c.keyFile == "":
		return nil, errors.New("the signing keys need a key-encryption key: give --key-file FILE or set " + store.EnvKeyFile +
			" (make one with licportal keys init --key-file FILE), or --dev-plain-keys for development")
	}
	k, err := store.ReadKeyFile(c.keyFile)
	if err != nil {
		return nil, err
	}
	return store.WithKeyEncryptionKey(k), nil
}

func (c *common) open(ctx context.Context) (*store.Store, mail.Sender, error) {
	var sender mail.Sender = mail.Dir{Path: c.mailDir}
	if c.smtp != "" {
		s, err := mail.ParseSMTP(c.smtp)
		if err != nil {
			return nil, nil, err
		}
		sender = s
	}
	if p, ok := cutPrefix(c.db, "sqlite:"); ok {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return nil, nil, err
		}
	}
	keys, err := c.keyOption()
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, c.db, keys)
	if err != nil {
		return nil, nil, err
	}
	return st, sender, nil
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	listen := fs.String("listen", "127.0.0.1:8470", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate (PEM); serve HTTPS with --tls-key")
	key := fs.String("tls-key", "", "TLS private key (PEM)")
	baseURL := fs.String("base-url", "", "the URL users reach the portal at, for links in e-mails")
	proxies := fs.String("trusted-proxy", "", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For names the client (rate limits); none: the connection's peer is the client")
	if err := fs.Parse(args); err != nil {
		return err
	}
	trusted, err := portal.ParseTrustedProxies(*proxies)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if (*cert == "") != (*key == "") {
		return errors.New("serve: give both --tls-cert and --tls-key, or neither")
	}
	st, sender, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *baseURL == "" {
		*baseURL = scheme + "://" + ln.Addr().String()
	}
	srv := portal.New(portal.Config{Store: st, Mail: sender, Logger: log, BaseURL: *baseURL, FilesDir: c.filesDir,
		TrustedProxies: trusted})
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute}

	bg, stopBG := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); srv.Background(bg) }()
	defer func() { stopBG(); <-done }()

	errc := make(chan error, 1)
	go func() {
		if *cert != "" {
			errc <- hs.ServeTLS(ln, *cert, *key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	log.Info("licportal serving", "url", scheme+"://"+ln.Addr().String(), "db", st.Dialect(), "version", version.Number)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shut)
}

func seed(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var c common
	c.register(fs)
	demo := fs.Bool("demo", false, "load the demo data and print its logins")
	scale := fs.Int("scale", 0, "load a synthetic data set of N licenses with 10 seats each")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *demo == (*scale > 0) {
		return errors.New("seed: give exactly one of --demo and --scale N")
	}
	st, sender, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	sd := portal.Seeder{Store: st, Mail: sender, Now: time.Now(), FilesDir: c.filesDir}
	var logins []portal.DemoLogin
	if *demo {
		logins, err = sd.Demo(ctx)
	} else {
		var l portal.DemoLogin
		l, err = sd.Scale(ctx, *scale)
		logins = []portal.DemoLogin{l}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(logins)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "E-MAIL\tPASSWORD\tACCOUNT\tWHAT TO LOOK AT")
	for _, l := range logins {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Email, l.Password, l.Account, l.Roles)
	}
	return tw.Flush()
}

// signingKeys manages the portal's license-signing keys: init writes a
// key-encryption key file, list shows the keys, rotate makes a new active
// key (on every instance sharing the database at its next signature; the
// retired key stays published with the end of its window and loses its
// private half), revoke withdraws a retired key from trust.
func signingKeys(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("keys: want init, list, rotate or revoke")
	}
	cmd := args[0]
	switch cmd {
	case "init", "list", "rotate", "revoke":
	default:
		return fmt.Errorf("keys: unknown subcommand %q (want init, list, rotate or revoke)", cmd)
	}
	fs := flag.NewFlagSet("keys "+cmd, flag.ContinueOnError)
	var c common
	c.register(fs)
	// The key ID of revoke may come before the flags or after them.
	rest, kid := args[1:], ""
	if cmd == "revoke" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		kid, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	extra := fs.Args()
	if cmd == "revoke" && kid == "" && len(extra) > 0 {
		kid, extra = extra[0], extra[1:]
	}
	switch {
	case cmd == "revoke" && kid == "":
		return errors.New("keys revoke: name the key ID to revoke (see licportal keys list)")
	case len(extra) > 0:
		return fmt.Errorf("keys %s: unexpected argument %q", cmd, extra[0])
	}
	if cmd == "init" {
		if c.keyFile == "" {
			return errors.New("keys init: give --key-file FILE (or set " + store.EnvKeyFile + ")")
		}
		if err := store.WriteKeyFile(c.keyFile); err != nil {
			return fmt.Errorf("keys init: %w", err)
		}
		fmt.Fprintf(stdout, "wrote a new key-encryption key to %s (mode 0600): keep it out of the database backups, and give it to serve with --key-file\n", c.keyFile)
		return nil
	}
	st, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch cmd {
	case "rotate":
		k, err := st.RotateSigningKey(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new active signing key %s; the previous key stays published for the files it signed, its private half is erased\n", k.KeyID)
		return nil
	case "revoke":
		k, err := st.RevokeSigningKey(ctx, kid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked signing key %s: clients refuse every file it signed once they fetch the key set\n", k.KeyID)
		return nil
	}
	keys, err := st.SigningKeys(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY ID\tSTATE\tNOT BEFORE\tNOT AFTER\tREVOKED")
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.KeyID, k.State(), stamp(k.CreatedAt), stamp(k.RetiredAt), stamp(k.RevokedAt))
	}
	return tw.Flush()
}
