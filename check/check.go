// Package check is what a program protected by License Desk links to
// verify its license in-process at start-up, with no network: the signed
// license file that licdesk keeps in the user's profile (or the one
// "licdesk launch" names in LICDESK_LICENSE_FILE), checked against the
// portal's public keys, the clock, the expiry, the offline lease, the
// module asked for and, for a node-locked license, this machine's hardware
// fingerprint with its 7-day grace after a hardware change.
//
// It depends only on the machine and core/licensefile packages (and through
// them gopsutil): no sync layer, database or user interface.
//
// Pin your portal's public keys with Keys or KeysJSON: without them, the
// check trusts the keys in the profile's trust.json, which anyone who owns
// the profile can edit.
//
//	//go:embed licdesk-keys.json
//	var portalKeys []byte
//
//	func main() {
//		lic, err := check.Product(ctx, "CAD Studio", check.Module("render"), check.KeysJSON(portalKeys))
//		if err != nil {
//			log.Fatal(err) // one line per failure, each saying what to do
//		}
//		if lic.Warning != "" {
//			log.Print(lic.Warning) // in grace after a hardware change, or expiring soon
//		}
//	}
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
)

// License is a license that lets the program run on this machine.
type License struct {
	Product   string
	Edition   string
	Modules   []string
	LicenseID string
	Owner     string // the account that owns the license
	Assignee  string // the e-mail holding the seat, for cloud-login licenses
	Expiry    time.Time
	LeaseEnd  time.Time // when the offline lease ends: sync before then
	Path      string    // the license file checked

	// Warning is one line to show the user when the license works but
	// needs attention soon: a hardware change within its grace period
	// (GraceDaysLeft > 0), or an expiry within 10 days. Empty otherwise.
	Warning       string
	GraceDaysLeft int
	// Warnings are the same with their codes and suggested actions.
	Warnings []Reason
}

// HasModule reports whether the license includes module m.
func (l *License) HasModule(m string) bool {
	for _, x := range l.Modules {
		if x == m {
			return true
		}
	}
	return false
}

// Reason is one failure or warning, with its stable Code and suggested
// Action.
type Reason = machine.Reason

// Code is a stable failure code: "expired", "lease_ended",
// "hardware_changed", "other_machine", "not_activated", "module_missing", "signature",
// "clock_set_back", "not_yet_valid", "deactivated", "state_missing"
// (warnings: "expiring_soon", "offline_countdown").
type Code = machine.Code

// The failure codes a program may switch on.
const (
	Expired         = machine.CodeExpired
	LeaseEnded      = machine.CodeLeaseEnded
	HardwareChanged = machine.CodeHardwareChanged
	OtherMachine    = machine.CodeOtherMachine
	NotActivated    = machine.CodeNotActivated
	ModuleMissing   = machine.CodeModuleMissing
	Signature       = machine.CodeSignature
	ClockSetBack    = machine.CodeClockSetBack
	NotYetValid     = machine.CodeNotYetValid
	Deactivated     = machine.CodeDeactivated
	StateMissing    = machine.CodeStateMissing
)

// Error is the refusal Product returns when the program must not run: every
// reason, each with its code and the action to suggest. Use errors.As to
// reach it, and Has to test for a code.
type Error = machine.Refusal

// Option tunes Product.
type Option func(*options)

type options struct {
	module  string
	home    string
	file    string
	trusted licensefile.KeySet
	keysErr error
	now     func() time.Time
	source  machine.Source
	getenv  func(string) string
}

// Module requires the license to include module m.
func Module(m string) Option { return func(o *options) { o.module = m } }

// Home uses dir as the License Desk profile folder instead of
// $LICDESK_HOME or the user's config folder.
func Home(dir string) Option { return func(o *options) { o.home = dir } }

// File checks the license file at path instead of the profile's file for
// the product (and instead of $LICDESK_LICENSE_FILE).
func File(path string) Option { return func(o *options) { o.file = path } }

// Keys pins the portal public keys licenses must be signed with, instead
// of the profile's trust.json. Recommended: embed your portal's key set
// with KeysJSON, which carries the keys' validity windows too.
func Keys(k licensefile.TrustedKeys) Option {
	return func(o *options) { o.trusted = licensefile.KeySetOf(k) }
}

// KeysJSON pins the key set of a public-key document (the portal's
// /.well-known/licdesk-keys.json): its keys, their validity windows and
// its revoked keys. A file signed outside its key's window or by a revoked
// key is refused; so is one signed by a key the profile learned was
// revoked when licdesk last synced, even if this document predates it.
// Documents without windows (from older portals) are accepted.
func KeysJSON(doc []byte) Option {
	return func(o *options) {
		ks, err := licensefile.ParseKeySet(doc)
		if err != nil {
			o.keysErr = fmt.Errorf("check: pinned portal keys: %w", err)
			return
		}
		o.trusted = ks
	}
}

// Clock replaces time.Now, for tests of the program's own behaviour.
func Clock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Hardware replaces this machine's hardware reader, for tests of the
// program's own behaviour (there is no environment variable for this: a
// program opts in by calling it).
func Hardware(src machine.Source) Option { return func(o *options) { o.source = src } }

// Getenv replaces os.Getenv for LICDESK_HOME and LICDESK_LICENSE_FILE.
func Getenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// Product checks that this machine holds a valid license for product and
// returns it. The error is an *Error listing every failure when the program
// must not run, or a plain error when the profile cannot be read. Only the
// profile's offline state (clock mark, hardware-grace record, kept in the
// profile and in the per-user state folder) may change (see
// machine.Store.Check); the license file is only read.
func Product(ctx context.Context, product string, opts ...Option) (*License, error) {
	o := options{now: time.Now, getenv: os.Getenv}
	for _, opt := range opts {
		opt(&o)
	}
	if o.keysErr != nil {
		return nil, o.keysErr
	}
	home := o.home
	if home == "" {
		var err error
		if home, err = machine.HomeDir(o.getenv); err != nil {
			return nil, fmt.Errorf("check %s: %w", product, err)
		}
	}
	file := o.file
	if file == "" {
		file = o.getenv(machine.EnvLicenseFile)
	}
	st, err := machine.OpenStore(home)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", product, err)
	}
	src := o.source
	if src == nil {
		src = machine.System()
	}
	res, err := st.Check(ctx, product, o.now(), machine.CheckOptions{
		Module: o.module, File: file, KeySet: o.trusted,
		Fingerprint: func(ctx context.Context) (core.Fingerprint, error) { return machine.CollectFrom(ctx, src) },
	})
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", product, err)
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	p := res.License
	if p == nil {
		return nil, errors.New("check " + product + ": no license verified")
	}
	lic := &License{Product: p.Product, Edition: p.Edition, Modules: p.Modules, LicenseID: p.LicenseID,
		Owner: p.Owner, Assignee: p.Assignee, Expiry: p.Expiry, LeaseEnd: p.LeaseEnd, Path: res.Path,
		GraceDaysLeft: res.GraceDaysLeft, Warnings: res.Warnings}
	msgs := make([]string, len(res.Warnings))
	for i, w := range res.Warnings {
		msgs[i] = w.Message
	}
	lic.Warning = strings.Join(msgs, "; ")
	return lic, nil
}
