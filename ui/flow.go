package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// flowLayout places its objects in a row at their own sizes and wraps to a
// new row where the width runs out, so that a row of buttons never sets a
// minimum width larger than the widest button: the window stays usable at
// 800x600. Its minimum height follows the width it was last given.
type flowLayout struct {
	width float32 // the width of the last Layout; 0 before the first
}

// flow lays buttons (or any objects) out as wrapping rows.
func flow(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowLayout{}, objs...)
}

func (f *flowLayout) rows(objs []fyne.CanvasObject, width float32) (h float32) {
	pad := theme.Padding()
	x, rowH := float32(0), float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > 0 && width > 0 && x+m.Width > width {
			h += rowH + pad
			x, rowH = 0, 0
		}
		x += m.Width + pad
		rowH = max(rowH, m.Height)
	}
	return h + rowH
}

// Layout places the objects row by row.
func (f *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	f.width = size.Width
	pad := theme.Padding()
	x, y, rowH := float32(0), float32(0), float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > 0 && x+m.Width > size.Width {
			y += rowH + pad
			x, rowH = 0, 0
		}
		o.Move(fyne.NewPos(x, y))
		o.Resize(m)
		x += m.Width + pad
		rowH = max(rowH, m.Height)
	}
}

// MinSize is the widest object's width, and the height of the rows at the
// last width given (one row before the first layout).
func (f *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	w := float32(0)
	for _, o := range objs {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	return fyne.NewSize(w, f.rows(objs, f.width))
}
