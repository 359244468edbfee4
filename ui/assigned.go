package ui

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/desk"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

// assignedRow is one owner's license of a product assigned to the user.
type assignedRow struct {
	Product string
	api.AssignedLicense
	// Effective: the product's program runs with this license now.
	Effective bool
}

// AssignedTab is "Assigned to you": per product, every owner's license the
// user holds a seat of, with the default (largest) and the adopted one
// marked, and Adopt; the state of the product's license on this machine
// (Store.Check with this machine's fingerprint) and Launch, with the
// program path set per product.
type AssignedTab struct {
	app      *App
	List     *filterList[assignedRow]
	AdoptBtn *widget.Button
	// GetBtn fetches the product's offline lease; ProgramBtn sets its
	// program; LaunchBtn checks the license and starts the program.
	GetBtn, ProgramBtn, LaunchBtn *widget.Button
	// Message says what the last action did (or what to do).
	Message *widget.Label
	details *widget.Label
	note    *widget.Label

	// states and programs are per product, set on the UI goroutine.
	states   map[string]localState
	programs map[string]string
}

func newAssignedTab(a *App) *AssignedTab {
	t := &AssignedTab{app: a, states: map[string]localState{}, programs: map[string]string{}}
	l := a.l
	t.List = newList(l, "licenses", []column{{l.T("ui.assigned.col.product"), 140}, {l.T("ui.assigned.col.owner"), 150},
		{l.T("ui.assigned.col.edition"), 110}, {l.T("ui.assigned.col.modules"), 180}, {l.T("ui.assigned.col.expires"), 100},
		{l.T("ui.assigned.col.status"), 160}, {l.T("ui.assigned.col.here"), 220}}, func(r assignedRow, c []string) {
		c[0] = r.Product
		c[1] = r.OwnerName
		c[2] = l.Enum("edition", r.Edition)
		c[3] = strings.Join(r.Modules, ", ")
		c[4] = a.day(r.Expiry)
		var m []string
		switch {
		case r.Adopted:
			m = append(m, l.T("ui.assigned.adopted"))
		case r.Default:
			m = append(m, l.T("ui.assigned.default"))
		}
		if r.State == "pending" {
			m = append(m, l.Enum("seat", r.State))
		}
		c[5] = words.OrDash(strings.Join(m, " · "))
		if st, ok := t.states[r.Product]; ok {
			c[6] = st.text(a)
		} else {
			c[6] = l.T("ui.assigned.checking")
		}
	})
	t.AdoptBtn = widget.NewButtonWithIcon(l.T("ui.assigned.adopt"), theme.ConfirmIcon(), func() {
		if r, ok := t.List.current(); ok {
			t.Adopt(r.Product, r.LicenseID)
		}
	})
	t.GetBtn = widget.NewButtonWithIcon(l.T("ui.assigned.get"), theme.DownloadIcon(), func() {
		if r, ok := t.List.current(); ok {
			t.GetLicense(r.Product)
		}
	})
	t.ProgramBtn = widget.NewButtonWithIcon(l.T("ui.assigned.program"), theme.FolderOpenIcon(), t.pickProgram)
	t.LaunchBtn = widget.NewButtonWithIcon(l.T("ui.assigned.launch"), theme.MediaPlayIcon(), func() {
		if r, ok := t.List.current(); ok {
			t.LaunchRow(r)
		}
	})
	t.LaunchBtn.Importance = widget.HighImportance
	for _, b := range []*widget.Button{t.AdoptBtn, t.GetBtn, t.ProgramBtn, t.LaunchBtn} {
		b.Disable()
	}
	t.List.onOpen = t.LaunchRow
	t.List.onSelect = func(r assignedRow) {
		if r.Adopted {
			t.AdoptBtn.Disable()
		} else {
			t.AdoptBtn.Enable()
		}
		// The buttons act on the row: launching another owner's license
		// adopts it first, and the button says so.
		if r.Effective {
			t.LaunchBtn.SetText(l.T("ui.assigned.launch"))
		} else {
			t.LaunchBtn.SetText(l.T("ui.assigned.adopt_launch"))
		}
		t.GetBtn.Enable()
		t.ProgramBtn.Enable()
		t.LaunchBtn.Enable()
		t.showDetails(r)
	}
	t.Message = widget.NewLabel("")
	t.Message.Wrapping = fyne.TextWrapWord
	t.Message.Hide()
	t.details = widget.NewLabel(l.T("ui.assigned.select"))
	t.details.Wrapping = fyne.TextWrapWord
	t.note = widget.NewLabel(l.T("ui.assigned.note"))
	t.note.Wrapping = fyne.TextWrapWord
	return t
}

