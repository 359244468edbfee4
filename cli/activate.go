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
	"github.com/licdesk/licdesk/i18n"
)

// cmdActivate is source 002's activation, online in one step or offline by
// request and response files carried between machines.
func cmdActivate(ctx context.Context, a *app, args []string) error {
	f := newFlags(a, "activate")
	request := f.String("request", "", a.lang.T("cli.activate.flag.request"))
	fulfil := f.String("fulfil", "", a.lang.T("cli.activate.flag.fulfil"))
	out := f.String("out", "", a.lang.T("cli.activate.flag.out"))
	response := f.String("response", "", a.lang.T("cli.activate.flag.response"))
	cancel := f.Bool("cancel", false, a.lang.T("cli.activate.flag.cancel"))
	name := f.String("machine", "", a.lang.T("cli.activate.flag.machine"))
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
		return usage("cli.activate.one_mode")
	}
	switch {
	case *cancel:
		if len(pos) != 1 || modes > 0 {
			return usage("cli.usage.line", "Usage", "licdesk activate --cancel KEY")
		}
		d, err := a.desk()
		if err != nil {
			return err
		}
		if err := d.CancelRequest(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.activate.cancelled", "Key", pos[0]))
		return nil
	case *request != "":
		if len(pos) != 1 {
			return usage("cli.usage.line", "Usage", "licdesk activate --request FILE KEY")
		}
		return a.writeActivationRequest(ctx, pos[0], *request, *name)
	case *fulfil != "":
		if *out == "" || len(pos) != 0 {
			return usage("cli.usage.line", "Usage", "licdesk activate --fulfil REQUEST --out RESPONSE")
		}
		return a.fulfilActivation(ctx, *fulfil, *out)
	case *response != "":
		if len(pos) != 0 {
			return usage("cli.usage.line", "Usage", "licdesk activate --response FILE")
		}
		return a.importActivation(ctx, *response)
	}
	if len(pos) != 1 {
		return usage("cli.activate.usage")
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
	done := "cli.activate.done"
	if act.Reused {
		done = "cli.activate.redone"
	}
	edition := p.Edition
	if len(p.Modules) > 0 {
		edition += ": " + strings.Join(p.Modules, ", ")
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T(done, "Product", p.Product, "Edition", edition, "Path", act.Path))
	return nil
}

// activateOnline activates a key for this machine in one round trip.
func (a *app) activateHere(ctx context.Context, key, name string) error {
	if a.offline {
		return usage("cli.activate.needs_portal")
	}
	if err := a.requireProfile(ctx); err != nil {
		return i18n.Errorf("cli.activate.or_offline", "Err", a.lang.Err(err))
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
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.activate.request_written", "Key", string(w.Key), "Path", w.Path, "QR", w.PNGPath))
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.activate.request_next", "File", filepath.Base(file)))
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
		return usage("cli.needs_portal", "What", a.lang.T("cli.job.answer_request"))
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
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.activate.fulfilled", "Product", ans.Activation.Product, "Key", string(ans.Request.Key),
		"Machine", fmt.Sprintf("%q", ans.Request.Machine), "Path", ans.Path, "File", filepath.Base(ans.Path)))
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
	receipt := f.String("receipt", "", a.lang.T("cli.deactivate.flag.receipt"))
	submit := f.String("submit", "", a.lang.T("cli.deactivate.flag.submit"))
	machineName := f.String("machine", "", a.lang.T("cli.deactivate.flag.machine"))
	yes := f.Bool("yes", false, a.lang.T("cli.deactivate.flag.yes"))
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if *machineName != "" {
		if *submit != "" || *receipt != "" || len(pos) > 1 {
			return usage("cli.usage.line", "Usage", "licdesk deactivate --machine NAME [PRODUCT] [--yes]")
		}
		product := ""
		if len(pos) == 1 {
			product = pos[0]
		}
		return a.freeMachine(ctx, *machineName, product, *yes)
	}
	if *submit != "" {
		if *receipt != "" || len(pos) != 0 {
			return usage("cli.usage.line", "Usage", "licdesk deactivate --submit RECEIPT")
		}
		return a.submitReceipt(ctx, *submit)
	}
	if len(pos) > 1 {
		return usage("cli.usage.line", "Usage", "licdesk deactivate [PRODUCT] [--receipt FILE]")
	}
	product := ""
	if len(pos) == 1 {
		product = pos[0]
	}
	if *receipt == "" {
		if a.offline {
			return usage("cli.deactivate.needs_portal")
		}
		if err := a.requireProfile(ctx); err != nil {
			return i18n.Errorf("cli.deactivate.or_offline", "Err", a.lang.Err(err))
		}
	}
	d, err := a.desk()
	if err != nil {
		return err
	}
	out, err := d.Deactivate(ctx, product, *receipt)
	var which *desk.WhichActivationError
	if errors.As(err, &which) {
		return &usageError{which}
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
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.deactivate.receipt_written", "Product", out.Product, "Path", out.Receipt,
			"File", filepath.Base(out.Receipt)))
		return nil
	}
	if a.json {
		return a.printJSON(out.Activation)
	}
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.deactivate.done", "Product", out.Product))
	return nil
}

// submitReceipt hands a receipt written on a disconnected machine to the
// portal, which frees the activation.
func (a *app) submitReceipt(ctx context.Context, path string) error {
	if a.offline {
		return usage("cli.needs_portal", "What", a.lang.T("cli.job.hand_receipt"))
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
	fmt.Fprintln(a.env.Stdout, a.lang.T("cli.deactivate.submitted", "Product", act.Product, "Machine", fmt.Sprintf("%q", act.Machine),
		"Key", act.Key))
	return nil
}

// freeMachine frees the activations of a named machine: another machine
// of the account that holds a key at its limit (source 002), or this one.
// It asks first on a terminal; elsewhere --yes is needed.
func (a *app) freeMachine(ctx context.Context, name, product string, yes bool) error {
	if err := a.onlineOnly(ctx, "cli.job.free_activation"); err != nil {
		return err
	}
	acts, err := a.d.MachineActivations(ctx, name, product)
	if err != nil {
		return err
	}
	if len(acts) == 0 {
		if product != "" {
			return i18n.Errorf("cli.deactivate.none_of", "Product", product, "Machine", name)
		}
		return i18n.Errorf("cli.deactivate.none", "Machine", name)
	}
	for _, act := range acts {
		fmt.Fprintln(a.env.Stderr, a.lang.T("cli.deactivate.listed", "Machine", act.Machine, "Product", act.Product, "Key", act.Key,
			"Date", a.date(act.ActivatedAt)))
	}
	if !yes {
		if !a.env.StdinTerminal {
			return usage("cli.confirm_with_yes")
		}
		fmt.Fprint(a.env.Stderr, a.lang.N("cli.deactivate.confirm", len(acts), "Machine", name)+" ")
		line, err := readLine(a.env.Stdin)
		if err != nil || !a.yes(line) {
			return i18n.Errorf("cli.deactivate.not_confirmed")
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
		fmt.Fprintln(a.env.Stdout, a.lang.T("cli.deactivate.freed", "Product", f.Product, "Machine", f.Machine, "Key", f.Key))
	}
	return nil
}
