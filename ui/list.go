package ui

import (
	"image/color"
	"regexp"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/i18n"
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

// column is one column of a list: its title and its width when nothing
// was remembered.
type column struct {
	title string
	width float32
}

// filterList is the one table of the window: a filter entry over a table
// of one row per item, read from a plain slice (neither a refresh nor a
// keystroke copies or binds the items: bound lists block the UI for
// hundreds of milliseconds at 50k rows). A click on a header sorts by that
// column (again: the other way), the order of equal rows staying the
// items' own; a header's edge drags to resize its column, and the width is
// remembered; arrows, Home, End, Page Up and Page Down move the selection
// and Enter opens the row. The full text of a cut cell is in the tab's
// detail pane.
type filterList[T any] struct {
	rows rows[T]
	// order is every item's index in the sort order, computed once per
	// data and sort; a keystroke only filters along it.
	order   []int
	shown   []int
	query   string
	filter  *widget.Entry
	list    *rowTable
	count   *widget.Label
	noun    string
	l       *i18n.Lang
	columns []column
	cells   func(T, []string)
	scratch []string
	// sortCol is the column the rows are sorted by (the first until the
	// user clicks another header), ties broken by the next columns so
	// that the order is the same on every run; sortDesc reverses it.
	sortCol  int
	sortDesc bool
	headers  map[int]fyne.CanvasObject
	// selected is the index into rows.items, -1 when none.
	selected int
	onSelect func(T)
	// onOpen runs on Enter (or a double click where the driver has one).
	onOpen func(T)
}

// newList builds the list in a language; noun names what it lists
// ("licenses": the remembered widths' key, and its words in the catalogs,
// "ui.list.filter.<noun>" and "ui.list.count.<noun>"); cells fills one text
// per column for an item.
func newList[T any](l *i18n.Lang, noun string, columns []column, cells func(T, []string)) *filterList[T] {
	f := &filterList[T]{selected: -1, noun: noun, l: l, columns: columns, cells: cells,
		scratch: make([]string, len(columns)), headers: map[int]fyne.CanvasObject{}}
	f.filter = widget.NewEntry()
	f.filter.SetPlaceHolder(l.T("ui.list.filter." + nounKey(noun)))
	f.filter.OnChanged = f.setQuery
	f.count = widget.NewLabel("")
	t := &rowTable{}
	t.ExtendBaseWidget(t)
	t.Length = func() (int, int) { return len(f.shown), len(f.columns) }
	t.CreateCell = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return container.NewStack(canvas.NewRectangle(color.Transparent), l)
	}
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		objs := o.(*fyne.Container).Objects
		bg, l := objs[0].(*canvas.Rectangle), objs[1].(*widget.Label)
		if !f.valid(id.Row) {
			l.SetText("")
			return
		}
		// The table marks one cell; the whole row of the selection is lit.
		want := color.Color(color.Transparent)
		if f.shown[id.Row] == f.selected {
			want = theme.Color(theme.ColorNameSelection)
		}
		if bg.FillColor != want {
			bg.FillColor = want
			bg.Refresh()
		}
		f.cells(f.rows.items[f.shown[id.Row]], f.scratch)
		l.SetText(f.scratch[id.Col])
	}
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		return b
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		b := o.(*widget.Button)
		if id.Col < 0 || id.Col >= len(f.columns) {
			b.SetText("")
			return
		}
		f.headers[id.Col] = b
		b.SetText(f.columns[id.Col].title)
		b.SetIcon(nil)
		if id.Col == f.sortCol {
			b.SetIcon(theme.MenuDropDownIcon())
			if f.sortDesc {
				b.SetIcon(theme.MenuDropUpIcon())
			}
		}
		col := id.Col
		b.OnTapped = func() { f.sortBy(col) }
	}
	t.OnSelected = func(id widget.TableCellID) {
		if !f.valid(id.Row) {
			return
		}
		f.selected = f.shown[id.Row]
		t.row = id.Row
		t.Refresh() // light the whole row
		if f.onSelect != nil {
			f.onSelect(f.rows.items[f.selected])
		}
	}
	t.onKey = f.typedKey
	t.onResized = f.rememberWidths
	f.list = t
	for i, c := range columns {
		t.SetColumnWidth(i, f.width(i, c.width))
	}
	return f
}

// rowTable is widget.Table selecting whole rows, with the keys of a list.
type rowTable struct {
	widget.Table
	row       int // the selected row position, -1 when none
	onKey     func(*fyne.KeyEvent) bool
	onResized func()
}

// TypedKey moves the selection by rows; the other keys are the table's.
func (t *rowTable) TypedKey(e *fyne.KeyEvent) {
	if t.onKey != nil && t.onKey(e) {
		return
	}
	t.Table.TypedKey(e)
}

