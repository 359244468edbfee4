package machine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
)

// Environment variables shared by licdesk and the programs it launches.
const (
	// EnvHome names the profile folder (default: "licdesk" in the user's
	// config folder), as for the licdesk command.
	EnvHome = "LICDESK_HOME"
	// EnvLicenseFile names the license file to check; "licdesk launch" sets
	// it for the program it starts.
	EnvLicenseFile = "LICDESK_LICENSE_FILE"
)

// HomeDir resolves the profile folder as licdesk does: $LICDESK_HOME made
// absolute, else "licdesk" in os.UserConfigDir. getenv is os.Getenv outside
// tests.
func HomeDir(getenv func(string) string) (string, error) {
	if d := getenv(EnvHome); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", fmt.Errorf("profile folder %s: %w", EnvHome, err)
		}
		return abs, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no profile folder: set %s (%w)", EnvHome, err)
	}
	return filepath.Join(base, "licdesk"), nil
}

// Files and folders of a store, relative to its folder.
const (
	licensesDir    = "licenses"
	activationsDir = "activations"
	requestsDir    = "requests"
	trustFile      = "trust.json"
	licenseExt     = ".lic"
	requestExt     = ".req"
)

// maxStateFile bounds the store's own JSON files (offline state, activation
// records): they are small, and a damaged or planted huge file must not be
// read whole into memory.
const maxStateFile = 64 << 10

// clockGranularity is how far past the high-water mark a time must be for
// the mark to be rewritten: the mark need only be accurate to well within
// licensefile.DefaultSkew, and skipping the write keeps a program's start-up
// check from writing a file at every start.
const clockGranularity = time.Minute

// ErrNotInstalled means the store holds no license file for the product.
var ErrNotInstalled = errors.New("no license installed for this product")

// ErrDamaged means one of the store's own files cannot be parsed.
var ErrDamaged = errors.New("damaged profile file")

// Store is the local license store in a profile folder (see the package
// doc). Its methods are safe for concurrent use within a process; between
// processes every write is atomic, and the offline state is re-read just
// before it is written so that the clock mark does not move back.
type Store struct {
	dir string
	// stateDir holds the second copy of the offline state ("" for none).
	stateDir string
	// readFP reads this machine's fingerprint, which seals the state.
	readFP func(context.Context) (core.Fingerprint, error)
	// mu serializes read-modify-write of the store's JSON files.
	mu sync.Mutex
}

// StoreOptions tune OpenStoreWith.
type StoreOptions struct {
	// StateDir is the folder of the second copy of the offline state;
	// empty means $LICDESK_STATE_DIR, else "licdesk-state" in the user's
	// config folder.
	StateDir string
	// Fingerprint reads this machine's fingerprint; nil means a System()
	// source the store owns (read once, then memoised).
	Fingerprint func(context.Context) (core.Fingerprint, error)
}

// OpenStore returns the store in profile folder dir. Nothing is created
// until something is written, so a check in a folder that does not exist
// reports "not activated" and leaves no trace.
func OpenStore(dir string) (*Store, error) { return OpenStoreWith(dir, StoreOptions{}) }

// OpenStoreWith is OpenStore with options (tests give their own state
// folder and fingerprint).
func OpenStoreWith(dir string, opt StoreOptions) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open license store: no profile folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open license store: %w", err)
	}
	s := &Store{dir: abs, stateDir: opt.StateDir, readFP: opt.Fingerprint}
	if s.stateDir == "" {
		s.stateDir = defaultStateDir(os.Getenv)
	} else if s.stateDir, err = filepath.Abs(s.stateDir); err != nil {
		return nil, fmt.Errorf("open license store: %w", err)
	}
	if s.readFP == nil {
		// The store owns one system source: its reads after the first
		// are answered from memory.
		src := System()
		s.readFP = func(ctx context.Context) (core.Fingerprint, error) { return CollectFrom(ctx, src) }
	}
	return s, nil
}

// Dir is the store's profile folder.
func (s *Store) Dir() string { return s.dir }

// Slug is the file name stem of a product's license file: the product name
// in lower-case letters and digits joined by dashes (at most 48 bytes), then
// 8 hex digits of its SHA-256, so that names differing only in case or
// punctuation ("CAD Studio", "cad-studio") never share a file.
func Slug(product string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(product) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 48 {
			break
		}
	}
	sum := sha256.Sum256([]byte(product))
	stem := b.String()
	if stem == "" {
		stem = "product"
	}
	return stem + "-" + hex.EncodeToString(sum[:4])
}

