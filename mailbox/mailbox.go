// Package mailbox reads a user's mailbox over IMAP for License Desk,
// read-only: it opens the folder with EXAMINE and fetches with BODY.PEEK,
// so that no message is marked read, moved or deleted. A scan goes from a
// Mark (the folder's UIDVALIDITY and the last UID read) and hands each new
// message to the caller, who records it before the next is fetched: a scan
// cut off by a dropped connection resumes after the last message recorded
// (docs/design.md, Mail).
package mailbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Security is how the connection is protected. There is no plaintext
// mode: the password never crosses the network in the clear.
type Security string

// The two ways to protect a connection.
const (
	ImplicitTLS Security = "imaps" // TLS from the first byte (port 993)
	StartTLS    Security = "imap"  // STARTTLS on the plain port (143), required
)

// DefaultFolder is scanned when none is named.
const DefaultFolder = "INBOX"

// Config is a mailbox connection.
type Config struct {
	Security Security
	Host     string
	Port     int
	User     string
	Password string
	// Folder is the folder scanned (DefaultFolder when "").
	Folder string
	// Since skips messages received before it (zero: all).
	Since time.Time
	// InsecureSkipVerify accepts any certificate (a self-signed server
	// the user chose to trust anyway).
	InsecureSkipVerify bool
	// CAFile is a PEM file of extra certificate authorities.
	CAFile string
	// Timeout bounds the dial and the TLS handshake; 20 s when zero.
	Timeout time.Duration
}

// ParseURL reads imaps://USER@HOST[:PORT] (implicit TLS, port 993) or
// imap://USER@HOST[:PORT] (STARTTLS, port 143). A password in the URL is
// refused: it belongs in the keyring, not in a command line or a setting.
func ParseURL(raw string) (Config, error) {
	var c Config
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return c, fmt.Errorf("mailbox address: want imaps://USER@HOST[:PORT] or imap://USER@HOST[:PORT] (STARTTLS), not %q", raw)
	}
	switch Security(u.Scheme) {
	case ImplicitTLS:
		c.Security, c.Port = ImplicitTLS, 993
	case StartTLS:
		c.Security, c.Port = StartTLS, 143
	default:
		return c, fmt.Errorf("mailbox address: the scheme is imaps (TLS) or imap (STARTTLS), not %q", u.Scheme)
	}
	if u.User == nil || u.User.Username() == "" {
		return c, fmt.Errorf("mailbox address: name the user, as in %s://you@%s", u.Scheme, u.Host)
	}
	if _, set := u.User.Password(); set {
		return c, errors.New("mailbox address: leave the password out of the address (it is read from standard input and kept in the keyring)")
	}
	if u.Path != "" && u.Path != "/" {
		return c, errors.New("mailbox address: give the folder with --folder, not in the address")
	}
	c.User, c.Host = u.User.Username(), u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("mailbox address: bad port %q", p)
		}
		c.Port = n
	}
	return c, nil
}

// URL is the connection's address without the password.
func (c Config) URL() string {
	u := url.URL{Scheme: string(c.Security), User: url.User(c.User), Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	return u.String()
}

// folder is the folder scanned.
func (c Config) folder() string {
	if c.Folder == "" {
		return DefaultFolder
	}
	return c.Folder
}

// Error kinds a caller may word differently.
var (
	// ErrAuth: the server refused the user name or password.
	ErrAuth = errors.New("the mail server refused the user name or password")
	// ErrNoFolder: the folder does not exist.
	ErrNoFolder = errors.New("no such folder")
	// ErrCertificate: the server's certificate is not trusted (expired,
	// self-signed, another host's).
	ErrCertificate = errors.New("the mail server's certificate is not trusted")
)

// Conn is one IMAP connection with the folder examined.
type Conn struct {
	cfg     Config
	c       *imapclient.Client
	changed chan struct{} // a message arrived (EXISTS) while idle
	idle    bool          // the server offers IDLE

	mu     gosync.Mutex // guards folder
	folder Folder
}

// Folder is the examined folder's state.
type Folder struct {
	Name        string
	UIDValidity uint32
	UIDNext     uint32
	Messages    uint32
}

// Dial connects, logs in and examines the folder (read-only). Each failure
// is one line: unreachable, certificate, refused login, no such folder.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	tlsCfg := &tls.Config{ServerName: cfg.Host, InsecureSkipVerify: cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("the mail server's CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the mail server's CA file %s holds no PEM certificate", cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	conn := &Conn{cfg: cfg, changed: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		TLSConfig: tlsCfg,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case conn.changed <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	// The handshake and greeting are bounded too: a server that accepts
	// and then says nothing must not hold the caller.
	raw.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	switch cfg.Security {
	case ImplicitTLS:
		tc := tls.Client(raw, tlsCfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			raw.Close()
			return nil, tlsError(addr, err)
		}
		conn.c = imapclient.New(tc, opts)
	case StartTLS:
		conn.c, err = imapclient.NewStartTLS(raw, opts)
		if err != nil {
			raw.Close()
			if strings.Contains(err.Error(), "STARTTLS") && !isTLSError(err) {
				return nil, fmt.Errorf("%s does not offer STARTTLS: use imaps:// if it speaks TLS on another port", addr)
			}
			return nil, tlsError(addr, err)
		}
	default:
		raw.Close()
		return nil, fmt.Errorf("mailbox: unknown security %q", cfg.Security)
	}
	if err := conn.c.WaitGreeting(); err != nil {
		conn.c.Close()
		return nil, tlsError(addr, err)
	}
	raw.SetDeadline(time.Time{})
	if err := conn.c.Login(cfg.User, cfg.Password).Wait(); err != nil {
		conn.c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ie *imap.Error
		if errors.As(err, &ie) {
			return nil, fmt.Errorf("%w (%s at %s): %v", ErrAuth, cfg.User, cfg.Host, ie.Text)
		}
		return nil, fmt.Errorf("log in to %s: %w", addr, err)
	}
	conn.idle = conn.c.Caps().Has(imap.CapIdle) || conn.c.Caps().Has(imap.CapIMAP4rev2)
	if _, err := conn.Examine(ctx); err != nil {
		conn.c.Close()
		return nil, err
	}
	return conn, nil
}

