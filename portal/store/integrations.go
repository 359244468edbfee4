package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// An account's per-user product licenses (source 004) are the seats of the
// account's licenses of that product: turning a user's switch on assigns
// them a free seat, turning it off removes it. The switches decide who may
// flip them and which licenses survive an integration being turned off.

// integrationState loads the switches, the account's licenses of the
// product (locked when lock is set) and every user who could hold one.
func (t *tx) integrationState(ctx context.Context, acct core.Account, product string, lock bool) (core.IntegrationState, []licenseRow, error) {
	st := core.IntegrationState{Account: acct.ID, Product: product}
	err := t.queryRow(ctx, `SELECT product_on, external_controller FROM integrations WHERE account_id = ? AND product = ?`,
		string(acct.ID), product).Scan(&st.ProductOn, &st.ExternalController)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, nil, err
	}
	if lock && t.d == dialectPostgres {
		if _, err := t.exec(ctx, `SELECT id FROM licenses WHERE account_id = ? AND product = ? ORDER BY id FOR UPDATE`,
			string(acct.ID), product); err != nil {
			return st, nil, err
		}
	}
	lics, err := loadLicenses(ctx, t, t.d, `l.account_id = ? AND l.product = ?`, string(acct.ID), product)
	if err != nil {
		return st, nil, err
	}
	holders := map[core.Email]bool{}
	for _, l := range lics {
		if l.Expired(t.now) {
			continue
		}
		st.Capacity += len(l.Seats)
		for _, s := range l.Seats {
			if s.State != core.SeatAvailable {
				holders[s.Email] = true
			}
		}
	}
	ms, err := members(ctx, t, t.d, string(acct.ID))
	if err != nil {
		return st, nil, err
	}
	users := map[core.Email]bool{}
	for _, m := range ms {
		users[core.Email(m.Email)] = true
	}
	for e := range holders {
		users[e] = true
	}
	for e := range users {
		st.Users = append(st.Users, core.UserLicense{User: e, HasLicense: holders[e]})
	}
	sort.Slice(st.Users, func(i, j int) bool { return st.Users[i].User < st.Users[j].User })
	return st, lics, nil
}

// integrationAccount loads an account and checks the caller may manage its
// integrations.
func (t *tx) integrationAccount(ctx context.Context, c Caller, accountID string) (core.Account, error) {
	acct, err := t.account(ctx, accountID)
	if err != nil {
		return core.Account{}, err
	}
	return acct, hide(core.Authorize(c.actor(), core.ManageIntegrations, acct))
}

// Integration shows an account's switches for a product and each user's
// license switch as the console shows it.
func (s *Store) Integration(ctx context.Context, c Caller, accountID, product string) (api.Integration, error) {
	var out api.Integration
	err := s.readTx(ctx, func(t *tx) error {
		acct, err := t.integrationAccount(ctx, c, accountID)
		if err != nil {
			return err
		}
		st, _, err := t.integrationState(ctx, acct, product, false)
		out = api.IntegrationOf(st)
		return err
	})
	return out, err
}

// Integrations lists every product the account holds licenses of or has
// switches for.
func (s *Store) Integrations(ctx context.Context, c Caller, accountID string) ([]api.Integration, error) {
	out := []api.Integration{}
	err := s.readTx(ctx, func(t *tx) error {
		acct, err := t.integrationAccount(ctx, c, accountID)
		if err != nil {
			return err
		}
		products, err := integrationProducts(ctx, t, accountID)
		if err != nil {
			return err
		}
		for _, p := range products {
			st, _, err := t.integrationState(ctx, acct, p, false)
			if err != nil {
				return err
			}
			out = append(out, api.IntegrationOf(st))
		}
		return nil
	})
	return out, err
}

