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
	clockFile      = "clock.json"
	graceFile      = "grace.json"
	licenseExt     = ".lic"
	requestExt     = ".req"
)

// maxStateFile bounds the store's own JSON files (clock, grace, activation
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
// processes every write is atomic, and the clock mark is re-read just before
// it is written so that it does not move back.
type Store struct {
	dir string
	// mu serializes read-modify-write of the store's JSON files.
	mu sync.Mutex
}

// OpenStore returns the store in profile folder dir. Nothing is created
// until something is written, so a check in a folder that does not exist
// reports "not activated" and leaves no trace.
func OpenStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open license store: no profile folder given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open license store: %w", err)
	}
	return &Store{dir: abs}, nil
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
	trusted, err := s.Trusted(ctx)
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
			in.Payload, err = licensefile.Verify(b, trusted)
		}
		in.Err = err
		out = append(out, in)
	}
	return out, nil
}

// Install verifies a signed license file and stores it as its product's
// license, replacing the previous one. It refuses, changing nothing: a file
// that does not verify against the trusted keys (CodeSignature), a
// deactivation receipt (CodeNotActivated), a clock set back
// (CodeClockSetBack), a file not yet valid, expired or past its lease
// (CodeNotYetValid, CodeExpired, CodeLeaseEnded), a node-locked file that
// does not match fp when fp is given (CodeHardwareChanged), and a file older
// than the one installed (CodeOutdated: a replayed response). On success it
// raises the clock mark to the file's issue time and ends any hardware
// grace the product was in. The refusals are *Reason errors.
func (s *Store) Install(ctx context.Context, file []byte, now time.Time, fp core.Fingerprint) (licensefile.Payload, error) {
	if err := ctx.Err(); err != nil {
		return licensefile.Payload{}, err
	}
	trusted, err := s.Trusted(ctx)
	if err != nil {
		return licensefile.Payload{}, err
	}
	p, err := licensefile.Verify(file, trusted)
	if err != nil {
		return licensefile.Payload{}, signatureReason(err, len(trusted) == 0)
	}
	if p.Kind == licensefile.KindDeactivationReceipt {
		return licensefile.Payload{}, &Reason{Code: CodeNotActivated, Action: ActionActivate,
			Message: "this is a deactivation receipt, not a license: carry it to a connected machine (licdesk deactivate --receipt FILE)"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hwm, err := s.highWater()
	if err != nil {
		return licensefile.Payload{}, err
	}
	if r := clockReason(now, hwm, licensefile.DefaultSkew); r != nil {
		return licensefile.Payload{}, r
	}
	if err := p.CheckTime(now, licensefile.DefaultSkew); err != nil {
		return licensefile.Payload{}, timeReason(err, p, now)
	}
	if p.NodeLocked() && fp != nil {
		if m := core.MatchFingerprint(p.Fingerprint, fp); !m.OK {
			return licensefile.Payload{}, &Reason{Code: CodeHardwareChanged, Action: ActionReactivate,
				Message: fmt.Sprintf("license %s is bound to another machine (%d of %d known hardware components match): activate it on this machine", p.LicenseID, m.Matched, m.Known)}
		}
	}
	path, err := s.LicensePath(p.Product)
	if err != nil {
		return licensefile.Payload{}, err
	}
	if old, err := readLicenseFile(path); err == nil {
		if bytes.Equal(old, file) {
			return p, nil
		}
		if op, err := licensefile.Verify(old, trusted); err == nil && op.Issued.After(p.Issued) {
			return licensefile.Payload{}, &Reason{Code: CodeOutdated, Action: ActionActivate,
				Message: fmt.Sprintf("this license file (issued %s) is older than the one installed for %s (issued %s): it was already used or replaced",
					stamp(p.Issued), p.Product, stamp(op.Issued))}
		}
	}
	if err := writeAtomic(path, file); err != nil {
		return licensefile.Payload{}, err
	}
	if err := s.observe(latest(p.Issued, now), hwm); err != nil {
		return p, err
	}
	if err := s.updateGrace(func(g graceDoc) bool {
		_, had := g[Slug(p.Product)]
		delete(g, Slug(p.Product))
		return had
	}); err != nil {
		return p, err
	}
	return p, nil
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
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updateGrace(func(g graceDoc) bool {
		_, had := g[Slug(product)]
		delete(g, Slug(product))
		return had
	})
}

// Trusted returns the portal public keys the profile trusts: empty (not
// nil) when none were added.
func (s *Store) Trusted(ctx context.Context) (licensefile.TrustedKeys, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := readCapped(filepath.Join(s.dir, trustFile), licensefile.MaxFileSize+1)
	if errors.Is(err, fs.ErrNotExist) {
		return licensefile.TrustedKeys{}, nil
	}
	if err != nil {
		return nil, err
	}
	t, err := licensefile.ParsePublicKeys(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v; add the portal's keys again with licdesk trust add", ErrDamaged, trustFile, err)
	}
	return t, nil
}

// Trust adds public keys to the trusted set and returns the key IDs that
// were new. A key ID already trusted with different key bytes is refused:
// that is a forged or colliding document, not a rotation.
func (s *Store) Trust(ctx context.Context, add licensefile.TrustedKeys) ([]string, error) {
	if len(add) == 0 {
		return nil, errors.New("no keys given to trust")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.Trusted(ctx)
	if err != nil {
		return nil, err
	}
	var added []string
	for kid, pub := range add {
		if old, ok := cur[kid]; ok {
			if !bytes.Equal(old, pub) {
				return nil, fmt.Errorf("key ID %s is already trusted with a different key; refusing to replace it", kid)
			}
			continue
		}
		cur[kid] = pub
		added = append(added, kid)
	}
	slices.Sort(added)
	if len(added) == 0 {
		return nil, nil
	}
	b, err := licensefile.MarshalPublicKeys(cur)
	if err != nil {
		return nil, fmt.Errorf("the keys to trust: %w", err)
	}
	return added, writeAtomic(filepath.Join(s.dir, trustFile), b)
}

// clockDoc is clock.json.
type clockDoc struct {
	Latest time.Time `json:"latest"`
}

// HighWater returns the latest trusted time this profile has seen (zero
// when none).
func (s *Store) HighWater(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.highWater()
}

func (s *Store) highWater() (time.Time, error) {
	b, err := readCapped(filepath.Join(s.dir, clockFile), maxStateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := parseClock(b)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %v", ErrDamaged, clockFile, err)
	}
	return t, nil
}

// parseClock reads clock.json strictly.
func parseClock(b []byte) (time.Time, error) {
	var d clockDoc
	if err := decodeStrict(b, &d); err != nil {
		return time.Time{}, err
	}
	if d.Latest.IsZero() || d.Latest.Year() > 9999 {
		return time.Time{}, errors.New("no valid latest time")
	}
	return d.Latest.UTC(), nil
}

// Observe raises the high-water mark to t; an earlier t changes nothing, so
// the mark never moves back.
func (s *Store) Observe(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hwm, err := s.highWater()
	if err != nil {
		return err
	}
	return s.observe(t, hwm)
}

// observe writes t as the mark when it is more than clockGranularity past
// hwm. The file is re-read just before writing, so that another process
// that raised it meanwhile is not undone.
func (s *Store) observe(t, hwm time.Time) error {
	t = t.UTC().Truncate(time.Second)
	if !hwm.IsZero() && !t.After(hwm.Add(clockGranularity)) {
		return nil
	}
	if cur, err := s.highWater(); err == nil && !t.After(cur) {
		return nil
	}
	b, _ := json.Marshal(clockDoc{Latest: t})
	return writeAtomic(filepath.Join(s.dir, clockFile), append(b, '\n'))
}

// graceEntry records when a product's node-locked license first failed to
// match this machine, for the license it was (a new license or activation
// starts afresh).
type graceEntry struct {
	LicenseID    string    `json:"license_id"`
	ActivationID string    `json:"activation_id,omitempty"`
	Since        time.Time `json:"since"`
}

// graceDoc is grace.json: product slug to entry.
type graceDoc map[string]graceEntry

func (s *Store) grace() (graceDoc, error) {
	b, err := readCapped(filepath.Join(s.dir, graceFile), maxStateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return graceDoc{}, nil
	}
	if err != nil {
		return nil, err
	}
	g, err := parseGrace(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, graceFile, err)
	}
	return g, nil
}

// parseGrace reads grace.json strictly.
func parseGrace(b []byte) (graceDoc, error) {
	g := graceDoc{}
	if err := decodeStrict(b, &g); err != nil {
		return nil, err
	}
	for k, e := range g {
		if k == "" || e.LicenseID == "" || e.Since.IsZero() || e.Since.Year() > 9999 {
			return nil, fmt.Errorf("entry %q is incomplete", k)
		}
	}
	return g, nil
}

// updateGrace applies change to grace.json and writes it back when change
// reports a change.
func (s *Store) updateGrace(change func(graceDoc) bool) error {
	g, err := s.grace()
	if err != nil {
		return err
	}
	if !change(g) {
		return nil
	}
	path := filepath.Join(s.dir, graceFile)
	if len(g) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("update %s: %w", graceFile, err)
		}
		return nil
	}
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return fmt.Errorf("update %s: %w", graceFile, err)
	}
	return writeAtomic(path, append(b, '\n'))
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
