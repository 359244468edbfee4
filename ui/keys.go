package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

// KeysTab is "Keys": the license and install keys of the user's accounts
// with their activations and capacity; get a key from a serial, upgrade from
// a notification ID, add a key.
type KeysTab struct {
	app                        *App
	List                       *filterList[api.Key]
	details                    *widget.Label
	GetBtn, UpgradeBtn, AddBtn *widget.Button
	// The machine's side: activate online, the offline flow, answer
	// someone else's request, deactivate.
	ActivateBtn, OfflineBtn, FulfilBtn, DeactivateBtn *widget.Button
	// ReceiptBtn hands in a receipt written on a disconnected machine;
	// RequestsBtn lists this machine's waiting requests, to cancel one.
	ReceiptBtn, RequestsBtn *widget.Button
	// FreeBtn frees an activation of the selected key on another machine
	// (one that cannot hand in a receipt: lost, reinstalled, retired).
	FreeBtn *widget.Button
	// Machine shows this machine's activations, their hardware binding
	// and grace, pending requests and the trusted portal keys.
	Machine *widget.Label
	// Message is the result of the last action.
	Message *widget.Label
	// The offline flow's widgets: the step reached, the request's QR code
	// and the import's result.
	FlowStep, FlowResult *widget.Label
	QR                   *canvas.Image
	qrPNG                []byte         // the request's QR code as a PNG file
	saveQR               *widget.Button // saves qrPNG; shown once there is one
	flowBody             *container.Scroll
}

func newKeysTab(a *App) *KeysTab {
	t := &KeysTab{app: a}
	l := a.l
	t.List = newList(l, "keys", []column{{l.T("ui.keys.col.key"), 300}, {l.T("ui.assigned.col.product"), 240}, {l.T("ui.keys.col.kind"), 150},
		{l.T("ui.keys.col.activations"), 140}, {l.T("ui.assigned.col.expires"), 140}}, func(k api.Key, c []string) {
		c[0] = k.Key
		c[1] = k.Product + " " + l.Enum("edition", k.Edition)
		c[2] = l.Enum("key", k.Kind) + " · " + keyStatus(l, k.Status)
		c[3] = l.N("ui.keys.machines", k.MaxActivations, "Active", l.Number(k.ActiveActivations))
		exp := a.dayp(k.Expiry)
		if k.Expiry == nil {
			exp = l.T("ui.keys.perpetual")
		} else if k.Renewed {
			exp += " " + l.T("ui.keys.renewed")
		}
		c[4] = exp
	})
	t.details = widget.NewLabel(l.T("ui.keys.select"))
	t.details.Wrapping = fyne.TextWrapWord
	t.List.onSelect = t.showKey
	t.List.onOpen = func(api.Key) { t.activateDialog() }
	t.GetBtn = widget.NewButtonWithIcon(l.T("ui.keys.get"), theme.ContentAddIcon(), t.getKey)
	t.UpgradeBtn = widget.NewButtonWithIcon(l.T("ui.keys.upgrade"), theme.UploadIcon(), t.upgrade)
	t.AddBtn = widget.NewButtonWithIcon(l.T("ui.keys.add"), theme.ContentAddIcon(), t.addKey)
	t.ActivateBtn = widget.NewButtonWithIcon(l.T("ui.keys.activate"), theme.ConfirmIcon(), t.activateDialog)
	t.ActivateBtn.Importance = widget.HighImportance
	t.OfflineBtn = widget.NewButtonWithIcon(l.T("ui.keys.offline"), theme.DocumentSaveIcon(), t.offlineDialog)
	t.FulfilBtn = widget.NewButtonWithIcon(l.T("ui.keys.fulfil"), theme.MailReplyIcon(), t.fulfilDialog)
	t.DeactivateBtn = widget.NewButtonWithIcon(l.T("ui.keys.deactivate"), theme.CancelIcon(), t.deactivateDialog)
	t.ReceiptBtn = widget.NewButtonWithIcon(l.T("ui.keys.receipt"), theme.MailSendIcon(), t.receiptDialog)
	t.RequestsBtn = widget.NewButtonWithIcon(l.T("ui.keys.requests"), theme.HistoryIcon(), t.requestsDialog)
	t.FreeBtn = widget.NewButtonWithIcon(l.T("ui.keys.free"), theme.DeleteIcon(), t.freeDialog)
	t.Machine = widget.NewLabel(l.T("ui.keys.reading"))
	t.Machine.Wrapping = fyne.TextWrapWord
	t.Message = widget.NewLabel("")
	t.Message.Truncation = fyne.TextTruncateEllipsis // one line: a wrapped one overlaps the details above
	t.Message.Hide()
	t.FlowStep = widget.NewLabel("")
	t.FlowStep.Wrapping = fyne.TextWrapWord
	t.FlowResult = widget.NewLabel("")
	t.FlowResult.Wrapping = fyne.TextWrapWord
	t.QR = newQR()
	return t
}

