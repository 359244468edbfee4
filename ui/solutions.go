package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"
	lsync "github.com/licdesk/licdesk/sync"
)

// SolutionsTab is "Active solutions": the licenses of the accounts the user
// manages, with seat counts; selected, the license's details and seats, with
// assign, remove and reassign; integrations, partner orders, product
// registration and a license's audit history.
type SolutionsTab struct {
	app  *App
	List *filterList[api.Solution]
	// Seats lists the selected license's seats.
	Seats *filterList[api.Seat]
	// seats holds every license's seats in their compact form (see
	// seatArena); a license's are decoded when it is opened (showSolution).
	seats                              *seatArena
	details                            *widget.Label
	AssignBtn, RemoveBtn, ReassignBtn  *widget.Button
	HistoryBtn, RegisterBtn, IntegrBtn *widget.Button
	OrdersBtn                          *widget.Button
	integrations                       []api.Integration
	integrPending                      map[string]int // integration ID → writes in flight
	// unsent holds, per license, the e-mails that queued seat writes not
	// sent yet touch: their rows say so.
	unsent map[string]map[string]bool
	// Integr holds the switches of the open Integrations dialog (nil while
	// it is closed), rebuilt from the cache after every change.
	Integr                                *IntegrationsView
	orders                                []api.Order
	accounts                              []api.Membership
	detailPane, emptyPane, detailsStacker *fyne.Container
	// Why says why the buttons that are off are off; Empty says what to
	// do when the user manages no license.
	Why, leftWhy, Empty *widget.Label
}

func newSolutionsTab(a *App) *SolutionsTab {
	t := &SolutionsTab{app: a}
	l := a.l
	t.List = newList(l, "licenses", []column{{l.T("ui.solutions.col.product"), 170}, {l.T("ui.solutions.col.contract"), 170},
		{l.T("ui.solutions.col.seats"), 190}, {l.T("ui.solutions.col.support"), 130}}, func(s api.Solution, c []string) {
		c[0] = s.Product + " " + l.Enum("edition", s.Edition)
		c[1] = s.ContractNumber + " · " + s.OwnerName
		c[2] = seatCounts(l, s)
		st := l.Enum("support", s.SupportStatus)
		if s.Action != "" {
			st += " · " + l.T("ui.solutions.action_needed", "Action", l.Enum("action", s.Action))
		}
		c[3] = st
	})
	t.Seats = newList(l, "seats", []column{{l.T("ui.solutions.col.holder"), 260}, {l.T("ui.solutions.col.state"), 160}}, func(s api.Seat, c []string) {
		c[0] = words.OrDash(s.Email)
		c[1] = l.Enum("seat", s.State)
		if cur, ok := t.List.current(); ok && s.Email != "" && t.unsent[cur.LicenseID][s.Email] {
			c[1] += " · " + l.T("ui.solutions.not_sent")
		}
	})
	t.details = widget.NewLabel("")
	t.details.Wrapping = fyne.TextWrapWord
	t.AssignBtn = widget.NewButtonWithIcon(l.T("ui.solutions.assign"), theme.ContentAddIcon(), t.assign)
	t.RemoveBtn = widget.NewButtonWithIcon(l.T("ui.solutions.remove"), theme.ContentRemoveIcon(), t.remove)
	t.ReassignBtn = widget.NewButtonWithIcon(l.T("ui.solutions.reassign"), theme.MailForwardIcon(), t.reassign)
	t.HistoryBtn = widget.NewButtonWithIcon(l.T("ui.solutions.history"), theme.HistoryIcon(), t.history)
	t.RegisterBtn = widget.NewButtonWithIcon(l.T("ui.solutions.register"), theme.ContentAddIcon(), t.register)
	t.IntegrBtn = widget.NewButtonWithIcon(l.T("ui.solutions.integrations"), theme.SettingsIcon(), t.showIntegrations)
	t.OrdersBtn = widget.NewButtonWithIcon(l.T("ui.solutions.orders"), theme.DocumentIcon(), t.showOrders)
	t.List.onSelect = func(s api.Solution) { t.showSolution(s) }
	t.Seats.onSelect = func(api.Seat) { t.updateButtons() }
	// Enter on a license goes to its seats.
	t.List.onOpen = func(api.Solution) { a.win.Canvas().Focus(t.Seats.list) }
	t.Why = hintLabel()
	t.leftWhy = hintLabel()
	// The license's details over its seats, in a split the user can move;
	// the details scroll, so that nothing is cut at 800x600.
	top := container.NewVScroll(container.NewVBox(t.details, flow(t.AssignBtn, t.RemoveBtn, t.ReassignBtn, t.HistoryBtn), t.Why))
	detailSplit := container.NewVSplit(top, t.Seats.view())
	detailSplit.Offset = 0.45
	t.detailPane = container.NewStack(detailSplit)
	t.Empty = widget.NewLabel(l.T("ui.solutions.select"))
	t.Empty.Wrapping = fyne.TextWrapWord
	t.Empty.Alignment = fyne.TextAlignCenter
	t.emptyPane = container.NewCenter(t.Empty)
	t.detailsStacker = container.NewStack(t.emptyPane)
	t.updateButtons()
	return t
}

