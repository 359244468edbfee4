package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
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
	t.List = newFilterList("keys", []column{{"Key", 300}, {"Product", 240}, {"Kind · status", 150}, {"Activations", 140}, {"Expires", 140}}, func(k api.Key, c []string) {
		c[0] = k.Key
		c[1] = k.Product + " " + title(k.Edition)
		c[2] = title(k.Kind) + " · " + title(k.Status)
		c[3] = fmt.Sprintf("%d of %d machines", k.ActiveActivations, k.MaxActivations)
		exp := dayp(k.Expiry)
		if k.Expiry == nil {
			exp = "perpetual"
		} else if k.Renewed {
			exp += " (renewed)"
		}
		c[4] = exp
	})
	t.details = widget.NewLabel("Select a key to see its activations.")
	t.details.Wrapping = fyne.TextWrapWord
	t.List.onSelect = t.showKey
	t.List.onOpen = func(api.Key) { t.activateDialog() }
	t.GetBtn = widget.NewButtonWithIcon("Get key from serial…", theme.ContentAddIcon(), t.getKey)
	t.UpgradeBtn = widget.NewButtonWithIcon("Upgrade…", theme.UploadIcon(), t.upgrade)
	t.AddBtn = widget.NewButtonWithIcon("Add key…", theme.ContentAddIcon(), t.addKey)
	t.ActivateBtn = widget.NewButtonWithIcon("Activate online…", theme.ConfirmIcon(), t.activateDialog)
	t.ActivateBtn.Importance = widget.HighImportance
	t.OfflineBtn = widget.NewButtonWithIcon("Offline activation…", theme.DocumentSaveIcon(), t.offlineDialog)
	t.FulfilBtn = widget.NewButtonWithIcon("Answer a request…", theme.MailReplyIcon(), t.fulfilDialog)
	t.DeactivateBtn = widget.NewButtonWithIcon("Deactivate…", theme.CancelIcon(), t.deactivateDialog)
	t.ReceiptBtn = widget.NewButtonWithIcon("Hand in a receipt…", theme.MailSendIcon(), t.receiptDialog)
	t.RequestsBtn = widget.NewButtonWithIcon("Waiting requests…", theme.HistoryIcon(), t.requestsDialog)
	t.FreeBtn = widget.NewButtonWithIcon("Free an activation elsewhere…", theme.DeleteIcon(), t.freeDialog)
	t.Machine = widget.NewLabel("This machine: reading…")
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
		t.Machine.SetText(mi.text())
		if err != nil {
			t.details.SetText(err.Error())
		}
		t.List.set(r, func(a, b api.Key) bool { return a.Key == b.Key })
		t.List.selectFirst()
	}
}

func (t *KeysTab) showKey(k api.Key) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · %s %s · modules %s · account %s · capacity %d %s · from %s",
		k.Key, k.Product, title(k.Edition), words.OrDash(strings.Join(k.Modules, ", ")), k.AccountName, k.Capacity, k.Unit, title(k.Source))
	if len(k.Activations) == 0 {
		b.WriteString("\nNot activated on any machine.")
	}
	for _, ac := range k.Activations {
		fmt.Fprintf(&b, "\n%s: %s (%s, %s)", words.OrDash(ac.Machine), title(ac.State), ac.Mode, day(ac.ActivatedAt))
	}
	t.details.SetText(b.String())
}

// getKey is the "Get a license key" form: the serial and the registration,
// starting from the user's e-mail.
func (t *KeysTab) getKey() {
	serial := newFormEntry("XXXX-XXXX-XXXX", required("the serial number"))
	company := newFormEntry("Company", required("the company"))
	person := newFormEntry("Full name", required("the contact person"))
	address := newFormEntry("Street, city", required("the address"))
	country := newFormEntry("PT", validCountry)
	email := newFormEntry("you@company.example", validEmail)
	phone := newFormEntry("optional", nil)
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
	t.app.showForm("Get a license key from a serial number", "Get key", []formField{
		{label: "Serial number", obj: serial}, {label: "Company", obj: company},
		{label: "Contact person", obj: person}, {label: "Address", obj: address},
		{label: "Country (ISO code)", obj: country}, {label: "E-mail", obj: email}, {label: "Phone", obj: phone},
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
	labels := make([]string, len(notices))
	byLabel := map[string]api.UpgradeNotice{}
	for i, n := range notices {
		labels[i] = fmt.Sprintf("%s · %s · up to %d (%s)", n.ID, strings.Join(n.Products, ", "), n.MaxQuantity, n.AccountName)
		byLabel[labels[i]] = n
	}
	notif := widget.NewSelectEntry(labels)
	notif.SetPlaceHolder("the notification's ID")
	product := widget.NewSelectEntry(nil)
	product.SetPlaceHolder("the product upgraded to")
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
	hint := "Pick one of the notifications your accounts received."
	if len(labels) == 0 {
		hint = "No notification waits in your accounts (or the portal cannot be reached): type its ID."
	}
	t.app.showForm("Upgrade to a new version", "Upgrade", []formField{
		{label: "Notification", obj: notif, hint: hint}, {label: "Product", obj: product}, {label: "Quantity", obj: qty}},
		func(ctx context.Context) (string, error) {
			id := strings.TrimSpace(notif.Text)
			if n, ok := byLabel[id]; ok {
				id = n.ID
			}
			if id == "" || strings.TrimSpace(product.Text) == "" {
				return "", errors.New("Pick the notification and the product.")
			}
			n, _ := strconv.Atoi(strings.TrimSpace(qty.Text))
			return t.app.trySend(ctx, write(lsync.UpgradeKey(api.UpgradeKeyRequest{NotificationID: id,
				Product: strings.TrimSpace(product.Text), Quantity: n})))
		}, t.say)
}

// addKey adds a license key to the user's account.
func (t *KeysTab) addKey() {
	key := newFormEntry("LIC-… or INS-…", validKey)
	t.app.showForm("Add a license key", "Add", []formField{{label: "Key", obj: key}},
		func(ctx context.Context) (string, error) {
			return t.app.trySend(ctx, write(lsync.AddKey(strings.TrimSpace(key.Text), "")))
		}, t.say)
}
