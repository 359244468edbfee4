package sync

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
)

// Write is one change the user asks the portal for, as the outbox keeps it
// until the portal answers. Build one with the constructors below.
type Write struct {
	// Op names the operation ("seat.assign"); it selects the write's
	// expected effect on the cache.
	Op string `json:"op"`
	// Method and Path are the HTTP request; Body is sent byte for byte on
	// every replay, since the portal ties the idempotency key to it.
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body,omitempty"`
	// Summary says in one line what the write does, for people.
	Summary string `json:"summary"`
	// Targets are the cached objects the write's effect changes.
	Targets []Ref `json:"targets,omitempty"`
}

// Operation names, as stored in the outbox.
const (
	OpSeatAssign      = "seat.assign"
	OpSeatRemove      = "seat.remove"
	OpSeatReassign    = "seat.reassign"
	OpAdopt           = "adoption.adopt"
	OpOrderAssign     = "order.assign"
	OpProductRegister = "product.register"
)

// invalid refuses a write's input before it is queued, with core's error as
// the cause, as a refusal of the portal would carry it.
func invalid(code, msg string) error {
	return &Error{Kind: Invalid, Code: code, Msg: msg, Err: core.E(core.Invalid, code, msg)}
}

func emailArg(s string) (string, error) {
	e, err := core.NormalizeEmail(s)
	if err != nil {
		return "", &Error{Kind: Invalid, Code: core.CodeOf(err), Msg: err.Error(), Err: err}
	}
	return string(e), nil
}

// idArg checks an identifier the write puts in its path.
func idArg(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 || strings.ContainsAny(s, "/?#\x00") {
		return "", invalid("request.argument", fmt.Sprintf("give a valid %s", what))
	}
	return s, nil
}

func jsonBody(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain structs of strings are marshalled here.
		panic(err)
	}
	return b
}

// AssignSeat assigns a seat of a license to an e-mail.
func AssignSeat(licenseID, email string) (Write, error) {
	lic, err := idArg("license", licenseID)
	if err != nil {
		return Write{}, err
	}
	e, err := emailArg(email)
	if err != nil {
		return Write{}, err
	}
	return Write{Op: OpSeatAssign, Method: http.MethodPost, Path: "/v1/licenses/" + url.PathEscape(lic) + "/seats",
		Body: jsonBody(api.SeatRequest{Email: e}), Summary: i18n.Stored("write.seat.assign", "License", lic, "Email", e),
		Targets: []Ref{{api.KindSolution, lic}}}, nil
}

// RemoveSeat frees the seat an e-mail holds on a license.
func RemoveSeat(licenseID, email string) (Write, error) {
	lic, err := idArg("license", licenseID)
	if err != nil {
		return Write{}, err
	}
	e, err := emailArg(email)
	if err != nil {
		return Write{}, err
	}
	return Write{Op: OpSeatRemove, Method: http.MethodDelete,
		Path:    "/v1/licenses/" + url.PathEscape(lic) + "/seats/" + url.PathEscape(e),
		Summary: i18n.Stored("write.seat.remove", "Email", e, "License", lic), Targets: []Ref{{api.KindSolution, lic}}}, nil
}

// ReassignSeat moves a seat of a license from one e-mail to another.
func ReassignSeat(licenseID, from, to string) (Write, error) {
	lic, err := idArg("license", licenseID)
	if err != nil {
		return Write{}, err
	}
	f, err := emailArg(from)
	if err != nil {
		return Write{}, err
	}
	t, err := emailArg(to)
	if err != nil {
		return Write{}, err
	}
	return Write{Op: OpSeatReassign, Method: http.MethodPost, Path: "/v1/licenses/" + url.PathEscape(lic) + "/seats/reassign",
		Body: jsonBody(api.ReassignRequest{From: f, To: t}), Summary: i18n.Stored("write.seat.reassign", "From", f, "License", lic, "To", t),
		Targets: []Ref{{api.KindSolution, lic}}}, nil
}

// Adopt picks the license a product runs with. product is the assigned
// product the license belongs to (Cache.AssignedProductOf), so that the
// change shows at once; "" leaves the cache to the next pull.
func Adopt(product, licenseID string) (Write, error) {
	lic, err := idArg("license", licenseID)
	if err != nil {
		return Write{}, err
	}
	w := Write{Op: OpAdopt, Method: http.MethodPost, Path: "/v1/assigned/adopt",
		Body: jsonBody(api.AdoptRequest{LicenseID: lic}), Summary: i18n.Stored("write.adopt.product", "Product", product, "License", lic)}
	if product != "" {
		w.Targets = []Ref{{api.KindAssigned, product}}
	} else {
		w.Summary = i18n.Stored("write.adopt", "License", lic)
	}
	return w, nil
}