// checkProduct refuses product names no license file can carry.
func checkProduct(product string) error {
	if product == "" || len(product) > 200 || !utf8.ValidString(product) {
		return fmt.Errorf("product name %q: want 1 to 200 bytes of UTF-8", product)
	}
	return nil
}

// LicensePath is where the product's license file lives.
func (s *Store) LicensePath(product string) (string, error) {
	if err := checkProduct(product); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, licensesDir, Slug(product)+licenseExt), nil
}

// ReadLicense returns the product's license file, unverified; ErrNotInstalled
// when there is none.
func (s *Store) ReadLicense(ctx context.Context, product string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := s.LicensePath(product)
	if err != nil {
		return nil, err
	}
	return readLicenseFile(p)
}

// readLicenseFile reads at most one byte more than a license file may hold,
// so that licensefile.Verify reports an oversized file as too large rather
// than this package reading it whole.
func readLicenseFile(path string) ([]byte, error) {
	b, err := readCapped(path, licensefile.MaxFileSize+1)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (%s)", ErrNotInstalled, path)
	}
	return b, err
}

// readCapped reads at most limit bytes of path.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return b, nil
}

// Installed is one license file of the store.
type Installed struct {
	Path    string
	Payload licensefile.Payload // zero when Err is set
	Err     error               // why the file does not verify against the trusted keys
}

// Licenses lists the store's license files, each verified against the
// trusted keys (a file that does not verify is listed with its error).
func (s *Store) Licenses(ctx context.Context) ([]Installed, error) {
	ks, err := s.KeySet(ctx)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, licensesDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list licenses: %w", err)
	}
	var out []Installed
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), licenseExt) {
			continue
		}
		in := Installed{Path: filepath.Join(s.dir, licensesDir, e.Name())}
		b, err := readLicenseFile(in.Path)
		if err == nil {
			in.Payload, err = ks.Verify(b)
		}
		in.Err = err
		out = append(out, in)
	}
	return out, nil
}

// Install verifies a signed license file and stores it as its product's
// license, replacing the previous one. It refuses, changing nothing: a file
// that does not verify against the trusted key set (CodeSignature: unknown
// or revoked key, signed outside its key's window), a deactivation receipt
// (CodeNotActivated), a clock set back (CodeClockSetBack), a file not yet
// valid, expired or past its lease (CodeNotYetValid, CodeExpired,
// CodeLeaseEnded), a node-locked file that does not match fp when fp is
// given (CodeOtherMachine, CodeHardwareChanged), the file of an activation
// this machine gave up (CodeDeactivated), a file older than the one
// installed (CodeOutdated: a replayed response), and, when the offline
// state went missing while licenses are installed, any file but one fresh
// from the portal (CodeStateMissing). On success it raises the clock mark
// to the file's issue time and ends any hardware grace the product was in.
// The refusals are *Reason errors.
func (s *Store) Install(ctx context.Context, file []byte, now time.Time, fp core.Fingerprint) (licensefile.Payload, error) {
	return s.install(ctx, file, now, fp, false)
}

