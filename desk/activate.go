package desk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"rsc.io/qr"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/machine"
	lsync "github.com/licdesk/licdesk/sync"
)

// MachineName is the name an activation shows on the portal: name, or
// this computer's host name.
func MachineName(name string) string {
	if n := strings.TrimSpace(name); n != "" {
		return n
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "this computer"
}

// Activated is a license installed on this machine by an activation.
type Activated struct {
	licensefile.Payload
	// Path is the installed license file.
	Path string
	// Online: activated in one round trip; else imported from a response.
	Online bool
	// Reused: the portal found this machine's live activation of the key
	// and answered it again (a reactivation) rather than a new one.
	Reused bool
}

// ActivateOnline activates a key for this machine in one round trip. An
// install key is added to the account first (it activates as it is added,
// source 002); the activation then answers this request's nonce, so the
// response is checked like an offline one.
func (d *Desk) ActivateOnline(ctx context.Context, key, machineName string) (Activated, error) {
	var out Activated
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return out, err
	}
	st, err := d.Machine()
	if err != nil {
		return out, err
	}
	if err := d.EnsureTrust(ctx); err != nil {
		return out, err
	}
	fp, err := d.Fingerprint(ctx)
	if err != nil {
		return out, err
	}
	now := d.Now()
	req, err := machine.NewRequest(key, MachineName(machineName), fp, now)
	if err != nil {
		return out, err
	}
	// An install key activates as it is added: the activation below then
	// finds that fresh activation and answers it again, which is this
	// machine's first activation, not a reactivation.
	addedNow := false
	if req.Key.Kind() == core.InstallKey {
		// Already in the account: the activation below says if it is not.
		added, err := cl.AddKey(ctx, api.AddKeyRequest{Key: string(req.Key), Fingerprint: req.Fingerprint, Machine: req.Machine})
		addedNow = err == nil && added.Activation != nil && !added.Activation.Reused
	}
	got, err := cl.Activate(ctx, api.ActivateRequest{Key: string(req.Key), Fingerprint: req.Fingerprint, Machine: req.Machine, Nonce: req.Nonce})
	if err != nil {
		return out, err
	}
	if addedNow {
		got.Reused = false
	}
	p, err := st.AcceptResponse(ctx, []byte(got.Response), req, now, fp)
	if err != nil {
		return out, err
	}
	path, _ := st.LicensePath(p.Product)
	return Activated{Payload: p, Path: path, Online: true, Reused: got.Reused}, nil
}

// RequestWritten is an activation request handed out for a disconnected
// machine.
type RequestWritten struct {
	activation.Request
	// Path is the request file; PNGPath the same content as a QR code.
	Path, PNGPath string
	// QR is the code, to show on screen.
	QR *qr.Code
}

// WriteRequest is the disconnected machine's first step: the request of a
// key written to path, its QR code beside it as a PNG, and the request
// kept in the profile so that only the response to it is accepted.
func (d *Desk) WriteRequest(ctx context.Context, key, machineName, path string) (RequestWritten, error) {
	var out RequestWritten
	st, err := d.Machine()
	if err != nil {
		return out, err
	}
	fp, err := d.Fingerprint(ctx)
	if err != nil {
		return out, err
	}
	req, err := machine.NewRequest(key, MachineName(machineName), fp, d.Now())
	if err != nil {
		return out, err
	}
	if err := d.answerableOffline(ctx, req.Key); err != nil {
		return out, err
	}
	body, err := req.Encode()
	if err != nil {
		return out, err
	}
	code, err := qr.Encode(string(body), qr.L)
	if err != nil {
		return out, i18n.Wrap(err, "desk.qr.make")
	}
	pngPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".png"
	if pngPath == path {
		pngPath = path + ".png"
	}
	// The files are written before the profile keeps the request, so a
	// failure leaves no request waiting that was never handed out.
	if err := os.WriteFile(path, body, 0o644); err != nil {
		return out, i18n.Wrap(err, "desk.request.write")
	}
	if err := os.WriteFile(pngPath, code.PNG(), 0o644); err != nil {
		return out, i18n.Wrap(err, "desk.qr.write")
	}
	if _, err := st.WriteRequest(ctx, req); err != nil {
		return out, err
	}
	return RequestWritten{Request: req, Path: path, PNGPath: pngPath, QR: code}, nil
}

// NotOfflineError: a key whose request no machine could answer; Why says
// why and what to do instead.
type NotOfflineError struct {
	Key core.Key
	Why *i18n.Error
}

// Error says it.
func (e *NotOfflineError) Error() string { return e.Why.Error() }

// Words is its wording in the catalogs.
func (e *NotOfflineError) Words() *i18n.Error { return e.Why }

