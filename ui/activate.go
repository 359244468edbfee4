package ui

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
	"rsc.io/qr"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	"github.com/licdesk/licdesk/machine"
)

// This file is the Keys tab's machine side: activation online and offline
// (the request, its QR code, the response), answering someone else's
// request, deactivation, and what this machine holds (activations with
// their hardware binding, trusted portal keys). The calls are those of
// "licdesk activate" and "licdesk deactivate".

// machineInfo is what the Keys tab shows about this machine.
type machineInfo struct {
	activations []machine.ActivationRecord
	states      map[string]localState
	trusted     []string
	pending     []activation.Request
	err         error
}

// loadMachine reads the store (off the UI goroutine).
func (t *KeysTab) loadMachine(ctx context.Context) machineInfo {
	var mi machineInfo
	st, err := t.app.licenseStore()
	if err != nil {
		mi.err = err
		return mi
	}
	if mi.activations, err = st.Activations(ctx); err != nil {
		mi.err = err
	}
	mi.states = map[string]localState{}
	for _, r := range mi.activations {
		mi.states[r.Product] = t.app.checkLocal(ctx, r.Product)
	}
	if keys, err := st.Trusted(ctx); err == nil {
		for kid := range keys {
			mi.trusted = append(mi.trusted, kid)
		}
		sort.Strings(mi.trusted)
	} else if mi.err == nil {
		mi.err = err
	}
	mi.pending, _ = st.PendingRequests(ctx)
	return mi
}

// text describes this machine: activations with their state and hardware
// binding, requests waiting for a response, the trusted portal keys.
func (mi machineInfo) text(a *App) string {
	var b strings.Builder
	l := a.l
	b.WriteString(l.T("ui.machine.this") + " ")
	if len(mi.activations) == 0 {
		b.WriteString(l.T("ui.machine.none"))
	}
	for _, r := range mi.activations {
		st := mi.states[r.Product]
		b.WriteString("\n• " + l.T("ui.machine.activation", "Product", r.Product, "Key", r.Key, "Date", a.day(r.Activated),
			"State", st.text(a), "Binding", a.graceText(st.res)))
	}
	for _, q := range mi.pending {
		b.WriteString("\n• " + l.T("ui.machine.request", "Key", q.Key, "Date", a.day(q.Created)))
	}
	if len(mi.trusted) == 0 {
		b.WriteString("\n" + l.T("ui.machine.trusted_none"))
	} else {
		b.WriteString("\n" + l.T("ui.machine.trusted", "Keys", strings.Join(mi.trusted, ", ")))
	}
	if mi.err != nil {
		b.WriteString("\n" + l.Err(mi.err))
	}
	return b.String()
}

// say shows the result of the last action (UI goroutine).
func (t *KeysTab) say(s string) {
	t.Message.SetText(s)
	t.Message.Show()
}

// done reports an action's result on the UI goroutine and reloads the
// window (the key's activations, this machine's state).
func (t *KeysTab) done(msg string, err error) {
	t.app.do(func() {
		if err != nil {
			t.say(t.app.l.Err(err))
		} else {
			t.say(msg)
		}
	})
	t.app.Refresh()
	if err == nil && t.app.online() && t.app.cfg.Inline {
		t.app.SyncNow()
	} else if err == nil && t.app.online() && t.app.sess.sched != nil {
		t.app.sess.sched.Kick()
	}
}

// selectedKey is the key selected in the list, "" if none.
func (t *KeysTab) selectedKey() string {
	if k, ok := t.List.current(); ok {
		return k.Key
	}
	return ""
}

// activateDialog asks for a key to activate online on this machine.
func (t *KeysTab) activateDialog() {
	l := t.app.l
	key := newFormEntry(l.T("ui.activate.key.placeholder"), validKey)
	key.SetText(t.selectedKey())
	name := newFormEntry(l.T("ui.activate.machine.placeholder"), nil)
	name.SetText(desk.MachineName(""))
	t.app.showForm(l.T("ui.activate.title"), l.T("ui.activate.ok"), []formField{
		{label: l.T("ui.activate.key"), obj: key}, {label: l.T("ui.activate.machine"), obj: name, hint: l.T("ui.activate.machine.hint")}},
		func(ctx context.Context) (string, error) {
			msg, err := t.activateOnline(ctx, strings.TrimSpace(key.Text), strings.TrimSpace(name.Text))
			if err == nil {
				t.app.Refresh()
			}
			return msg, err
		}, t.say)
}