// isTLSError reports whether err comes from certificate checking.
func isTLSError(err error) bool {
	var ce *tls.CertificateVerificationError
	var ue x509.UnknownAuthorityError
	var he x509.HostnameError
	var ie x509.CertificateInvalidError
	return errors.As(err, &ce) || errors.As(err, &ue) || errors.As(err, &he) || errors.As(err, &ie)
}

// tlsError words a failed handshake: a certificate problem says which.
func tlsError(addr string, err error) error {
	var ie x509.CertificateInvalidError
	switch {
	case errors.As(err, &ie) && ie.Reason == x509.Expired:
		return fmt.Errorf("%w: the certificate of %s has expired or is not yet valid (%s)", ErrCertificate, addr, ie.Detail)
	case isTLSError(err):
		return fmt.Errorf("%w: %s (--insecure-skip-verify accepts it anyway)", ErrCertificate, err)
	}
	return fmt.Errorf("talk to %s: %w", addr, err)
}

// Close logs out and closes the connection.
func (c *Conn) Close() error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.c.Logout().Wait()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return c.c.Close()
}

// Folder is the examined folder's state as last read.
func (c *Conn) Folder() Folder {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.folder
}

// Idle reports whether the server offers IDLE (else Wait polls).
func (c *Conn) Idle() bool { return c.idle }

// run runs a command, closing the connection when ctx ends (imapclient
// takes no context), so that a cancelled scan returns at once.
func (c *Conn) run(ctx context.Context, f func() error) error {
	stop := context.AfterFunc(ctx, func() { c.c.Close() })
	err := f()
	if !stop() || ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Examine (re)opens the folder read-only and reads its UIDVALIDITY.
func (c *Conn) Examine(ctx context.Context) (Folder, error) {
	var sel *imap.SelectData
	err := c.run(ctx, func() error {
		var err error
		sel, err = c.c.Select(c.cfg.folder(), &imap.SelectOptions{ReadOnly: true}).Wait()
		return err
	})
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
			return Folder{}, fmt.Errorf("%w %q on %s: %s", ErrNoFolder, c.cfg.folder(), c.cfg.Host, ie.Text)
		}
		return Folder{}, fmt.Errorf("open folder %q: %w", c.cfg.folder(), err)
	}
	f := Folder{Name: c.cfg.folder(), UIDValidity: sel.UIDValidity, UIDNext: uint32(sel.UIDNext), Messages: sel.NumMessages}
	c.mu.Lock()
	c.folder = f
	c.mu.Unlock()
	return f, nil
}

// refresh brings the examined folder up to date: a NOOP lets the server
// report what arrived, without opening the folder again (which would
// restart the server's view of it, and with some servers its IDLE
// notifications). A folder not examined yet is examined.
func (c *Conn) refresh(ctx context.Context) (Folder, error) {
	f := c.Folder()
	if f.UIDValidity == 0 || c.c.Mailbox() == nil {
		return c.Examine(ctx)
	}
	if err := c.run(ctx, func() error { return c.c.Noop().Wait() }); err != nil {
		return f, fmt.Errorf("folder %q: %w", f.Name, err)
	}
	return f, nil
}

// Mark is how far a folder has been read: the UIDVALIDITY the UIDs belong
// to and the last UID handed over.
type Mark struct {
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
}

// Item is one new message.
type Item struct {
	UID  uint32
	Size int64
	// Date is when the server received it.
	Date time.Time
	// Raw is the whole message; nil when it is larger than the scan's
	// limit (TooLarge), which the caller records without reading.
	Raw      []byte
	TooLarge bool
}

// Scanned is what a scan did.
type Scanned struct {
	// Reset: the folder's UIDVALIDITY changed (the server renumbered it),
	// so the scan started over from the first message.
	Reset bool
	// Mark is how far the folder is now read.
	Mark Mark
	// Seen counts the messages handed over.
	Seen int
}

