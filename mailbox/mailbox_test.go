package mailbox_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/mailbox"
	"github.com/licdesk/licdesk/mailbox/imapdemo"
)

// server is an IMAP server the tests drive: go-imap's in-memory one in
// process, or a real Dovecot started by scripts/with-dovecot.sh.
type server interface {
	config(t *testing.T) mailbox.Config
	deliver(t *testing.T, raw []byte)
	renumber(t *testing.T)
	drop(t *testing.T)
}

type memServer struct {
	s    *imapdemo.Server
	user string
}

func newMem(t *testing.T, o imapdemo.Options) *memServer {
	o.Users = map[string]string{"ana@example.com": "secret"}
	s, err := imapdemo.Start(o)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return &memServer{s: s, user: "ana@example.com"}
}

func (m *memServer) config(*testing.T) mailbox.Config {
	return mailbox.Config{Security: mailbox.ImplicitTLS, Host: m.s.Host, Port: m.s.Port, User: m.user, Password: "secret", CAFile: m.s.CAFile}
}
func (m *memServer) deliver(t *testing.T, raw []byte) { require.NoError(t, m.s.Deliver(m.user, raw)) }
func (m *memServer) renumber(t *testing.T)            { require.NoError(t, m.s.RenumberInbox(m.user)) }
func (m *memServer) drop(*testing.T)                  { m.s.DropConnections() }

// dovecot is the real server of scripts/with-dovecot.sh, which exports
// where it listens, its certificate, its config (for doveadm) and one
// user per test run.
type dovecot struct {
	host           string
	port           int
	ca, conf, user string
	pass, maildir  string
	n              atomic.Int64
}

var dovecotUser atomic.Int64

func newDovecot(t *testing.T) *dovecot {
	addr := os.Getenv("LICDESK_TEST_DOVECOT")
	if addr == "" {
		t.Skip("no Dovecot: run under scripts/with-dovecot.sh (make test does)")
	}
	host, port, _ := strings.Cut(addr, ":")
	p, _ := strconv.Atoi(port)
	d := &dovecot{host: host, port: p, ca: os.Getenv("LICDESK_TEST_DOVECOT_CA"), conf: os.Getenv("LICDESK_TEST_DOVECOT_CONF"),
		pass: os.Getenv("LICDESK_TEST_DOVECOT_PASSWORD")}
	// Each test gets its own user (the passwd-file takes any name under
	// the script's user list) so tests never see each other's mail.
	users := strings.Fields(os.Getenv("LICDESK_TEST_DOVECOT_USERS"))
	i := int(dovecotUser.Add(1)) - 1
	if i >= len(users) {
		t.Skip("the Dovecot script made too few users")
	}
	d.user = users[i]
	d.maildir = filepath.Join(os.Getenv("LICDESK_TEST_DOVECOT_MAIL"), d.user, "Maildir")
	return d
}

func (d *dovecot) config(*testing.T) mailbox.Config {
	return mailbox.Config{Security: mailbox.ImplicitTLS, Host: d.host, Port: d.port, User: d.user, Password: d.pass, CAFile: d.ca}
}

// deliver drops the message into the Maildir's new/, as a local delivery
// agent does.
func (d *dovecot) deliver(t *testing.T, raw []byte) {
	for _, sub := range []string{"tmp", "new", "cur"} {
		require.NoError(t, os.MkdirAll(filepath.Join(d.maildir, sub), 0o777))
	}
	name := fmt.Sprintf("%d.M%dP%d.licdesk-test", time.Now().Unix(), d.n.Add(1), os.Getpid())
	tmp := filepath.Join(d.maildir, "tmp", name)
	require.NoError(t, os.WriteFile(tmp, raw, 0o666))
	require.NoError(t, os.Rename(tmp, filepath.Join(d.maildir, "new", name)))
}

func (d *dovecot) doveadm(t *testing.T, args ...string) {
	out, err := exec.Command("doveadm", append([]string{"-c", d.conf}, args...)...).CombinedOutput()
	require.NoError(t, err, "doveadm %v: %s", args, out)
}

func (d *dovecot) renumber(t *testing.T) {
	d.doveadm(t, "mailbox", "update", "-u", d.user, "--uid-validity", strconv.FormatInt(time.Now().UnixNano()%1e9+1, 10), "INBOX")
}