// ActivateOnline activates a key for this machine in one round trip, as
// "licdesk activate KEY" does: an install key is added to the account
// first; the response answers this request's nonce and is checked like an
// offline one.
func (t *KeysTab) ActivateOnline(key, name string) {
	t.say(t.app.l.T("ui.activate.working", "Key", key))
	t.app.bg(func(ctx context.Context) {
		msg, err := t.activateOnline(ctx, key, name)
		t.done(msg, err)
	})
}

func (t *KeysTab) activateOnline(ctx context.Context, key, name string) (string, error) {
	if !t.app.online() {
		return "", i18n.Errorf("ui.activate.needs_portal")
	}
	act, err := t.app.sess.d.ActivateOnline(ctx, key, name)
	if err != nil {
		return "", errors.New(refusalText(t.app.l, err))
	}
	return activatedText(t.app.l, act), nil
}

func activatedText(l *i18n.Lang, act desk.Activated) string {
	mode := l.T("ui.activate.mode.offline")
	if act.Online {
		mode = l.T("ui.activate.mode.online")
	}
	what := act.Product
	if act.Edition != "" {
		what += " " + l.Enum("edition", act.Edition)
	}
	if len(act.Modules) > 0 {
		what += " (" + strings.Join(act.Modules, ", ") + ")"
	}
	return l.T("ui.activate.done", "What", what, "Mode", mode, "Path", act.Path)
}

// offlineDialog is the offline activation as a guided flow: 1. write the
// request (a file, and its QR code on screen), 2. carry it to a connected
// machine (Answer a request… there, or the portal's /activate page), 3.
// import the response here.
func (t *KeysTab) offlineDialog() {
	l := t.app.l
	key := widget.NewEntry()
	key.SetPlaceHolder(l.T("ui.offline.key.placeholder"))
	if k := t.selectedKey(); strings.HasPrefix(k, "LIC-") {
		key.SetText(k) // install keys activate online only
	}
	writeBtn := widget.NewButton(l.T("ui.offline.write"), func() {
		k := strings.TrimSpace(key.Text)
		if k == "" {
			t.FlowStep.SetText(l.T("ui.offline.key_first"))
			return
		}
		// Ask where to write only a request that can be answered.
		t.app.bg(func(ctx context.Context) {
			err := t.app.sess.d.CheckRequest(ctx, k)
			t.app.do(func() {
				if err != nil {
					t.FlowStep.SetText(t.app.l.T("ui.offline.request_failed", "Reason", t.app.l.Err(err)))
					t.say(t.FlowStep.Text)
					return
				}
				d := dialog.NewFileSave(func(f fyne.URIWriteCloser, err error) {
					if err != nil || f == nil {
						return
					}
					path := f.URI().Path()
					f.Close()
					t.WriteRequest(k, path)
				}, t.app.win)
				d.SetFileName("activation-request.lda")
				d.Resize(fyne.NewSize(760, 520))
				d.Show()
			})
		})
	})
	importBtn := widget.NewButton(l.T("ui.offline.import"), func() {
		d := dialog.NewFileOpen(func(f fyne.URIReadCloser, err error) {
			if err != nil || f == nil {
				return
			}
			path := f.URI().Path()
			f.Close()
			t.ImportResponse(path)
		}, t.app.win)
		d.SetFilter(storage.NewExtensionFileFilter([]string{".lda", ".txt", ".lic"}))
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	})
	steps := widget.NewLabel(l.T("ui.offline.steps"))
	steps.Wrapping = fyne.TextWrapWord
	saveQR := widget.NewButton(l.T("ui.offline.save_qr"), func() {
		if len(t.qrPNG) == 0 {
			return
		}
		d := dialog.NewFileSave(func(f fyne.URIWriteCloser, err error) {
			if err != nil || f == nil {
				return
			}
			_, werr := f.Write(t.qrPNG)
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				t.FlowStep.SetText(l.T("ui.offline.qr_failed", "Reason", l.Err(werr)))
			}
		}, t.app.win)
		d.SetFileName("activation-request.png")
		d.Resize(fyne.NewSize(760, 520))
		d.Show()
	})
	if len(t.qrPNG) == 0 {
		saveQR.Hide()
	}
	t.saveQR = saveQR
	qrBox := container.NewVBox(container.NewCenter(t.QR), container.NewCenter(saveQR))
	body := container.NewVBox(steps, widget.NewForm(widget.NewFormItem(l.T("ui.activate.key"), key)),
		container.NewHBox(writeBtn, importBtn), qrBox, t.FlowStep, t.FlowResult)
	scroll := container.NewVScroll(body)
	t.flowBody = scroll
	d := dialog.NewCustom(l.T("ui.offline.title"), l.T("ui.common.close"), scroll, t.app.win)
	d.Resize(fyne.NewSize(720, 640))
	d.Show()
}