func (t *KeysTab) content() fyne.CanvasObject {
	// The list and the details share the height (a split the user can
	// move): at 800x600 neither shrinks to nothing; the details scroll.
	details := container.NewVScroll(container.NewVBox(t.details, widget.NewSeparator(), t.Machine))
	buttons := container.NewVBox(widget.NewSeparator(), t.Message,
		flow(t.ActivateBtn, t.OfflineBtn, t.FulfilBtn, t.DeactivateBtn, t.FreeBtn, t.GetBtn, t.UpgradeBtn, t.AddBtn, t.ReceiptBtn, t.RequestsBtn))
	split := container.NewVSplit(t.List.view(), details)
	split.Offset = 0.55
	return container.NewBorder(nil, buttons, nil, nil, split)
}

func (t *KeysTab) focusFilter(w fyne.Window) { w.Canvas().Focus(t.List.filter) }

func (t *KeysTab) load(ctx context.Context) func() {
	keys, err := lsync.List[api.Key](ctx, t.app.sess.cache, api.KindKey)
	r := prepareRows(keys, func(k api.Key) string {
		return k.Key + " " + k.Product + " " + k.Edition + " " + k.Kind + " " + k.Status + " " + k.AccountName
	})
	mi := t.loadMachine(ctx)
	return func() {
		t.Machine.SetText(mi.text(t.app))
		if err != nil {
			t.details.SetText(t.app.l.Err(err))
		}
		t.List.set(r, func(a, b api.Key) bool { return a.Key == b.Key })
		t.List.selectFirst()
	}
}

func (t *KeysTab) showKey(k api.Key) {
	var b strings.Builder
	l := t.app.l
	b.WriteString(l.T("ui.keys.detail", "Key", k.Key, "Product", k.Product, "Edition", l.Enum("edition", k.Edition),
		"Modules", words.OrDash(strings.Join(k.Modules, ", ")), "Account", k.AccountName, "Capacity", l.Number(k.Capacity),
		"Unit", k.Unit, "Source", keySource(l, k.Source)))
	if len(k.Activations) == 0 {
		b.WriteString("\n" + l.T("ui.keys.not_activated"))
	}
	for _, ac := range k.Activations {
		fmt.Fprintf(&b, "\n%s: %s (%s, %s)", words.OrDash(ac.Machine), l.Enum("activation", ac.State), activationMode(l, ac.Mode), t.app.day(ac.ActivatedAt))
	}
	t.details.SetText(b.String())
}

// getKey is the "Get a license key" form: the serial and the registration,
// starting from the user's e-mail.
func (t *KeysTab) getKey() {
	l := t.app.l
	serial := newFormEntry("XXXX-XXXX-XXXX", required(l.T("ui.getkey.serial.what")))
	company := newFormEntry(l.T("ui.getkey.company"), required(l.T("ui.getkey.company.what")))
	person := newFormEntry(l.T("ui.getkey.person.placeholder"), required(l.T("ui.getkey.person.what")))
	address := newFormEntry(l.T("ui.getkey.address.placeholder"), required(l.T("ui.getkey.address.what")))
	country := newFormEntry(l.T("ui.getkey.country.placeholder"), validCountry)
	email := newFormEntry(l.T("ui.signin.email.hint"), validEmail)
	phone := newFormEntry(l.T("ui.getkey.optional"), nil)
	email.SetText(t.app.sess.email())
	// The account's details start the form: they rarely change.
	if reg, ok := t.app.sess.d.LastRegistration(t.app.ctx); ok {
		company.SetText(reg.Company)
		person.SetText(reg.Person)
		address.SetText(reg.Address)
		country.SetText(reg.Country)
		phone.SetText(reg.Phone)
		if reg.Email != "" {
			email.SetText(reg.Email)
		}
	}
	t.app.showForm(l.T("ui.getkey.title"), l.T("ui.getkey.ok"), []formField{
		{label: l.T("ui.getkey.serial"), obj: serial}, {label: l.T("ui.getkey.company"), obj: company},
		{label: l.T("ui.getkey.person"), obj: person}, {label: l.T("ui.getkey.address"), obj: address},
		{label: l.T("ui.getkey.country"), obj: country}, {label: l.T("ui.solutions.assign.email"), obj: email}, {label: l.T("ui.getkey.phone"), obj: phone},
	}, func(ctx context.Context) (string, error) {
		return t.app.trySend(ctx, write(lsync.GetKey(api.GetKeyRequest{Serial: strings.TrimSpace(serial.Text), Confirm: true,
			Registration: api.Registration{Company: company.Text, Person: person.Text, Address: address.Text,
				Country: strings.ToUpper(strings.TrimSpace(country.Text)), Email: email.Text, Phone: phone.Text}})))
	}, t.say)
}