// answerableOffline refuses, before any file is written, a key that the
// portal would refuse to answer offline: an install key (it activates
// online as it is added, source 002), and, when this profile's copy knows
// the key, one expired or with every activation in use. A field machine
// that never logged in knows only the key's kind.
func (d *Desk) answerableOffline(ctx context.Context, key core.Key) error {
	if key.Kind() == core.InstallKey {
		return &NotOfflineError{Key: key, Why: &i18n.Error{Key: "desk.offline.install_key"}}
	}
	s, err := d.Session(ctx)
	if err != nil || !s.LoggedIn() {
		return nil
	}
	c, _ := d.Cache(ctx)
	var k api.Key
	if found, err := c.Get(ctx, api.KindKey, string(key), &k); err != nil || !found {
		return nil
	}
	switch {
	case k.Status == "expired":
		return &NotOfflineError{Key: key, Why: &i18n.Error{Key: "desk.offline.expired"}}
	case k.MaxActivations > 0 && k.ActiveActivations >= k.MaxActivations:
		return &NotOfflineError{Key: key, Why: &i18n.Error{Key: "desk.offline.all_in_use", Args: []any{"Max", k.MaxActivations}}}
	}
	return nil
}

// Answered is a request answered for another machine.
type Answered struct {
	Request    activation.Request
	Activation api.Activation
	// Path is the response file written.
	Path string
}

// AnswerRequest is the connected machine's step: it sends a request file
// to the portal under this login and writes the signed response to
// outPath. The response is checked against the trusted keys before it is
// written, so a damaged answer is caught here; nothing is written when
// answering fails.
func (d *Desk) AnswerRequest(ctx context.Context, reqPath, outPath string) (Answered, error) {
	var out Answered
	reqFile, err := readSmallFile(reqPath, activation.MaxFileSize)
	if err != nil {
		return out, err
	}
	req, err := activation.ParseRequest(reqFile)
	if err != nil {
		return out, err
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return out, err
	}
	got, err := cl.AnswerRequest(ctx, reqFile)
	if err != nil {
		return out, err
	}
	if err := d.EnsureTrust(ctx); err != nil {
		return out, err
	}
	st, err := d.Machine()
	if err != nil {
		return out, err
	}
	trusted, err := st.Trusted(ctx)
	if err != nil {
		return out, err
	}
	if len(trusted) > 0 {
		if _, _, err := activation.OpenResponse([]byte(got.Response), req, trusted); err != nil {
			return out, i18n.Wrap(err, "desk.response.unverified")
		}
	}
	if err := os.WriteFile(outPath, []byte(got.Response), 0o644); err != nil {
		return out, i18n.Wrap(err, "desk.response.write")
	}
	return Answered{Request: req, Activation: got.Activation, Path: outPath}, nil
}

// ImportResponse is the disconnected machine's last step: the response to
// one of its requests, checked and installed.
func (d *Desk) ImportResponse(ctx context.Context, path string) (Activated, error) {
	var out Activated
	file, err := readSmallFile(path, licensefile.MaxFileSize)
	if err != nil {
		return out, err
	}
	st, err := d.Machine()
	if err != nil {
		return out, err
	}
	if s, err := d.Session(ctx); err == nil && s.HasToken {
		d.EnsureTrust(ctx) // a logged-in machine may not have pinned yet; the import says if not
	}
	fp, err := d.Fingerprint(ctx)
	if err != nil {
		return out, err
	}
	p, err := st.ImportResponse(ctx, file, d.Now(), fp)
	if err != nil {
		return out, err
	}
	lp, _ := st.LicensePath(p.Product)
	return Activated{Payload: p, Path: lp}, nil
}

// NoActivationError: this machine holds no activation of the product.
type NoActivationError struct{ Product string }

// Error names the product.
func (e *NoActivationError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *NoActivationError) Words() *i18n.Error {
	if e.Product == "" {
		return &i18n.Error{Key: "desk.no_activation"}
	}
	return &i18n.Error{Key: "desk.no_activation_of", Args: []any{"Product", e.Product}}
}

// WhichActivationError: the machine holds several activations and the
// caller named none.
type WhichActivationError struct{ Products []string }

// Error lists them.
func (e *WhichActivationError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *WhichActivationError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.which_activation", Args: []any{"Products", strings.Join(e.Products, ", ")}}
}

// PickActivation finds the activation to give up: the product named, or
// the only one this machine holds.
func (d *Desk) PickActivation(ctx context.Context, product string) (machine.ActivationRecord, error) {
	st, err := d.Machine()
	if err != nil {
		return machine.ActivationRecord{}, err
	}
	if product != "" {
		rec, err := st.Activation(ctx, product)
		if errors.Is(err, machine.ErrNoActivation) {
			return rec, &NoActivationError{Product: product}
		}
		return rec, err
	}
	all, err := st.Activations(ctx)
	if err != nil {
		return machine.ActivationRecord{}, err
	}
	switch len(all) {
	case 0:
		return machine.ActivationRecord{}, &NoActivationError{}
	case 1:
		return all[0], nil
	}
	names := make([]string, len(all))
	for i, r := range all {
		names[i] = r.Product
	}
	return machine.ActivationRecord{}, &WhichActivationError{Products: names}
}

// Deactivated is an activation given up on this machine.
type Deactivated struct {
	Product, ActivationID string
	// Receipt is the receipt file written (offline); "" when the portal
	// freed the activation at once.
	Receipt string
	// Activation is the portal's record of the freed activation (online).
	Activation api.Activation
}

