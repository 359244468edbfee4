package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// heldLicenses loads every license on which email holds a seat, with all
// seats, optionally only of one product.
func heldLicenses(ctx context.Context, q querier, d dialect, email core.Email, product string) ([]licenseRow, error) {
	where := `l.id IN (SELECT license_id FROM seats WHERE email = ?)`
	args := []any{string(email)}
	if product != "" {
		where += ` AND l.product = ?`
		args = append(args, product)
	}
	return loadLicenses(ctx, q, d, where, args...)
}

func adoptions(ctx context.Context, q querier, d dialect, email core.Email) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT product, license_id FROM adoptions WHERE email = ?`), string(email))
	if err != nil {
		return nil, fmt.Errorf("adoptions: %w", err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var p, l string
		if err := rows.Scan(&p, &l); err != nil {
			return nil, err
		}
		m[p] = l
	}
	return m, rows.Err()
}

// Assigned lists the caller's products ("Assigned to you"): under each,
// every owner's license assigned to them, the default marked, the adopted
// one marked, and the effective one named.
func (s *Store) Assigned(ctx context.Context, c Caller) ([]api.AssignedProduct, error) {
	return assignedViews(ctx, s.db, s.d, c.Email, "")
}

func assignedViews(ctx context.Context, q querier, d dialect, email core.Email, product string) ([]api.AssignedProduct, error) {
	rows, err := heldLicenses(ctx, q, d, email, product)
	if err != nil {
		return nil, err
	}
	adopted, err := adoptions(ctx, q, d, email)
	if err != nil {
		return nil, err
	}
	lics := make([]core.License, len(rows))
	byID := map[string]licenseRow{}
	for i, r := range rows {
		lics[i] = r.License
		byID[r.ID] = r
	}
	held := core.HoldingsByProduct(lics, email)
	products := make([]string, 0, len(held))
	for p := range held {
		products = append(products, p)
	}
	sort.Strings(products)
	out := []api.AssignedProduct{}
	for _, p := range products {
		ap, err := api.AssignedProductOf(p, held[p], adopted[p], func(id string) core.SeatState {
			return seatStateOf(byID[id].License, email)
		})
		if err != nil {
			continue
		}
		out = append(out, ap)
	}
	return out, nil
}

func seatStateOf(l core.License, e core.Email) core.SeatState {
	for _, s := range l.Seats {
		if s.Email == e {
			return s.State
		}
	}
	return core.SeatAvailable
}

// Adopt makes one of the caller's licenses of a product the one it runs
// with, until they adopt another or lose that seat.
func (s *Store) Adopt(ctx context.Context, c Caller, w Write, licenseID string) (api.AssignedProduct, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.AssignedProduct, error) {
		rows, err := loadLicenses(ctx, t, t.d, `l.id = ?`, licenseID)
		if err != nil {
			return api.AssignedProduct{}, err
		}
		if len(rows) == 0 {
			return api.AssignedProduct{}, core.E(core.NotFound, core.CodeAdoptionNotHeld, "that license is not assigned to you")
		}
		product := rows[0].Product
		held, err := heldLicenses(ctx, t, t.d, c.Email, product)
		if err != nil {
			return api.AssignedProduct{}, err
		}
		lics := make([]core.License, len(held))
		for i, r := range held {
			lics[i] = r.License
		}
		var current string
		err = t.queryRow(ctx, `SELECT license_id FROM adoptions WHERE email = ? AND product = ?`, string(c.Email), product).Scan(&current)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return api.AssignedProduct{}, err
		}
		h, ev, err := core.Adopt(c.by(t), core.HoldingsByProduct(lics, c.Email)[product], current, licenseID)
		if err != nil {
			return api.AssignedProduct{}, err
		}
		if _, err := t.exec(ctx, `INSERT INTO adoptions (email, product, license_id, adopted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (email, product) DO UPDATE SET license_id = excluded.license_id, adopted_at = excluded.adopted_at`,
			string(c.Email), product, h.LicenseID, ms(t.now)); err != nil {
			return api.AssignedProduct{}, err
		}
		if err := t.audit(ctx, h.Owner, h.LicenseID, ev); err != nil {
			return api.AssignedProduct{}, err
		}
		if err := t.recordChange(ctx, api.KindAssigned, product, "", string(c.Email)); err != nil {
			return api.AssignedProduct{}, err
		}
		views, err := assignedViews(ctx, t, t.d, c.Email, product)
		if err != nil || len(views) == 0 {
			return api.AssignedProduct{}, fmt.Errorf("adopt: view: %v", err)
		}
		return views[0], nil
	})
	if err != nil {
		return api.AssignedProduct{}, fmt.Errorf("adopt license %s: %w", licenseID, err)
	}
	return out, nil
}

// reconcileAdoption drops an adoption whose seat the holder no longer has,
// so that the default applies again, and audits the fallback.
func (t *tx) reconcileAdoption(ctx context.Context, by core.By, account core.AccountID, email core.Email, product string) error {
	var adopted string
	err := t.queryRow(ctx, `SELECT license_id FROM adoptions WHERE email = ? AND product = ?`, string(email), product).Scan(&adopted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	held, err := heldLicenses(ctx, t, t.d, email, product)
	if err != nil {
		return err
	}
	lics := make([]core.License, len(held))
	for i, r := range held {
		lics[i] = r.License
	}
	keep, events := core.ReconcileAdoption(by, core.HoldingsByProduct(lics, email)[product], adopted)
	if keep == adopted {
		return nil
	}
	if _, err := t.exec(ctx, `DELETE FROM adoptions WHERE email = ? AND product = ?`, string(email), product); err != nil {
		return err
	}
	return t.audit(ctx, account, adopted, events...)
}

// activatePending turns every seat Pending for a new account's e-mail into
// Assigned.
func (t *tx) activatePending(ctx context.Context, email core.Email) error {
	rows, err := loadLicenses(ctx, t, t.d, `l.id IN (SELECT license_id FROM seats WHERE email = ? AND state = 'pending')`, string(email))
	if err != nil {
		return err
	}
	by := core.By{Actor: email, At: t.now}
	for _, r := range rows {
		if r, err = t.license(ctx, r.ID, true); err != nil {
			return err
		}
		after, events, err := core.ActivatePending(by, []core.License{r.License}, email)
		if err != nil {
			return err
		}
		if err := t.commitSeats(ctx, by, r, after[0], events...); err != nil {
			return err
		}
	}
	return nil
}
