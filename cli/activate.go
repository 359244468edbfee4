package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"rsc.io/qr"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/machine"
	lsync "github.com/licdesk/licdesk/sync"
)

// cmdActivate is seed 002's activation, online in one step or offline by
// request and response files carried between machines.
func cmdActivate(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "activate")
	request := f.String("request", "", "offline: write the activation request of KEY to this file (and a QR code)")
	fulfil := f.String("fulfil", "", "on a logged-in machine: answer this request file")
	out := f.String("out", "", "with --fulfil: write the response to this file")
	response := f.String("response", "", "offline: import this response file")
	name := f.String("machine", "", "the name this machine shows on the portal (default: host name)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	modes := 0
	for _, s := range []string{*request, *fulfil, *response} {
		if s != "" {
			modes++
		}
	}
	if modes > 1 {
		return usagef("give one of --request, --fulfil and --response")
	}
	switch {
	case *request != "":
		if len(pos) != 1 {
			return usagef("usage: licdesk activate --request FILE KEY")
		}
		return a.writeActivationRequest(ctx, pos[0], *request, machineName(*name))
	case *fulfil != "":
		if *out == "" || len(pos) != 0 {
			return usagef("usage: licdesk activate --fulfil REQUEST --out RESPONSE")
		}
		return a.fulfilActivation(ctx, *fulfil, *out)
	case *response != "":
		if len(pos) != 0 {
			return usagef("usage: licdesk activate --response FILE")
		}
		return a.importActivation(ctx, *response)
	}
	if len(pos) != 1 {
		return usagef("usage: licdesk activate KEY (online), or --request FILE KEY, --fulfil REQUEST --out RESPONSE, --response FILE")
	}
	return a.activateOnline(ctx, pos[0], machineName(*name))
}

// activatedOut is what activation prints with --json.
type activatedOut struct {
	Product      string   `json:"product"`
	LicenseID    string   `json:"license_id"`
	ActivationID string   `json:"activation_id,omitempty"`
	Modules      []string `json:"modules"`
	Expiry       string   `json:"expiry,omitempty"`
	Path         string   `json:"path"`
	Mode         string   `json:"mode"`
	Reused       bool     `json:"reused,omitempty"`
}

func (a *app) reportActivated(st *machine.Store, p licensefile.Payload, mode string, reused bool) error {
	path, _ := st.LicensePath(p.Product)
	o := activatedOut{Product: p.Product, LicenseID: p.LicenseID, ActivationID: p.ActivationID,
		Modules: nonNil(p.Modules), Path: path, Mode: mode, Reused: reused}
	if !p.Expiry.IsZero() {
		o.Expiry = date(p.Expiry)
	}
	if a.json {
		return a.printJSON(o)
	}
	verb := "activated"
	if reused {
		verb = "reactivated"
	}
	fmt.Fprintf(a.env.Stdout, "%s %s on this machine (%s, activation %s); license file %s\n",
		verb, p.Product, p.LicenseID, p.ActivationID, path)
	return nil
}

// activateOnline activates a key for this machine in one round trip. An
// install key is added to the account first (it activates as it is added,
// seed 002); the activation call then answers with this request's nonce, so
// the response is checked like an offline one.
func (a *app) activateOnline(ctx context.Context, key, name string) error {
	if a.offline {
		return usagef("online activation needs the portal: drop --offline, or use --request FILE")
	}
	if err := a.requireProfile(ctx); err != nil {
		return fmt.Errorf("%w (or activate offline: licdesk activate --request FILE KEY)", err)
	}
	st, err := a.licenseStore()
	if err != nil {
		return err
	}
	if err := a.ensureTrust(ctx, st); err != nil {
		return err
	}
	fp, err := a.fingerprint(ctx)
	if err != nil {
		return err
	}
	now := a.env.Now()
	req, err := machine.NewRequest(key, name, fp, now)
	if err != nil {
		return err
	}
	if req.Key.Kind() == core.InstallKey {
		body, _ := json.Marshal(api.AddKeyRequest{Key: string(req.Key), Fingerprint: req.Fingerprint, Machine: req.Machine})
		var added api.AddedKey
		if err := a.post(ctx, "/v1/keys", body, &added); err != nil {
			// Already in the account: the activation below says if it is not.
			fmt.Fprintf(a.env.Stderr, "licdesk: adding the install key: %s\n", oneLine(err.Error()))
		}
	}
	body, _ := json.Marshal(api.ActivateRequest{Key: string(req.Key), Fingerprint: req.Fingerprint, Machine: req.Machine, Nonce: req.Nonce})
	var got api.Activated
	if err := a.post(ctx, "/v1/activations", body, &got); err != nil {
		return err
	}
	p, err := st.AcceptResponse(ctx, []byte(got.Response), req, now, fp)
	if err != nil {
		return refusalError(err)
	}
	return a.reportActivated(st, p, "online", got.Reused)
}

