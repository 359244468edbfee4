package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/portal/portaltest"
	lsync "github.com/licdesk/licdesk/sync"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entryOf is the form's n-th field as the entry the user types in.
func entryOf(t *testing.T, f *form, n int) *formEntry {
	t.Helper()
	e, ok := f.fields.Items[n].Widget.(*formEntry)
	require.True(t, ok, "field %d is an entry", n)
	return e
}

func openAssignForm(t *testing.T, r *rig) *form {
	t.Helper()
	sols := r.app.Solutions
	test.Type(sols.List.filter, "ACME-EB")
	sols.List.list.Select(0)
	sols.assign()
	f := r.app.openForm
	require.NotNil(t, f, "the Assign seat dialog is open")
	return f
}

func TestForm_TheFirstFieldHasFocusAndAMistakeStaysInTheDialog(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	f := openAssignForm(t, r)
	email := entryOf(t, f, 0)
	assert.Equal(t, email, r.app.win.Canvas().Focused(), "the first field is focused")

	test.Type(email, "not-an-address")
	email.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Same(t, f, r.app.openForm, "a mistake keeps the dialog open")
	assert.Equal(t, "not-an-address", email.Text, "and keeps what was typed")
	assert.Contains(t, f.status.Text, "e-mail such as")
}

func TestForm_ARefusalShowsInTheSameDialog(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	f := openAssignForm(t, r)
	email := entryOf(t, f, 0)
	test.Type(email, "carla@acme.example") // holds a seat already
	email.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Same(t, f, r.app.openForm, "the refusal keeps the dialog open")
	assert.Contains(t, f.status.Text, "already holds a seat")
	assert.Equal(t, "carla@acme.example", email.Text)
}

func TestForm_EnterSubmitsAndTheDialogSaysWhatHappened(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	f := openAssignForm(t, r)
	email := entryOf(t, f, 0)
	test.Type(email, "dora@newhire.example")
	email.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	assert.Nil(t, r.app.openForm, "done: the dialog closed")
	assert.Contains(t, r.app.Notice.Text, "Done: assign a seat")
	assert.Equal(t, "pending", r.seatState("ACME-EB-2026", "dora@newhire.example"))
}

func TestForm_OfflineTheWriteQueuesAndTheDialogSaysSo(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	r.portal.Stop()
	f := openAssignForm(t, r)
	test.Type(entryOf(t, f, 0), "later@newhire.example")
	f.Submit()
	assert.Nil(t, r.app.openForm)
	assert.Contains(t, r.app.Notice.Text, "Not sent yet")

	seats := r.app.Solutions.Seats
	require.True(t, seats.selectWhere(func(s api.Seat) bool { return s.Email == "later@newhire.example" }), "the queued seat shows at once")
	seat, _ := seats.current()
	cells := make([]string, 2)
	seats.cells(seat, cells)
	assert.Contains(t, cells[1], "not sent yet", "its row says it is not sent")
}

func TestSolutions_ActionsThatCannotSucceedAreOffWithTheReason(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	sols := r.app.Solutions
	require.True(t, sols.List.selectWhere(func(s api.Solution) bool { return s.ContractNumber == "ACME-EB-2026" }))
	assert.False(t, sols.AssignBtn.Disabled())
	assert.True(t, sols.RemoveBtn.Disabled(), "no seat holder selected")
	assert.Contains(t, sols.Why.Text, "Select a seat holder")
	assert.Contains(t, sols.leftWhy.Text, "none of your accounts integrates a product")

	eb, _ := sols.List.current()
	for i := 0; i < eb.Available; i++ {
		sols.Assign(eb.LicenseID, fmt.Sprintf("fill%d@newhire.example", i))
	}
	require.True(t, sols.List.selectWhere(func(s api.Solution) bool { return s.ContractNumber == "ACME-EB-2026" }))
	assert.True(t, sols.AssignBtn.Disabled(), "every seat is taken")
	assert.Contains(t, sols.Why.Text, "Every seat is taken")
}