func (t *SolutionsTab) content() fyne.CanvasObject {
	left := container.NewBorder(nil, container.NewVBox(flow(t.RegisterBtn, t.IntegrBtn, t.OrdersBtn), t.leftWhy), nil, nil,
		t.List.view())
	split := container.NewHSplit(left, t.detailsStacker)
	split.Offset = 0.55
	return split
}

func (t *SolutionsTab) focusFilter(w fyne.Window) { w.Canvas().Focus(t.List.filter) }

// seatArena holds the seats of every license in the form the cache keeps
// them, their JSON, one after the other in chunks of 1 MiB: about 80 bytes
// a seat, where decoded seats with their filter keys take three times
// that, with no allocation per license and no copy as it grows. A license's
// seats are decoded when it is opened.
type seatArena struct {
	chunks [][]byte
	span   map[string]seatsAt // license ID → where its seats are
}

// seatsAt is where one license's seats are in an arena.
type seatsAt struct{ chunk, start, end int }

const seatChunk = 1 << 20

// add copies b into the arena.
func (a *seatArena) add(b []byte) seatsAt {
	n := len(a.chunks)
	if n == 0 || len(a.chunks[n-1])+len(b) > cap(a.chunks[n-1]) {
		a.chunks = append(a.chunks, make([]byte, 0, max(seatChunk, len(b))))
		n++
	}
	c := a.chunks[n-1]
	at := seatsAt{n - 1, len(c), len(c) + len(b)}
	a.chunks[n-1] = append(c, b...)
	return at
}

// get is the JSON of the seats at at.
func (a *seatArena) get(at seatsAt) []byte { return a.chunks[at.chunk][at.start:at.end] }

// seatSpan decodes a license's "seats" by copying their JSON into the
// arena.
type seatSpan struct {
	arena *seatArena
	at    seatsAt
}

// UnmarshalJSON keeps the seats' JSON in the arena.
func (s *seatSpan) UnmarshalJSON(b []byte) error {
	s.at = s.arena.add(b)
	return nil
}

// solutionRow is a cached license as the window decodes it at load: its
// seats go to the arena undecoded.
type solutionRow struct {
	api.Solution
	Seats *seatSpan `json:"seats"`
}

// seatsOf decodes a license's seats (UI goroutine).
func (t *SolutionsTab) seatsOf(s api.Solution) ([]api.Seat, error) {
	if t.seats == nil {
		return nil, nil
	}
	at, ok := t.seats.span[s.LicenseID]
	if !ok {
		return nil, nil
	}
	var seats []api.Seat
	if err := json.Unmarshal(t.seats.get(at), &seats); err != nil {
		return nil, i18n.Wrap(err, "ui.solutions.seats_unreadable", "Product", s.Product)
	}
	return seats, nil
}

