package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// RegisterProduct adds a product to an account (source 003) by one of the
// account's license numbers (the recommended way) or, with number empty, by
// naming the product as picked from the list.
func (s *Store) RegisterProduct(ctx context.Context, c Caller, w Write, accountID, number, product string) (api.Product, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Product, error) {
		if accountID == "" {
			accountID = string(c.actor().Account)
		}
		acct, err := t.account(ctx, accountID)
		if err != nil {
			return api.Product{}, err
		}
		if err := hide(core.Authorize(c.actor(), core.RegisterProduct, acct)); err != nil {
			return api.Product{}, err
		}
		source := core.SourcePicked
		if len(number) > 200 {
			return api.Product{}, core.E(core.Invalid, "product.license_unknown", "a license number is at most 200 characters")
		}
		if number = strings.TrimSpace(number); number != "" {
			err := t.queryRow(ctx, `SELECT product FROM licenses WHERE contract_number = ? AND account_id = ?`,
				number, accountID).Scan(&product)
			if errors.Is(err, sql.ErrNoRows) {
				return api.Product{}, core.E(core.NotFound, "product.license_unknown",
					"no license numbered "+number+" belongs to this account; check the number on your purchase e-mail")
			}
			if err != nil {
				return api.Product{}, err
			}
			source = core.SourceLicenseNumber
		} else {
			// Picked from the list: only a product the vendor's catalogue
			// has, so a user cannot fill the portal with made-up names.
			if product, err = core.CleanProductName(product); err != nil {
				return api.Product{}, err
			}
			known, err := inCatalogue(ctx, t, t.d, product)
			if err != nil {
				return api.Product{}, err
			}
			if !known {
				return api.Product{}, core.WithArgs(core.E(core.NotFound, "product.unknown",
					"the vendor has no product named "+strconv.Quote(product)+"; pick one from the list"), "Product", product)
			}
		}
		var n int
		if err := t.queryRow(ctx, `SELECT COUNT(*) FROM products WHERE account_id = ?`, accountID).Scan(&n); err != nil {
			return api.Product{}, err
		}
		if n >= maxProducts {
			return api.Product{}, core.WithArgs(core.E(core.Conflict, "account.products_limit",
				fmt.Sprintf("an account lists at most %d products", maxProducts)), "Max", maxProducts)
		}
		if err := t.addProduct(ctx, acct.ID, product, source); err != nil {
			return api.Product{}, err
		}
		v, found, err := productOf(ctx, t, t.d, c, accountID, product)
		if err == nil && !found {
			err = fmt.Errorf("product %s vanished", product)
		}
		return v, err
	})
	if err != nil {
		return api.Product{}, fmt.Errorf("register product: %w", err)
	}
	return out, nil
}

// addProduct makes a product appear under an account, remembering how it
// first came, and tells the account's feed that the product and its
// downloads and news are now visible there; adding it again changes
// nothing. Like recordChange, call it once the transaction's other writes
// are done.
func (t *tx) addProduct(ctx context.Context, account core.AccountID, product string, source core.ProductSource) error {
	_, added, err := core.AddProduct(nil, product, source, t.now)
	if err != nil || !added {
		return err
	}
	res, err := t.exec(ctx, `INSERT INTO products (account_id, product, source, registered_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, product) DO NOTHING`, string(account), strings.TrimSpace(product), source.String(), ms(t.now))
	if err != nil {
		return fmt.Errorf("add product: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	product = strings.TrimSpace(product)
	if err := t.recordChange(ctx, api.KindProduct, string(account)+"/"+product, string(account), ""); err != nil {
		return err
	}
	return t.productVisible(ctx, string(account), product)
}

// maxProducts caps the products registered to one account.
const maxProducts = 500

// inCatalogue reports whether the vendor sells a product: one it issued a
// license or serial of, or published a file or news item for. (Unlike
// productKnown, an account's own listing does not count.)
func inCatalogue(ctx context.Context, q reader, d dialect, product string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, d.rebind(`SELECT CASE WHEN
		EXISTS (SELECT 1 FROM licenses WHERE product = ?) OR EXISTS (SELECT 1 FROM serials WHERE product = ?) OR
		EXISTS (SELECT 1 FROM files WHERE product = ?) OR EXISTS (SELECT 1 FROM news WHERE product = ?)
		THEN 1 ELSE 0 END`), product, product, product, product).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("product %s in catalogue: %w", product, err)
	}
	return n == 1, nil
}

// productOf renders a registered product with the account's license numbers
// of it, their renewal dates, the user group (the account) and the caller's
// role there.
func productOf(ctx context.Context, q querier, d dialect, c Caller, accountID, product string) (api.Product, bool, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT p.source, p.registered_at, a.name FROM products p JOIN accounts a ON a.id = p.account_id
		WHERE p.account_id = ? AND p.product = ?`), accountID, product)
	if err != nil {
		return api.Product{}, false, err
	}
	v := api.Product{AccountID: accountID, Product: product, Licenses: []api.ProductLicense{}}
	var group string
	found := false
	for rows.Next() {
		var at int64
		if err := rows.Scan(&v.Source, &at, &group); err != nil {
			rows.Close()
			return api.Product{}, false, err
		}
		v.RegisteredAt = fromMS(at)
		found = true
	}
	rows.Close()
	if !found {
		return api.Product{}, false, nil
	}
	role := ""
	for _, m := range c.Memberships {
		if m.AccountID == accountID {
			role = m.Role.String()
		}
	}
	lrows, err := q.QueryContext(ctx, d.rebind(`SELECT contract_number, auto_renewal FROM licenses
		WHERE account_id = ? AND product = ? ORDER BY contract_number`), accountID, product)
	if err != nil {
		return api.Product{}, false, err
	}
	defer lrows.Close()
	for lrows.Next() {
		var pl api.ProductLicense
		var renewal int64
		if err := lrows.Scan(&pl.Number, &renewal); err != nil {
			return api.Product{}, false, err
		}
		pl.RenewalDate, pl.UserGroup, pl.Role = fromMS(renewal), group, role
		v.Licenses = append(v.Licenses, pl)
	}
	return v, true, lrows.Err()
}

// Products lists the products of every account the caller belongs to ("My
// products").
func (s *Store) Products(ctx context.Context, c Caller) ([]api.Product, error) {
	out := []api.Product{}
	for _, m := range c.Memberships {
		rows, err := s.db.QueryContext(ctx, s.d.rebind(`SELECT product FROM products WHERE account_id = ? ORDER BY product`), m.AccountID)
		if err != nil {
			return nil, fmt.Errorf("products: %w", err)
		}
		var names []string
		for rows.Next() {
			var p string
			rows.Scan(&p)
			names = append(names, p)
		}
		rows.Close()
		for _, p := range names {
			v, found, err := productOf(ctx, s.db, s.d, c, m.AccountID, p)
			if err != nil {
				return nil, fmt.Errorf("products: %w", err)
			}
			if found {
				out = append(out, v)
			}
		}
	}
	return out, nil
}

func (s *Store) productView(ctx context.Context, c Caller, id string) (any, bool, error) {
	acct, product, ok := strings.Cut(id, "/")
	if !ok {
		return nil, false, nil
	}
	member := false
	for _, m := range c.Memberships {
		member = member || m.AccountID == acct
	}
	if !member {
		return nil, false, nil
	}
	return productOf(ctx, s.db, s.d, c, acct, product)
}

func (s *Store) listProducts(ctx context.Context, c Caller) (map[string]any, error) {
	ps, err := s.Products(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(ps))
	for _, p := range ps {
		out[p.AccountID+"/"+p.Product] = p
	}
	return out, nil
}
