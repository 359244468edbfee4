package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"rsc.io/qr"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/desk"
)

// cmdActivate is source 002's activation, online in one step or offline by
// request and response files carried between machines.
func cmdActivate(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "activate")
	request := f.String("request", "", "offline: write the activation request of KEY to this file (and a QR code)")
	fulfil := f.String("fulfil", "", "on a logged-in machine: answer this request file")
	out := f.String("out", "", "with --fulfil: write the response to this file")
	response := f.String("response", "", "offline: import this response file")
	cancel := f.Bool("cancel", false, "offline: forget this machine's waiting request for KEY (its response is then refused)")
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
	case *cancel:
		if len(pos) != 1 || modes > 0 {
			return usagef("usage: licdesk activate --cancel KEY")
		}
		d, err := a.desk()
		if err != nil {
			return err
		}
		if err := d.CancelRequest(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stdout, "the request for %s is cancelled: a response to it will be refused\n", pos[0])
		return nil
	case *request != "":
		if len(pos) != 1 {
			return usagef("usage: licdesk activate --request FILE KEY")
		}
		return a.writeActivationRequest(ctx, pos[0], *request, *name)
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
	return a.activateHere(ctx, pos[0], *name)
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

func (a *app) reportActivated(act desk.Activated) error {
	p := act.Payload
	mode := "offline"
	if act.Online {
		mode = "online"
	}
	o := activatedOut{Product: p.Product, LicenseID: p.LicenseID, ActivationID: p.ActivationID,
		Modules: nonNil(p.Modules), Path: act.Path, Mode: mode, Reused: act.Reused}
	if !p.Expiry.IsZero() {
		o.Expiry = p.Expiry.UTC().Format(time.DateOnly)
	}
	if a.json {
		return a.printJSON(o)
	}
	verb := "activated"
	if act.Reused {
		verb = "reactivated"
	}
	edition := p.Edition
	if len(p.Modules) > 0 {
		edition += ": " + strings.Join(p.Modules, ", ")
	}
	fmt.Fprintf(a.env.Stdout, "%s %s on this machine (%s); license file %s\n", verb, p.Product, edition, act.Path)
	return nil
}

// activateOnline activates a key for this machine in one round trip.
func (a *app) activateHere(ctx context.Context, key, name string) error {
	if a.offline {
		return usagef("online activation needs the portal: drop --offline, or use --request FILE")
	}
	if err := a.requireProfile(ctx); err != nil {
		return fmt.Errorf("%w (or activate offline: licdesk activate --request FILE KEY)", err)
	}
	act, err := a.d.ActivateOnline(ctx, key, name)
	if err != nil {
		return a.refusalError(err)
	}
	return a.reportActivated(act)
}

// writeActivationRequest is the disconnected machine's first step: the
// request file, the same text as a QR code on the terminal, and as a PNG
// beside the file.
func (a *app) writeActivationRequest(ctx context.Context, key, file, name string) error {
	d, err := a.desk()
	if err != nil {
		return err
	}
	w, err := d.WriteRequest(ctx, key, name, file)
	if err != nil {
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
		}{string(w.Key), w.Machine, w.Nonce, w.Fingerprint, w.Path, w.PNGPath})
	}
	fmt.Fprint(a.env.Stdout, terminalQR(w.QR))
	fmt.Fprintf(a.env.Stdout, "activation request for %s written to %s (QR code: %s)\n", w.Key, w.Path, w.PNGPath)
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

// fulfilActivation is the connected machine's step: it answers a request
// file under this login and writes the signed response.
func (a *app) fulfilActivation(ctx context.Context, reqPath, outPath string) error {
	if a.offline {
		return usagef("answering a request needs the portal: drop --offline")
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	ans, err := a.d.AnswerRequest(ctx, reqPath, outPath)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(struct {
			Activation api.Activation `json:"activation"`
			File       string         `json:"file"`
		}{ans.Activation, ans.Path})
	}
	fmt.Fprintf(a.env.Stdout, "activated %s (key %s) for machine %q; response written to %s: import it there with licdesk activate --response %s\n",
		ans.Activation.Product, ans.Request.Key, ans.Request.Machine, ans.Path, filepath.Base(ans.Path))
	return nil
}

// importActivation is the disconnected machine's last step.
func (a *app) importActivation(ctx context.Context, path string) error {
	d, err := a.desk()
	if err != nil {
		return err
	}
	act, err := d.ImportResponse(ctx, path)
	if err != nil {
		return a.refusalError(err)
	}
	return a.reportActivated(act)
}

