package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// errNoOrder hides orders of other partners as well as missing ones.
var errNoOrder = core.E(core.NotFound, "order.not_found", "no such order")

// partnerAccount checks that the caller may buy and assign orders for a
// partner account.
func partnerAccount(ctx context.Context, t *tx, c Caller, accountID string) (core.Account, error) {
	acct, err := t.account(ctx, accountID)
	if err != nil {
		return core.Account{}, err
	}
	if err := hide(core.Authorize(c.actor(), core.AssignOrder, acct)); err != nil {
		return core.Account{}, err
	}
	var partner bool
	if err := t.queryRow(ctx, `SELECT partner FROM accounts WHERE id = ?`, accountID).Scan(&partner); err != nil {
		return core.Account{}, err
	}
	if !partner {
		return core.Account{}, core.E(core.Forbidden, "order.not_partner", "only a partner account buys orders for customers")
	}
	return acct, nil
}

// CreateOrder records a partner's purchase: one license of Quantity seats,
// held by the partner account until the order is assigned to a customer.
func (s *Store) CreateOrder(ctx context.Context, c Caller, w Write, partnerID string, o api.NewOrder) (api.Order, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Order, error) {
		acct, err := partnerAccount(ctx, t, c, partnerID)
		if err != nil {
			return api.Order{}, err
		}
		ed, err := core.ParseEdition(o.Edition)
		if err != nil {
			return api.Order{}, err
		}
		if o.Product, err = core.CleanLine(o.Product, core.MaxOrderField, "order.product", "the product"); err != nil {
			return api.Order{}, err
		}
		if len(o.Modules) > 64 {
			return api.Order{}, core.E(core.Invalid, "order.modules", "an order names at most 64 modules")
		}
		for i, m := range o.Modules {
			if o.Modules[i], err = core.CleanLine(m, core.MaxOrderField, "order.modules", "a module name"); err != nil {
				return api.Order{}, err
			}
		}
		if o.Quantity < 1 || o.Quantity > 10000 {
			return api.Order{}, core.E(core.Invalid, "order.quantity", "the quantity must be between 1 and 10000")
		}
		if o.Months == 0 {
			o.Months = 12
		}
		if o.Months < 1 || o.Months > 120 {
			return api.Order{}, core.E(core.Invalid, "order.months", "the term must be between 1 and 120 months")
		}
		id := newID("ord")
		mods, _ := json.Marshal(nonNil(o.Modules))
		if _, err := t.exec(ctx, `INSERT INTO orders (id, partner_account_id, product, edition, modules, quantity, months, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, partnerID, o.Product, ed.String(), string(mods), o.Quantity, o.Months, ms(t.now)); err != nil {
			return api.Order{}, err
		}
		lic := newLicense(acct.ID, o.Product, ed, o.Modules, o.Quantity, t.now, t.now.AddDate(0, o.Months, 0))
		if err := t.insertLicense(ctx, lic, id); err != nil {
			return api.Order{}, err
		}
		if err := t.audit(ctx, acct.ID, lic.ID, core.Event{At: t.now, Actor: c.Email, Action: "order.create", Subject: id,
			After: fmt.Sprintf("%d x %s %s", o.Quantity, o.Product, ed)}); err != nil {
			return api.Order{}, err
		}
		if err := t.recordChange(ctx, api.KindOrder, id, partnerID, ""); err != nil {
			return api.Order{}, err
		}
		if err := t.recordChange(ctx, api.KindSolution, lic.ID, partnerID, ""); err != nil {
			return api.Order{}, err
		}
		v, _, err := orderOf(ctx, t, t.d, id)
		return v, err
	})
	if err != nil {
		return api.Order{}, fmt.Errorf("create order: %w", err)
	}
	return out, nil
}

// newLicense builds a license with all seats Available and a fresh
// contract number.
func newLicense(owner core.AccountID, product string, ed core.Edition, modules []string, seats int, start, end time.Time) core.License {
	id := newID("lic")
	return core.License{
		ID: id, Owner: owner, Product: product, Edition: ed, Modules: nonNil(modules),
		Seats:          seatIDs(id, seats),
		ContractNumber: "C-" + strings.ToUpper(strings.TrimPrefix(id, "lic_")),
		ContractStart:  start, AutoRenewal: end, SupportEnd: end, Expiry: end,
	}
}

// AssignOrder moves every license of an order to a customer account.
func (s *Store) AssignOrder(ctx context.Context, c Caller, w Write, orderID, customerID string) (api.Order, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Order, error) {
		var partnerID, assigned string
		err := t.queryRow(ctx, `SELECT partner_account_id, COALESCE(assigned_to, '') FROM orders WHERE id = ?`+t.d.forUpdate(),
			orderID).Scan(&partnerID, &assigned)
		if errors.Is(err, sql.ErrNoRows) {
			return api.Order{}, errNoOrder
		}
		if err != nil {
			return api.Order{}, err
		}
		acct, err := partnerAccount(ctx, t, c, partnerID)
		if core.KindOf(err) == core.NotFound {
			return api.Order{}, errNoOrder
		}
		if err != nil {
			return api.Order{}, err
		}
		cust, err := t.account(ctx, customerID)
		if err != nil {
			return api.Order{}, core.E(core.NotFound, "order.customer", "no customer account "+customerID)
		}
		lics, err := loadLicenses(ctx, t, t.d, `l.order_id = ?`, orderID)
		if err != nil {
			return api.Order{}, err
		}
		order := core.Order{ID: orderID, Partner: acct.ID, AssignedTo: core.AccountID(assigned)}
		held := make([]core.License, len(lics))
		for i, l := range lics {
			order.LicenseIDs = append(order.LicenseIDs, l.ID)
			held[i] = l.License
		}
		_, moved, ev, err := core.AssignOrderToCustomer(c.by(t), order, held, cust)
		if err != nil {
			return api.Order{}, err
		}
		for _, l := range moved {
			if _, err := t.exec(ctx, `UPDATE licenses SET account_id = ? WHERE id = ?`, string(l.Owner), l.ID); err != nil {
				return api.Order{}, err
			}
		}
		if _, err := t.exec(ctx, `UPDATE orders SET assigned_to = ?, assigned_at = ? WHERE id = ?`, customerID, ms(t.now), orderID); err != nil {
			return api.Order{}, err
		}
		for _, a := range []core.AccountID{acct.ID, cust.ID} {
			if err := t.audit(ctx, a, "", ev); err != nil {
				return api.Order{}, err
			}
		}
		if err := t.recordChange(ctx, api.KindOrder, orderID, partnerID, ""); err != nil {
			return api.Order{}, err
		}
		for _, l := range order.LicenseIDs {
			// The partner loses sight of the license, the customer gains it.
			for _, a := range []string{partnerID, customerID} {
				if err := t.recordChange(ctx, api.KindSolution, l, a, ""); err != nil {
					return api.Order{}, err
				}
			}
		}
		v, _, err := orderOf(ctx, t, t.d, orderID)
		return v, err
	})
	if err != nil {
		return api.Order{}, fmt.Errorf("assign order %s: %w", orderID, err)
	}
	return out, nil
}

const orderCols = `o.id, o.partner_account_id, o.product, o.edition, o.modules, o.quantity, o.created_at,
	COALESCE(o.assigned_to, ''), COALESCE(c.name, ''), o.assigned_at`

func scanOrder(sc interface{ Scan(...any) error }) (api.Order, error) {
	var o api.Order
	var mods string
	var created, assignedAt int64
	if err := sc.Scan(&o.ID, &o.PartnerAccountID, &o.Product, &o.Edition, &mods, &o.Quantity, &created,
		&o.AssignedTo, &o.AssignedToName, &assignedAt); err != nil {
		return o, err
	}
	json.Unmarshal([]byte(mods), &o.Modules)
	o.Modules = nonNil(o.Modules)
	o.CreatedAt = fromMS(created)
	if assignedAt != 0 {
		at := fromMS(assignedAt)
		o.AssignedAt = &at
	}
	return o, nil
}

func orderOf(ctx context.Context, q querier, d dialect, id string) (api.Order, bool, error) {
	os, err := ordersWhere(ctx, q, d, `o.id = ?`, id)
	if err != nil || len(os) == 0 {
		return api.Order{}, false, err
	}
	return os[0], true, nil
}

func ordersWhere(ctx context.Context, q querier, d dialect, where string, args ...any) ([]api.Order, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+orderCols+` FROM orders o LEFT JOIN accounts c ON c.id = o.assigned_to
		WHERE `+where+` ORDER BY o.created_at, o.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("orders: %w", err)
	}
	var out []api.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("orders: %w", err)
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		lrows, err := q.QueryContext(ctx, d.rebind(`SELECT id FROM licenses WHERE order_id = ? ORDER BY id`), out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].LicenseIDs = []string{}
		for lrows.Next() {
			var id string
			lrows.Scan(&id)
			out[i].LicenseIDs = append(out[i].LicenseIDs, id)
		}
		lrows.Close()
	}
	return out, nil
}