// DragEnd remembers the widths after a column was resized.
func (t *rowTable) DragEnd() {
	t.Table.DragEnd()
	if t.onResized != nil {
		t.onResized()
	}
}

// Select selects the row at a position (the first column's cell).
func (t *rowTable) Select(row int) { t.Table.Select(widget.TableCellID{Row: row, Col: 0}) }

// UnselectAll clears the selection.
func (t *rowTable) UnselectAll() {
	t.row = -1
	t.Table.UnselectAll()
}

// Rows is the number of rows shown.
func (t *rowTable) Rows() int {
	r, _ := t.Table.Length()
	return r
}

// typedKey moves the selection: arrows by one, Page Up and Down by a page,
// Home and End to the ends; Enter opens the selected row.
func (f *filterList[T]) typedKey(e *fyne.KeyEvent) bool {
	n := len(f.shown)
	if n == 0 {
		return false
	}
	cur := f.position()
	page := max(int(f.list.Size().Height/max(f.list.MinSize().Height, 36))-1, 1)
	next := cur
	switch e.Name {
	case fyne.KeyDown:
		next = cur + 1
	case fyne.KeyUp:
		next = cur - 1
	case fyne.KeyPageDown:
		next = cur + page
	case fyne.KeyPageUp:
		next = cur - page
	case fyne.KeyHome:
		next = 0
	case fyne.KeyEnd:
		next = n - 1
	case fyne.KeyReturn, fyne.KeyEnter:
		if it, ok := f.current(); ok && f.onOpen != nil {
			f.onOpen(it)
		}
		return true
	default:
		return false
	}
	if cur < 0 {
		next = 0
	}
	next = min(max(next, 0), n-1)
	f.selectRow(next)
	f.list.ScrollTo(widget.TableCellID{Row: next, Col: 0})
	return true
}

// position is the selected item's row position, -1 when none is shown.
func (f *filterList[T]) position() int {
	for pos, i := range f.shown {
		if i == f.selected {
			return pos
		}
	}
	return -1
}

// width is a column's remembered width, or its default.
func (f *filterList[T]) width(col int, def float32) float32 {
	if a := fyne.CurrentApp(); a != nil {
		return float32(a.Preferences().FloatWithFallback(f.widthKey(col), float64(def)))
	}
	return def
}

func (f *filterList[T]) widthKey(col int) string {
	return "table." + f.noun + "." + itoa(col) + ".width"
}

// rememberWidths keeps the columns' widths, read off their headers, for
// the next start.
func (f *filterList[T]) rememberWidths() {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	for col, h := range f.headers {
		if w := h.Size().Width; w > 0 {
			a.Preferences().SetFloat(f.widthKey(col), float64(w))
		}
	}
}

// sortBy sorts by a column; sorting by it again reverses the order.
func (f *filterList[T]) sortBy(col int) {
	if f.sortCol == col {
		f.sortDesc = !f.sortDesc
	} else {
		f.sortCol, f.sortDesc = col, false
	}
	f.order = nil
	f.apply()
	f.list.Refresh()
}

// valid reports whether a row position names an item of the current rows:
// the table may ask for a position from before a change.
func (f *filterList[T]) valid(row int) bool {
	return row >= 0 && row < len(f.shown) && f.shown[row] < len(f.rows.items)
}

// set replaces the items (UI goroutine), keeping the filter, the sort and,
// when its key is still there, the selection.
func (f *filterList[T]) set(r rows[T], same func(a, b T) bool) {
	var keep *T
	if f.selected >= 0 && f.selected < len(f.rows.items) {
		v := f.rows.items[f.selected]
		keep = &v
	}
	// The shown positions index the old rows: drop them before the table
	// can ask for a row (UnselectAll refreshes it), then fill them anew.
	f.shown = f.shown[:0]
	f.selected = -1
	f.list.UnselectAll()
	f.rows, f.order = r, nil
	f.apply()
	if keep != nil && same != nil {
		for pos, i := range f.shown {
			if same(r.items[i], *keep) {
				f.selected = i
				f.selectRow(pos)
				return
			}
		}
	}
}

func (f *filterList[T]) setQuery(q string) {
	f.query = strings.ToLower(strings.TrimSpace(q))
	f.apply()
}

// apply recomputes the matching rows: one pass of strings.Contains, reusing
// the index slice, so that a keystroke over 100k rows stays within a frame;
// then the sort, stable so that equal rows keep the items' order.
func (f *filterList[T]) apply() {
	if f.order == nil {
		f.order = f.sorted()
	}
	f.shown = f.shown[:0]
	for _, i := range f.order {
		if f.query == "" || strings.Contains(f.rows.keys[i], f.query) {
			f.shown = append(f.shown, i)
		}
	}
	n := f.l.N("ui.list.count."+nounKey(f.noun), len(f.shown))
	if len(f.shown) == len(f.rows.items) {
		f.count.SetText(n)
	} else {
		f.count.SetText(f.l.T("ui.list.count_of", "Shown", n, "Total", f.l.Number(len(f.rows.items))))
	}
	f.list.Refresh()
	f.resyncSelection()
}