func TestSolutions_AMemberIsToldWhereTheirLicensesAre(t *testing.T) {
	r := newRig(t, "carla@acme.example")
	assert.Contains(t, r.app.Solutions.Empty.Text, "Assigned to you")
}

func TestForm_EscapeCancelsAndShortcutsWaitBehindTheDialog(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	f := openAssignForm(t, r)
	before := r.app.tabs.SelectedIndex()
	ctrl4(r.app.win)
	assert.Equal(t, before, r.app.tabs.SelectedIndex(), "Ctrl+4 does not switch tabs behind the dialog")

	entryOf(t, f, 0).TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	assert.Nil(t, r.app.openForm, "Escape closed it")
	ctrl4(r.app.win)
	assert.Equal(t, 3, r.app.tabs.SelectedIndex(), "with the dialog gone, Ctrl+4 works")
}

// ctrl4 presses Ctrl+4 on the window, as the driver hands shortcuts over.
func ctrl4(w fyne.Window) {
	w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(
		&desktop.CustomShortcut{KeyName: fyne.Key4, Modifier: fyne.KeyModifierShortcutDefault})
}

func TestSignUp_TheWindowAsksForTheEmailedCodeAndVerifies(t *testing.T) {
	p := portaltest.Start(t)
	p.Seed()
	fa := test.NewTempApp(t)
	a, err := New(fa, Config{ProfileDir: t.TempDir(), SecretsMode: "file", Inline: true, allTabs: true, hardware: fakeHardware(laptop())})
	require.NoError(t, err)
	t.Cleanup(a.Close)
	s := a.SignInScreen()
	require.NotNil(t, s)
	s.Portal.SetText(p.URL)
	s.Email.SetText("dora@newhire.example")
	s.Password.SetText("a long enough password")
	test.Tap(s.SignUpBtn)

	f := a.openForm
	require.NotNil(t, f, "an unverified sign-up asks for the code at once")
	entryOf(t, f, 0).SetText("00000000")
	f.Submit()
	assert.Same(t, f, a.openForm, "a wrong code keeps the dialog open")
	assert.Contains(t, f.status.Text, "code is wrong")

	entryOf(t, f, 0).SetText(p.Code("dora@newhire.example"))
	f.Submit()
	assert.Nil(t, a.openForm)
	assert.Contains(t, a.Notice.Text, "Verified dora@newhire.example")
	assert.True(t, a.sess.d.Verified(context.Background()))
}

func TestHistory_IsATableNewestFirstWithTheWholeRowBelow(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	sols := r.app.Solutions
	require.True(t, sols.List.selectWhere(func(s api.Solution) bool { return s.ContractNumber == "ACME-EB-2026" }))
	sols.Assign(r.solution("ACME-EB-2026").LicenseID, "history@newhire.example")
	sols.history()
	// The dialog's table is the newest overlay's; its first row is the
	// assignment just made.
	top := r.app.win.Canvas().Overlays().Top()
	require.NotNil(t, top, "the history dialog is open")
	var found bool
	walk(top, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "history@newhire.example") {
			found = true
		}
	})
	assert.True(t, found, "the assignment is in the history")
}

// walk visits every object under o.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, fn)
		}
	}
}

func TestBanners_TheSubscriptionWarningAndTheOfflineCountdown(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	texts := func() string {
		var b strings.Builder
		walk(r.app.banner, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				b.WriteString(l.Text + "\n")
			}
		})
		return b.String()
	}
	assert.Contains(t, texts(), "the subscription ends in 8 days", "Beta's Eberick ends within 10 days")

	r.portal.Stop()
	r.app.SyncNow()
	assert.Contains(t, texts(), "Licenses keep working offline; the first to stop is Eberick, in 18 days")
}