// AssignOrder assigns a partner's order to a customer account.
func AssignOrder(orderID, accountID string) (Write, error) {
	o, err := idArg("order", orderID)
	if err != nil {
		return Write{}, err
	}
	a, err := idArg("account", accountID)
	if err != nil {
		return Write{}, err
	}
	return Write{Op: OpOrderAssign, Method: http.MethodPost, Path: "/v1/orders/" + url.PathEscape(o) + "/assign",
		Body: jsonBody(api.AssignOrderRequest{AccountID: a}), Summary: i18n.Stored("write.order.assign", "Order", o, "Account", a),
		Targets: []Ref{{api.KindOrder, o}}}, nil
}

// RegisterProduct registers a product to an account by one of its license
// numbers. When the number is known locally (known.Product non-empty), the
// product shows in the cache at once.
func RegisterProduct(accountID, number string, known api.Solution) (Write, error) {
	n := strings.TrimSpace(number)
	if n == "" || len(n) > 200 {
		return Write{}, invalid("product.number", "give the license number to register")
	}
	w := Write{Op: OpProductRegister, Method: http.MethodPost, Path: "/v1/products",
		Body: jsonBody(api.RegisterProductRequest{AccountID: accountID, Number: n}), Summary: i18n.Stored("write.product.register", "Number", n)}
	if known.Product != "" && known.AccountID != "" {
		w.Targets = []Ref{{api.KindProduct, known.AccountID + "/" + known.Product}}
		w.Summary = i18n.Stored("write.product.register_known", "Product", known.Product, "Number", n)
	}
	return w, nil
}

// effectEnv is what effects need to know beyond the write: who the user
// is and the time.
type effectEnv struct {
	email string
	now   time.Time
}

func (env *effectEnv) by() core.By { return core.By{Actor: core.Email(env.email), At: env.now} }

// hasAccount guesses what only the portal knows: whether an address has an
// account (its seat is then Assigned, else Pending). The license's owner,
// the user, and whoever holds an Assigned seat of the same license have
// one; any other address shows Pending until the portal answers. Looking
// for the address on every other cached license would know more, but costs
// a scan of the whole cache on each write (90 ms at 10 000 licenses,
// BenchmarkSubmitSeatAssign), for a guess the push corrects.
func (env *effectEnv) hasAccount(l core.License, e core.Email) bool {
	if e == l.OwnerEmail || e == core.Email(env.email) {
		return true
	}
	for _, s := range l.Seats {
		if s.Email == e && s.State == core.SeatAssigned {
			return true
		}
	}
	return false
}

// effect returns an object as it will be once a write is applied (nil: the
// object goes away). An error leaves the object as it was: the portal
// decides when the write arrives, and its reason is kept then.
type effect func(env *effectEnv, w Write, ref Ref, cur []byte) ([]byte, error)

// effectOf is the one table of the client's operations: how each write
// changes the cached objects it targets. The effects run core's rules on
// the objects rebuilt from their views and render them back with the
// portal's own view builders (package api), so the cache shows what the
// portal will answer; the portal's answer and the next pull replace it.
func effectOf(op string) (effect, bool) {
	switch op {
	case OpSeatAssign:
		return onView(seatEffect(assignSeat)), true
	case OpSeatRemove:
		return onView(seatEffect(removeSeat)), true
	case OpSeatReassign:
		return onView(seatEffect(reassignSeat)), true
	case OpAdopt:
		return onView(adoptEffect), true
	case OpOrderAssign:
		return onView(orderAssignEffect), true
	case OpProductRegister:
		return registerEffect, true
	case OpIntegrationSwitches:
		return onView(integrationSwitchesEffect), true
	case OpIntegrationUser:
		return onView(integrationUserEffect), true
	case OpKeyAdd:
		return keyAddEffect, true
	case OpSupportOpen:
		return supportOpenEffect, true
	case OpSupportComment:
		return onView(supportCommentEffect), true
	case OpSupportClose:
		return onView(supportCloseEffect), true
	case OpNewsRead:
		return onView(newsReadEffect), true
	case OpNewsSubscription:
		return onView(newsSubscriptionEffect), true
	}
	return nil, false
}

// applyEffect returns an object as it will be once the write is applied.
func applyEffect(env *effectEnv, w Write, ref Ref, cur []byte) ([]byte, error) {
	eff, ok := effectOf(w.Op)
	if !ok {
		return nil, fmt.Errorf("no effect known for %s", w.Op)
	}
	return eff(env, w, ref, cur)
}