// Orders lists the orders of the partner accounts the caller may assign
// orders for.
func (s *Store) Orders(ctx context.Context, c Caller) ([]api.Order, error) {
	actor := c.actor()
	out := []api.Order{}
	for _, m := range c.Memberships {
		if !m.Partner || m.Acting {
			continue
		}
		if core.Authorize(actor, core.AssignOrder, core.Account{ID: core.AccountID(m.AccountID)}) != nil {
			continue
		}
		os, err := ordersWhere(ctx, s.db, s.d, `o.partner_account_id = ?`, m.AccountID)
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
	}
	return out, nil
}

func (s *Store) orderView(ctx context.Context, c Caller, id string) (any, bool, error) {
	o, found, err := orderOf(ctx, s.db, s.d, id)
	if err != nil || !found {
		return nil, false, err
	}
	acct, err := s.account(ctx, o.PartnerAccountID)
	if err != nil {
		return nil, false, nil
	}
	if core.Authorize(c.actor(), core.AssignOrder, acct) != nil {
		return nil, false, nil
	}
	return o, true, nil
}

func (s *Store) listOrders(ctx context.Context, c Caller) (map[string]any, error) {
	os, err := s.Orders(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(os))
	for _, o := range os {
		out[o.ID] = o
	}
	return out, nil
}

