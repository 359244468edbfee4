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

func invalid(code, msg string) error { return &Error{Kind: Invalid, Code: code, Msg: msg} }

func emailArg(s string) (string, error) {
	e, err := core.NormalizeEmail(s)
	if err != nil {
		return "", &Error{Kind: Invalid, Code: core.CodeOf(err), Msg: err.Error(), Err: err}
	}
	return string(e), nil
}

func idArg(what, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 || strings.ContainsAny(s, "/?#\x00") {
		return "", invalid("request."+what, fmt.Sprintf("give a valid %s", what))
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
		Body: jsonBody(api.SeatRequest{Email: e}), Summary: fmt.Sprintf("assign a seat of %s to %s", lic, e),
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
		Summary: fmt.Sprintf("remove %s from %s", e, lic), Targets: []Ref{{api.KindSolution, lic}}}, nil
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
		Body: jsonBody(api.ReassignRequest{From: f, To: t}), Summary: fmt.Sprintf("move the seat of %s on %s to %s", f, lic, t),
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
		Body: jsonBody(api.AdoptRequest{LicenseID: lic}), Summary: fmt.Sprintf("run %s with license %s", product, lic)}
	if product != "" {
		w.Targets = []Ref{{api.KindAssigned, product}}
	} else {
		w.Summary = "adopt license " + lic
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
		Body: jsonBody(api.AssignOrderRequest{AccountID: a}), Summary: fmt.Sprintf("assign order %s to account %s", o, a),
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
		Body: jsonBody(api.RegisterProductRequest{AccountID: accountID, Number: n}), Summary: "register the product of license number " + n}
	if known.Product != "" && known.AccountID != "" {
		w.Targets = []Ref{{api.KindProduct, known.AccountID + "/" + known.Product}}
		w.Summary = fmt.Sprintf("register %s (license number %s)", known.Product, n)
	}
	return w, nil
}

// effectEnv is what effects need to know beyond the write: who the user is
// and which accounts they own (the owner's own seat does not count as
// "assigned to others").
type effectEnv struct {
	email  string
	owners map[string]bool
	now    time.Time
}

// applyEffect returns an object as it will be once the write is applied
// (nil: the object goes away). It mirrors the portal's rule closely enough
// for display; the portal's answer and the next pull replace it.
func applyEffect(env *effectEnv, w Write, ref Ref, cur []byte) ([]byte, error) {
	switch w.Op {
	case OpSeatAssign, OpSeatRemove, OpSeatReassign:
		if cur == nil {
			return nil, nil
		}
		var s api.Solution
		if err := json.Unmarshal(cur, &s); err != nil {
			return nil, err
		}
		if err := seatEffect(env, w, &s); err != nil {
			return nil, err
		}
		return json.Marshal(s)
	case OpAdopt:
		if cur == nil {
			return nil, nil
		}
		var p api.AssignedProduct
		if err := json.Unmarshal(cur, &p); err != nil {
			return nil, err
		}
		var req api.AdoptRequest
		if err := json.Unmarshal(w.Body, &req); err != nil {
			return nil, err
		}
		found := false
		for i := range p.Licenses {
			p.Licenses[i].Adopted = p.Licenses[i].LicenseID == req.LicenseID
			found = found || p.Licenses[i].Adopted
		}
		if !found {
			return nil, fmt.Errorf("license %s is not under %s", req.LicenseID, p.Product)
		}
		p.Effective, p.Adoption = req.LicenseID, "adopted"
		return json.Marshal(p)
	case OpOrderAssign:
		if cur == nil {
			return nil, nil
		}
		var o api.Order
		if err := json.Unmarshal(cur, &o); err != nil {
			return nil, err
		}
		var req api.AssignOrderRequest
		if err := json.Unmarshal(w.Body, &req); err != nil {
			return nil, err
		}
		if o.AssignedTo != "" {
			return nil, fmt.Errorf("order %s is assigned already", o.ID)
		}
		o.AssignedTo = req.AccountID
		return json.Marshal(o)
	case OpIntegrationSwitches, OpIntegrationUser:
		return integrationEffect(env, w, cur)
	case OpProductRegister:
		if cur != nil {
			return cur, nil // registered already: nothing changes
		}
		acct, product, _ := strings.Cut(ref.ID, "/")
		var req api.RegisterProductRequest
		if err := json.Unmarshal(w.Body, &req); err != nil {
			return nil, err
		}
		return json.Marshal(api.Product{AccountID: acct, Product: product, Source: "license", RegisteredAt: env.now,
			Licenses: []api.ProductLicense{{Number: req.Number}}})
	}
	if eff, ok := contentEffect(env, w, ref, cur); ok {
		return eff()
	}
	return nil, fmt.Errorf("no effect known for %s", w.Op)
}

// seatEffect applies a seat write to a license and recounts its seats.
func seatEffect(env *effectEnv, w Write, s *api.Solution) error {
	owner := env.owners[s.AccountID]
	ownSeat := func(email string) bool { return owner && email == env.email }
	holds := func(email string) int {
		for i, seat := range s.Seats {
			if seat.Email == email && seat.State != "available" {
				return i
			}
		}
		return -1
	}
	switch w.Op {
	case OpSeatAssign:
		var req api.SeatRequest
		if err := json.Unmarshal(w.Body, &req); err != nil {
			return err
		}
		if holds(req.Email) >= 0 {
			return nil // already there (the portal would refuse a second one)
		}
		for i, seat := range s.Seats {
			if seat.State == "available" {
				s.Seats[i] = api.Seat{ID: seat.ID, State: "assigned", Email: req.Email}
				s.Available--
				if !ownSeat(req.Email) {
					s.AssignedOthers++
				}
				return nil
			}
		}
		return fmt.Errorf("no free seat on %s", s.LicenseID)
	case OpSeatRemove:
		ref, err := url.PathUnescape(w.Path[strings.LastIndex(w.Path, "/")+1:])
		if err != nil {
			return err
		}
		i := holds(ref)
		if i < 0 {
			return nil
		}
		s.Seats[i] = api.Seat{ID: s.Seats[i].ID, State: "available"}
		s.Available++
		if !ownSeat(ref) {
			s.AssignedOthers--
		}
		return nil
	case OpSeatReassign:
		var req api.ReassignRequest
		if err := json.Unmarshal(w.Body, &req); err != nil {
			return err
		}
		i := holds(req.From)
		if i < 0 || holds(req.To) >= 0 {
			return nil
		}
		s.Seats[i].Email, s.Seats[i].State = req.To, "assigned"
		if ownSeat(req.From) {
			s.AssignedOthers++
		}
		if ownSeat(req.To) {
			s.AssignedOthers--
		}
		return nil
	}
	return fmt.Errorf("not a seat write: %s", w.Op)
}