func (d *dovecot) drop(t *testing.T) { d.doveadm(t, "kick", d.user) }

func servers(t *testing.T) map[string]func(t *testing.T) server {
	return map[string]func(t *testing.T) server{
		"memserver": func(t *testing.T) server { return newMem(t, imapdemo.Options{}) },
		"dovecot":   func(t *testing.T) server { return newDovecot(t) },
	}
}

func msg(n int) []byte {
	return []byte(fmt.Sprintf("From: shop@vendor.example\r\nTo: ana@example.com\r\nSubject: order %d\r\nMessage-ID: <m%d@vendor.example>\r\n\r\nLicense number: N-%04d\r\n", n, n, n))
}

func scanAll(t *testing.T, ctx context.Context, c *mailbox.Conn, from mailbox.Mark) (mailbox.Scanned, []string) {
	t.Helper()
	var subjects []string
	res, err := c.Scan(ctx, from, 1<<20, func(it mailbox.Item) error {
		subjects = append(subjects, subject(it.Raw))
		return nil
	})
	require.NoError(t, err)
	return res, subjects
}

func subject(raw []byte) string {
	for _, l := range strings.Split(string(raw), "\r\n") {
		if s, ok := strings.CutPrefix(l, "Subject: "); ok {
			return s
		}
	}
	return ""
}

func eventually(t *testing.T, f func() bool) {
	t.Helper()
	require.Eventually(t, f, 10*time.Second, 20*time.Millisecond)
}

func TestScan_ReadsEachMessageOnceAndResumesFromTheMark(t *testing.T) {
	for name, mk := range servers(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			s.deliver(t, msg(1))
			s.deliver(t, msg(2))
			c, err := mailbox.Dial(ctx, s.config(t))
			require.NoError(t, err)
			defer c.Close()
			var res mailbox.Scanned
			var got []string
			eventually(t, func() bool {
				res, got = scanAll(t, ctx, c, mailbox.Mark{})
				return len(got) == 2
			})
			assert.Equal(t, []string{"order 1", "order 2"}, got)
			assert.NotZero(t, res.Mark.UIDValidity)

			again, got := scanAll(t, ctx, c, res.Mark)
			assert.Empty(t, got, "a message is read once")
			assert.Equal(t, res.Mark, again.Mark)

			s.deliver(t, msg(3))
			eventually(t, func() bool {
				res2, got := scanAll(t, ctx, c, res.Mark)
				return assert.ObjectsAreEqual([]string{"order 3"}, got) && res2.Mark.LastUID > res.Mark.LastUID
			})
		})
	}
}

func TestScan_LeavesMessagesUnread(t *testing.T) {
	for name, mk := range servers(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			s.deliver(t, msg(1))
			c, err := mailbox.Dial(ctx, s.config(t))
			require.NoError(t, err)
			defer c.Close()
			eventually(t, func() bool { _, got := scanAll(t, ctx, c, mailbox.Mark{}); return len(got) == 1 })
			assert.Equal(t, []bool{false}, seenFlags(t, s.config(t)), "BODY.PEEK keeps the message unread")
		})
	}
}

// seenFlags reads the \Seen flag of each message in INBOX over a
// connection of its own.
func seenFlags(t *testing.T, cfg mailbox.Config) []bool {
	pem, err := os.ReadFile(cfg.CAFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := imapclient.DialTLS(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool, ServerName: cfg.Host}})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(cfg.User, cfg.Password).Wait())
	_, err = c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	require.NoError(t, err)
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	require.NoError(t, err)
	out := []bool{}
	for _, m := range msgs {
		seen := false
		for _, f := range m.Flags {
			seen = seen || f == imap.FlagSeen
		}
		out = append(out, seen)
	}
	return out
}

func TestScan_AfterADroppedConnectionTheNextScanResumes(t *testing.T) {
	for name, mk := range servers(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			for i := 1; i <= 3; i++ {
				s.deliver(t, msg(i))
			}
			cfg := s.config(t)
			c, err := mailbox.Dial(ctx, cfg)
			require.NoError(t, err)
			var kept []string
			var mark mailbox.Mark
			eventually(t, func() bool { f, _ := c.Examine(ctx); return f.Messages == 3 })
			res, err := c.Scan(ctx, mark, 1<<20, func(it mailbox.Item) error {
				kept = append(kept, subject(it.Raw))
				if len(kept) == 1 {
					s.drop(t) // the network fails after the first message was recorded
				}
				return nil
			})
			require.Error(t, err, "the scan reports the drop")
			c.Close()
			assert.Equal(t, []string{"order 1"}, kept)
			assert.NotZero(t, res.Mark.LastUID, "the mark covers the message recorded")

			c, err = mailbox.Dial(ctx, cfg)
			require.NoError(t, err)
			defer c.Close()
			_, got := scanAll(t, ctx, c, res.Mark)
			assert.Equal(t, []string{"order 2", "order 3"}, got, "the next scan resumes after it")
		})
	}
}

