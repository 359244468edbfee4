package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	lsync "github.com/licdesk/licdesk/sync"
)

// assignedRow is one owner's license of a product assigned to the user.
type assignedRow struct {
	Product string
	api.AssignedLicense
}

// AssignedTab is "Assigned to you": per product, every owner's license the
// user holds a seat of, with the default (largest) and the adopted one
// marked, and Adopt.
type AssignedTab struct {
	app      *App
	List     *filterList[assignedRow]
	AdoptBtn *widget.Button
	note     *widget.Label
}

func newAssignedTab(a *App) *AssignedTab {
	t := &AssignedTab{app: a}
	t.List = newFilterList("licenses", 6, func(r assignedRow, c []*widget.Label) {
		c[0].SetText(r.Product)
		c[1].SetText(r.OwnerName)
		c[2].SetText(title(r.Edition))
		c[3].SetText(strings.Join(r.Modules, ", "))
		c[4].SetText(day(r.Expiry))
		var m []string
		switch {
		case r.Adopted:
			m = append(m, "✔ Adopted (runs with this)")
		case r.Default:
			m = append(m, "★ Default (largest)")
		}
		if r.State == "pending" {
			m = append(m, "Pending")
		}
		c[5].SetText(dash(strings.Join(m, " · ")))
	})
	t.AdoptBtn = widget.NewButtonWithIcon("Adopt this license", theme.ConfirmIcon(), func() {
		if r, ok := t.List.current(); ok {
			t.Adopt(r.Product, r.LicenseID)
		}
	})
	t.AdoptBtn.Disable()
	t.List.onSelect = func(r assignedRow) {
		if r.Adopted {
			t.AdoptBtn.Disable()
		} else {
			t.AdoptBtn.Enable()
		}
	}
	t.note = widget.NewLabel("A program runs with the license you adopt, or else with the largest (most modules, then the higher edition, the later expiry). " +
		"The local license state and Launch come with the machine package (not yet available in this build).")
	t.note.Wrapping = fyne.TextWrapWord
	return t
}

func (t *AssignedTab) content() fyne.CanvasObject {
	return container.NewBorder(nil, container.NewVBox(t.note, container.NewHBox(t.AdoptBtn)), nil, nil,
		t.List.view("Product", "Owner", "Edition", "Modules", "Expires", "Status"))
}

func (t *AssignedTab) focusFilter(w fyne.Window) { w.Canvas().Focus(t.List.filter) }

func (t *AssignedTab) load(ctx context.Context) func() {
	ps, err := t.app.sess.cache.Assigned(ctx)
	var rs []assignedRow
	for _, p := range ps {
		for _, l := range p.Licenses {
			rs = append(rs, assignedRow{Product: p.Product, AssignedLicense: l})
		}
	}
	r := prepareRows(rs, func(x assignedRow) string {
		return x.Product + " " + x.OwnerName + " " + x.Edition + " " + strings.Join(x.Modules, " ")
	})
	return func() {
		if err != nil {
			t.note.SetText(err.Error())
		}
		t.List.set(r, func(a, b assignedRow) bool { return a.LicenseID == b.LicenseID })
		if cur, ok := t.List.current(); !ok || cur.Adopted {
			t.AdoptBtn.Disable()
		}
	}
}

// Adopt queues the adoption of a license for its product.
func (t *AssignedTab) Adopt(product, licenseID string) {
	t.app.submit(lsync.Adopt(product, licenseID))
}
