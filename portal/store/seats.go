package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// MailSeat is the outbox kind of seat e-mails; the payload is a Notice.
const MailSeat = "seat"

// Notice is an e-mail the portal owes someone after a seat write:
// assignment, invitation (no account yet) or removal.
type Notice struct {
	To        string `json:"to"`
	Kind      string `json:"kind"` // assigned, invite, removed
	LicenseID string `json:"license_id"`
	Product   string `json:"product"`
	OwnerName string `json:"owner_name"`
}

// AssignSeat gives a seat of a license to an e-mail: Assigned when the
// e-mail has an account, Pending (an invitation) otherwise.
func (s *Store) AssignSeat(ctx context.Context, c Caller, w Write, licenseID, email string) (api.Solution, error) {
	return s.seatWrite(ctx, c, w, licenseID, func(t *tx, l core.License) (core.License, core.Event, error) {
		e, err := core.NormalizeEmail(email)
		if err != nil {
			return l, core.Event{}, err
		}
		has, err := t.hasAccount(ctx, e)
		if err != nil {
			return l, core.Event{}, err
		}
		return l.Assign(c.by(t), e, has)
	})
}

// RemoveSeat frees the seat an e-mail (or seat ID) holds.
func (s *Store) RemoveSeat(ctx context.Context, c Caller, w Write, licenseID, ref string) (api.Solution, error) {
	return s.seatWrite(ctx, c, w, licenseID, func(t *tx, l core.License) (core.License, core.Event, error) {
		return l.Remove(c.by(t), ref)
	})
}

// ReassignSeat moves a held seat to another e-mail in one step.
func (s *Store) ReassignSeat(ctx context.Context, c Caller, w Write, licenseID, from, to string) (api.Solution, error) {
	return s.seatWrite(ctx, c, w, licenseID, func(t *tx, l core.License) (core.License, core.Event, error) {
		e, err := core.NormalizeEmail(to)
		if err != nil {
			return l, core.Event{}, err
		}
		has, err := t.hasAccount(ctx, e)
		if err != nil {
			return l, core.Event{}, err
		}
		return l.Reassign(c.by(t), from, e, has)
	})
}

// seatWrite is the shape every seat write shares: lock the license, check
// the caller may manage its seats, apply the domain transition, then write
// seats, audit, adoption fallbacks and the change feed in one transaction.
func (s *Store) seatWrite(ctx context.Context, c Caller, w Write, licenseID string,
	apply func(*tx, core.License) (core.License, core.Event, error)) (api.Solution, error) {
	// The answer is the license's whole view (thousands of seats); the
	// idempotency record keeps only the license ID and renders it again.
	res, _, err := writeOnceRef(ctx, s, c.ID, w, func(t *tx) (api.Solution, []byte, error) {
		row, err := t.license(ctx, licenseID, true)
		if err != nil {
			return api.Solution{}, nil, err
		}
		if err := hide(core.Authorize(c.actor(), core.ManageSeats, row.Account)); err != nil {
			return api.Solution{}, nil, err
		}
		integ, err := t.integrationSwitches(ctx, string(row.Owner), row.Product)
		if err != nil {
			return api.Solution{}, nil, err
		}
		if err := core.CheckSeatWrite(integ, row.Product); err != nil {
			return api.Solution{}, nil, err
		}
		after, ev, err := apply(t, row.License)
		if err != nil {
			return api.Solution{}, nil, err
		}
		if err := t.commitSeats(ctx, c.by(t), row, after, ev); err != nil {
			return api.Solution{}, nil, err
		}
		row.License = after
		ref, _ := json.Marshal(seatAnswer{LicenseID: row.ID})
		return solutionView(row, t.now), ref, nil
	}, func(t *tx, body []byte) (api.Solution, error) {
		var a seatAnswer
		if err := json.Unmarshal(body, &a); err != nil || a.LicenseID == "" {
			return api.Solution{}, fmt.Errorf("replay seat answer: %q", body)
		}
		row, err := t.license(ctx, a.LicenseID, false)
		if err != nil {
			return api.Solution{}, err
		}
		if err := hide(core.Authorize(c.actor(), core.ViewSolutions, row.Account)); err != nil {
			return api.Solution{}, err
		}
		return solutionView(row, t.now), nil
	})
	if err != nil {
		return api.Solution{}, fmt.Errorf("seat of license %s: %w", licenseID, err)
	}
	return res, nil
}

// seatAnswer is what the idempotency record keeps of a seat write.
type seatAnswer struct {
	LicenseID string `json:"license_id"`
}