func TestPartner_PicksTheCustomerByNameNotByID(t *testing.T) {
	r := newRig(t, "paula@nimbus.example")
	sols := r.app.Solutions
	var waiting api.Order
	for _, o := range sols.orders {
		if o.AssignedTo == "" {
			waiting = o
		}
	}
	require.NotEmpty(t, waiting.ID, "paula has an order waiting for a customer")
	sols.assignOrder(waiting)
	f := r.app.openForm
	require.NotNil(t, f)
	pick, ok := f.fields.Items[0].Widget.(*widget.SelectEntry)
	require.True(t, ok, "the customer is picked, not typed as an ID")
	pick.SetText("Acme Engenharia")
	f.Submit()
	assert.Nil(t, r.app.openForm, f.status.Text)
	assert.Contains(t, r.app.Notice.Text, "Done")
	for _, o := range sols.orders {
		if o.ID == waiting.ID {
			assert.Equal(t, "Acme Engenharia", o.AssignedToName)
		}
	}
}

func TestSupport_TheTabTitleCountsTheNewNews(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	sp := r.app.Support
	require.Positive(t, sp.Unread, "the demo has news ana has not read")
	assert.Equal(t, fmt.Sprintf("Support & news (%d new)", sp.Unread), r.app.tabs.Items[4].Text)
	// Reading a product's news clears its items from the count.
	require.True(t, sp.News.selectWhere(func(n newsRow) bool { return n.New }))
	n, _ := sp.News.current()
	before := sp.Unread
	r.app.send(lsync.MarkNewsRead(n.Product))
	assert.Less(t, sp.Unread, before)
}

func TestMenus_F10AndAltLetterOpenThemFromTheKeyboard(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	c := r.app.win.Canvas()
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF10})
	require.NotNil(t, r.app.openMenu, "F10 opens the menus")
	assert.True(t, r.app.openMenu.Visible())
	assert.Equal(t, r.app.openMenu, c.Focused(), "the keyboard drives it")
	assert.Equal(t, "File", r.app.menuShown.Items[0].Label)
	r.app.openMenu.Hide()

	c.(interface{ TypedShortcut(fyne.Shortcut) }).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierAlt})
	require.NotNil(t, r.app.openMenu)
	assert.Equal(t, "Sync now", r.app.menuShown.Items[0].Label, "Alt+F opens File")
}

func TestGetKey_TheFormStartsFromTheAccountsRegistrationDetails(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	reg, ok := r.app.sess.d.LastRegistration(context.Background())
	if !ok {
		t.Fatal("the demo's keys carry registration details")
	}
	r.app.Keys.getKey()
	f := r.app.openForm
	require.NotNil(t, f)
	assert.Equal(t, reg.Company, entryOf(t, f, 1).Text, "company")
	assert.Equal(t, reg.Country, entryOf(t, f, 4).Text, "country")
	assert.Empty(t, entryOf(t, f, 0).Text, "the serial is the user's to type")
}

func TestMessages_NameLicensesByProductAndContractNotByID(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	f := openAssignForm(t, r)
	test.Type(entryOf(t, f, 0), "named@newhire.example")
	f.Submit()
	assert.Contains(t, r.app.Notice.Text, "Eberick Professional (ACME-EB-2026)")
	assert.NotContains(t, r.app.Notice.Text, "lic_")
}

func TestUpgrade_TheNotificationIsPickedFromThoseTheAccountReceived(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	notices, err := r.app.sess.d.UpgradeNotices(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, notices, "the demo sent ana's account an upgrade notification")
	r.app.Keys.upgrade()
	f := r.app.openForm
	require.NotNil(t, f)
	pick := f.fields.Items[0].Widget.(*widget.SelectEntry)
	product := f.fields.Items[1].Widget.(*widget.SelectEntry)
	if len(notices) > 1 {
		pick.SetText(fmt.Sprintf("%s · %s · up to %d (%s)", notices[0].ID, strings.Join(notices[0].Products, ", "),
			notices[0].MaxQuantity, notices[0].AccountName))
	}
	assert.Contains(t, pick.Text, notices[0].ID)
	product.SetText(notices[0].Products[0])
	f.Submit()
	assert.Nil(t, r.app.openForm, f.status.Text)
	assert.Contains(t, r.app.Keys.Message.Text, "Done")
	left, err := r.app.sess.d.UpgradeNotices(context.Background())
	require.NoError(t, err)
	assert.Len(t, left, len(notices)-1, "the notification is used up")
}