// WriteRequest writes the activation request of a key to path, and its QR
// code beside it as a PNG, and keeps the request in the profile so that
// only the response to it is accepted. The QR code shows in the flow.
func (t *KeysTab) WriteRequest(key, path string) {
	t.app.bg(func(ctx context.Context) {
		img, pngPath, err := t.writeRequest(ctx, key, path)
		t.app.do(func() {
			if err != nil {
				t.FlowStep.SetText(t.app.l.T("ui.offline.request_failed", "Reason", t.app.l.Err(err)))
				t.say(t.FlowStep.Text)
				return
			}
			t.QR.Image = img
			t.QR.Show()
			if t.saveQR != nil {
				t.saveQR.Show()
			}
			if t.flowBody != nil {
				t.flowBody.Refresh() // make room for the code
			}
			t.QR.Refresh()
			t.FlowStep.SetText(t.app.l.T("ui.offline.written", "Path", path, "QR", pngPath))
			t.say(t.FlowStep.Text)
		})
		t.app.Refresh()
	})
}

func (t *KeysTab) writeRequest(ctx context.Context, key, path string) (image.Image, string, error) {
	w, err := t.app.sess.d.WriteRequest(ctx, key, "", path)
	if err != nil {
		return nil, "", err
	}
	t.qrPNG = w.QR.PNG()
	return qrImage(w.QR), w.PNGPath, nil
}

// qrModule is how many screen pixels a QR module takes: a request's code
// (about 60 modules) then spans some 400 pixels, large enough for a phone
// to read from the screen.
const qrModule = 6

// qrImage draws a QR code with crisp square modules and the four-module
// quiet zone readers need (rsc.io/qr's own Image draws one pixel a module
// in a much larger white square).
func qrImage(c *qr.Code) image.Image {
	const quiet = 4
	n := (c.Size + 2*quiet) * qrModule
	img := image.NewGray(image.Rect(0, 0, n, n))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.Black(x, y) {
				continue
			}
			for dy := 0; dy < qrModule; dy++ {
				row := ((y+quiet)*qrModule + dy) * img.Stride
				for dx := 0; dx < qrModule; dx++ {
					img.Pix[row+(x+quiet)*qrModule+dx] = 0
				}
			}
		}
	}
	return img
}

// ImportResponse installs the response to this machine's request.
func (t *KeysTab) ImportResponse(path string) {
	t.app.bg(func(ctx context.Context) {
		msg, err := t.importResponse(ctx, path)
		t.app.do(func() {
			if err != nil {
				t.FlowResult.SetText(t.app.l.T("ui.offline.not_activated", "Reason", t.app.l.Err(err)))
			} else {
				t.FlowResult.SetText(msg)
			}
		})
		t.done(msg, err)
	})
}

func (t *KeysTab) importResponse(ctx context.Context, path string) (string, error) {
	act, err := t.app.sess.d.ImportResponse(ctx, path)
	if err != nil {
		return "", errors.New(refusalText(t.app.l, err))
	}
	return activatedText(t.app.l, act), nil
}

// fulfilDialog answers someone else's request: open it, then save the
// response.
func (t *KeysTab) fulfilDialog() {
	open := dialog.NewFileOpen(func(f fyne.URIReadCloser, err error) {
		if err != nil || f == nil {
			return
		}
		reqPath := f.URI().Path()
		f.Close()
		save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			out := w.URI().Path()
			w.Close()
			t.Fulfil(reqPath, out)
		}, t.app.win)
		save.SetFileName(strings.TrimSuffix(filepath.Base(reqPath), filepath.Ext(reqPath)) + "-response.lda")
		save.Resize(fyne.NewSize(760, 520))
		save.Show()
	}, t.app.win)
	open.SetTitleText(t.app.l.T("ui.fulfil.open"))
	open.Resize(fyne.NewSize(760, 520))
	open.Show()
}