// loadSolutions reads the cached licenses, their seats into an arena.
func loadSolutions(ctx context.Context, c *lsync.Cache) ([]api.Solution, *seatArena, error) {
	n, _ := c.Count(ctx, api.KindSolution)
	sols := make([]api.Solution, 0, n)
	arena := &seatArena{span: make(map[string]seatsAt, n)}
	err := c.Each(ctx, api.KindSolution, func(id string, data []byte) error {
		row := solutionRow{Seats: &seatSpan{arena: arena}}
		if err := json.Unmarshal(data, &row); err != nil {
			return i18n.Wrap(err, "ui.solutions.cache_unreadable")
		}
		sols = append(sols, row.Solution)
		if row.Seats != nil { // nil for "seats": null
			arena.span[row.LicenseID] = row.Seats.at
		}
		return nil
	})
	return sols, arena, err
}

func (t *SolutionsTab) load(ctx context.Context) func() {
	sols, seats, err := loadSolutions(ctx, t.app.sess.cache)
	integ, _ := t.app.sess.cache.Integrations(ctx)
	integPending := map[string]int{}
	unsent := map[string]map[string]bool{}
	if es, err := t.app.sess.cache.Entries(ctx, lsync.Pending); err == nil {
		for _, e := range es {
			for _, r := range e.Write.Targets {
				switch r.Kind {
				case api.KindIntegration:
					integPending[r.ID]++
				case api.KindSolution:
					var b struct{ Email, To, From string }
					json.Unmarshal(e.Write.Body, &b)
					if unsent[r.ID] == nil {
						unsent[r.ID] = map[string]bool{}
					}
					for _, m := range []string{b.Email, b.To, b.From} {
						if m != "" {
							unsent[r.ID][m] = true
						}
					}
				}
			}
		}
	}
	orders, _ := t.app.sess.cache.Orders(ctx)
	accts, _ := t.app.sess.cache.Accounts(ctx)
	r := prepareRows(sols, func(s api.Solution) string {
		return s.Product + " " + s.Edition + " " + s.ContractNumber + " " + s.OwnerName + " " + strings.Join(s.Modules, " ")
	})
	return func() {
		if err != nil {
			t.details.SetText(t.app.l.Err(err))
		}
		t.integrations, t.orders, t.accounts = integ, orders, accts
		t.seats = seats
		t.integrPending, t.unsent = integPending, unsent
		if t.Integr != nil {
			t.Integr.render()
		}
		t.List.set(r, func(a, b api.Solution) bool { return a.LicenseID == b.LicenseID })
		t.List.selectFirst()
		if _, ok := t.List.current(); !ok {
			t.Empty.SetText(emptySolutions(t.app.l, accts))
			t.detailsStacker.Objects = []fyne.CanvasObject{t.emptyPane}
			t.detailsStacker.Refresh()
		}
		var why []string
		t.IntegrBtn.Disable()
		if len(integ) > 0 {
			t.IntegrBtn.Enable()
		} else {
			why = append(why, t.app.l.T("ui.solutions.why.integrations"))
		}
		t.OrdersBtn.Disable()
		if len(orders) > 0 {
			t.OrdersBtn.Enable()
		} else {
			why = append(why, t.app.l.T("ui.solutions.why.orders"))
		}
		setHint(t.leftWhy, strings.Join(why, " "))
	}
}

// seatCounts is a license's seats as an admin counts them: assigned of
// contracted (Pending ones included: they are taken), and what is left.
func seatCounts(l *i18n.Lang, s api.Solution) string {
	return l.T("ui.solutions.seat_counts", "Assigned", l.Number(s.Contracted-s.Available), "Contracted", l.Number(s.Contracted),
		"Available", l.Number(s.Available))
}

// seatDetail adds who holds the assigned seats: the user and others.
func seatDetail(l *i18n.Lang, s api.Solution) string {
	assigned := s.Contracted - s.Available
	return l.T("ui.solutions.seat_detail", "Contracted", l.Number(s.Contracted), "Assigned", l.Number(assigned),
		"Others", l.Number(s.AssignedOthers), "You", l.Number(assigned-s.AssignedOthers), "Available", l.Number(s.Available))
}

// supportLine says the maintenance state with its date the way a person
// reads it: "Active until D", "Expired on D", "None".
func (a *App) supportLine(status string, end time.Time) string {
	switch {
	case end.IsZero() || status == "none":
		return a.l.T("ui.solutions.support.none")
	case status == "expired":
		return a.l.T("ui.solutions.support.expired", "Date", a.day(end))
	case status == "expiring soon":
		return a.l.T("ui.solutions.support.soon", "Date", a.day(end))
	}
	return a.l.T("ui.solutions.support.until", "Status", a.l.Enum("support", status), "Date", a.day(end))
}