func TestShortcuts_WaitBehindAnyDialogNotOnlyForms(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	before := r.app.tabs.SelectedIndex()
	dialog.ShowConfirm("Sure?", "A confirmation", func(bool) {}, r.app.win)
	ctrl4(r.app.win)
	assert.Equal(t, before, r.app.tabs.SelectedIndex(), "Ctrl+4 waits behind a confirmation")
}

func TestFocus_TabReachesTheTablesAfterTheirFilters(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	c := r.app.win.Canvas()
	c.Focus(r.app.Solutions.List.filter)
	c.FocusNext()
	assert.Equal(t, r.app.Solutions.List.list, c.Focused(), "Tab goes from the filter to its table")
}

// buttonIn finds the button labelled text under o.
func buttonIn(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var b *widget.Button
	walk(o, func(x fyne.CanvasObject) {
		if btn, ok := x.(*widget.Button); ok && btn.Text == text {
			b = btn
		}
	})
	require.NotNil(t, b, "a %q button", text)
	return b
}

func TestOfflineFlow_AKeyThatCannotBeAnsweredIsRefusedBeforeAFileIsAskedFor(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	ks := r.app.Keys
	// The demo's license key is active on print-srv-01, its only machine.
	require.True(t, ks.List.selectWhere(func(k api.Key) bool { return strings.HasPrefix(k.Key, "LIC-") }))
	ks.offlineDialog()
	flow := r.app.win.Canvas().Overlays().Top()
	require.NotNil(t, flow)
	test.Tap(buttonIn(t, flow, "1. Write the request…"))
	assert.Contains(t, ks.FlowStep.Text, "The request was not written")
	assert.Contains(t, ks.FlowStep.Text, "deactivate it on one of its machines first")
	assert.Same(t, flow, r.app.win.Canvas().Overlays().Top(), "no file dialog opened over the flow")

	// A key that can be answered goes on to ask where to write it.
	key := r.issueKey()
	ks.FlowStep.SetText("")
	entryFor := func() *widget.Entry {
		var e *widget.Entry
		walk(flow, func(x fyne.CanvasObject) {
			if en, ok := x.(*widget.Entry); ok && e == nil {
				e = en
			}
		})
		return e
	}
	require.NotNil(t, entryFor())
	entryFor().SetText(string(key))
	test.Tap(buttonIn(t, flow, "1. Write the request…"))
	assert.Empty(t, ks.FlowStep.Text)
	assert.NotSame(t, flow, r.app.win.Canvas().Overlays().Top(), "the save dialog asks where to write the request")
}

func TestDialogs_EscapeClosesTheDialogOnTop(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	c := r.app.win.Canvas()
	esc := func() {
		c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	}
	for name, open := range map[string]func(){
		"offline activation (custom)": r.app.Keys.offlineDialog,
		"an error":                    func() { r.app.showError(errors.New("boom")) },
		"history (custom)":            r.app.Solutions.history,
	} {
		open()
		require.NotNil(t, c.Overlays().Top(), name)
		esc()
		assert.Nil(t, c.Overlays().Top(), "Escape closes %s", name)
	}
}

func TestSupport_ANewsItemShowsInItsOwnPaneNotUnderTheRequest(t *testing.T) {
	r := newRig(t, "ana@acme.example")
	sp := r.app.Support
	req, ok := sp.List.current()
	require.True(t, ok, "a request is selected")
	require.True(t, sp.News.selectWhere(func(n newsRow) bool { return n.New }))
	n, _ := sp.News.current()
	assert.Contains(t, sp.NewsDetail.Text, n.Title)
	assert.Contains(t, sp.details.Text, req.Title, "the request's pane still shows the request its comment box is for")
	assert.NotContains(t, sp.details.Text, n.Body)
}