// Fulfil answers an activation request file written on another machine
// under this login, as "licdesk activate --fulfil" does, and writes the
// signed response to outPath (checked first when the profile trusts the
// portal's keys, so that a damaged answer is caught here).
func (t *KeysTab) Fulfil(reqPath, outPath string) {
	t.say(t.app.l.T("ui.fulfil.working", "File", filepath.Base(reqPath)))
	t.app.bg(func(ctx context.Context) {
		msg, err := t.fulfil(ctx, reqPath, outPath)
		t.done(msg, err)
	})
}

func (t *KeysTab) fulfil(ctx context.Context, reqPath, outPath string) (string, error) {
	if !t.app.online() {
		return "", i18n.Errorf("ui.fulfil.needs_portal")
	}
	ans, err := t.app.sess.d.AnswerRequest(ctx, reqPath, outPath)
	if err != nil {
		return "", err
	}
	return t.app.l.T("ui.fulfil.done", "Product", ans.Activation.Product, "Key", ans.Request.Key, "Machine", ans.Request.Machine, "Path", ans.Path), nil
}

// deactivateDialog picks one of this machine's activations and gives it up
// online, or writes a receipt to carry to a connected machine.
func (t *KeysTab) deactivateDialog() {
	t.app.bg(func(ctx context.Context) {
		st, err := t.app.licenseStore()
		var recs []machine.ActivationRecord
		if err == nil {
			recs, err = st.Activations(ctx)
		}
		t.app.do(func() {
			l := t.app.l
			if err != nil {
				t.app.showError(err)
				return
			}
			if len(recs) == 0 {
				t.app.inform(l.T("ui.deactivate.short"), l.T("ui.deactivate.none"))
				return
			}
			var names []string
			for _, r := range recs {
				names = append(names, r.Product)
			}
			pick := widget.NewSelect(names, nil)
			pick.SetSelectedIndex(0)
			info := widget.NewLabel(l.T("ui.deactivate.info"))
			info.Wrapping = fyne.TextWrapWord
			var d *dialog.CustomDialog
			online := widget.NewButton(l.T("ui.deactivate.online"), func() {
				d.Hide()
				t.Deactivate(pick.Selected, "")
			})
			if !t.app.online() {
				online.Disable()
			}
			receipt := widget.NewButton(l.T("ui.deactivate.receipt"), func() {
				d.Hide()
				s := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
					if err != nil || w == nil {
						return
					}
					out := w.URI().Path()
					w.Close()
					t.Deactivate(pick.Selected, out)
				}, t.app.win)
				s.SetFileName("deactivation-receipt.lda")
				s.Resize(fyne.NewSize(760, 520))
				s.Show()
			})
			d = dialog.NewCustom(l.T("ui.deactivate.title"), l.T("ui.common.cancel"),
				container.NewVBox(info, widget.NewForm(widget.NewFormItem(l.T("ui.assigned.col.product"), pick)), flow(online, receipt)), t.app.win)
			d.Resize(fyne.NewSize(620, 300))
			d.Show()
		})
	})
}

// Deactivate gives up this machine's activation of a product: online when
// receiptPath is "", else by writing the receipt there.
func (t *KeysTab) Deactivate(product, receiptPath string) {
	t.app.bg(func(ctx context.Context) {
		msg, err := t.deactivate(ctx, product, receiptPath)
		t.done(msg, err)
	})
}

func (t *KeysTab) deactivate(ctx context.Context, product, receiptPath string) (string, error) {
	if receiptPath == "" && !t.app.online() {
		return "", i18n.Errorf("ui.deactivate.needs_portal")
	}
	out, err := t.app.sess.d.Deactivate(ctx, product, receiptPath)
	if err != nil {
		return "", err
	}
	if receiptPath != "" {
		return t.app.l.T("ui.deactivate.receipt_done", "Product", out.Product, "Path", out.Receipt), nil
	}
	return t.app.l.T("ui.deactivate.done", "Product", out.Product), nil
}

// newQR is the empty QR code image of the offline flow.
func newQR() *canvas.Image {
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(360, 360))
	img.Hide()
	return img
}

// receiptDialog picks a deactivation receipt, written on a disconnected
// machine and carried here, and hands it to the portal, which frees that
// activation (as `licdesk deactivate --submit`).
func (t *KeysTab) receiptDialog() {
	d := dialog.NewFileOpen(func(f fyne.URIReadCloser, err error) {
		if err != nil || f == nil {
			return
		}
		path := f.URI().Path()
		f.Close()
		t.SubmitReceipt(path)
	}, t.app.win)
	d.SetTitleText(t.app.l.T("ui.receipt.open"))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".lda", ".txt"}))
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// SubmitReceipt hands a receipt file to the portal.
func (t *KeysTab) SubmitReceipt(path string) {
	t.app.bg(func(ctx context.Context) {
		msg := ""
		err := i18n.Errorf("ui.receipt.needs_portal")
		if t.app.online() {
			var act api.Activation
			act, err = t.app.sess.d.SubmitReceipt(ctx, path)
			msg = t.app.l.T("ui.receipt.done", "Product", act.Product, "Machine", act.Machine)
		}
		t.done(msg, err)
	})
}