// sorted is every item's index ordered by the sort column's text, numbers
// by value ("9 of 10" before "10 of 10").
func (f *filterList[T]) sorted() []int {
	order := make([]int, len(f.rows.items))
	for i := range order {
		order[i] = i
	}
	if f.sortCol < 0 || f.sortCol >= len(f.columns) || len(order) < 2 {
		return order
	}
	texts := make([][]string, len(order))
	for i := range order {
		texts[i] = make([]string, len(f.columns))
		f.cells(f.rows.items[i], texts[i])
		for c := range texts[i] {
			texts[i][c] = sortable(strings.ToLower(texts[i][c]))
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		ea, eb := blank(texts[a][f.sortCol]), blank(texts[b][f.sortCol])
		if ea != eb {
			// Empty cells (a free seat's holder, a date never reached) go
			// last in either direction: the rows people look for come first.
			if ea {
				return 1
			}
			return -1
		}
		c := naturalCompare(texts[a][f.sortCol], texts[b][f.sortCol])
		if f.sortDesc {
			c = -c
		}
		for col := 0; c == 0 && col < len(f.columns); col++ {
			if col != f.sortCol {
				c = naturalCompare(texts[a][col], texts[b][col])
			}
		}
		if c == 0 {
			c = a - b // rows alike in every column keep the items' order
		}
		return c
	})
	return order
}

// selectRow selects the row at pos. A table not laid out yet (its tab has
// not been shown) scrolls as if it were zero pixels high, which leaves its
// rows above the top and left of its edge once it gets its size; such a
// table starts at the top left instead.
func (f *filterList[T]) selectRow(pos int) {
	f.list.Select(pos)
	if f.list.Size().Height <= 0 {
		f.list.ScrollToTop()
		f.list.ScrollToLeading()
	}
}

// dayMonthYear is a date written day first (26/11/2026, the pt-BR, es
// and fr way); sortable turns it year first so that dates sort as dates
// in every language (the English layout is year first already).
var dayMonthYear = regexp.MustCompile(`\b(\d{2})/(\d{2})/(\d{4})\b`)

func sortable(s string) string {
	if !strings.Contains(s, "/") {
		return s
	}
	return dayMonthYear.ReplaceAllString(s, "$3-$2-$1")
}

// blank is a cell that shows nothing ("" or the table's "-").
func blank(s string) bool { return s == "" || s == "-" }

// resyncSelection keeps the table's selection, which is a row position, on
// the selected item after the shown rows changed: the item may have moved,
// or been filtered out (then nothing stays selected, so that the detail
// pane never shows a row the table hides).
func (f *filterList[T]) resyncSelection() {
	if f.selected < 0 {
		return
	}
	if pos := f.position(); pos >= 0 {
		f.selectRow(pos)
		return
	}
	f.selected = -1
	f.list.UnselectAll()
}

// selectFirst selects the first shown row when nothing is selected, so that
// a detail pane beside the table is never blank.
func (f *filterList[T]) selectFirst() {
	if _, ok := f.current(); !ok && len(f.shown) > 0 {
		f.selectRow(0)
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

// view stacks the filter over the table, with the count below. The objects
// are in reading order (NewBorder would put the table first), because Tab
// follows it: from the filter to the table.
func (f *filterList[T]) view() fyne.CanvasObject {
	return container.New(layout.NewBorderLayout(f.filter, f.count, nil, nil), f.filter, f.list, f.count)
}

// naturalCompare orders lower-cased texts as people read them: runs of
// ASCII digits compared by value. It allocates nothing: a sort of 100k
// rows calls it millions of times.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na, nb := strings.TrimLeft(a[si:i], "0"), strings.TrimLeft(b[sj:j], "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if ca != cb {
			return int(ca) - int(cb)
		}
		i++
		j++
	}
	return (len(a) - i) - (len(b) - j)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// selectWhere selects the first shown row whose item matches, and reports
// whether one did (a banner's or a notification's link to a row).
func (f *filterList[T]) selectWhere(match func(T) bool) bool {
	for pos, i := range f.shown {
		if match(f.rows.items[i]) {
			f.selectRow(pos)
			f.list.ScrollTo(widget.TableCellID{Row: pos, Col: 0})
			return true
		}
	}
	return false
}

// nounKey is a list's noun as a catalog key's last part ("news items" ->
// "news_items").
func nounKey(noun string) string { return strings.ReplaceAll(noun, " ", "_") }