// commitSeats persists a seat transition of one license and everything that
// follows from it: the audit event, the e-mails it owes, the fallback of
// adoptions whose seat was lost, and the change feed entries for the account
// and each affected holder.
func (t *tx) commitSeats(ctx context.Context, by core.By, row licenseRow, after core.License, events ...core.Event) error {
	if err := t.saveSeats(ctx, row.License, after); err != nil {
		return err
	}
	if err := t.audit(ctx, row.Owner, row.ID, events...); err != nil {
		return err
	}
	for _, n := range core.SeatNotices(row.License, after) {
		if err := t.queueMailFrom(ctx, MailSeat, string(n.To), by.Actor, Notice{To: string(n.To), Kind: n.Kind.String(),
			LicenseID: row.ID, Product: row.Product, OwnerName: row.OwnerName}); err != nil {
			return err
		}
	}
	affected := changedHolders(row.License, after)
	for _, e := range lostSeats(row.License, after) {
		if err := t.reconcileAdoption(ctx, by, row.Owner, e, row.Product); err != nil {
			return err
		}
	}
	if err := t.recordChange(ctx, api.KindSolution, row.ID, string(row.Owner), ""); err != nil {
		return err
	}
	// Where the account integrates the product, its integration view
	// (licenses available, each user's switch) follows the seats.
	var integrated int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM integrations WHERE account_id = ? AND product = ?`,
		string(row.Owner), row.Product).Scan(&integrated); err != nil {
		return fmt.Errorf("integration of %s: %w", row.Product, err)
	}
	if integrated > 0 {
		if err := t.recordChange(ctx, api.KindIntegration, string(row.Owner)+"/"+row.Product, string(row.Owner), ""); err != nil {
			return err
		}
	}
	for _, e := range affected {
		if err := t.recordChange(ctx, api.KindAssigned, row.Product, "", string(e)); err != nil {
			return err
		}
	}
	// A new holder now sees the product's downloads and news too.
	for _, e := range lostSeats(after, row.License) {
		for _, kind := range []string{api.KindDownload, api.KindNews} {
			if err := t.recordChange(ctx, kind, row.Product, "", string(e)); err != nil {
				return err
			}
		}
	}
	return nil
}

// changedHolders lists the e-mails whose seat on the license changed.
func changedHolders(before, after core.License) []core.Email {
	seen := map[core.Email]bool{}
	var out []core.Email
	add := func(e core.Email) {
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	for i := range after.Seats {
		if i < len(before.Seats) && before.Seats[i] == after.Seats[i] {
			continue
		}
		if i < len(before.Seats) {
			add(before.Seats[i].Email)
		}
		add(after.Seats[i].Email)
	}
	return out
}

// lostSeats lists the e-mails that held a seat before and hold none after:
// only they can have lost an adopted license. With its arguments swapped it
// lists the e-mails that gained one.
func lostSeats(before, after core.License) []core.Email {
	held := map[core.Email]bool{}
	for _, s := range after.Seats {
		if s.Email != "" {
			held[s.Email] = true
		}
	}
	var out []core.Email
	for _, s := range before.Seats {
		if s.Email != "" && !held[s.Email] {
			out = append(out, s.Email)
		}
	}
	return out
}

// Solutions lists the licenses of every account the caller may see
// solutions of ("Active solutions"), with their seats.
func (s *Store) Solutions(ctx context.Context, c Caller) ([]api.Solution, error) {
	ids := c.accountIDs()
	if len(ids) == 0 {
		return []api.Solution{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := loadLicenses(ctx, s.db, s.d, `l.account_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	actor := c.actor()
	now := s.now().UTC()
	out := []api.Solution{}
	for _, r := range rows {
		if core.Authorize(actor, core.ViewSolutions, r.Account) == nil {
			out = append(out, solutionView(r, now))
		}
	}
	return out, nil
}

// Solution returns one license the caller may see.
func (s *Store) Solution(ctx context.Context, c Caller, licenseID string) (api.Solution, error) {
	rows, err := loadLicenses(ctx, s.db, s.d, `l.id = ?`, licenseID)
	if err != nil {
		return api.Solution{}, err
	}
	if len(rows) == 0 {
		return api.Solution{}, errNoLicense
	}
	if err := hide(core.Authorize(c.actor(), core.ViewSolutions, rows[0].Account)); err != nil {
		return api.Solution{}, err
	}
	return solutionView(rows[0], s.now().UTC()), nil
}