func TestScan_AChangedUIDValidityStartsOver(t *testing.T) {
	for name, mk := range servers(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			s.deliver(t, msg(1))
			cfg := s.config(t)
			c, err := mailbox.Dial(ctx, cfg)
			require.NoError(t, err)
			var res mailbox.Scanned
			eventually(t, func() bool { var got []string; res, got = scanAll(t, ctx, c, mailbox.Mark{}); return len(got) == 1 })
			c.Close()
			s.renumber(t)
			s.deliver(t, msg(2))
			c, err = mailbox.Dial(ctx, cfg)
			require.NoError(t, err)
			defer c.Close()
			var again mailbox.Scanned
			var got []string
			eventually(t, func() bool { again, got = scanAll(t, ctx, c, res.Mark); return again.Reset && len(got) > 0 })
			assert.NotEqual(t, res.Mark.UIDValidity, again.Mark.UIDValidity)
			assert.Contains(t, got, "order 2")
		})
	}
}

func TestWait_IdleWakesOnDelivery(t *testing.T) {
	for name, mk := range servers(t) {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			c, err := mailbox.Dial(ctx, s.config(t))
			require.NoError(t, err)
			defer c.Close()
			require.True(t, c.Idle())
			go func() {
				time.Sleep(300 * time.Millisecond)
				s.deliver(t, msg(7))
			}()
			start := time.Now()
			require.NoError(t, c.Wait(ctx, 20*time.Second))
			assert.Less(t, time.Since(start), 15*time.Second, "woken by the delivery, not the timeout")
			_, got := scanAll(t, ctx, c, mailbox.Mark{})
			assert.Equal(t, []string{"order 7"}, got)
		})
	}
}

func TestWait_EndsWithItsContext(t *testing.T) {
	s := newMem(t, imapdemo.Options{})
	c, err := mailbox.Dial(context.Background(), s.config(t))
	require.NoError(t, err)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, c.Wait(ctx, time.Minute), context.DeadlineExceeded)
}