// SetDelegation lets a partner that sold to the account manage it, or stops
// it (empty partnerID). Only the account owner decides.
func (s *Store) SetDelegation(ctx context.Context, c Caller, w Write, accountID, partnerID string) (api.Account, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Account, error) {
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return api.Account{}, err
		}
		if err := hide(core.Authorize(c.actor(), core.DelegateManagement, acct)); err != nil {
			return api.Account{}, err
		}
		var to any
		if partnerID != "" {
			var n int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM orders o JOIN accounts p ON p.id = o.partner_account_id
				WHERE o.partner_account_id = ? AND o.assigned_to = ? AND p.partner`, partnerID, accountID).Scan(&n); err != nil {
				return api.Account{}, err
			}
			if n == 0 {
				return api.Account{}, core.E(core.Forbidden, "delegation.not_your_partner",
					"only a partner that sold licenses to this account can be given its management")
			}
			to = partnerID
		}
		if _, err := t.exec(ctx, `UPDATE accounts SET delegated_to = ? WHERE id = ?`, to, accountID); err != nil {
			return api.Account{}, err
		}
		if err := t.audit(ctx, acct.ID, "", core.Event{At: t.now, Actor: c.Email, Action: "account.delegation",
			Subject: accountID, Before: string(acct.DelegatedTo), After: partnerID}); err != nil {
			return api.Account{}, err
		}
		// Access changes for the account's members and both partners' staff.
		for _, a := range []string{accountID, string(acct.DelegatedTo), partnerID} {
			if a == "" {
				continue
			}
			if err := t.recordChange(ctx, api.KindAccount, accountID, a, ""); err != nil {
				return api.Account{}, err
			}
		}
		var name string
		var partner bool
		t.queryRow(ctx, `SELECT name, partner FROM accounts WHERE id = ?`, accountID).Scan(&name, &partner)
		return api.Account{ID: accountID, Name: name, Partner: partner, DelegatedTo: partnerID}, nil
	})
	if err != nil {
		return api.Account{}, fmt.Errorf("delegate account %s: %w", accountID, err)
	}
	return out, nil
}