// cmdDeactivate gives up this machine's activation of a product: online,
// or offline by writing a receipt to carry to a connected machine, where
// --submit hands it to the portal to free the seat.
func cmdDeactivate(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "deactivate")
	receipt := f.String("receipt", "", "offline: write the deactivation receipt to this file")
	submit := f.String("submit", "", "on a logged-in machine: hand this receipt file to the portal")
	machineName := f.String("machine", "", "free the activations on the machine of this name")
	yes := f.Bool("yes", false, "with --machine: free without asking")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *machineName != "" {
		if *submit != "" || *receipt != "" || len(pos) > 1 {
			return usagef("usage: licdesk deactivate --machine NAME [PRODUCT] [--yes]")
		}
		product := ""
		if len(pos) == 1 {
			product = pos[0]
		}
		return a.freeMachine(ctx, *machineName, product, *yes)
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
	product := ""
	if len(pos) == 1 {
		product = pos[0]
	}
	if *receipt == "" {
		if a.offline {
			return usagef("online deactivation needs the portal: drop --offline, or use --receipt FILE")
		}
		if err := a.requireProfile(ctx); err != nil {
			return fmt.Errorf("%w (or deactivate offline: licdesk deactivate --receipt FILE)", err)
		}
	}
	d, err := a.desk()
	if err != nil {
		return err
	}
	out, err := d.Deactivate(ctx, product, *receipt)
	var which *desk.WhichActivationError
	if errors.As(err, &which) {
		return usagef("%s", which)
	}
	if err != nil {
		return err
	}
	if *receipt != "" {
		if a.json {
			return a.printJSON(struct {
				Product      string `json:"product"`
				ActivationID string `json:"activation_id"`
				Receipt      string `json:"receipt"`
			}{out.Product, out.ActivationID, out.Receipt})
		}
		fmt.Fprintf(a.env.Stdout, "deactivated %s on this machine; carry %s to a connected machine: licdesk deactivate --submit %s (or the portal's page) frees the seat\n",
			out.Product, out.Receipt, filepath.Base(out.Receipt))
		return nil
	}
	if a.json {
		return a.printJSON(out.Activation)
	}
	fmt.Fprintf(a.env.Stdout, "deactivated %s on this machine; the key may be activated elsewhere\n", out.Product)
	return nil
}

// submitReceipt hands a receipt written on a disconnected machine to the
// portal, which frees the activation.
func (a *app) submitReceipt(ctx context.Context, path string) error {
	if a.offline {
		return usagef("handing a receipt in needs the portal: drop --offline")
	}
	if err := a.requireProfile(ctx); err != nil {
		return err
	}
	act, err := a.d.SubmitReceipt(ctx, path)
	if err != nil {
		return err
	}
	if a.json {
		return a.printJSON(act)
	}
	fmt.Fprintf(a.env.Stdout, "the activation of %s on %q (key %s) is freed; the key may be activated elsewhere\n",
		act.Product, act.Machine, act.Key)
	return nil
}

// freeMachine frees the activations of a named machine: another machine
// of the account that holds a key at its limit (source 002), or this one.
// It asks first on a terminal; elsewhere --yes is needed.
func (a *app) freeMachine(ctx context.Context, name, product string, yes bool) error {
	if err := a.onlineOnly(ctx, "freeing an activation"); err != nil {
		return err
	}
	acts, err := a.d.MachineActivations(ctx, name, product)
	if err != nil {
		return err
	}
	if len(acts) == 0 {
		what := ""
		if product != "" {
			what = " of " + product
		}
		return fmt.Errorf("no activation%s is live on a machine named %s (licdesk keys list shows the keys and their activations)", what, name)
	}
	for _, act := range acts {
		fmt.Fprintf(a.env.Stderr, "%s: %s, key %s, activated %s\n", act.Machine, act.Product, act.Key, a.date(act.ActivatedAt))
	}
	if !yes {
		if !a.env.StdinTerminal {
			return usagef("confirm with --yes (no terminal to ask on)")
		}
		fmt.Fprintf(a.env.Stderr, "Free %d activations on %s? [y/N] ", len(acts), name)
		line, err := readLine(a.env.Stdin)
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y") {
			return errors.New("not confirmed: nothing was freed")
		}
	}
	var freed []api.Activation
	for _, act := range acts {
		got, err := a.d.FreeActivation(ctx, act.ID)
		if err != nil {
			return err
		}
		freed = append(freed, got)
	}
	if a.json {
		return a.printJSON(freed)
	}
	for _, f := range freed {
		fmt.Fprintf(a.env.Stdout, "freed %s on %s (key %s): the key may be activated elsewhere\n", f.Product, f.Machine, f.Key)
	}
	return nil
}
