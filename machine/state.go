package machine

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
)

// EnvStateDir names the folder of the second copy of the offline state
// (default: "licdesk-state" in the user's config folder). Pointing it
// elsewhere gains nothing: a state missing from both places while a license
// exists is refused as tampering.
const EnvStateDir = "LICDESK_STATE_DIR"

// stateFile is the offline state in the profile folder; the second copy is
// <state dir>/<slug of the profile path>.json.
const stateFile = "state.json"

// stateKey keys the MAC of the offline state, with the machine's
// fingerprint. It is in the source, so the MAC is no secret from someone
// who reads it: it stops a state file edited by hand, or copied from
// another machine or profile, not a program written to forge one.
const stateKey = "License Desk offline state v1"

// offlineState is what deleting a file must not reset: the clock
// high-water mark, the hardware grace records, the activations this
// machine gave up and the signing keys it learned were revoked.
type offlineState struct {
	Latest      time.Time             `json:"latest"`
	Grace       map[string]graceEntry `json:"grace,omitempty"`
	Deactivated []string              `json:"deactivated,omitempty"`
	Revoked     map[string]time.Time  `json:"revoked,omitempty"`
	// Restored is when the state was last rebuilt from a file fresh from
	// the portal after it had gone missing: a hardware mismatch found
	// after that counts from the license's issue time, not from now, so
	// that deleting the state cannot restart a grace period.
	Restored time.Time `json:"restored,omitzero"`
}

// graceEntry records when a product's node-locked license first failed to
// match this machine, for the license it was (a new license or activation
// starts afresh).
type graceEntry struct {
	LicenseID    string    `json:"license_id"`
	ActivationID string    `json:"activation_id,omitempty"`
	Since        time.Time `json:"since"`
}

// sealedState is one copy of the offline state as stored: the state, the
// fingerprint of the machine that wrote it and their MAC.
type sealedState struct {
	State       offlineState     `json:"state"`
	Fingerprint core.Fingerprint `json:"fingerprint"`
	MAC         string           `json:"mac"`
}

// maxStateEntries bounds each list of the state, so that a planted file
// cannot make every check slow.
const maxStateEntries = 1024

func stateMAC(st offlineState, fp core.Fingerprint) (string, error) {
	body, err := json.Marshal(st)
	if err != nil {
		return "", err
	}
	fpb, err := json.Marshal(fp)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, []byte(stateKey))
	m.Write(fpb)
	m.Write([]byte{0})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// parseState reads one copy strictly and checks its MAC and shape; the
// caller checks that it was written on this machine.
func parseState(b []byte) (sealedState, error) {
	var d sealedState
	if err := decodeStrict(b, &d); err != nil {
		return sealedState{}, err
	}
	st := d.State
	if st.Latest.IsZero() || st.Latest.Year() > 9999 || st.Restored.Year() > 9999 {
		return sealedState{}, errors.New("no valid latest time")
	}
	if len(st.Grace) > maxStateEntries || len(st.Deactivated) > maxStateEntries || len(st.Revoked) > maxStateEntries {
		return sealedState{}, errors.New("too many entries")
	}
	for k, e := range st.Grace {
		if k == "" || e.LicenseID == "" || e.Since.IsZero() || e.Since.Year() > 9999 {
			return sealedState{}, fmt.Errorf("grace entry %q is incomplete", k)
		}
	}
	for _, id := range st.Deactivated {
		if id == "" {
			return sealedState{}, errors.New("empty deactivated activation ID")
		}
	}
	want, err := stateMAC(st, d.Fingerprint)
	if err != nil {
		return sealedState{}, err
	}
	if !hmac.Equal([]byte(want), []byte(d.MAC)) {
		return sealedState{}, errors.New("MAC does not match: altered")
	}
	d.State.Latest = st.Latest.UTC()
	return d, nil
}

// statePaths are the places the offline state is kept: the profile, and
// the per-user state folder when there is one.
func (s *Store) statePaths() []string {
	out := []string{filepath.Join(s.dir, stateFile)}
	if s.stateDir != "" {
		out = append(out, filepath.Join(s.stateDir, Slug(s.dir)+".json"))
	}
	return out
}

// defaultStateDir is $LICDESK_STATE_DIR, else "licdesk-state" in the
// user's config folder, else none (the profile copy only).
func defaultStateDir(getenv func(string) string) string {
	if d := getenv(EnvStateDir); d != "" {
		if abs, err := filepath.Abs(d); err == nil {
			return abs
		}
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "licdesk-state")
}

// sameMachine says whether a state copy was written on this machine: the
// fingerprints identical, or sharing a strong component (one part changed),
// or the copy unbound (written by an Install that was not told the
// machine; the next check binds it).
func sameMachine(written, now core.Fingerprint) bool {
	return len(written) == 0 || written.Same(now) || !core.MatchFingerprint(written, now).OtherMachine
}