func (t *AssignedTab) content() fyne.CanvasObject {
	details := container.NewVScroll(container.NewVBox(t.details, t.Message, t.note))
	split := container.NewVSplit(t.List.view(), details)
	split.Offset = 0.55
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), flow(t.AdoptBtn, t.GetBtn, t.ProgramBtn, t.LaunchBtn)), nil, nil, split)
}

// showDetails describes the selected product on this machine (UI goroutine).
func (t *AssignedTab) showDetails(r assignedRow) {
	var b strings.Builder
	l := t.app.l
	b.WriteString(l.T("ui.assigned.here", "Product", r.Product) + " ")
	st, ok := t.states[r.Product]
	switch {
	case !ok:
		b.WriteString(l.T("ui.assigned.checking_lower"))
	case st.err != nil:
		b.WriteString(l.Err(st.err))
	case st.res.OK:
		b.WriteString(st.text(t.app))
		if lic := st.res.License; lic != nil {
			b.WriteString(" · " + t.app.licenseFrom(lic))
		}
		for _, w := range st.res.Warnings {
			b.WriteString("\n⚠ " + t.app.reasonWords(w, st.res.License, t.app.cfg.Now()))
		}
	default:
		b.WriteString(st.text(t.app) + ". " + l.T("ui.check.todo", "Todo", words.OrDash(todoText(l, st.res.Reasons))))
	}
	prog := t.programs[r.Product]
	if prog == "" {
		prog = l.T("ui.assigned.program.unset")
	}
	b.WriteString("\n" + l.T("ui.assigned.program.line", "Program", prog))
	t.details.SetText(b.String())
}

// licenseFrom names the license a program runs with by its owner and how
// it came to this machine, not by its ID.
func (a *App) licenseFrom(lic *licensefile.Payload) string {
	l := a.l
	if lic == nil {
		return l.T("ui.assigned.from.none")
	}
	owner := words.Safe(lic.Owner)
	switch {
	case owner == "":
		return l.T("ui.assigned.from.unknown")
	case lic.Kind == licensefile.KindLease && !lic.LeaseEnd.IsZero():
		return l.T("ui.assigned.from.lease_until", "Owner", owner, "Date", a.day(lic.LeaseEnd))
	case lic.Kind == licensefile.KindActivation:
		return l.T("ui.assigned.from.activation", "Owner", owner)
	}
	return l.T("ui.assigned.from.owner", "Owner", owner)
}

// say shows a message under the list (UI goroutine).
func (t *AssignedTab) say(s string) {
	t.Message.SetText(s)
	t.Message.Show()
}

func (t *AssignedTab) focusFilter(w fyne.Window) { w.Canvas().Focus(t.List.filter) }

func (t *AssignedTab) load(ctx context.Context) func() {
	ps, err := t.app.sess.cache.Assigned(ctx)
	var rs []assignedRow
	for _, p := range ps {
		for _, l := range p.Licenses {
			rs = append(rs, assignedRow{Product: p.Product, AssignedLicense: l, Effective: l.LicenseID == p.Effective})
		}
	}
	r := prepareRows(rs, func(x assignedRow) string {
		return x.Product + " " + x.OwnerName + " " + x.Edition + " " + strings.Join(x.Modules, " ")
	})
	// The local check of each product, off the UI goroutine: it reads the
	// license files and, for a node-locked one, the hardware.
	states := map[string]localState{}
	programs := map[string]string{}
	for _, p := range ps {
		states[p.Product] = t.app.checkLocal(ctx, p.Product)
		programs[p.Product], _ = t.app.sess.d.Program(ctx, p.Product)
	}
	return func() {
		if err != nil {
			t.note.SetText(t.app.l.Err(err))
		}
		t.states, t.programs = states, programs
		t.List.set(r, func(a, b assignedRow) bool { return a.LicenseID == b.LicenseID })
		t.List.selectFirst()
		if cur, ok := t.List.current(); !ok || cur.Adopted {
			t.AdoptBtn.Disable()
		}
		if cur, ok := t.List.current(); ok {
			t.showDetails(cur)
		}
	}
}

// State is the local license state shown for a product ("" before the
// first check).
func (t *AssignedTab) State(product string) string {
	if st, ok := t.states[product]; ok {
		return st.text(t.app)
	}
	return ""
}

// Adopt queues the adoption of a license for its product.
func (t *AssignedTab) Adopt(product, licenseID string) {
	t.app.send(lsync.Adopt(product, licenseID))
}

