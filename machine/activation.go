package machine

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
)

// receiptsDir keeps a copy of every deactivation receipt written, so that
// one is never lost between giving the license up and carrying the receipt.
const receiptsDir = "receipts"

// ErrNoActivation means the store holds no activation record for the
// product.
var ErrNoActivation = errors.New("no activation of this product on this machine")

// ErrNoPendingRequest means the store holds no activation request waiting
// for its response.
var ErrNoPendingRequest = errors.New("no activation request is waiting on this machine: write one with licdesk activate --request FILE")

// ActivationRecord is what the store keeps of an activation this machine
// holds: enough to deactivate it online (ID) or offline (nonce and secret
// make the receipt). The secret only lets its holder free this one
// activation, which is why it sits in a file readable by the user alone,
// not in the keyring with the session tokens.
type ActivationRecord struct {
	Product      string    `json:"product"`
	LicenseID    string    `json:"license_id"`
	ActivationID string    `json:"activation_id"`
	Key          core.Key  `json:"key"`
	Nonce        string    `json:"nonce"`
	Secret       []byte    `json:"secret"`
	Activated    time.Time `json:"activated"`
}

func (r ActivationRecord) validate() error {
	switch {
	case checkProduct(r.Product) != nil:
		return checkProduct(r.Product)
	case !activation.ValidActivationID(r.ActivationID):
		return fmt.Errorf("activation ID %q is not valid", r.ActivationID)
	case r.LicenseID == "" || r.Key == "" || r.Nonce == "":
		return errors.New("license ID, key or nonce missing")
	case len(r.Secret) != activation.SecretSize:
		return fmt.Errorf("secret is %d bytes, want %d", len(r.Secret), activation.SecretSize)
	case r.Activated.IsZero():
		return errors.New("activation time missing")
	}
	return nil
}

// parseActivationRecord reads an activations/*.json file strictly.
func parseActivationRecord(b []byte) (ActivationRecord, error) {
	var r ActivationRecord
	if err := decodeStrict(b, &r); err != nil {
		return ActivationRecord{}, err
	}
	if err := r.validate(); err != nil {
		return ActivationRecord{}, err
	}
	return r, nil
}

func (s *Store) activationPath(product string) string {
	return filepath.Join(s.dir, activationsDir, Slug(product)+".json")
}

// Activation returns the record of the product's activation on this
// machine; ErrNoActivation when there is none.
func (s *Store) Activation(ctx context.Context, product string) (ActivationRecord, error) {
	if err := ctx.Err(); err != nil {
		return ActivationRecord{}, err
	}
	if err := checkProduct(product); err != nil {
		return ActivationRecord{}, err
	}
	b, err := readCapped(s.activationPath(product), maxStateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return ActivationRecord{}, fmt.Errorf("%w: %s", ErrNoActivation, product)
	}
	if err != nil {
		return ActivationRecord{}, err
	}
	r, err := parseActivationRecord(b)
	if err != nil {
		return ActivationRecord{}, fmt.Errorf("%w: activation record of %s: %v", ErrDamaged, product, err)
	}
	return r, nil
}

// Activations lists the activation records, by product.
func (s *Store) Activations(ctx context.Context) ([]ActivationRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, activationsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list activations: %w", err)
	}
	var out []ActivationRecord
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := readCapped(filepath.Join(s.dir, activationsDir, e.Name()), maxStateFile)
		if err != nil {
			return nil, err
		}
		r, err := parseActivationRecord(b)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, e.Name(), err)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b ActivationRecord) int { return strings.Compare(a.Product, b.Product) })
	return out, nil
}