// loadState merges every valid copy of the offline state written on this
// machine (fp): the latest mark, the earliest grace start of each license,
// every deactivated activation and every revocation. A copy that is
// missing, damaged, altered or from another machine is left out; present
// is false when no copy is left. With fp nil the machine is not checked
// (the writes that only add restrictions, and Install when not told the
// machine), and bound is the fingerprint the copies were sealed with, to
// seal them with again. The activations named by the profile's
// deactivation receipts count as deactivated too.
func (s *Store) loadState(fp core.Fingerprint) (st offlineState, present bool, bound core.Fingerprint, err error) {
	st = offlineState{Grace: map[string]graceEntry{}, Revoked: map[string]time.Time{}}
	for _, path := range s.statePaths() {
		b, err := readCapped(path, maxStateFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return st, false, nil, err
		}
		d, err := parseState(b)
		if err != nil || (fp != nil && !sameMachine(d.Fingerprint, fp)) {
			continue
		}
		if !present {
			bound = d.Fingerprint
		}
		present = true
		st.Latest = latest(st.Latest, d.State.Latest)
		st.Restored = latest(st.Restored, d.State.Restored)
		for k, e := range d.State.Grace {
			if cur, ok := st.Grace[k]; !ok || (cur.LicenseID == e.LicenseID && cur.ActivationID == e.ActivationID && e.Since.Before(cur.Since)) {
				st.Grace[k] = e
			}
		}
		st.Deactivated = append(st.Deactivated, d.State.Deactivated...)
		for kid, at := range d.State.Revoked {
			if cur, ok := st.Revoked[kid]; !ok || at.Before(cur) {
				st.Revoked[kid] = at
			}
		}
	}
	st.Deactivated = append(st.Deactivated, s.receiptIDs()...)
	slices.Sort(st.Deactivated)
	st.Deactivated = slices.Compact(st.Deactivated)
	return st, present, bound, nil
}

// receiptIDs are the activation IDs of the deactivation receipts kept in
// the profile (a receipt is written only as the activation is given up).
func (s *Store) receiptIDs() []string {
	ents, err := os.ReadDir(filepath.Join(s.dir, receiptsDir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".receipt") || len(out) >= maxStateEntries {
			continue
		}
		b, err := readCapped(filepath.Join(s.dir, receiptsDir, e.Name()), activation.MaxFileSize)
		if err != nil {
			continue
		}
		if r, err := activation.ParseReceipt(b); err == nil {
			out = append(out, deactivatedKey(r.ActivationID, r.Nonce))
		}
	}
	return out
}

// deactivatedKey names what a deactivation on this machine gave up: the
// activation as answered for one request (its nonce). The portal may answer
// a later request of the same machine with the same activation ID while a
// receipt is still on its way; that file, with its new nonce, stays valid.
// An ID alone (RecordDeactivated, from the portal) covers every file of
// the activation.
func deactivatedKey(activationID, nonce string) string {
	if nonce == "" {
		return activationID
	}
	return activationID + "#" + nonce
}

// saveState writes the state, sealed for this machine (fp), to every place
// it is kept. Failing to write the second copy is an error too: a state
// kept in one place is one deletion from lost.
func (s *Store) saveState(st offlineState, fp core.Fingerprint) error {
	st.Latest = st.Latest.UTC().Truncate(time.Second)
	if len(st.Grace) == 0 {
		st.Grace = nil
	}
	if len(st.Revoked) == 0 {
		st.Revoked = nil
	}
	if len(st.Deactivated) > maxStateEntries {
		st.Deactivated = st.Deactivated[len(st.Deactivated)-maxStateEntries:]
	}
	mac, err := stateMAC(st, fp)
	if err != nil {
		return fmt.Errorf("save offline state: %w", err)
	}
	b, err := json.MarshalIndent(sealedState{State: st, Fingerprint: fp, MAC: mac}, "", "  ")
	if err != nil {
		return fmt.Errorf("save offline state: %w", err)
	}
	for _, path := range s.statePaths() {
		if err := writeAtomic(path, append(b, '\n')); err != nil {
			return fmt.Errorf("save offline state: %w", err)
		}
	}
	return nil
}

// fingerprint reads this machine's fingerprint with read, else the
// store's reader.
func (s *Store) fingerprint(ctx context.Context, read func(context.Context) (core.Fingerprint, error)) (core.Fingerprint, error) {
	if read == nil {
		read = s.readFP
	}
	return read(ctx)
}

// updateState applies change to the offline state, whichever machine it is
// bound to (the changes made this way only add restrictions or follow a
// license's removal), and writes it back sealed as it was when change
// reports a change. A missing state is errStateMissing.
func (s *Store) updateState(ctx context.Context, change func(*offlineState) bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, present, bound, err := s.loadState(nil)
	if err != nil {
		return err
	}
	if !present {
		return errStateMissing
	}
	if !change(&st) {
		return nil
	}
	return s.saveState(st, bound)
}

// RecordDeactivated adds activation IDs to the ones this machine refuses
// the license files of: the sync layer calls it with the activations of
// this machine the portal reports deactivated, so that a copy of a license
// file kept from before cannot be put back. (Forget and Deactivate record
// their own.)
func (s *Store) RecordDeactivated(ctx context.Context, ids ...string) error {
	return s.updateState(ctx, func(st *offlineState) bool {
		changed := false
		for _, id := range ids {
			if id != "" && !slices.Contains(st.Deactivated, id) {
				st.Deactivated, changed = append(st.Deactivated, id), true
			}
		}
		return changed
	})
}

// errStateMissing is returned by the writes that need the offline state
// and find none.
var errStateMissing = errors.New("the offline licensing state of this profile is missing or was altered: connect and sync once to restore it")