// Deactivate gives up this machine's activation of a product: online when
// receiptPath is "" (the portal frees the key at once), else by writing a
// receipt there, to hand in from a connected machine.
func (d *Desk) Deactivate(ctx context.Context, product, receiptPath string) (Deactivated, error) {
	rec, err := d.PickActivation(ctx, product)
	if err != nil {
		return Deactivated{}, err
	}
	out := Deactivated{Product: rec.Product, ActivationID: rec.ActivationID, Receipt: receiptPath}
	st, err := d.Machine()
	if err != nil {
		return out, err
	}
	if receiptPath != "" {
		file, copyPath, err := st.Deactivate(ctx, rec.Product, d.Now())
		if err != nil {
			return out, err
		}
		if err := os.WriteFile(receiptPath, file, 0o644); err != nil {
			return out, i18n.Wrap(err, "desk.receipt.unwritten", "Path", receiptPath, "Copy", copyPath)
		}
		return out, nil
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return out, err
	}
	if out.Activation, err = cl.Deactivate(ctx, rec.ActivationID); err != nil {
		return out, err
	}
	return out, st.Forget(ctx, rec.Product)
}

// SubmitReceipt hands a receipt written on a disconnected machine to the
// portal, which frees that activation.
func (d *Desk) SubmitReceipt(ctx context.Context, path string) (api.Activation, error) {
	file, err := readSmallFile(path, activation.MaxFileSize)
	if err != nil {
		return api.Activation{}, err
	}
	if _, err := activation.ParseReceipt(file); err != nil {
		return api.Activation{}, err
	}
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.Activation{}, err
	}
	got, err := cl.SubmitReceipt(ctx, file)
	return got.Activation, err
}

// readSmallFile reads a file carried by hand, refusing one far too big to
// be what it claims before reading it whole.
func readSmallFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, i18n.Errorf("desk.file.too_large", "Path", path, "Size", fi.Size(), "Limit", limit)
	}
	return os.ReadFile(path)
}

// PendingRequests lists this machine's activation requests still waiting
// for their response.
func (d *Desk) PendingRequests(ctx context.Context) ([]activation.Request, error) {
	st, err := d.Machine()
	if err != nil {
		return nil, err
	}
	return st.PendingRequests(ctx)
}

// CancelRequest forgets this machine's waiting request for a key: its
// response, if one comes, is refused.
func (d *Desk) CancelRequest(ctx context.Context, key string) error {
	k, err := core.ParseKey(key)
	if err != nil {
		return err
	}
	st, err := d.Machine()
	if err != nil {
		return err
	}
	found, err := st.CancelRequest(ctx, k)
	if err == nil && !found {
		return &NoRequestError{Key: k}
	}
	return err
}

// NoRequestError: this machine holds no waiting request for the key.
type NoRequestError struct{ Key core.Key }

// Error names the key.
func (e *NoRequestError) Error() string { return e.Words().Error() }

// Words is its wording in the catalogs.
func (e *NoRequestError) Words() *i18n.Error {
	return &i18n.Error{Key: "desk.no_request", Args: []any{"Key", string(e.Key)}}
}

// MachineActivations lists the live activations of the user's accounts on
// the machine of that name (any machine, this one included), of one
// product when product is not "", from the local copy freshened first.
func (d *Desk) MachineActivations(ctx context.Context, machineName, product string) ([]api.Activation, error) {
	if _, err := d.Freshen(ctx); err != nil {
		return nil, err
	}
	c, err := d.Cache(ctx)
	if err != nil {
		return nil, err
	}
	all, err := lsync.List[api.Activation](ctx, c, api.KindActivation)
	if err != nil {
		return nil, err
	}
	var out []api.Activation
	for _, a := range all {
		if a.State != "active" || !strings.EqualFold(strings.TrimSpace(a.Machine), strings.TrimSpace(machineName)) {
			continue
		}
		if product != "" && !strings.EqualFold(a.Product, product) {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

// FreeActivation frees an activation of the user's accounts by its ID,
// on whatever machine it is: the key may then be activated elsewhere. When
// it is this machine's activation of its product, the license installed
// here goes too.
func (d *Desk) FreeActivation(ctx context.Context, activationID string) (api.Activation, error) {
	cl, err := d.online(ctx, lsync.DefaultRetry())
	if err != nil {
		return api.Activation{}, err
	}
	got, err := cl.Deactivate(ctx, activationID)
	if err != nil {
		return got, err
	}
	if st, err := d.Machine(); err == nil {
		if rec, err := st.Activation(ctx, got.Product); err == nil && rec.ActivationID == activationID {
			if err := st.Forget(ctx, got.Product); err != nil {
				return got, err
			}
		}
	}
	d.pullQuietly(ctx)
	return got, nil
}

// CheckRequest tells, before the user picks where to write a request,
// whether key could be answered offline at all: a malformed key, an
// install key, or (as far as this profile knows) an expired key or one with
// every activation in use is refused with the reason, as WriteRequest
// would refuse it.
func (d *Desk) CheckRequest(ctx context.Context, key string) error {
	k, err := core.ParseKey(key)
	if err != nil {
		return err
	}
	return d.answerableOffline(ctx, k)
}