// ensureTrust pins the portal's keys when the profile trusts none yet (a
// profile that logged in before keys were pinned at login).
func (a *app) ensureTrust(ctx context.Context, st *machine.Store) error {
	have, err := st.Trusted(ctx)
	if err != nil || len(have) > 0 {
		return err
	}
	cl, err := a.client(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	a.pinPortalKeys(ctx, cl)
	return nil
}

// writeActivationRequest is the disconnected machine's first step: the
// request file, the same text as a QR code on the terminal, and as a PNG
// beside the file. The request is also kept in the profile, so that only
// the response to it is accepted.
func (a *app) writeActivationRequest(ctx context.Context, key, file, name string) error {
	st, err := a.licenseStore()
	if err != nil {
		return err
	}
	fp, err := a.fingerprint(ctx)
	if err != nil {
		return err
	}
	req, err := machine.NewRequest(key, name, fp, a.env.Now())
	if err != nil {
		return err
	}
	body, err := req.Encode()
	if err != nil {
		return err
	}
	code, err := qr.Encode(string(body), qr.L)
	if err != nil {
		return fmt.Errorf("make the QR code: %w", err)
	}
	pngPath := strings.TrimSuffix(file, filepath.Ext(file)) + ".png"
	if pngPath == file {
		pngPath = file + ".png"
	}
	// The files are written before the profile keeps the request, so a
	// failure leaves no request waiting that was never handed out.
	if err := os.WriteFile(file, body, 0o644); err != nil {
		return fmt.Errorf("write the request: %w", err)
	}
	if err := os.WriteFile(pngPath, code.PNG(), 0o644); err != nil {
		return fmt.Errorf("write the QR code: %w", err)
	}
	if _, err := st.WriteRequest(ctx, req); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(struct {
			Key         string           `json:"key"`
			Machine     string           `json:"machine"`
			Nonce       string           `json:"nonce"`
			Fingerprint core.Fingerprint `json:"fingerprint"`
			File        string           `json:"file"`
			QRCode      string           `json:"qr_png"`
		}{string(req.Key), req.Machine, req.Nonce, req.Fingerprint, file, pngPath})
	}
	fmt.Fprint(a.env.Stdout, terminalQR(code))
	fmt.Fprintf(a.env.Stdout, "activation request for %s written to %s (QR code: %s)\n", req.Key, file, pngPath)
	fmt.Fprintf(a.env.Stdout, "on a connected machine: licdesk activate --fulfil %s --out response.txt (or the portal's /activate page), then here: licdesk activate --response response.txt\n",
		filepath.Base(file))
	return nil
}

// terminalQR draws a QR code with half-block characters, two modules per
// character cell, light modules drawn (as qrencode -t UTF8 does) so that it
// reads on the usual dark terminal, with the 4-module quiet zone readers
// need.
func terminalQR(c *qr.Code) string {
	const quiet = 4
	n := c.Size + 2*quiet
	light := func(x, y int) bool {
		x, y = x-quiet, y-quiet
		return x < 0 || y < 0 || x >= c.Size || y >= c.Size || !c.Black(x, y)
	}
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := light(x, y), y+1 < n && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// fulfilActivation is the connected machine's step: it sends the request
// file to the portal under this login and writes the signed response. When
// the profile trusts the portal's keys, the response is checked before it
// is written, so that a file damaged on the way is caught here.
func (a *app) fulfilActivation(ctx context.Context, reqPath, outPath string) error {
	if a.offline {
		return usagef("answering a request needs the portal: drop --offline")
	}
	reqFile, err := readSmallFile(reqPath, activation.MaxFileSize)
	if err != nil {
		return err
	}
	req, err := activation.ParseRequest(reqFile)
	if err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	var got api.Activated
	if err := a.post(ctx, "/v1/activations/offline", reqFile, &got); err != nil {
		return err
	}
	st, err := a.licenseStore()
	if err != nil {
		return err
	}
	trusted, err := st.Trusted(ctx)
	if err != nil {
		return err
	}
	if len(trusted) > 0 {
		if _, _, err := activation.OpenResponse([]byte(got.Response), req, trusted); err != nil {
			return fmt.Errorf("the portal's response does not verify here: %w", err)
		}
	}
	if err := os.WriteFile(outPath, []byte(got.Response), 0o644); err != nil {
		return fmt.Errorf("write the response: %w", err)
	}
	if a.json {
		return a.printJSON(struct {
			Activation api.Activation `json:"activation"`
			File       string         `json:"file"`
		}{got.Activation, outPath})
	}
	fmt.Fprintf(a.env.Stdout, "activated %s (%s) for machine %q as %s; response written to %s: import it there with licdesk activate --response %s\n",
		got.Activation.Product, req.Key, req.Machine, got.Activation.ID, outPath, filepath.Base(outPath))
	return nil
}

// importActivation is the disconnected machine's last step.
func (a *app) importActivation(ctx context.Context, path string) error {
	file, err := readSmallFile(path, licensefile.MaxFileSize)
	if err != nil {
		return err
	}
	st, err := a.licenseStore()
	if err != nil {
		return err
	}
	fp, err := a.fingerprint(ctx)
	if err != nil {
		return err
	}
	p, err := st.ImportResponse(ctx, file, a.env.Now(), fp)
	if err != nil {
		return refusalError(err)
	}
	return a.reportActivated(st, p, "offline", false)
}

// readSmallFile reads a file carried by hand, refusing one far too big to
// be what it claims before reading it whole.
func readSmallFile(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes: too large to be a License Desk file (at most %d)", path, fi.Size(), limit)
	}
	return os.ReadFile(path)
}