// onView lifts an effect on one decoded view to the stored bytes. A write on
// an object the cache does not hold changes nothing: the pull brings it.
func onView[T any](fn func(env *effectEnv, w Write, v T) (T, error)) effect {
	return func(env *effectEnv, w Write, _ Ref, cur []byte) ([]byte, error) {
		if cur == nil {
			return nil, nil
		}
		var v T
		if err := json.Unmarshal(cur, &v); err != nil {
			return nil, err
		}
		v, err := fn(env, w, v)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
}

// body decodes a write's request body.
func body[T any](w Write) (T, error) {
	var v T
	err := json.Unmarshal(w.Body, &v)
	return v, err
}

// seatRule is one of core's seat transitions, fed from a write.
type seatRule func(env *effectEnv, w Write, l core.License) (core.License, core.Event, error)

// seatEffect applies a seat rule to the license a solution shows and
// renders the result as the portal's store does.
func seatEffect(rule seatRule) func(*effectEnv, Write, api.Solution) (api.Solution, error) {
	return func(env *effectEnv, w Write, s api.Solution) (api.Solution, error) {
		l, err := s.License()
		if err != nil {
			return s, err
		}
		if l, _, err = rule(env, w, l); err != nil {
			return s, err
		}
		return api.SolutionOf(l, s.OrderID, env.now), nil
	}
}

func assignSeat(env *effectEnv, w Write, l core.License) (core.License, core.Event, error) {
	req, err := body[api.SeatRequest](w)
	if err != nil {
		return l, core.Event{}, err
	}
	e := core.Email(req.Email)
	return l.Assign(env.by(), e, env.hasAccount(l, e))
}

func removeSeat(env *effectEnv, w Write, l core.License) (core.License, core.Event, error) {
	ref, err := url.PathUnescape(w.Path[strings.LastIndex(w.Path, "/")+1:])
	if err != nil {
		return l, core.Event{}, err
	}
	return l.Remove(env.by(), ref)
}

func reassignSeat(env *effectEnv, w Write, l core.License) (core.License, core.Event, error) {
	req, err := body[api.ReassignRequest](w)
	if err != nil {
		return l, core.Event{}, err
	}
	to := core.Email(req.To)
	return l.Reassign(env.by(), req.From, to, env.hasAccount(l, to))
}

// adoptEffect runs core.Adopt on the holdings a product's view shows.
func adoptEffect(env *effectEnv, w Write, p api.AssignedProduct) (api.AssignedProduct, error) {
	req, err := body[api.AdoptRequest](w)
	if err != nil {
		return p, err
	}
	hs, states, adopted, err := p.Holdings()
	if err != nil {
		return p, err
	}
	h, _, err := core.Adopt(env.by(), hs, adopted, req.LicenseID)
	if err != nil {
		return p, err
	}
	return api.AssignedProductOf(p.Product, hs, h.LicenseID, func(id string) core.SeatState { return states[id] })
}

// orderAssignEffect marks the order assigned. core's rule
// (core.AssignOrderToCustomer) needs the customer's account and the order's
// licenses, which the client does not hold; its one refusal it can check,
// an order assigned already, it does.
func orderAssignEffect(_ *effectEnv, w Write, o api.Order) (api.Order, error) {
	req, err := body[api.AssignOrderRequest](w)
	if err != nil {
		return o, err
	}
	if o.AssignedTo != "" {
		return o, core.E(core.Conflict, core.CodeOrderAssigned, "order "+o.ID+" is assigned already")
	}
	o.AssignedTo = req.AccountID
	return o, nil
}

// registerEffect shows a product registered by a license number the cache
// knows; one registered already stays as it is.
func registerEffect(env *effectEnv, w Write, ref Ref, cur []byte) ([]byte, error) {
	if cur != nil {
		return cur, nil
	}
	acct, product, _ := strings.Cut(ref.ID, "/")
	req, err := body[api.RegisterProductRequest](w)
	if err != nil {
		return nil, err
	}
	return json.Marshal(api.Product{AccountID: acct, Product: product, Source: "license", RegisteredAt: env.now,
		Licenses: []api.ProductLicense{{Number: req.Number}}})
}

// MarshalJSON writes the summary in English: it is kept as a catalog key
// and its values (i18n.Stored) so that each face words it in its user's
// language, and JSON is read by scripts.
func (w Write) MarshalJSON() ([]byte, error) {
	type plain Write
	p := plain(w)
	p.Summary = i18n.English().Text(w.Summary)
	return json.Marshal(p)
}