// showSolution fills the detail pane with a license and its seats.
func (t *SolutionsTab) showSolution(s api.Solution) {
	a, l := t.app, t.app.l
	support := a.supportLine(s.SupportStatus, s.SupportEnd)
	if s.Action != "" {
		support += " — " + l.T("ui.solutions.detail.action", "Action", l.Enum("action", s.Action))
	}
	t.details.SetText(l.T("ui.solutions.detail", "Product", s.Product, "Edition", l.Enum("edition", s.Edition), "Owner", s.OwnerName,
		"Modules", strings.Join(s.Modules, ", "), "Contract", s.ContractNumber, "Start", a.day(s.ContractStart),
		"Renewal", a.day(s.AutoRenewal), "Expiry", a.day(s.Expiry), "Support", support,
		"Status", l.Enum("license", s.LicenseStatus), "Seats", seatDetail(l, s)))
	seats, err := t.seatsOf(s)
	if err != nil {
		t.details.SetText(t.details.Text + "\n" + l.Err(err))
	}
	t.Seats.set(prepareRows(seats, func(x api.Seat) string { return x.Email + " " + x.State }),
		func(a, b api.Seat) bool { return a.ID == b.ID })
	t.detailsStacker.Objects = []fyne.CanvasObject{t.detailPane}
	t.detailsStacker.Refresh()
	t.updateButtons()
}

// updateButtons turns on what can succeed and says why the rest is off.
func (t *SolutionsTab) updateButtons() {
	s, haveSol := t.List.current()
	seat, haveSeat := t.Seats.current()
	held := haveSeat && seat.Email != ""
	var why []string
	enable(t.HistoryBtn, haveSol && t.app.online())
	if haveSol && !t.app.online() {
		why = append(why, t.app.l.T("ui.solutions.why.history"))
	}
	enable(t.AssignBtn, haveSol && s.Available > 0)
	if haveSol && s.Available == 0 {
		why = append(why, t.app.l.T("ui.solutions.why.full"))
	}
	enable(t.RemoveBtn, held)
	enable(t.ReassignBtn, held)
	if haveSol && !held {
		why = append(why, t.app.l.T("ui.solutions.why.holder"))
	}
	setHint(t.Why, strings.Join(why, " "))
}

// emptySolutions says what to do when the list of licenses is empty, by
// the user's place in their accounts.
func emptySolutions(l *i18n.Lang, accts []api.Membership) string {
	var managed, member []string
	for _, m := range accts {
		switch m.Role {
		case "owner", "admin", "partner":
			managed = append(managed, m.AccountName)
		default:
			member = append(member, m.AccountName)
		}
	}
	var b strings.Builder
	if len(managed) > 0 {
		b.WriteString(l.T("ui.solutions.empty.managed", "Accounts", strings.Join(managed, ", ")))
	}
	if len(member) > 0 || len(managed) == 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if len(member) > 0 {
			b.WriteString(l.T("ui.solutions.empty.member", "Accounts", strings.Join(member, ", ")) + " ")
		}
		b.WriteString(l.T("ui.solutions.empty.yours"))
	}
	return b.String()
}

// assign asks for an e-mail and queues the assignment.
func (t *SolutionsTab) assign() {
	s, ok := t.List.current()
	if !ok {
		return
	}
	l := t.app.l
	email := newFormEntry(l.T("ui.solutions.assign.placeholder"), validEmail)
	t.app.showForm(l.T("ui.solutions.assign.title", "Product", s.Product+" "+l.Enum("edition", s.Edition)), l.T("ui.solutions.assign.ok"), []formField{
		{label: l.T("ui.solutions.assign.email"), obj: email, hint: l.T("ui.solutions.assign.hint")}},
		func(ctx context.Context) (string, error) {
			return t.app.trySend(ctx, write(lsync.AssignSeat(s.LicenseID, strings.TrimSpace(email.Text))))
		}, t.app.notice)
}