// install is Install; answered is set when the file comes in the signed
// response to a request this machine wrote (nonce-bound, so fresh from the
// portal however long it took to carry).
func (s *Store) install(ctx context.Context, file []byte, now time.Time, fp core.Fingerprint, answered bool) (licensefile.Payload, error) {
	if err := ctx.Err(); err != nil {
		return licensefile.Payload{}, err
	}
	ks, err := s.KeySet(ctx)
	if err != nil {
		return licensefile.Payload{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Not told the machine (fp nil), Install keeps the state bound as it
	// is (or unbound, for a new one): the next check binds it.
	st, present, bound, err := s.loadState(fp)
	if err != nil {
		return licensefile.Payload{}, err
	}
	seal := fp
	if seal == nil {
		seal = bound
	}
	ks, err = withRevocations(ks, st)
	if err != nil {
		return licensefile.Payload{}, err
	}
	p, err := ks.Verify(file)
	if err != nil {
		return licensefile.Payload{}, signatureReason(err, len(ks.Keys) == 0)
	}
	if p.Kind == licensefile.KindDeactivationReceipt {
		return licensefile.Payload{}, &Reason{Code: CodeNotActivated, Action: ActionActivate,
			Message: "this is a deactivation receipt, not a license: carry it to a connected machine (licdesk deactivate --receipt FILE)",
			Words:   "receipt_not_license"}
	}
	if !present {
		// The state is rebuilt from a file fresh from the portal (its
		// issue time is the portal's clock, now), or set up by the first
		// license of a new profile; a kept file cannot rebuild it.
		fresh := answered || (!p.Issued.After(now.Add(licensefile.DefaultSkew)) && !p.Issued.Before(now.Add(-licensefile.DefaultSkew)))
		if s.hasLicenses() {
			if !fresh {
				return licensefile.Payload{}, stateMissingReason()
			}
			st.Restored = now.UTC().Truncate(time.Second)
		}
	}
	if r := clockReason(now, st.Latest, licensefile.DefaultSkew); r != nil {
		return licensefile.Payload{}, r
	}
	if r := deactivatedReason(p, st); r != nil {
		return licensefile.Payload{}, r
	}
	if err := p.CheckTime(now, licensefile.DefaultSkew); err != nil {
		return licensefile.Payload{}, timeReason(err, p, now)
	}
	if p.NodeLocked() && fp != nil {
		if m := core.MatchFingerprint(p.Fingerprint, fp); !m.OK {
			code := CodeHardwareChanged
			if m.OtherMachine {
				code = CodeOtherMachine
			}
			return licensefile.Payload{}, &Reason{Code: code, Action: ActionActivate,
				Message: fmt.Sprintf("license %s is bound to another machine (%s): activate it on this machine", p.LicenseID, m.Summary()),
				Words:   "bound_elsewhere", Args: []any{"License", p.LicenseID, "Matched", m.Matched, "Known", m.Known}}
		}
	}
	path, err := s.LicensePath(p.Product)
	if err != nil {
		return licensefile.Payload{}, err
	}
	if old, err := readLicenseFile(path); err == nil {
		if bytes.Equal(old, file) && present {
			return p, nil
		}
		if op, err := ks.Verify(old); err == nil && op.Issued.After(p.Issued) {
			return licensefile.Payload{}, &Reason{Code: CodeOutdated, Action: ActionActivate,
				Message: fmt.Sprintf("this license file (issued %s) is older than the one installed for %s (issued %s): it was already used or replaced",
					stamp(p.Issued), p.Product, stamp(op.Issued)),
				Words: "outdated", Args: []any{"Issued", p.Issued, "Product", p.Product, "Installed", op.Issued}}
		}
	}
	if err := writeAtomic(path, file); err != nil {
		return licensefile.Payload{}, err
	}
	st.Latest = latest(st.Latest, latest(p.Issued, now))
	delete(st.Grace, Slug(p.Product))
	if err := s.saveState(st, seal); err != nil {
		return p, err
	}
	return p, nil
}

// hasLicenses reports whether the profile holds any license file.
func (s *Store) hasLicenses() bool {
	ents, err := os.ReadDir(filepath.Join(s.dir, licensesDir))
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), licenseExt) {
			return true
		}
	}
	return false
}

// Remove deletes the product's license file and its grace record (the
// product is no longer licensed here). Removing what is not there is not an
// error.
func (s *Store) Remove(ctx context.Context, product string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := s.LicensePath(product)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove license of %s: %w", product, err)
	}
	return s.forgetGrace(ctx, product)
}

// forgetGrace drops the product's grace record, when there is a state.
func (s *Store) forgetGrace(ctx context.Context, product string) error {
	err := s.updateState(ctx, func(st *offlineState) bool {
		_, had := st.Grace[Slug(product)]
		delete(st.Grace, Slug(product))
		return had
	})
	if errors.Is(err, errStateMissing) {
		return nil
	}
	return err
}

// Trusted returns the portal public keys the profile trusts, revoked ones
// left out: empty (not nil) when none were added.
func (s *Store) Trusted(ctx context.Context) (licensefile.TrustedKeys, error) {
	ks, err := s.KeySet(ctx)
	if err != nil {
		return nil, err
	}
	return ks.Trusted(), nil
}

// KeySet returns the profile's trusted key set (trust.json), with the
// windows and revocations it learned: empty when none were added.
func (s *Store) KeySet(ctx context.Context) (licensefile.KeySet, error) {
	if err := ctx.Err(); err != nil {
		return licensefile.KeySet{}, err
	}
	b, err := readCapped(filepath.Join(s.dir, trustFile), licensefile.MaxFileSize+1)
	if errors.Is(err, fs.ErrNotExist) {
		return licensefile.KeySet{Keys: licensefile.TrustedKeys{}}, nil
	}
	if err != nil {
		return licensefile.KeySet{}, err
	}
	ks, err := licensefile.ParseKeySet(b)
	if err != nil {
		return licensefile.KeySet{}, fmt.Errorf("%w: %s: %v; add the portal's keys again with licdesk trust add", ErrDamaged, trustFile, err)
	}
	return ks, nil
}

