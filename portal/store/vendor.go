package store

import (
	"context"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// The operations below are the vendor operator's (licportal seed and
// administration): they act with no caller and no access check, and are
// not reachable over HTTP.

// LicenseSpec describes a license the vendor issues to an account.
type LicenseSpec struct {
	Product        string
	Edition        core.Edition
	Modules        []string
	Seats          int
	ContractNumber string // generated when empty
	Start          time.Time
	Expiry         time.Time
	SupportEnd     time.Time // = Expiry when zero
	// NotRenewed marks a subscription the customer did not renew: it stops
	// at expiry, and clients warn from 10 days before.
	NotRenewed bool
}

// IssueLicense creates a license with all seats Available.
func (s *Store) IssueLicense(ctx context.Context, accountID string, spec LicenseSpec) (string, error) {
	var id string
	err := s.inTx(ctx, func(t *tx) error {
		if _, err := t.account(ctx, accountID); err != nil {
			return err
		}
		l := newLicense(core.AccountID(accountID), spec.Product, spec.Edition, spec.Modules, spec.Seats, spec.Start, spec.Expiry)
		if spec.ContractNumber != "" {
			l.ContractNumber = spec.ContractNumber
		}
		if !spec.SupportEnd.IsZero() {
			l.SupportEnd = spec.SupportEnd
		}
		id = l.ID
		if err := t.insertLicense(ctx, l, ""); err != nil {
			return err
		}
		if spec.NotRenewed {
			if _, err := t.exec(ctx, `UPDATE licenses SET renewed = ? WHERE id = ?`, false, l.ID); err != nil {
				return err
			}
		}
		return t.recordChange(ctx, api.KindSolution, l.ID, accountID, "")
	})
	if err != nil {
		return "", fmt.Errorf("issue license to %s: %w", accountID, err)
	}
	return id, nil
}

// SetPartner marks an account as a reseller's (or not).
func (s *Store) SetPartner(ctx context.Context, accountID string, partner bool) error {
	return s.inTx(ctx, func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE accounts SET partner = ? WHERE id = ?`, partner, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoAccount
		}
		return t.recordChange(ctx, api.KindAccount, accountID, accountID, "")
	})
}

// OwnedAccount returns the account a user owns (the one made at sign-up).
func (s *Store) OwnedAccount(ctx context.Context, userID string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.d.rebind(`SELECT account_id FROM memberships WHERE user_id = ? AND role = 'owner'
		ORDER BY account_id LIMIT 1`), userID).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("owned account of %s: %w", userID, err)
	}
	return id, nil
}

// BulkLoad issues n licenses of seatsEach seats to an account in one
// transaction, assigning the first `assigned` seats of each to generated
// e-mails: the synthetic data set of licportal seed --scale.
func (s *Store) BulkLoad(ctx context.Context, accountID string, n, seatsEach, assigned int, now time.Time) error {
	if err := s.inTx(ctx, func(t *tx) error {
		lic, err := t.PrepareContext(ctx, t.d.rebind(`INSERT INTO licenses (id, account_id, product, edition, modules, seats,
			contract_number, contract_start, auto_renewal, support_end, expiry, renewed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return err
		}
		defer lic.Close()
		seat, err := t.PrepareContext(ctx, t.d.rebind(`INSERT INTO seats (id, license_id, position, state, email, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return err
		}
		defer seat.Close()
		start, end := ms(now.AddDate(0, -1, 0)), ms(now.AddDate(1, 0, 0))
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("lic_scale%07d", i)
			product := fmt.Sprintf("Product %02d", i%20)
			if _, err := lic.ExecContext(ctx, id, accountID, product, core.EditionStandard.String(), `["Core","Reports"]`,
				seatsEach, fmt.Sprintf("SC-%07d", i), start, end, end, end, true); err != nil {
				return fmt.Errorf("bulk license %d: %w", i, err)
			}
			for j := 0; j < seatsEach; j++ {
				var email any
				state := core.SeatAvailable.String()
				if j < assigned {
					email = fmt.Sprintf("user%d.%d@scale.example", i, j)
					state = core.SeatAssigned.String()
				}
				if _, err := seat.ExecContext(ctx, fmt.Sprintf("%s.%d", id, j+1), id, j, state, email, ms(t.now)); err != nil {
					return fmt.Errorf("bulk seat %d.%d: %w", i, j, err)
				}
			}
		}
		return t.recordChange(ctx, api.KindAccount, accountID, accountID, "")
	}); err != nil {
		return err
	}
	if s.d == dialectPostgres {
		// Fresh statistics, or the planner reads the new rows as empty
		// tables until autovacuum comes by.
		if _, err := s.db.ExecContext(ctx, `ANALYZE licenses, seats`); err != nil {
			return fmt.Errorf("bulk load: analyze: %w", err)
		}
	}
	return nil
}
