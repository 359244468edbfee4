package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/licdesk/licdesk/core"
)

// licenseRow is a license with the account facts the rules and the views
// need beside it.
type licenseRow struct {
	core.License
	Account core.Account
	OrderID string
	Renewed bool
	// contracted is the license's number of seats, which a seat write
	// knows without loading them.
	contracted int
}

const licenseCols = `l.id, l.account_id, a.name, l.product, l.edition, l.modules, l.seats, l.contract_number,
	l.contract_start, l.auto_renewal, l.support_end, l.expiry, l.renewed, COALESCE(l.order_id, ''),
	COALESCE(a.delegated_to, ''),
	COALESCE((SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
	          WHERE m.account_id = a.id AND m.role = 'owner' ORDER BY u.email LIMIT 1), '')`

// scanLicense reads licenseCols, and then the extra columns a query adds.
func scanLicense(sc interface{ Scan(...any) error }, extra ...any) (licenseRow, error) {
	var r licenseRow
	var acct, edition, modules, delegated, ownerEmail string
	var seats int
	var start, renewal, support, expiry int64
	if err := sc.Scan(append([]any{&r.ID, &acct, &r.OwnerName, &r.Product, &edition, &modules, &seats, &r.ContractNumber,
		&start, &renewal, &support, &expiry, &r.Renewed, &r.OrderID, &delegated, &ownerEmail}, extra...)...); err != nil {
		return r, err
	}
	r.contracted = seats
	ed, err := core.ParseEdition(edition)
	if err != nil {
		return r, fmt.Errorf("license %s: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(modules), &r.Modules); err != nil {
		return r, fmt.Errorf("license %s modules: %w", r.ID, err)
	}
	r.Owner = core.AccountID(acct)
	r.Edition = ed
	r.OwnerEmail = core.Email(ownerEmail)
	r.ContractStart, r.AutoRenewal, r.SupportEnd, r.Expiry = fromMS(start), fromMS(renewal), fromMS(support), fromMS(expiry)
	r.Account = core.Account{ID: r.Owner, Name: r.OwnerName, OwnerEmail: r.OwnerEmail, DelegatedTo: core.AccountID(delegated)}
	r.Seats = make([]core.Seat, 0, seats)
	return r, nil
}

// querier is what reads need: a transaction or the pool.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// loadLicenses reads the licenses matching where (a condition on l and a)
// with all their seats, in license ID order: the licenses in one query,
// then their seats by license ID (seatChunk IDs a query), so that the
// condition runs once however many licenses it selects.
func loadLicenses(ctx context.Context, q querier, d dialect, where string, args ...any) ([]licenseRow, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+licenseCols+`
		FROM licenses l JOIN accounts a ON a.id = l.account_id WHERE `+where+` ORDER BY l.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("load licenses: %w", err)
	}
	var out []licenseRow
	for rows.Next() {
		r, err := scanLicense(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("load licenses: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load licenses: %w", err)
	}
	return out, loadSeats(ctx, q, d, out)
}

// seatChunk bounds the license IDs of one seat query, well under both
// databases' limits on bound parameters.
const seatChunk = 500

// loadSeats fills in the seats of licenses, by license ID over the
// seats_license index.
func loadSeats(ctx context.Context, q querier, d dialect, ls []licenseRow) error {
	for lo := 0; lo < len(ls); lo += seatChunk {
		chunk := ls[lo:min(lo+seatChunk, len(ls))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r.ID
		}
		seatRows, err := q.QueryContext(ctx, d.rebind(`SELECT s.license_id, s.id, s.state, COALESCE(s.email, '')
			FROM seats s WHERE s.license_id IN (`+placeholders(len(chunk))+`) ORDER BY s.license_id, s.position`), args...)
		if err != nil {
			return fmt.Errorf("load seats: %w", err)
		}
		index := make(map[string]int, len(chunk))
		for i, r := range chunk {
			index[r.ID] = i
		}
		for seatRows.Next() {
			var lic, id, state, email string
			if err := seatRows.Scan(&lic, &id, &state, &email); err != nil {
				seatRows.Close()
				return fmt.Errorf("load seats: %w", err)
			}
			st, err := core.ParseSeatState(state)
			if err != nil {
				seatRows.Close()
				return fmt.Errorf("seat %s: %w", id, err)
			}
			i := index[lic]
			chunk[i].Seats = append(chunk[i].Seats, core.Seat{ID: id, State: st, Email: core.Email(email)})
		}
		seatRows.Close()
		if err := seatRows.Err(); err != nil {
			return fmt.Errorf("load seats: %w", err)
		}
	}
	return nil
}

var errNoLicense = core.E(core.NotFound, "license.not_found", "no such license")

// license loads one license, locking it for the rest of the transaction when
// lock is set, so that two writers of its seats run one after the other.
func (t *tx) license(ctx context.Context, id string, lock bool) (licenseRow, error) {
	if lock && t.d == dialectPostgres {
		var got string
		err := t.queryRow(ctx, `SELECT id FROM licenses WHERE id = ?`+t.d.forUpdate(), id).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return licenseRow{}, errNoLicense
		}
		if err != nil {
			return licenseRow{}, err
		}
	}
	ls, err := loadLicenses(ctx, t, t.d, `l.id = ?`, id)
	if err != nil {
		return licenseRow{}, err
	}
	if len(ls) == 0 {
		return licenseRow{}, errNoLicense
	}
	return ls[0], nil
}

// saveSeats writes the seats that differ between before and after.
func (t *tx) saveSeats(ctx context.Context, before, after core.License) error {
	for i, s := range after.Seats {
		if i < len(before.Seats) && before.Seats[i] == s {
			continue
		}
		var email any
		if s.Email != "" {
			email = string(s.Email)
		}
		if _, err := t.exec(ctx, `UPDATE seats SET state = ?, email = ?, updated_at = ? WHERE id = ?`,
			s.State.String(), email, ms(t.now), s.ID); err != nil {
			return fmt.Errorf("save seat %s: %w", s.ID, err)
		}
	}
	return nil
}

// insertLicense creates a license with all its seats Available.
func (t *tx) insertLicense(ctx context.Context, l core.License, orderID string) error {
	mods, _ := json.Marshal(nonNil(l.Modules))
	var order any
	if orderID != "" {
		order = orderID
	}
	if _, err := t.exec(ctx, `INSERT INTO licenses (id, account_id, product, edition, modules, seats, contract_number,
		contract_start, auto_renewal, support_end, expiry, renewed, order_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, string(l.Owner), l.Product, l.Edition.String(), string(mods), len(l.Seats), l.ContractNumber,
		ms(l.ContractStart), ms(l.AutoRenewal), ms(l.SupportEnd), ms(l.Expiry), true, order); err != nil {
		return fmt.Errorf("insert license %s: %w", l.ID, err)
	}
	for i, s := range l.Seats {
		var email any
		if s.Email != "" {
			email = string(s.Email)
		}
		if _, err := t.exec(ctx, `INSERT INTO seats (id, license_id, position, state, email, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.ID, l.ID, i, s.State.String(), email, ms(t.now)); err != nil {
			return fmt.Errorf("insert seat %s: %w", s.ID, err)
		}
	}
	return nil
}

// seatIDs names the seats of a new license.
func seatIDs(licenseID string, n int) []core.Seat {
	seats := make([]core.Seat, n)
	for i := range seats {
		seats[i] = core.Seat{ID: fmt.Sprintf("%s.%d", licenseID, i+1), State: core.SeatAvailable}
	}
	return seats
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