// Trust adds public keys to the trusted set and returns the key IDs that
// were new. A key ID already trusted with different key bytes is refused:
// that is a forged or colliding document, not a rotation.
func (s *Store) Trust(ctx context.Context, add licensefile.TrustedKeys) ([]string, error) {
	if len(add) == 0 {
		return nil, errors.New("no keys given to trust")
	}
	return s.trust(ctx, licensefile.KeySetOf(add))
}

// LearnKeySet merges a key set fetched from the portal (its
// /.well-known/licdesk-keys.json) into the profile: new keys are trusted,
// windows narrowed, and revocations kept for good, in trust.json and in
// the offline state (so that a check against a pinned key set refuses the
// revoked keys too, and deleting trust.json forgets none). The sync layer
// calls it each time it fetched the key set. It returns the key IDs newly
// trusted.
func (s *Store) LearnKeySet(ctx context.Context, ks licensefile.KeySet) ([]string, error) {
	added, err := s.trust(ctx, ks)
	if err != nil || len(ks.Revoked) == 0 {
		return added, err
	}
	err = s.updateState(ctx, func(st *offlineState) bool {
		changed := false
		for kid, at := range ks.Revoked {
			if _, ok := st.Revoked[kid]; !ok {
				st.Revoked[kid], changed = at, true
			}
		}
		return changed
	})
	if errors.Is(err, errStateMissing) {
		// Nothing to keep them in yet: trust.json has them until a first
		// license sets up the state, which then takes them over.
		return added, nil
	}
	return added, err
}

func (s *Store) trust(ctx context.Context, add licensefile.KeySet) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.KeySet(ctx)
	if err != nil {
		return nil, err
	}
	merged, err := cur.Merge(add)
	if err != nil {
		return nil, fmt.Errorf("trust: %w; refusing to replace it", err)
	}
	var added []string
	for kid := range add.Keys {
		if _, ok := cur.Keys[kid]; !ok {
			added = append(added, kid)
		}
	}
	slices.Sort(added)
	if len(merged.Trusted()) == 0 {
		return nil, errors.New("trust: every key given is revoked")
	}
	b, err := licensefile.MarshalKeySet(merged)
	if err != nil {
		return nil, fmt.Errorf("the keys to trust: %w", err)
	}
	if old, err := readCapped(filepath.Join(s.dir, trustFile), licensefile.MaxFileSize+1); err == nil && bytes.Equal(old, b) {
		return added, nil
	}
	return added, writeAtomic(filepath.Join(s.dir, trustFile), b)
}

// withRevocations adds the revocations the offline state learned to ks.
func withRevocations(ks licensefile.KeySet, st offlineState) (licensefile.KeySet, error) {
	if len(st.Revoked) == 0 {
		return ks, nil
	}
	return ks.Merge(licensefile.KeySet{Revoked: st.Revoked})
}

// HighWater returns the latest trusted time this profile has seen (zero
// when none, or when the offline state is missing).
func (s *Store) HighWater(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, _, _, err := s.loadState(nil)
	return st.Latest, err
}

// Observe raises the high-water mark to t; an earlier t changes nothing, so
// the mark never moves back. It does not create a missing state: only a
// file from the portal does (Install).
func (s *Store) Observe(ctx context.Context, t time.Time) error {
	t = t.UTC().Truncate(time.Second)
	err := s.updateState(ctx, func(st *offlineState) bool {
		if !t.After(st.Latest.Add(clockGranularity)) {
			return false
		}
		st.Latest = t
		return true
	})
	if errors.Is(err, errStateMissing) {
		return nil
	}
	return err
}

// decodeStrict decodes one JSON value with no unknown fields and nothing
// after it.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// writeAtomic writes b to path through a temporary file in the same folder
// (mode 0600, synced, then renamed over path), so that a reader sees the
// old file or the new one, never half of one, and nobody else can read it.
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(b); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename durable where the system allows it; failure only
// risks losing the rename in a power cut, not corrupting anything.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// stamp formats a time for messages: RFC 3339 UTC, whole seconds.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