func integrationProducts(ctx context.Context, t *tx, accountID string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT product FROM integrations WHERE account_id = ?
		UNION SELECT DISTINCT product FROM licenses WHERE account_id = ? ORDER BY 1`, accountID, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SetIntegration flips an account's product-integration and/or external
// controller switch. Turning the product integration off revokes every
// user license of the product unless the external controller is on.
func (s *Store) SetIntegration(ctx context.Context, c Caller, w Write, accountID, product string, sw api.IntegrationSwitches) (api.Integration, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Integration, error) {
		acct, err := t.integrationAccount(ctx, c, accountID)
		if err != nil {
			return api.Integration{}, err
		}
		product = strings.TrimSpace(product)
		if product == "" {
			return api.Integration{}, core.E(core.Invalid, "integration.product", "name the product")
		}
		st, lics, err := t.integrationState(ctx, acct, product, true)
		if err != nil {
			return api.Integration{}, err
		}
		by := c.by(t)
		var revoked []core.Email
		var events []core.Event
		// Apply in the order that keeps licenses when the request turns the
		// controller on and the integration off together.
		if sw.ExternalController != nil && *sw.ExternalController {
			var ev []core.Event
			st, _, ev = core.SetExternalController(by, st, true)
			events = append(events, ev...)
		}
		if sw.ProductOn != nil {
			var r []core.Email
			var ev []core.Event
			st, r, ev = core.SetProductIntegration(by, st, *sw.ProductOn)
			revoked, events = append(revoked, r...), append(events, ev...)
		}
		if sw.ExternalController != nil && !*sw.ExternalController {
			var r []core.Email
			var ev []core.Event
			st, r, ev = core.SetExternalController(by, st, false)
			revoked, events = append(revoked, r...), append(events, ev...)
		}
		if _, err := t.exec(ctx, `INSERT INTO integrations (account_id, product, product_on, external_controller) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id, product) DO UPDATE SET product_on = excluded.product_on, external_controller = excluded.external_controller`,
			accountID, product, st.ProductOn, st.ExternalController); err != nil {
			return api.Integration{}, err
		}
		if err := t.audit(ctx, acct.ID, "", events...); err != nil {
			return api.Integration{}, err
		}
		for _, e := range revoked {
			if err := t.setSeat(ctx, by, lics, e, false); err != nil {
				return api.Integration{}, err
			}
		}
		if err := t.recordChange(ctx, api.KindIntegration, accountID+"/"+product, accountID, ""); err != nil {
			return api.Integration{}, err
		}
		st, _, err = t.integrationState(ctx, acct, product, false)
		return api.IntegrationOf(st), err
	})
	if err != nil {
		return api.Integration{}, fmt.Errorf("integration %s of %s: %w", product, accountID, err)
	}
	return out, nil
}

// SetUserLicense turns one user's license of a product on or off, as the
// switches allow.
func (s *Store) SetUserLicense(ctx context.Context, c Caller, w Write, accountID, product, email string, on bool) (api.Integration, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Integration, error) {
		acct, err := t.integrationAccount(ctx, c, accountID)
		if err != nil {
			return api.Integration{}, err
		}
		st, lics, err := t.integrationState(ctx, acct, product, true)
		if err != nil {
			return api.Integration{}, err
		}
		e, err := core.NormalizeEmail(email)
		if err != nil {
			return api.Integration{}, err
		}
		_, events, err := core.SetUserLicense(c.by(t), st, e, on)
		if err != nil {
			return api.Integration{}, err
		}
		if len(events) > 0 {
			if err := t.audit(ctx, acct.ID, "", events...); err != nil {
				return api.Integration{}, err
			}
			if err := t.setSeat(ctx, c.by(t), lics, e, on); err != nil {
				return api.Integration{}, err
			}
			if err := t.recordChange(ctx, api.KindIntegration, accountID+"/"+product, accountID, ""); err != nil {
				return api.Integration{}, err
			}
		}
		st, _, err = t.integrationState(ctx, acct, product, false)
		return api.IntegrationOf(st), err
	})
	if err != nil {
		return api.Integration{}, fmt.Errorf("license of %s for %s: %w", product, email, err)
	}
	return out, nil
}

// setSeat gives e a seat of the first live license with one free (on), or
// removes the seat e holds (off).
func (t *tx) setSeat(ctx context.Context, by core.By, lics []licenseRow, e core.Email, on bool) error {
	for _, r := range lics {
		if r.Expired(t.now) {
			continue
		}
		var after core.License
		var ev core.Event
		var err error
		if on {
			has, herr := t.hasAccount(ctx, e)
			if herr != nil {
				return herr
			}
			after, ev, err = r.Assign(by, e, has)
			if core.CodeOf(err) == core.CodeSeatFull {
				continue
			}
		} else {
			after, ev, err = r.Remove(by, string(e))
			if core.KindOf(err) == core.NotFound {
				continue
			}
		}
		if err != nil {
			return err
		}
		return t.commitSeats(ctx, by, r, after, ev)
	}
	if on {
		return core.E(core.Conflict, core.CodeIntegrationNoFree, "no license is free in this account")
	}
	return nil
}

func (s *Store) integrationView(ctx context.Context, c Caller, id string) (any, bool, error) {
	acctID, product, ok := strings.Cut(id, "/")
	if !ok {
		return nil, false, nil
	}
	v, err := s.Integration(ctx, c, acctID, product)
	if err != nil {
		if core.KindOf(err) == core.NotFound || core.KindOf(err) == core.Forbidden {
			return nil, false, nil
		}
		return nil, false, err
	}
	return v, true, nil
}

func (s *Store) listIntegrations(ctx context.Context, c Caller) (map[string]any, error) {
	out := map[string]any{}
	actor := c.actor()
	for _, m := range c.Memberships {
		acct, err := s.account(ctx, m.AccountID)
		if err != nil {
			return nil, err
		}
		if core.Authorize(actor, core.ManageIntegrations, acct) != nil {
			continue
		}
		var n int
		if err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM integrations WHERE account_id = ?`), m.AccountID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			continue // an account that does not use integrations
		}
		vs, err := s.Integrations(ctx, c, m.AccountID)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			out[v.AccountID+"/"+v.Product] = v
		}
	}
	return out, nil
}