// GetLicense fetches the product's offline lease from the portal and
// installs it on this machine (the license adopted, or the default one).
func (t *AssignedTab) GetLicense(product string) {
	l := t.app.l
	t.say(l.T("ui.assigned.getting", "Product", product))
	t.app.bg(func(ctx context.Context) {
		var lease api.Lease
		err := errOffline
		if t.app.online() {
			lease, err = t.app.sess.d.RenewLease(ctx, product)
		}
		t.app.do(func() {
			switch {
			case errors.Is(err, desk.ErrActivated):
				t.say(l.T("ui.assigned.get.keyed", "Product", product))
			case err != nil:
				t.say(l.T("ui.assigned.get.failed", "Product", product, "Reason", l.Err(err)))
			default:
				t.say(l.T("ui.assigned.get.done", "Product", product, "Owner", words.Safe(lease.OwnerName),
					"Date", t.app.day(lease.LeaseEnd)))
			}
		})
		t.app.Refresh()
	})
}

// pickProgram asks for the selected product's program with a file dialog.
func (t *AssignedTab) pickProgram() {
	r, ok := t.List.current()
	if !ok {
		return
	}
	d := dialog.NewFileOpen(func(f fyne.URIReadCloser, err error) {
		if err != nil {
			t.app.showError(err)
			return
		}
		if f == nil {
			return
		}
		path := f.URI().Path()
		f.Close()
		t.SetProgram(r.Product, path)
	}, t.app.win)
	d.SetTitleText(t.app.l.T("ui.assigned.program.title", "Product", r.Product))
	d.Resize(fyne.NewSize(760, 520))
	d.Show()
}

// SetProgram remembers a product's program (the setting "licdesk launch
// --set-program" writes), checked to be a runnable file now.
func (t *AssignedTab) SetProgram(product, path string) {
	t.app.bg(func(ctx context.Context) {
		abs, err := t.app.sess.d.SetProgram(ctx, product, path)
		t.app.do(func() {
			if err != nil {
				t.say(t.app.l.Err(err))
				return
			}
			t.say(t.app.l.T("ui.assigned.program.set", "Product", product, "Program", abs))
		})
		t.app.Refresh()
	})
}

// LaunchRow launches the program with the selected row's license: when
// the program runs with another owner's license now, this one is adopted
// first (and the launch waits for the adoption to land, or to be queued).
func (t *AssignedTab) LaunchRow(r assignedRow) {
	if r.Effective {
		t.Launch(r.Product)
		return
	}
	l := t.app.l
	t.say(l.T("ui.assigned.adopting", "Owner", r.OwnerName, "Product", r.Product))
	t.app.bg(func(ctx context.Context) {
		msg, err := t.app.trySend(ctx, write(lsync.Adopt(r.Product, r.LicenseID)))
		t.app.do(func() {
			if err != nil {
				t.say(l.T("ui.assigned.not_adopted", "Reason", l.Err(err)))
				return
			}
			t.app.notice(msg)
			t.Launch(r.Product)
		})
	})
}

// Launch checks the product's license on this machine (renewing its lease
// first when online) and, only when it is valid, starts the program with
// LICDESK_LICENSE_FILE set, as "licdesk launch" does. On failure it says
// what to do.
func (t *AssignedTab) Launch(product string) {
	l := t.app.l
	t.say(l.T("ui.assigned.checking_product", "Product", product))
	t.app.bg(func(ctx context.Context) {
		plan, err := t.app.sess.d.Launch(ctx, product, !t.app.online())
		var np *desk.NoProgramError
		var nv *desk.NotValidError
		switch {
		case errors.As(err, &np):
			t.app.do(func() { t.say(l.T("ui.assigned.no_program", "Product", product)) })
			return
		case errors.As(err, &nv):
			msg := t.app.reasonsText(product, nv.Check, t.app.cfg.Now())
			t.app.do(func() {
				t.say(msg)
				t.app.inform(l.T("ui.assigned.no_start", "Product", product), msg)
			})
			t.app.Refresh()
			return
		case err != nil:
			t.app.do(func() { t.say(l.T("ui.assigned.cannot_check", "Product", product, "Reason", l.Err(err))) })
			return
		}
		cmd := exec.Command(plan.Program)
		cmd.Env = plan.Env
		if err := cmd.Start(); err != nil {
			t.app.do(func() { t.say(l.T("ui.assigned.start_failed", "Program", plan.Program, "Reason", l.Err(err))) })
			return
		}
		msg := l.T("ui.assigned.started", "Program", filepath.Base(plan.Program), "License", t.app.licenseFrom(plan.Check.License))
		for _, w := range plan.Check.Warnings {
			msg += " ⚠ " + t.app.reasonWords(w, plan.Check.License, t.app.cfg.Now())
		}
		t.app.do(func() { t.say(msg) })
		if t.app.cfg.Inline {
			cmd.Wait() // tests see the program's effect when Launch returns
		} else {
			go cmd.Wait() // the program outlives the window: Close does not wait for it
		}
		t.app.Refresh()
	})
}
