package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/internal/words"
)

// rows is a snapshot of a list's items with the lower-cased text a filter
// matches against, built off the UI goroutine (prepareRows) so that a
// keystroke only scans strings.
type rows[T any] struct {
	items []T
	keys  []string
}

// prepareRows builds the searchable snapshot of items.
func prepareRows[T any](items []T, key func(T) string) rows[T] {
	r := rows[T]{items: items, keys: make([]string, len(items))}
	for i, it := range items {
		r.keys[i] = strings.ToLower(key(it))
	}
	return r
}

// filterList is a widget.List with a filter entry over a plain slice: the
// list's callbacks read the slice of matching indices, so neither a refresh
// nor a keystroke copies or binds the items (bound lists block the UI for
// hundreds of milliseconds at 50k rows).
type filterList[T any] struct {
	rows   rows[T]
	shown  []int
	query  string
	filter *widget.Entry
	list   *widget.List
	count  *widget.Label
	// selected is the index into rows.items, -1 when none.
	selected int
	onSelect func(T)
	noun     string
}

// newFilterList builds the list; cells must have n labels in a grid (columns).
func newFilterList[T any](noun string, columns int, update func(T, []*widget.Label)) *filterList[T] {
	f := &filterList[T]{selected: -1, noun: noun}
	f.filter = widget.NewEntry()
	f.filter.SetPlaceHolder("Filter " + noun + " (Ctrl+F)")
	f.filter.OnChanged = f.setQuery
	f.count = widget.NewLabel("")
	f.list = widget.NewList(
		func() int { return len(f.shown) },
		func() fyne.CanvasObject {
			cells := make([]fyne.CanvasObject, columns)
			for i := range cells {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				cells[i] = l
			}
			return container.NewGridWithColumns(columns, cells...)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if !f.valid(id) {
				return
			}
			objs := o.(*fyne.Container).Objects
			labels := make([]*widget.Label, len(objs))
			for i, c := range objs {
				labels[i] = c.(*widget.Label)
			}
			update(f.rows.items[f.shown[id]], labels)
		})
	f.list.OnSelected = func(id widget.ListItemID) {
		if f.valid(id) {
			f.selected = f.shown[id]
			if f.onSelect != nil {
				f.onSelect(f.rows.items[f.selected])
			}
		}
	}
	return f
}

// set replaces the items (UI goroutine), keeping the filter and, when its
// key is still there, the selection.
func (f *filterList[T]) set(r rows[T], same func(a, b T) bool) {
	var keep *T
	if f.selected >= 0 && f.selected < len(f.rows.items) {
		v := f.rows.items[f.selected]
		keep = &v
	}
	// The shown positions index the old rows: drop them before the list
	// can ask for a row (UnselectAll refreshes it), then fill them anew.
	f.shown = f.shown[:0]
	f.selected = -1
	f.list.UnselectAll()
	f.rows = r
	f.apply()
	if keep != nil && same != nil {
		for pos, i := range f.shown {
			if same(r.items[i], *keep) {
				f.selected = i
				f.list.Select(pos)
				return
			}
		}
	}
}

// valid reports whether a list position names an item of the current
// rows: the list widget may ask for a position from before a change.
func (f *filterList[T]) valid(id widget.ListItemID) bool {
	return id >= 0 && id < len(f.shown) && f.shown[id] < len(f.rows.items)
}

func (f *filterList[T]) setQuery(q string) {
	f.query = strings.ToLower(strings.TrimSpace(q))
	f.apply()
}

// apply recomputes the matching rows: one pass of strings.Contains, reusing
// the index slice, so that a keystroke over 100k rows stays within a frame.
func (f *filterList[T]) apply() {
	f.shown = f.shown[:0]
	for i, k := range f.rows.keys {
		if f.query == "" || strings.Contains(k, f.query) {
			f.shown = append(f.shown, i)
		}
	}
	if len(f.shown) == len(f.rows.items) {
		f.count.SetText(words.Plural(len(f.shown), f.noun))
	} else {
		f.count.SetText(words.Plural(len(f.shown), f.noun) + " of " + itoa(len(f.rows.items)))
	}
	f.list.Refresh()
	f.resyncSelection()
}

// resyncSelection keeps the list widget's selection, which is a row
// position, on the selected item after the shown rows changed: the item
// may have moved, or been filtered out (then nothing stays selected, so that
// the detail pane never shows a row the list hides).
func (f *filterList[T]) resyncSelection() {
	if f.selected < 0 {
		return
	}
	for pos, i := range f.shown {
		if i == f.selected {
			f.list.Select(pos)
			return
		}
	}
	f.selected = -1
	f.list.UnselectAll()
}

// selectFirst selects the first shown row when nothing is selected, so that
// a detail pane beside the list is never blank.
func (f *filterList[T]) selectFirst() {
	if _, ok := f.current(); !ok && len(f.shown) > 0 {
		f.list.Select(0)
	}
}

// current returns the selected item.
func (f *filterList[T]) current() (T, bool) {
	var zero T
	if f.selected < 0 || f.selected >= len(f.rows.items) {
		return zero, false
	}
	return f.rows.items[f.selected], true
}

// header is a row of bold column titles matching a list's grid.
func header(titles ...string) fyne.CanvasObject {
	cells := make([]fyne.CanvasObject, len(titles))
	for i, t := range titles {
		l := widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		cells[i] = l
	}
	return container.NewGridWithColumns(len(titles), cells...)
}

// tableView stacks a filter, a header and the list, with the count below.
func (f *filterList[T]) view(titles ...string) fyne.CanvasObject {
	return container.NewBorder(container.NewVBox(f.filter, header(titles...)), f.count, nil, nil, f.list)
}