// upgrade asks for a version upgrade's key: the notification picked from
// those sent to the user's accounts (or typed), the product among those it
// offers, and the quantity.
func (t *KeysTab) upgrade() {
	t.app.bg(func(ctx context.Context) {
		notices, _ := t.app.sess.d.UpgradeNotices(ctx) // offline: typed by hand
		t.app.do(func() { t.upgradeForm(notices) })
	})
}

func (t *KeysTab) upgradeForm(notices []api.UpgradeNotice) {
	l := t.app.l
	labels := make([]string, len(notices))
	byLabel := map[string]api.UpgradeNotice{}
	for i, n := range notices {
		labels[i] = l.T("ui.upgrade.notice", "ID", n.ID, "Products", strings.Join(n.Products, ", "), "Max", l.Number(n.MaxQuantity), "Account", n.AccountName)
		byLabel[labels[i]] = n
	}
	notif := widget.NewSelectEntry(labels)
	notif.SetPlaceHolder(l.T("ui.upgrade.notification.placeholder"))
	product := widget.NewSelectEntry(nil)
	product.SetPlaceHolder(l.T("ui.upgrade.product.placeholder"))
	qty := newFormEntry("1", validQuantity)
	qty.SetText("1")
	notif.OnChanged = func(s string) {
		if n, ok := byLabel[s]; ok {
			product.SetOptions(n.Products)
			if len(n.Products) == 1 {
				product.SetText(n.Products[0])
			}
		}
	}
	if len(labels) == 1 {
		notif.SetText(labels[0])
	}
	hint := l.T("ui.upgrade.hint")
	if len(labels) == 0 {
		hint = l.T("ui.upgrade.hint_none")
	}
	t.app.showForm(l.T("ui.upgrade.title"), l.T("ui.upgrade.ok"), []formField{
		{label: l.T("ui.upgrade.notification"), obj: notif, hint: hint}, {label: l.T("ui.assigned.col.product"), obj: product},
		{label: l.T("ui.upgrade.quantity"), obj: qty}},
		func(ctx context.Context) (string, error) {
			id := strings.TrimSpace(notif.Text)
			if n, ok := byLabel[id]; ok {
				id = n.ID
			}
			if id == "" || strings.TrimSpace(product.Text) == "" {
				return "", i18n.Errorf("ui.upgrade.missing")
			}
			n, _ := strconv.Atoi(strings.TrimSpace(qty.Text))
			return t.app.trySend(ctx, write(lsync.UpgradeKey(api.UpgradeKeyRequest{NotificationID: id,
				Product: strings.TrimSpace(product.Text), Quantity: n})))
		}, t.say)
}

// addKey adds a license key to the user's account.
func (t *KeysTab) addKey() {
	l := t.app.l
	key := newFormEntry(l.T("ui.activate.key.placeholder"), validKey)
	t.app.showForm(l.T("ui.addkey.title"), l.T("ui.addkey.ok"), []formField{{label: l.T("ui.activate.key"), obj: key}},
		func(ctx context.Context) (string, error) {
			return t.app.trySend(ctx, write(lsync.AddKey(strings.TrimSpace(key.Text), "")))
		}, t.say)
}

// keyStatus words a key's status (active, added, expired).
func keyStatus(l *i18n.Lang, s string) string {
	switch s {
	case "active", "added", "expired":
		return l.T("ui.keys.status." + s)
	}
	return s
}

// keySource words how a key came (serial, upgrade, vendor).
func keySource(l *i18n.Lang, s string) string {
	switch s {
	case "serial", "upgrade", "vendor":
		return l.T("ui.keys.source." + s)
	}
	return s
}