// Assign queues the assignment of a seat of a license to an e-mail.
func (t *SolutionsTab) Assign(licenseID, email string) {
	t.app.send(lsync.AssignSeat(licenseID, strings.TrimSpace(email)))
}

// remove confirms and queues freeing the selected seat.
func (t *SolutionsTab) remove() {
	s, ok1 := t.List.current()
	seat, ok2 := t.Seats.current()
	if !ok1 || !ok2 || seat.Email == "" {
		return
	}
	l := t.app.l
	t.app.confirm(l.T("ui.solutions.remove.title"), l.T("ui.solutions.remove.confirm", "Email", seat.Email, "Product", s.Product, "Contract", s.ContractNumber),
		l.T("ui.solutions.remove"), func(ok bool) {
			if ok {
				t.Remove(s.LicenseID, seat.Email)
			}
		})
}

// Remove queues freeing the seat an e-mail holds on a license.
func (t *SolutionsTab) Remove(licenseID, email string) {
	t.app.send(lsync.RemoveSeat(licenseID, email))
}

// reassign asks for the new holder of the selected seat and confirms.
func (t *SolutionsTab) reassign() {
	s, ok1 := t.List.current()
	seat, ok2 := t.Seats.current()
	if !ok1 || !ok2 || seat.Email == "" {
		return
	}
	l := t.app.l
	to := newFormEntry(l.T("ui.solutions.reassign.placeholder"), validEmail)
	t.app.showForm(l.T("ui.solutions.reassign.title", "Email", seat.Email, "Product", s.Product), l.T("ui.solutions.reassign.ok"), []formField{
		{label: l.T("ui.solutions.reassign.to"), obj: to, hint: l.T("ui.solutions.reassign.hint")}},
		func(ctx context.Context) (string, error) {
			return t.app.trySend(ctx, write(lsync.ReassignSeat(s.LicenseID, seat.Email, strings.TrimSpace(to.Text))))
		}, t.app.notice)
}

// history fetches the license's audit trail from the portal (it is not
// cached: it needs the portal).
func (t *SolutionsTab) history() {
	s, ok := t.List.current()
	if !ok || !t.app.online() {
		return
	}
	t.app.bg(func(ctx context.Context) {
		events, err := t.app.sess.d.History(ctx, s.LicenseID)
		t.app.do(func() {
			if err != nil {
				if lsync.IsOffline(err) {
					err = errOffline
				}
				t.app.showError(err)
				return
			}
			// The trail as a table: when, who, what, from, to; the full text of
			// a row under it.
			l := t.app.l
			hist := newList(l, "events", []column{{l.T("ui.history.col.when"), 140}, {l.T("ui.history.col.who"), 170},
				{l.T("ui.history.col.what"), 230}, {l.T("ui.history.col.from"), 130}, {l.T("ui.history.col.to"), 130}},
				func(e api.AuditEvent, c []string) {
					c[0], c[1] = t.app.minute(e.At), e.Actor
					c[2] = strings.TrimSpace(auditAction(l, e.Action) + " " + e.Subject)
					c[3], c[4] = words.OrDash(e.Before), words.OrDash(e.After)
				})
			full := widget.NewLabel(l.T("ui.history.select"))
			full.Wrapping = fyne.TextWrapWord
			hist.onSelect = func(e api.AuditEvent) {
				full.SetText(fmt.Sprintf("%s, %s: %s %s (%s → %s)", t.app.minute(e.At), e.Actor,
					auditAction(l, e.Action), e.Subject, words.OrDash(e.Before), words.OrDash(e.After)))
			}
			hist.set(prepareRows(events, func(e api.AuditEvent) string {
				return e.Actor + " " + e.Action + " " + e.Subject + " " + e.Before + " " + e.After
			}), nil)
			hist.sortBy(0) // newest first
			if len(events) == 0 {
				full.SetText(l.T("ui.history.none"))
			}
			box := container.NewBorder(nil, full, nil, nil, hist.view())
			d := dialog.NewCustom(l.T("ui.history.title", "Product", s.Product, "Contract", s.ContractNumber), l.T("ui.common.close"), box, t.app.win)
			d.Resize(fyne.NewSize(860, 480))
			d.Show()
		})
	})
}