func TestDial_RefusalsAreOneClearError(t *testing.T) {
	ok := newMem(t, imapdemo.Options{})
	expired := newMem(t, imapdemo.Options{NotAfter: time.Now().Add(-24 * time.Hour)})
	tests := []struct {
		name string
		cfg  func() mailbox.Config
		is   error
		says string
	}{
		{"wrong password", func() mailbox.Config { c := ok.config(t); c.Password = "nope"; return c }, mailbox.ErrAuth, "refused the user name or password"},
		{"no such folder", func() mailbox.Config { c := ok.config(t); c.Folder = "Licenses"; return c }, mailbox.ErrNoFolder, `"Licenses"`},
		{"untrusted certificate", func() mailbox.Config { c := ok.config(t); c.CAFile = ""; return c }, mailbox.ErrCertificate, "--insecure-skip-verify"},
		{"expired certificate", func() mailbox.Config { return expired.config(t) }, mailbox.ErrCertificate, "expired"},
		{"nobody listening", func() mailbox.Config { c := ok.config(t); c.Port = freePort(t); return c }, nil, "connect to 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mailbox.Dial(context.Background(), tt.cfg())
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Contains(t, err.Error(), tt.says)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
	c := ok.config(t)
	c.CAFile, c.InsecureSkipVerify = "", true
	conn, err := mailbox.Dial(context.Background(), c)
	require.NoError(t, err, "--insecure-skip-verify accepts a self-signed server")
	conn.Close()
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestScan_ALargeMessageIsHandedOverUnread(t *testing.T) {
	s := newMem(t, imapdemo.Options{})
	ctx := context.Background()
	big := append(msg(1), bytes.Repeat([]byte("x"), 3<<20)...)
	s.deliver(t, big)
	s.deliver(t, msg(2))
	c, err := mailbox.Dial(ctx, s.config(t))
	require.NoError(t, err)
	defer c.Close()
	var items []mailbox.Item
	res, err := c.Scan(ctx, mailbox.Mark{}, 1<<20, func(it mailbox.Item) error { items = append(items, it); return nil })
	require.NoError(t, err)
	require.Len(t, items, 2)
	assert.True(t, items[0].TooLarge)
	assert.Nil(t, items[0].Raw)
	assert.Equal(t, int64(len(big)), items[0].Size)
	assert.Equal(t, "order 2", subject(items[1].Raw))
	assert.Equal(t, 2, res.Seen)
}

func TestScan_AHandlerErrorStopsBeforeTheMessage(t *testing.T) {
	s := newMem(t, imapdemo.Options{})
	ctx := context.Background()
	s.deliver(t, msg(1))
	s.deliver(t, msg(2))
	c, err := mailbox.Dial(ctx, s.config(t))
	require.NoError(t, err)
	defer c.Close()
	boom := errors.New("disk full")
	n := 0
	res, err := c.Scan(ctx, mailbox.Mark{}, 1<<20, func(mailbox.Item) error {
		n++
		if n == 2 {
			return boom
		}
		return nil
	})
	assert.ErrorIs(t, err, boom)
	_, got := scanAll(t, ctx, c, res.Mark)
	assert.Equal(t, []string{"order 2"}, got, "the message not recorded is read again")
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, url, err string
	}{
		{"imaps://ana@mail.example.com", "imaps://ana@mail.example.com:993", ""},
		{"imap://ana%40example.com@mail.example.com:1143", "imap://ana%40example.com@mail.example.com:1143", ""},
		{"imaps://ana@example.com@mail.example.com", "imaps://ana%40example.com@mail.example.com:993", ""},
		{"imaps://mail.example.com", "", "name the user"},
		{"imaps://ana:pw@mail.example.com", "", "leave the password out"},
		{"http://ana@mail.example.com", "", "scheme"},
		{"imaps://ana@mail.example.com/INBOX", "", "--folder"},
		{"imaps://ana@mail.example.com:99999", "", "bad port"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := mailbox.ParseURL(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.url, c.URL())
		})
	}
}

func TestDial_StartTLSUpgradesBeforeTheLogin(t *testing.T) {
	for name, mk := range map[string]func(t *testing.T) (mailbox.Config, func([]byte)){
		"memserver": func(t *testing.T) (mailbox.Config, func([]byte)) {
			m := newMem(t, imapdemo.Options{StartTLS: true})
			return m.config(t), func(raw []byte) { m.deliver(t, raw) }
		},
		"dovecot": func(t *testing.T) (mailbox.Config, func([]byte)) {
			d := newDovecot(t)
			_, port, _ := strings.Cut(os.Getenv("LICDESK_TEST_DOVECOT_STARTTLS"), ":")
			p, _ := strconv.Atoi(port)
			c := d.config(t)
			c.Port = p
			return c, func(raw []byte) { d.deliver(t, raw) }
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg, deliver := mk(t)
			cfg.Security = mailbox.StartTLS
			deliver(msg(1))
			ctx := context.Background()
			c, err := mailbox.Dial(ctx, cfg)
			require.NoError(t, err)
			defer c.Close()
			eventually(t, func() bool { _, got := scanAll(t, ctx, c, mailbox.Mark{}); return len(got) == 1 })

			cfg.CAFile = ""
			_, err = mailbox.Dial(ctx, cfg)
			assert.ErrorIs(t, err, mailbox.ErrCertificate, "STARTTLS checks the certificate as implicit TLS does")
		})
	}
}

func TestDial_ImplicitTLSToAPlainPortFailsInOneLine(t *testing.T) {
	m := newMem(t, imapdemo.Options{StartTLS: true})
	cfg := m.config(t)
	cfg.Timeout = 2 * time.Second
	_, err := mailbox.Dial(context.Background(), cfg)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\n")
}

func TestDial_AWrongPasswordIsOneLineOnARealServer(t *testing.T) {
	d := newDovecot(t)
	cfg := d.config(t)
	cfg.Password = "wrong"
	_, err := mailbox.Dial(context.Background(), cfg)
	require.ErrorIs(t, err, mailbox.ErrAuth)
	assert.NotContains(t, err.Error(), "\n")
}