// cmdDeactivate gives up this machine's activation of a product: online,
// or offline by writing a receipt to carry to a connected machine, where
// --submit hands it to the portal to free the seat.
func cmdDeactivate(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "deactivate")
	receipt := f.String("receipt", "", "offline: write the deactivation receipt to this file")
	submit := f.String("submit", "", "on a logged-in machine: hand this receipt file to the portal")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *submit != "" {
		if *receipt != "" || len(pos) != 0 {
			return usagef("usage: licdesk deactivate --submit RECEIPT")
		}
		return a.submitReceipt(ctx, *submit)
	}
	if len(pos) > 1 {
		return usagef("usage: licdesk deactivate [PRODUCT] [--receipt FILE]")
	}
	st, err := a.licenseStore()
	if err != nil {
		return err
	}
	rec, err := a.pickActivation(ctx, st, pos)
	if err != nil {
		return err
	}
	if *receipt != "" {
		file, copyPath, err := st.Deactivate(ctx, rec.Product, a.env.Now())
		if err != nil {
			return err
		}
		if err := os.WriteFile(*receipt, file, 0o644); err != nil {
			return fmt.Errorf("the license is given up, but the receipt could not be written to %s (%w): carry the copy in %s", *receipt, err, copyPath)
		}
		if a.json {
			return a.printJSON(struct {
				Product      string `json:"product"`
				ActivationID string `json:"activation_id"`
				Receipt      string `json:"receipt"`
			}{rec.Product, rec.ActivationID, *receipt})
		}
		fmt.Fprintf(a.env.Stdout, "deactivated %s on this machine; carry %s to a connected machine: licdesk deactivate --submit %s (or the portal's page) frees the seat\n",
			rec.Product, *receipt, filepath.Base(*receipt))
		return nil
	}
	if a.offline {
		return usagef("online deactivation needs the portal: drop --offline, or use --receipt FILE")
	}
	if err := a.requireProfile(ctx); err != nil {
		return fmt.Errorf("%w (or deactivate offline: licdesk deactivate --receipt FILE)", err)
	}
	cl, err := a.client(lsync.DefaultRetry())
	if err != nil {
		return err
	}
	var got api.Activation
	if err := cl.Do(ctx, lsync.Request{Method: http.MethodDelete, Path: "/v1/activations/" + rec.ActivationID, Key: idempotencyKey()}, &got); err != nil {
		return err
	}
	if err := st.Forget(ctx, rec.Product); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(got)
	}
	fmt.Fprintf(a.env.Stdout, "deactivated %s on this machine (activation %s); the key may be activated elsewhere\n", rec.Product, rec.ActivationID)
	return nil
}

// pickActivation finds the activation to give up: the product named, or
// the only one this machine holds.
func (a *app) pickActivation(ctx context.Context, st *machine.Store, pos []string) (machine.ActivationRecord, error) {
	if len(pos) == 1 {
		rec, err := st.Activation(ctx, pos[0])
		if errors.Is(err, machine.ErrNoActivation) {
			return rec, fmt.Errorf("this machine holds no activation of %s", pos[0])
		}
		return rec, err
	}
	all, err := st.Activations(ctx)
	if err != nil {
		return machine.ActivationRecord{}, err
	}
	switch len(all) {
	case 0:
		return machine.ActivationRecord{}, errors.New("this machine holds no activation")
	case 1:
		return all[0], nil
	}
	names := make([]string, len(all))
	for i, r := range all {
		names[i] = r.Product
	}
	return machine.ActivationRecord{}, usagef("this machine holds activations of %s: name the product", strings.Join(names, ", "))
}

// submitReceipt hands a receipt written on a disconnected machine to the
// portal, which frees the activation and answers a signed confirmation.
func (a *app) submitReceipt(ctx context.Context, path string) error {
	if a.offline {
		return usagef("handing a receipt in needs the portal: drop --offline")
	}
	file, err := readSmallFile(path, activation.MaxFileSize)
	if err != nil {
		return err
	}
	if _, err := activation.ParseReceipt(file); err != nil {
		return err
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	var got api.Deactivated
	if err := a.post(ctx, "/v1/activations/receipt", file, &got); err != nil {
		return err
	}
	if a.json {
		return a.printJSON(got.Activation)
	}
	fmt.Fprintf(a.env.Stdout, "activation %s of %s on %q is freed; the key may be activated elsewhere\n",
		got.Activation.ID, got.Activation.Product, got.Activation.Machine)
	return nil
}