// register registers a product by license number, to the license's own
// account when the cache knows it, else to the user's.
func (t *SolutionsTab) register() {
	l := t.app.l
	number := newFormEntry(l.T("ui.solutions.register.placeholder"), required(l.T("ui.solutions.register.what")))
	t.app.showForm(l.T("ui.solutions.register.title"), l.T("ui.solutions.register.ok"), []formField{{label: l.T("ui.solutions.register.number"), obj: number}},
		func(ctx context.Context) (string, error) {
			w, err := t.app.sess.d.RegisterProduct(ctx, strings.TrimSpace(number.Text), "")
			return t.app.trySend(ctx, write(w, err))
		}, t.app.notice)
}

// showIntegrations shows the switches of the accounts with integrations:
// the product integration and the external controller per product, and each
// user's license switch as core decides it (read-only under an external
// controller, "No licenses", "Licenses not available"). Flipping one queues
// the write through the scheduler, like the seat writes.
func (t *SolutionsTab) showIntegrations() {
	v := &IntegrationsView{tab: t, box: container.NewVBox()}
	t.Integr = v
	v.render()
	d := dialog.NewCustom(t.app.l.T("ui.solutions.integrations"), t.app.l.T("ui.common.close"), container.NewVScroll(v.box), t.app.win)
	d.SetOnClosed(func() {
		if t.Integr == v {
			t.Integr = nil
		}
	})
	d.Resize(fyne.NewSize(720, 460))
	d.Show()
}

// IntegrationsView is the content of the Integrations dialog.
type IntegrationsView struct {
	tab *SolutionsTab
	box *fyne.Container
	// Product and Controller are the two switches of each integration, by
	// its ID (account/product); Users the license switch and State the
	// state text of each user, by ID/e-mail; Pending says which
	// integrations have writes the portal has not confirmed yet.
	Product, Controller map[string]*widget.Check
	Users               map[string]*widget.Check
	State, Pending      map[string]*widget.Label
}

