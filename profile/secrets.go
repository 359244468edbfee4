package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/zalando/go-keyring"
)

// Keyring is the operating system's secret store as go-keyring offers it;
// tests give a fake.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// SystemKeyring is the real keyring (Secret Service, Keychain, Credential
// Manager) through go-keyring; keyring.MockInit swaps it in tests.
type SystemKeyring struct{}

// Get reads a secret.
func (SystemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }

// Set stores a secret.
func (SystemKeyring) Set(service, user, secret string) error {
	return keyring.Set(service, user, secret)
}

// Delete removes a secret.
func (SystemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// SecretsMode says where secrets may go.
type SecretsMode int

// The modes of a secret store.
const (
	// KeyringOrFile uses the keyring, and the token file when no keyring
	// service answers.
	KeyringOrFile SecretsMode = iota
	// KeyringOnly refuses to write secrets to a file.
	KeyringOnly
	// FileOnly keeps secrets in the token file (headless machines, tests).
	FileOnly
)

// ParseSecretsMode reads LICDESK_SECRETS.
func ParseSecretsMode(s string) (SecretsMode, error) {
	switch s {
	case "", "auto":
		return KeyringOrFile, nil
	case "keyring":
		return KeyringOnly, nil
	case "file":
		return FileOnly, nil
	}
	return 0, fmt.Errorf("%s must be keyring, file or empty, not %q", EnvSecrets, s)
}

// Place is where a secret is kept.
type Place string

// The places a secret may be kept.
const (
	InKeyring Place = "keyring"
	InFile    Place = "file"
	Nowhere   Place = ""
)

// ErrNoSecret means no secret is stored under that name.
var ErrNoSecret = errors.New("no secret stored")

// keyringService is the service name License Desk's secrets are filed under.
const keyringService = "licdesk"

// tokenFile is the fallback file's name inside the profile.
const tokenFile = "secrets.json"

// Secrets keeps named secrets (session tokens) in the keyring, or in a file
// of the profile readable by the user only when the keyring cannot be used.
type Secrets struct {
	dir     string
	mode    SecretsMode
	keyring Keyring
	// mu serialises the token file's read-modify-write within a process.
	mu sync.Mutex
	// why is the keyring's failure that sent a secret to the file.
	whyMu sync.Mutex
	why   error
}

func (s *Secrets) setWhy(err error) {
	s.whyMu.Lock()
	s.why = err
	s.whyMu.Unlock()
}

// NewSecrets builds a store over a profile folder.
func NewSecrets(dir string, mode SecretsMode, kr Keyring) *Secrets {
	return &Secrets{dir: dir, mode: mode, keyring: kr}
}

// FilePath names the fallback token file.
func (s *Secrets) FilePath() string { return filepath.Join(s.dir, tokenFile) }

// KeyringError is why the keyring could not be used the last time it was
// tried, nil when it worked or was not tried.
func (s *Secrets) KeyringError() error {
	s.whyMu.Lock()
	defer s.whyMu.Unlock()
	return s.why
}

// Set stores a secret and says where it went.
func (s *Secrets) Set(name, secret string) (Place, error) {
	if s.mode != FileOnly {
		err := s.keyring.Set(keyringService, name, secret)
		if err == nil {
			s.setWhy(nil)
			// A copy left in the file by an earlier fallback goes.
			if err := s.fileUpdate(func(m map[string]string) { delete(m, name) }); err != nil {
				return InKeyring, err
			}
			return InKeyring, nil
		}
		if s.mode == KeyringOnly {
			return Nowhere, fmt.Errorf("store the token in the keyring: %w", err)
		}
		s.setWhy(err)
	}
	if err := s.fileUpdate(func(m map[string]string) { m[name] = secret }); err != nil {
		return Nowhere, err
	}
	return InFile, nil
}

// Get reads a secret and says where it was; ErrNoSecret when there is none.
func (s *Secrets) Get(name string) (string, Place, error) {
	if s.mode != FileOnly {
		v, err := s.keyring.Get(keyringService, name)
		switch {
		case err == nil:
			return v, InKeyring, nil
		case errors.Is(err, keyring.ErrNotFound):
		case s.mode == KeyringOnly:
			return "", Nowhere, fmt.Errorf("read the token from the keyring: %w", err)
		default:
			s.setWhy(err)
		}
	}
	m, err := s.fileRead()
	if err != nil {
		return "", Nowhere, err
	}
	if v, ok := m[name]; ok {
		return v, InFile, nil
	}
	return "", Nowhere, ErrNoSecret
}

// Delete removes a secret from wherever it is.
func (s *Secrets) Delete(name string) error {
	if s.mode != FileOnly {
		if err := s.keyring.Delete(keyringService, name); err != nil && !errors.Is(err, keyring.ErrNotFound) && s.mode == KeyringOnly {
			return fmt.Errorf("remove the token from the keyring: %w", err)
		}
	}
	return s.fileUpdate(func(m map[string]string) { delete(m, name) })
}

func (s *Secrets) fileRead() (map[string]string, error) {
	b, err := os.ReadFile(s.FilePath())
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read token file: %w", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("token file %s is damaged: log in again after removing it", s.FilePath())
	}
	return m, nil
}

// fileUpdate rewrites the token file through a private temporary file, so
// that it is never readable by others nor half written.
func (s *Secrets) fileUpdate(change func(map[string]string)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.fileRead()
	if err != nil {
		return err
	}
	before := len(m)
	change(m)
	if len(m) == 0 {
		if before == 0 {
			return nil
		}
		if err := os.Remove(s.FilePath()); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove token file: %w", err)
		}
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(s.dir, ".secrets-*")
	if err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write token file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	if err := os.Rename(tmp, s.FilePath()); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	return nil
}
