// Package mail sends the portal's e-mails: over SMTP, or as .eml files in a
// folder (the default, so that a fresh portal needs no mail server and tests
// can read what was sent).
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one e-mail.
type Message struct {
	To      string
	Subject string
	Body    string // plain text
	// MessageID is the id-left part of the Message-ID header (without
	// brackets or domain); the portal derives it from the outbox row so
	// that a receiver can drop a duplicate. Random when empty.
	MessageID string
	// Headers are extra header fields, in order: the structured
	// X-Licdesk-* headers by which License Desk recognises the portal's
	// e-mails in a mailbox (mailscan).
	Headers []Header
}

// Header is one extra header field.
type Header struct{ Name, Value string }

// The structured headers of the portal's e-mails (docs/design.md, Mail).
const (
	HeaderKind    = "X-Licdesk-Kind"    // seat.assigned, seat.invited, seat.removed, news.published
	HeaderLicense = "X-Licdesk-License" // the license's ID
	HeaderProduct = "X-Licdesk-Product" // the product's name
	HeaderPortal  = "X-Licdesk-Portal"  // the portal's address
	HeaderNews    = "X-Licdesk-News"    // the news item's ID
)

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// From is the sender address of the portal's e-mails.
const From = "License Desk <no-reply@licdesk.invalid>"

// Encode renders m as an RFC 5322 message dated now.
func Encode(m Message, now time.Time) []byte {
	var id [12]byte
	rand.Read(id[:])
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\n", From)
	fmt.Fprintf(&b, "To: %s\r\n", m.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	mid := hex.EncodeToString(id[:])
	if m.MessageID != "" {
		mid = m.MessageID
	}
	fmt.Fprintf(&b, "Message-ID: <%s@licdesk.invalid>\r\n", mid)
	for _, h := range m.Headers {
		fmt.Fprintf(&b, "%s: %s\r\n", headerSafe(h.Name), mime.QEncoding.Encode("utf-8", headerSafe(h.Value)))
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n")))
	qp.Close()
	b.WriteString("\r\n")
	return b.Bytes()
}

// headerSafe keeps a header's name or value on its line: a product name
// with a line break must not add header fields of its own.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// Dir writes each message as a .eml file into a folder.
type Dir struct {
	Path string
	Now  func() time.Time
}

// Send writes the message atomically (temporary file, then rename), so a
// reader of the folder never sees half a message.
func (d Dir) Send(_ context.Context, m Message) error {
	if err := os.MkdirAll(d.Path, 0o750); err != nil {
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	var r [4]byte
	rand.Read(r[:])
	t := now().UTC()
	name := fmt.Sprintf("%s-%s-%s.eml", t.Format("20060102T150405.000000000"), safeName(m.To), hex.EncodeToString(r[:]))
	tmp, err := os.CreateTemp(d.Path, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	if _, err := tmp.Write(Encode(m, t)); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	return os.Rename(tmp.Name(), filepath.Join(d.Path, name))
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '@' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

// SMTP sends through a mail server named by a URL:
// smtp://[user:password@]host:port (plain), smtp+starttls://... (upgrades
// with STARTTLS) or smtps://... (implicit TLS).
type SMTP struct {
	URL *url.URL
}

// ParseSMTP checks an SMTP URL.
func ParseSMTP(raw string) (SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps" && u.Scheme != "smtp+starttls") || u.Host == "" {
		return SMTP{}, fmt.Errorf("smtp url: want smtp://[user:pass@]host:port, smtp+starttls://... or smtps://...")
	}
	return SMTP{URL: u}, nil
}

// Send delivers one message.
func (s SMTP) Send(ctx context.Context, m Message) error {
	host := s.URL.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		if s.URL.Scheme == "smtps" {
			host = net.JoinHostPort(host, "465")
		} else {
			host = net.JoinHostPort(host, "25")
		}
	}
	// Dial with the context, and bound the whole conversation, so that a
	// mail server that stops answering cannot hold the sender forever.
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	deadline := time.Now().Add(time.Minute)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	conn.SetDeadline(deadline)
	var c *smtp.Client
	switch s.URL.Scheme {
	case "smtps":
		hostname, _, _ := net.SplitHostPort(host)
		c = smtp.NewClient(tls.Client(conn, &tls.Config{ServerName: hostname}))
	case "smtp+starttls":
		hostname, _, _ := net.SplitHostPort(host)
		c, err = smtp.NewClientStartTLS(conn, &tls.Config{ServerName: hostname})
	default:
		c = smtp.NewClient(conn)
	}
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	defer c.Close()
	if s.URL.User != nil {
		pass, _ := s.URL.User.Password()
		if err := c.Auth(sasl.NewPlainClient("", s.URL.User.Username(), pass)); err != nil {
			return fmt.Errorf("mail to %s: auth: %w", m.To, err)
		}
	}
	if err := c.SendMail("no-reply@licdesk.invalid", []string{m.To}, bytes.NewReader(Encode(m, time.Now().UTC()))); err != nil {
		return fmt.Errorf("mail to %s: %w", m.To, err)
	}
	return c.Quit()
}
