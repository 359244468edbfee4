// Package imapdemo serves an IMAP server inside the process, on a loopback
// address over TLS: go-imap's in-memory server (imapmemserver) with a
// certificate made on the fly. It is the mailbox of `licdesk --demo`, where
// the demo portal's e-mails arrive for the demo users (Sender), and the
// server the client's tests scan.
package imapdemo

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/licdesk/licdesk/portal/mail"
)

// Options set up a Server.
type Options struct {
	// Dir receives the certificate's PEM file (CAFile); "" makes a
	// throwaway folder that Close removes.
	Dir string
	// Users are the accounts, by address, with their passwords.
	Users map[string]string
	// NewUsersPassword, when set, gives any address mail is delivered to
	// a mailbox with this password (the demo: every demo user's inbox).
	NewUsersPassword string
	// StartTLS serves plain IMAP that upgrades with STARTTLS (the port-143
	// way) instead of TLS from the first byte.
	StartTLS bool
	// NotAfter is the certificate's end; zero is a year from now. A time
	// in the past serves an expired certificate (tests).
	NotAfter time.Time
}

// Server is an IMAP server in this process.
type Server struct {
	// Host and Port are where it listens; CAFile is its certificate, for
	// the clients to trust.
	Host   string
	Port   int
	CAFile string

	mem    *imapmemserver.Server
	srv    *imapserver.Server
	ln     net.Listener
	dir    string
	ownDir bool
	newPw  string

	mu    gosync.Mutex // guards users and conns
	users map[string]*imapmemserver.User
	conns map[net.Conn]struct{}
}

// Start serves the server on a free loopback port, each user with an empty
// INBOX.
func Start(o Options) (*Server, error) {
	s := &Server{mem: imapmemserver.New(), dir: o.Dir, newPw: o.NewUsersPassword, users: map[string]*imapmemserver.User{}, conns: map[net.Conn]struct{}{}}
	if s.dir == "" {
		d, err := os.MkdirTemp("", "licdesk-imap-")
		if err != nil {
			return nil, err
		}
		s.dir, s.ownDir = d, true
	}
	for addr, pw := range o.Users {
		if err := s.AddUser(addr, pw); err != nil {
			return nil, err
		}
	}
	notAfter := o.NotAfter
	if notAfter.IsZero() {
		notAfter = time.Now().AddDate(1, 0, 0)
	}
	cert, pemBytes, err := selfSigned(notAfter)
	if err != nil {
		return nil, err
	}
	s.CAFile = filepath.Join(s.dir, "imap-ca.pem")
	if err := os.WriteFile(s.CAFile, pemBytes, 0o644); err != nil {
		return nil, err
	}
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return s.mem.NewSession(), nil, nil
		},
		Caps:      caps,
		Logger:    log.New(io.Discard, "", 0),
		TLSConfig: tlsCfg, // offers STARTTLS on a plain listener
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	a := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", a.Port
	s.ln = ln
	// The server insists on a *tls.Conn to accept a login: the tracking
	// sits under TLS.
	if o.StartTLS {
		go s.srv.Serve(&trackingListener{Listener: ln, s: s})
	} else {
		go s.srv.Serve(tls.NewListener(&trackingListener{Listener: ln, s: s}, tlsCfg))
	}
	return s, nil
}

// selfSigned makes a certificate for 127.0.0.1 and its PEM.
func selfSigned(notAfter time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	notBefore := time.Now().Add(-time.Hour)
	if notAfter.Before(notBefore) {
		notBefore = notAfter.AddDate(0, -1, 0)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "License Desk demo mail"},
		NotBefore: notBefore, NotAfter: notAfter, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemBytes, nil
}

// trackingListener keeps the open connections, so that DropConnections
// can cut them as a failing network would.
type trackingListener struct {
	net.Listener
	s *Server
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.mu.Lock()
	l.s.conns[c] = struct{}{}
	l.s.mu.Unlock()
	return &trackedConn{Conn: c, s: l.s}, nil
}

type trackedConn struct {
	net.Conn
	s *Server
}

func (c *trackedConn) Close() error {
	c.s.mu.Lock()
	delete(c.s.conns, c.Conn)
	c.s.mu.Unlock()
	return c.Conn.Close()
}

// EnsureUser adds an account unless it exists.
func (s *Server) EnsureUser(addr, password string) error {
	if _, err := s.user(addr); err == nil {
		return nil
	}
	return s.AddUser(addr, password)
}

// AddUser adds an account with an empty INBOX (replacing one of the same
// address).
func (s *Server) AddUser(addr, password string) error {
	addr = strings.ToLower(strings.TrimSpace(addr))
	u := imapmemserver.NewUser(addr, password)
	if err := u.Create("INBOX", nil); err != nil {
		return err
	}
	s.mem.AddUser(u)
	s.mu.Lock()
	s.users[addr] = u
	s.mu.Unlock()
	return nil
}

// ErrNoUser: the server has no such account.
var ErrNoUser = errors.New("no such mailbox user")

func (s *Server) user(addr string) (*imapmemserver.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[strings.ToLower(strings.TrimSpace(addr))]
	if u == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoUser, addr)
	}
	return u, nil
}

// Deliver appends a message to a user's INBOX.
func (s *Server) Deliver(addr string, raw []byte) error {
	u, err := s.user(addr)
	if errors.Is(err, ErrNoUser) && s.newPw != "" {
		if err = s.AddUser(addr, s.newPw); err == nil {
			u, err = s.user(addr)
		}
	}
	if err != nil {
		return err
	}
	_, err = u.Append("INBOX", literal{bytes.NewReader(raw)}, &imap.AppendOptions{Time: time.Now()})
	return err
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

// RenumberInbox deletes and re-creates a user's INBOX, which gives it a new
// UIDVALIDITY, as a server does after a rebuild (tests).
func (s *Server) RenumberInbox(addr string) error {
	u, err := s.user(addr)
	if err != nil {
		return err
	}
	if err := u.Delete("INBOX"); err != nil {
		return err
	}
	return u.Create("INBOX", nil)
}

// DropConnections cuts every open connection, as a failing network would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
		delete(s.conns, c)
	}
}

// Close stops the server and removes a throwaway folder.
func (s *Server) Close() {
	s.ln.Close() // Serve may not have taken the listener yet
	s.srv.Close()
	s.DropConnections()
	if s.ownDir {
		os.RemoveAll(s.dir)
	}
}

// Sender delivers the portal's e-mails into the server's mailboxes (to the
// users it has) and to Next as well: the demo portal's mail reaches both
// its mail folder and the demo users' IMAP inboxes.
type Sender struct {
	Server *Server
	Next   mail.Sender
}

// Send delivers m.
func (s Sender) Send(ctx context.Context, m mail.Message) error {
	if s.Next != nil {
		if err := s.Next.Send(ctx, m); err != nil {
			return err
		}
	}
	err := s.Server.Deliver(m.To, mail.Encode(m, time.Now().UTC()))
	if errors.Is(err, ErrNoUser) {
		return nil // an address with no demo mailbox: the folder copy is all
	}
	return err
}