// Scan hands each message after the mark (received since cfg.Since) to
// handle, in UID order, fetching one at a time with BODY.PEEK. handle
// records the message (and may return an error to stop); the returned
// Mark is that of the last message handled, so that a scan cut off
// resumes after it. Messages larger than maxSize are handed over unread.
func (c *Conn) Scan(ctx context.Context, from Mark, maxSize int64, handle func(Item) error) (Scanned, error) {
	out := Scanned{Mark: from}
	// What arrived so far is about to be read: an earlier wake-up is spent.
	select {
	case <-c.changed:
	default:
	}
	f, err := c.refresh(ctx)
	if err != nil {
		return out, err
	}
	if from.UIDValidity != f.UIDValidity {
		out.Reset = from.UIDValidity != 0
		out.Mark = Mark{UIDValidity: f.UIDValidity}
	}
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(out.Mark.LastUID + 1), Stop: 0}}}}
	if !c.cfg.Since.IsZero() {
		crit.Since = c.cfg.Since
	}
	var uids []imap.UID
	err = c.run(ctx, func() error {
		data, err := c.c.UIDSearch(crit, nil).Wait()
		if err == nil {
			uids = data.AllUIDs()
		}
		return err
	})
	if err != nil {
		return out, fmt.Errorf("search folder %q: %w", f.Name, err)
	}
	// "n:*" always matches the last message, even one below n.
	uids = slices.DeleteFunc(uids, func(u imap.UID) bool { return uint32(u) <= out.Mark.LastUID })
	slices.Sort(uids)
	for _, uid := range uids {
		it, err := c.fetch(ctx, uid, maxSize)
		if err != nil {
			return out, err
		}
		if err := handle(it); err != nil {
			return out, err
		}
		out.Mark.LastUID = uint32(uid)
		out.Seen++
	}
	return out, nil
}

// fetch reads one message: its size first, then (when small enough) its
// bytes with BODY.PEEK[], which leaves its \Seen flag as it was.
func (c *Conn) fetch(ctx context.Context, uid imap.UID, maxSize int64) (Item, error) {
	it := Item{UID: uint32(uid)}
	set := imap.UIDSetNum(uid)
	err := c.run(ctx, func() error {
		msgs, err := c.c.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true, InternalDate: true}).Collect()
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.UID == uid {
				it.Size, it.Date = m.RFC822Size, m.InternalDate
				return nil
			}
		}
		return errGone
	})
	if errors.Is(err, errGone) {
		return it, nil // expunged meanwhile: nothing to read
	}
	if err != nil {
		return it, fmt.Errorf("fetch message %d: %w", uid, err)
	}
	if it.Size > maxSize {
		it.TooLarge = true
		return it, nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	err = c.run(ctx, func() error {
		cmd := c.c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
		defer cmd.Close()
		for {
			msg := cmd.Next()
			if msg == nil {
				return cmd.Close()
			}
			for {
				item := msg.Next()
				if item == nil {
					break
				}
				if b, ok := item.(imapclient.FetchItemDataBodySection); ok && b.Literal != nil {
					// Read no more than announced, and no more than the
					// limit, whatever the server sends.
					raw, err := io.ReadAll(io.LimitReader(b.Literal, maxSize+1))
					if err != nil {
						return err
					}
					if int64(len(raw)) > maxSize {
						it.TooLarge = true
						io.Copy(io.Discard, b.Literal)
						continue
					}
					it.Raw = raw
				}
			}
		}
	})
	if err != nil {
		return it, fmt.Errorf("fetch message %d: %w", uid, err)
	}
	return it, nil
}

var errGone = errors.New("message gone")

// Wait blocks until a message may have arrived in the folder, ctx ends, or
// at most max passed (IDLE is renewed by the caller's next Wait; servers
// drop an IDLE left for 30 minutes). Without IDLE it polls with NOOP every
// poll interval.
func (c *Conn) Wait(ctx context.Context, max time.Duration) error {
	timer := time.NewTimer(max)
	defer timer.Stop()
	if !c.idle {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		}
		return c.run(ctx, func() error { return c.c.Noop().Wait() })
	}
	// A message that arrived after the last scan's search and before the
	// IDLE below would be announced by some servers only with the next
	// change: a NOOP first makes the server tell, and a wake-up left from
	// it ends the wait at once.
	if err := c.run(ctx, func() error { return c.c.Noop().Wait() }); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	select {
	case <-c.changed:
		return nil
	default:
	}
	var cmd *imapclient.IdleCommand
	err := c.run(ctx, func() error {
		var err error
		cmd, err = c.c.Idle()
		return err
	})
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	var why error
	select {
	case <-ctx.Done():
		why = ctx.Err()
	case <-timer.C:
	case <-c.changed:
	case <-c.c.Closed():
		why = errors.New("the mail server closed the connection")
	}
	if why != nil {
		c.c.Close()
		return why
	}
	return c.run(ctx, func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
}
