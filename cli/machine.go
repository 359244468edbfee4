package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/profile"
	lsync "github.com/licdesk/licdesk/sync"
)

// licenseStore is the profile's local license store. It needs neither the
// cache nor a login, so a field machine that never logged in can activate
// offline, check and launch.
func (a *app) licenseStore() (*machine.Store, error) {
	dir, err := profile.DefaultDir(a.env.Getenv)
	if err != nil {
		return nil, err
	}
	return machine.OpenStore(dir)
}

// fingerprint reads this machine's hardware fingerprint. Only an in-process
// caller (a test) can replace the hardware, through Env.Hardware: there is
// no flag or environment variable for it.
func (a *app) fingerprint(ctx context.Context) (core.Fingerprint, error) {
	src := a.env.Hardware
	if src == nil {
		src = machine.System()
	}
	return machine.CollectFrom(ctx, src)
}

// machineName is the name an activation shows on the portal: --machine, or
// the host name.
func machineName(flag string) string {
	if n := strings.TrimSpace(flag); n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "this computer"
}

// idempotencyKey makes a write safe to retry when its answer is lost.
func idempotencyKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// post sends a JSON (or file) body to the portal and decodes the answer.
func (a *app) post(ctx context.Context, path string, body []byte, out any) error {
	cl, err := a.client(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	return cl.Do(ctx, lsync.Request{Method: http.MethodPost, Path: path, Body: body, Key: idempotencyKey()}, out)
}

// portalKeys fetches the public keys the portal signs with.
func portalKeys(ctx context.Context, cl *lsync.Client) (licensefile.TrustedKeys, error) {
	var raw json.RawMessage
	if err := cl.Do(ctx, lsync.Request{Method: http.MethodGet, Path: api.WellKnownKeysPath}, &raw); err != nil {
		return nil, fmt.Errorf("fetch the portal's public keys: %w", err)
	}
	keys, err := licensefile.ParsePublicKeys(raw)
	if err != nil {
		return nil, fmt.Errorf("the portal's public keys: %w", err)
	}
	return keys, nil
}

// pinPortalKeys trusts the portal's signing keys the first time a profile
// logs in (trust on first use, over the login's TLS connection). Once the
// profile trusts keys, a login never adds more: a later key (a rotation) is
// only mentioned, to be added on purpose with licdesk trust add, so that a
// portal impersonated later cannot slip its own key in. A failure here does
// not fail the login: it is said on stderr.
func (a *app) pinPortalKeys(ctx context.Context, cl *lsync.Client) {
	warn := func(format string, args ...any) {
		fmt.Fprintf(a.env.Stderr, "licdesk: "+format+"\n", args...)
	}
	st, err := a.licenseStore()
	if err != nil {
		warn("portal keys not pinned: %v", err)
		return
	}
	have, err := st.Trusted(ctx)
	if err != nil {
		warn("portal keys not pinned: %v", err)
		return
	}
	keys, err := portalKeys(ctx, cl)
	if err != nil {
		warn("portal keys not pinned: %v (licdesk trust add FILE adds them)", err)
		return
	}
	if len(have) > 0 {
		var unknown []string
		for kid := range keys {
			if _, ok := have[kid]; !ok {
				unknown = append(unknown, kid)
			}
		}
		if len(unknown) > 0 {
			warn("the portal signs with keys this profile does not trust (%s): if the portal's operator announced a new key, add it with licdesk trust add FILE",
				strings.Join(unknown, ", "))
		}
		return
	}
	added, err := st.Trust(ctx, keys)
	if err != nil {
		warn("portal keys not pinned: %v", err)
		return
	}
	if !a.json {
		fmt.Fprintf(a.env.Stdout, "trusting the portal's signing keys: %s\n", strings.Join(added, ", "))
	}
}

// reasonLines prints all the reasons but the last on stderr, each as
// Run prints a command's error, and returns the last as the error: so a
// refusal shows one line per failure, in order, and exits non-zero.
func (a *app) reasonLines(cmd string, reasons []machine.Reason) error {
	if len(reasons) == 0 {
		return errors.New("refused")
	}
	for _, r := range reasons[:len(reasons)-1] {
		fmt.Fprintf(a.env.Stderr, "licdesk %s: %s\n", cmd, reasonText(r))
	}
	return errors.New(reasonText(reasons[len(reasons)-1]))
}

// reasonText is a reason as one line: its code, then the message.
func reasonText(r machine.Reason) string { return string(r.Code) + ": " + oneLine(r.Message) }

// refusalError turns a *machine.Reason error into its one line with its
// code; other errors pass through.
func refusalError(err error) error {
	var r *machine.Reason
	if errors.As(err, &r) {
		return errors.New(reasonText(*r))
	}
	return err
}