// requestsDialog lists this machine's activation requests still waiting
// for a response, each with Cancel (its response is then refused).
func (t *KeysTab) requestsDialog() {
	t.app.bg(func(ctx context.Context) {
		reqs, err := t.app.sess.d.PendingRequests(ctx)
		t.app.do(func() {
			if err != nil {
				t.app.showError(err)
				return
			}
			l := t.app.l
			box := container.NewVBox()
			if len(reqs) == 0 {
				box.Add(widget.NewLabel(l.T("ui.requests.none")))
			}
			var d dialog.Dialog
			for _, q := range reqs {
				key := string(q.Key)
				line := widget.NewLabel(l.T("ui.requests.line", "Key", key, "Date", t.app.day(q.Created), "Machine", q.Machine))
				cancel := widget.NewButton(l.T("ui.requests.cancel"), func() {
					d.Hide()
					t.CancelRequest(key)
				})
				box.Add(container.NewBorder(nil, nil, nil, cancel, line))
			}
			d = dialog.NewCustom(l.T("ui.requests.title"), l.T("ui.common.close"), container.NewVScroll(box), t.app.win)
			d.Resize(fyne.NewSize(640, 320))
			d.Show()
		})
	})
}

// CancelRequest forgets this machine's waiting request for a key.
func (t *KeysTab) CancelRequest(key string) {
	t.app.bg(func(ctx context.Context) {
		err := t.app.sess.d.CancelRequest(ctx, key)
		t.done(t.app.l.T("ui.requests.cancelled", "Key", key), err)
	})
}

// freeDialog lists the live activations of the selected key, each with
// Free: the portal frees it at once (for a machine lost or reinstalled,
// which will never hand in a receipt), after a confirmation.
func (t *KeysTab) freeDialog() {
	l := t.app.l
	k, ok := t.List.current()
	if !ok {
		t.say(l.T("ui.free.select"))
		return
	}
	box := container.NewVBox()
	var d dialog.Dialog
	live := 0
	for _, ac := range k.Activations {
		if ac.State != "active" {
			continue
		}
		live++
		line := widget.NewLabel(l.T("ui.free.line", "Machine", words.OrDash(ac.Machine), "Date", t.app.day(ac.ActivatedAt), "Mode", activationMode(l, ac.Mode)))
		free := widget.NewButton(l.T("ui.free.ok"), func() {
			t.app.confirm(l.T("ui.free.title", "Machine", ac.Machine), l.T("ui.free.confirm", "Machine", ac.Machine), l.T("ui.free.ok"),
				func(ok bool) {
					if ok {
						d.Hide()
						t.FreeActivation(ac)
					}
				})
		})
		if !t.app.online() {
			free.Disable()
		}
		box.Add(container.NewBorder(nil, nil, nil, free, line))
	}
	if live == 0 {
		box.Add(widget.NewLabel(l.T("ui.free.none")))
	} else if !t.app.online() {
		box.Add(widget.NewLabel(l.T("ui.free.needs_portal")))
	}
	d = dialog.NewCustom(l.T("ui.free.dialog", "Key", k.Key), l.T("ui.common.close"), container.NewVScroll(box), t.app.win)
	d.Resize(fyne.NewSize(640, 320))
	d.Show()
}

// FreeActivation frees an activation of the user's accounts on the portal.
func (t *KeysTab) FreeActivation(ac api.Activation) {
	t.app.bg(func(ctx context.Context) {
		_, err := t.app.sess.d.FreeActivation(ctx, ac.ID)
		t.done(t.app.l.T("ui.free.done", "Product", ac.Product, "Machine", ac.Machine), err)
	})
}

// activationMode words how a key was activated ("online", "offline",
// "install": with an install key).
func activationMode(l *i18n.Lang, mode string) string {
	switch mode {
	case "online":
		return l.T("ui.activate.mode.online")
	case "offline":
		return l.T("ui.activate.mode.offline")
	case "install":
		return l.T("ui.activate.mode.install")
	}
	return mode
}
