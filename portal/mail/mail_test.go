package mail_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/portal/mail"
)

// inbox is a real SMTP server on loopback (go-smtp) that keeps what it
// receives, and accepts only user/secret.
type inbox struct {
	mu   sync.Mutex
	msgs []received
}

type received struct {
	from string
	to   []string
	data string
}

type session struct {
	in     *inbox
	authed bool
	cur    received
}

func (in *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{in: in}, nil }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "user" || pass != "secret" {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = string(b)
	s.in.mu.Lock()
	s.in.msgs = append(s.in.msgs, s.cur)
	s.in.mu.Unlock()
	s.cur = received{}
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

func startInbox(t *testing.T) (*inbox, string) {
	in := &inbox{}
	srv := smtp.NewServer(in)
	srv.AllowInsecureAuth = true
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return in, ln.Addr().String()
}

func TestSMTP_DeliversToARealServerWithAuth(t *testing.T) {
	in, addr := startInbox(t)
	s, err := mail.ParseSMTP("smtp://user:secret@" + addr)
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), mail.Message{To: "dora@newhire.example",
		Subject: "Acme Engenharia assigned you a seat — créez votre compte", Body: "Hello,\nline two\n"}))
	require.Len(t, in.msgs, 1)
	m := in.msgs[0]
	assert.Equal(t, []string{"dora@newhire.example"}, m.to)
	assert.Contains(t, m.data, "To: dora@newhire.example")
	assert.Contains(t, m.data, "Subject: =?utf-8?q?", "a non-ASCII subject is encoded")
	assert.Contains(t, m.data, "line two")
}

func TestSMTP_RefusesBadURLsAndReportsAuthFailures(t *testing.T) {
	for _, bad := range []string{"", "http://x", "smtp://", "mailto:a@b"} {
		_, err := mail.ParseSMTP(bad)
		assert.Error(t, err, bad)
	}
	in, addr := startInbox(t)
	s, err := mail.ParseSMTP("smtp://user:wrong@" + addr)
	require.NoError(t, err)
	err = s.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "s", Body: "b"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "auth")
	assert.Empty(t, in.msgs)
}

func TestDir_WritesEachMessageAsOneCompleteEmlFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	d := mail.Dir{Path: dir}
	require.NoError(t, d.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "One", Body: "x"}))
	require.NoError(t, d.Send(context.Background(), mail.Message{To: "a@b.example", Subject: "Two", Body: "y"}))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Len(t, names, 2, "no temporary files left: %v", names)
	for _, n := range names {
		assert.True(t, strings.HasSuffix(n, ".eml"), n)
		b, err := os.ReadFile(filepath.Join(dir, n))
		require.NoError(t, err)
		assert.Contains(t, string(b), "MIME-Version: 1.0")
	}
}

func TestEncode_StructuredHeadersStayOnTheirLine(t *testing.T) {
	raw := string(mail.Encode(mail.Message{To: "a@example.com", Subject: "s", Body: "b",
		Headers: []mail.Header{{Name: mail.HeaderKind, Value: "seat.assigned"},
			{Name: mail.HeaderProduct, Value: "Evil\r\nBcc: victim@example.com"}}}, time.Unix(0, 0)))
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	assert.Contains(t, head, "\r\nX-Licdesk-Kind: seat.assigned\r\n")
	assert.Contains(t, head, "\r\nX-Licdesk-Product: Evil  Bcc: victim@example.com\r\n")
	assert.NotContains(t, head, "\r\nBcc:")
}