// render rebuilds the switches from the tab's cached integrations.
func (v *IntegrationsView) render() {
	t := v.tab
	l := t.app.l
	v.Product, v.Controller = map[string]*widget.Check{}, map[string]*widget.Check{}
	v.Users, v.State, v.Pending = map[string]*widget.Check{}, map[string]*widget.Label{}, map[string]*widget.Label{}
	names := map[string]string{}
	for _, m := range t.accounts {
		names[m.AccountID] = m.AccountName
	}
	v.box.RemoveAll()
	for _, in := range t.integrations {
		id := lsync.IntegrationID(in.AccountID, in.Product)
		acct, product := in.AccountID, in.Product
		head := l.N("ui.integrations.head", in.FreeLicenses, "Product", product, "Account", words.OrDash(names[acct]))
		pending := widget.NewLabel("")
		if n := t.integrPending[id]; n > 0 {
			pending.SetText(l.N("ui.integrations.pending", n))
		}
		v.Pending[id] = pending
		prod := widget.NewCheck(l.T("ui.integrations.product"), nil)
		prod.SetChecked(in.ProductOn)
		prod.OnChanged = func(on bool) {
			t.app.send(lsync.SetIntegration(acct, product, api.IntegrationSwitches{ProductOn: &on}))
		}
		ctrl := widget.NewCheck(l.T("ui.integrations.controller"), nil)
		ctrl.SetChecked(in.ExternalController)
		ctrl.OnChanged = func(on bool) {
			t.app.send(lsync.SetIntegration(acct, product, api.IntegrationSwitches{ExternalController: &on}))
		}
		v.Product[id], v.Controller[id] = prod, ctrl
		v.box.Add(widget.NewLabelWithStyle(head, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		v.box.Add(container.NewHBox(prod, ctrl, pending))
		for _, u := range in.Users {
			email := u.Email
			c := widget.NewCheck(email, nil)
			c.SetChecked(u.Active)
			c.OnChanged = func(on bool) { t.app.send(lsync.SetUserLicense(acct, product, email, on)) }
			// Core decides: only "on" and "off" may be flipped; read-only,
			// "No licenses" and "Licenses not available" show disabled.
			if !u.Enabled {
				c.Disable()
			}
			state := widget.NewLabel(switchState(l, u.State))
			v.Users[id+"/"+email], v.State[id+"/"+email] = c, state
			v.box.Add(container.NewBorder(nil, nil, nil, state, c))
		}
	}
	v.box.Refresh()
}

// showOrders lists a partner's orders, each with "Assign to account".
func (t *SolutionsTab) showOrders() {
	box := container.NewVBox()
	var d dialog.Dialog
	l := t.app.l
	for _, o := range t.orders {
		line := l.T("ui.orders.line", "Product", o.Product, "Edition", l.Enum("edition", o.Edition), "Quantity", l.Number(o.Quantity),
			"Date", t.app.day(o.CreatedAt))
		if o.PartnerName != "" && !t.ownsOrder(o) {
			line += " · " + l.T("ui.orders.from", "Partner", o.PartnerName)
		}
		if o.AssignedTo != "" {
			box.Add(widget.NewLabel(line + " · " + l.T("ui.orders.assigned", "Account", words.OrDash(o.AssignedToName))))
			continue
		}
		if !t.ownsOrder(o) {
			box.Add(widget.NewLabel(line))
			continue
		}
		btn := widget.NewButton(l.T("ui.orders.assign"), func() {
			d.Hide()
			t.assignOrder(o)
		})
		box.Add(container.NewBorder(nil, nil, nil, btn, widget.NewLabel(line)))
	}
	d = dialog.NewCustom(l.T("ui.solutions.orders"), l.T("ui.common.close"), container.NewVScroll(box), t.app.win)
	d.Resize(fyne.NewSize(680, 420))
	d.Show()
}

// ownsOrder reports whether the user's partner account bought the order
// (a customer sees orders assigned to it, but does not assign them).
func (t *SolutionsTab) ownsOrder(o api.Order) bool {
	for _, m := range t.accounts {
		if m.AccountID == o.PartnerAccountID {
			return true
		}
	}
	return false
}

// assignOrder picks the customer an order goes to from the accounts that
// bought from the partner (or typed by name), as `licdesk orders assign
// --account NAME` does.
func (t *SolutionsTab) assignOrder(o api.Order) {
	t.app.bg(func(ctx context.Context) {
		choices, _ := t.app.sess.d.AccountChoices(ctx)
		var names []string
		for _, c := range choices {
			if c.Why == "customer" || c.Why == "partner" {
				names = append(names, c.Name)
			}
		}
		t.app.do(func() {
			l := t.app.l
			acct := widget.NewSelectEntry(names)
			acct.SetPlaceHolder(l.T("ui.orders.customer.placeholder"))
			if len(names) == 1 {
				acct.SetText(names[0])
			}
			hint := l.T("ui.orders.customer.hint")
			if len(names) == 0 {
				hint = l.T("ui.orders.customer.hint_none")
			}
			t.app.showForm(l.T("ui.orders.assign.title", "Quantity", l.Number(o.Quantity), "Product", o.Product, "Edition", l.Enum("edition", o.Edition)),
				l.T("ui.solutions.assign.ok"),
				[]formField{{label: l.T("ui.orders.customer"), obj: acct, hint: hint}},
				func(ctx context.Context) (string, error) {
					if strings.TrimSpace(acct.Text) == "" {
						return "", i18n.Errorf("ui.orders.customer.missing")
					}
					w, err := t.app.sess.d.AssignOrder(ctx, o.ID, acct.Text)
					return t.app.trySend(ctx, write(w, err))
				}, t.app.notice)
		})
	})
}

// switchState words a user's license switch as core names it (on, off,
// read-only on, No licenses, Licenses not available).
func switchState(l *i18n.Lang, s string) string {
	key := "ui.integrations.state." + strings.ReplaceAll(strings.ToLower(s), " ", "_")
	if !l.Has(key) {
		return s
	}
	return l.T(key)
}

// auditAction words an audit trail's action (core's Audit* names, such as
// "seat.assign"); one the catalogs lack shows as it is stored.
func auditAction(l *i18n.Lang, action string) string {
	key := "ui.history.action." + strings.ReplaceAll(action, ".", "_")
	if !l.Has(key) {
		return strings.ReplaceAll(action, "_", " ")
	}
	return l.T(key)
}