func (s *Store) saveActivation(r ActivationRecord) error {
	if err := r.validate(); err != nil {
		return fmt.Errorf("save activation: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("save activation: %w", err)
	}
	return writeAtomic(s.activationPath(r.Product), append(b, '\n'))
}

// NewRequest builds an activation request for key on this machine (name and
// fingerprint fp) at now, with a fresh random nonce.
func NewRequest(key, machineName string, fp core.Fingerprint, now time.Time) (activation.Request, error) {
	k, err := core.ParseKey(key)
	if err != nil {
		return activation.Request{}, err
	}
	var nonce [activation.NonceBytes]byte
	if _, err := io.ReadFull(rand.Reader, nonce[:]); err != nil {
		return activation.Request{}, fmt.Errorf("activation request: %w", err)
	}
	return activation.Request{Key: k, Machine: machineName, Fingerprint: fp,
		Nonce: activation.NewNonce(nonce), Created: now}.Normalize(), nil
}

func (s *Store) requestPath(key core.Key) string {
	return filepath.Join(s.dir, requestsDir, Slug(string(key))+requestExt)
}

// WriteRequest encodes req and keeps it as the key's pending request (the
// response will have to answer it), replacing an earlier request for the
// same key. It returns the request file.
func (s *Store) WriteRequest(ctx context.Context, req activation.Request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	file, err := req.Encode()
	if err != nil {
		return nil, err
	}
	if err := writeAtomic(s.requestPath(req.Normalize().Key), file); err != nil {
		return nil, err
	}
	return file, nil
}

// CancelRequest forgets the key's waiting request: a response to it is
// refused from then on (a request handed out by mistake, or gone stale).
// It reports whether there was one.
func (s *Store) CancelRequest(ctx context.Context, key core.Key) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	err := os.Remove(s.requestPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// PendingRequests returns the activation requests waiting for a response.
// A damaged pending file is an error: it would otherwise make a correct
// response look like an answer to nothing.
func (s *Store) PendingRequests(ctx context.Context) ([]activation.Request, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(s.dir, requestsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list activation requests: %w", err)
	}
	var out []activation.Request
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), requestExt) {
			continue
		}
		b, err := readCapped(filepath.Join(s.dir, requestsDir, e.Name()), activation.MaxFileSize+1)
		if err != nil {
			return nil, err
		}
		r, err := activation.ParseRequest(b)
		if err != nil {
			return nil, fmt.Errorf("%w: pending request %s: %v", ErrDamaged, e.Name(), err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ImportResponse imports an activation response carried from a connected
// machine: it must be signed by a trusted portal key, answer one of the
// pending requests (same key and nonce: a response to an older or another
// machine's request, or one already imported, is refused), and be bound to
// this machine (fp). The license is then installed, the activation recorded
// and the request forgotten, so the same response cannot be imported twice.
func (s *Store) ImportResponse(ctx context.Context, file []byte, now time.Time, fp core.Fingerprint) (licensefile.Payload, error) {
	reqs, err := s.PendingRequests(ctx)
	if err != nil {
		return licensefile.Payload{}, err
	}
	if len(reqs) == 0 {
		return licensefile.Payload{}, ErrNoPendingRequest
	}
	var mismatch error
	for _, req := range reqs {
		p, err := s.AcceptResponse(ctx, file, req, now, fp)
		if core.CodeOf(err) == activation.CodeResponseMismatch {
			if mismatch == nil || req.Key == responseKeyHint(file) {
				mismatch = err
			}
			continue
		}
		if err != nil {
			return licensefile.Payload{}, err
		}
		if err := os.Remove(s.requestPath(req.Key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p, fmt.Errorf("forget the answered request: %w", err)
		}
		return p, nil
	}
	return licensefile.Payload{}, mismatch
}

// responseKeyHint is never trusted: it only picks which mismatch to report
// when several requests wait (the one for the same key explains best).
func responseKeyHint(file []byte) core.Key {
	_, after, ok := strings.Cut(string(file), `"key":"`)
	if !ok {
		return ""
	}
	k, _, _ := strings.Cut(after, `"`)
	return core.Key(k)
}

// AcceptResponse checks a signed activation response against the request it
// answers (activation.OpenResponse with the trusted keys), that req was made
// on this machine (fp), then installs the license and records the
// activation. Online activation uses it directly with the request it sent.
func (s *Store) AcceptResponse(ctx context.Context, file []byte, req activation.Request, now time.Time, fp core.Fingerprint) (licensefile.Payload, error) {
	trusted, err := s.Trusted(ctx)
	if err != nil {
		return licensefile.Payload{}, err
	}
	if len(trusted) == 0 {
		return licensefile.Payload{}, signatureReason(licensefile.ErrUnknownKey, true)
	}
	r, p, err := activation.OpenResponse(file, req, trusted)
	if err != nil {
		return licensefile.Payload{}, err
	}
	if m := core.MatchFingerprint(req.Fingerprint, fp); !m.OK {
		return licensefile.Payload{}, &Reason{Code: CodeHardwareChanged, Action: ActionReactivate,
			Message: fmt.Sprintf("this response answers a request written on another machine (%d of %d known components match this one): import it where the request was written", m.Matched, m.Known),
			Words:   "response_elsewhere", Args: []any{"Matched", m.Matched, "Known", m.Known}}
	}
	if _, err := s.install(ctx, r.License, now, fp, true); err != nil {
		return licensefile.Payload{}, err
	}
	rec := ActivationRecord{Product: p.Product, LicenseID: p.LicenseID, ActivationID: r.ActivationID, Key: r.Key,
		Nonce: r.Nonce, Secret: r.Secret, Activated: p.Issued}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.saveActivation(rec); err != nil {
		return p, err
	}
	return p, nil
}

// Deactivate gives up the product's activation on this machine, offline:
// it writes the deactivation receipt (kept in the profile's receipts folder
// too, so it is not lost if carrying it fails), then removes the license
// and the activation record. It returns the receipt file and where the
// copy is. Carry the receipt to a connected machine (licdesk deactivate
// --receipt FILE there, or the portal page) to free the seat.
func (s *Store) Deactivate(ctx context.Context, product string, now time.Time) (receipt []byte, copyPath string, err error) {
	rec, err := s.Activation(ctx, product)
	if err != nil {
		return nil, "", err
	}
	r, err := activation.NewReceipt(rec.ActivationID, rec.Nonce, now, rec.Secret)
	if err != nil {
		return nil, "", err
	}
	file, err := r.Encode()
	if err != nil {
		return nil, "", err
	}
	copyPath = filepath.Join(s.dir, receiptsDir, Slug(product)+"-"+rec.ActivationID+".receipt")
	if err := writeAtomic(copyPath, file); err != nil {
		return nil, "", err
	}
	if err := s.Forget(ctx, product); err != nil {
		return file, copyPath, err
	}
	return file, copyPath, nil
}

// Forget removes the product's license file, grace record and activation
// record: after an online deactivation, or once a receipt is written. The
// activation is remembered as deactivated in the offline state, so that a
// copy of its license file put back later is refused.
func (s *Store) Forget(ctx context.Context, product string) error {
	var ids []string
	if rec, err := s.Activation(ctx, product); err == nil {
		ids = append(ids, deactivatedKey(rec.ActivationID, rec.Nonce))
	}
	if b, err := s.ReadLicense(ctx, product); err == nil {
		if ks, err := s.KeySet(ctx); err == nil {
			if p, err := ks.Verify(b); err == nil && p.ActivationID != "" {
				ids = append(ids, deactivatedKey(p.ActivationID, p.Nonce))
			}
		}
	}
	if len(ids) > 0 {
		if err := s.RecordDeactivated(ctx, ids...); err != nil && !errors.Is(err, errStateMissing) {
			return err
		}
	}
	if err := s.Remove(ctx, product); err != nil {
		return err
	}
	if err := os.Remove(s.activationPath(product)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove activation record of %s: %w", product, err)
	}
	return nil
}
