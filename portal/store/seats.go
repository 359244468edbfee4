package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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

// SeatResult is what a seat write answers: the one seat it changed and,
// when the caller asked for it, the license's whole view.
type SeatResult struct {
	Change   api.SeatChange
	Solution api.Solution // only when the write was asked for the whole view
}

// AssignSeat gives a seat of a license to an e-mail: Assigned when the
// e-mail has an account, Pending (an invitation) otherwise. It answers with
// the license's whole view.
func (s *Store) AssignSeat(ctx context.Context, c Caller, w Write, licenseID, email string) (api.Solution, error) {
	res, err := s.AssignSeatResult(ctx, c, w, licenseID, email, true)
	return res.Solution, err
}

// RemoveSeat frees the seat an e-mail (or seat ID) holds, and answers with
// the license's whole view.
func (s *Store) RemoveSeat(ctx context.Context, c Caller, w Write, licenseID, ref string) (api.Solution, error) {
	res, err := s.RemoveSeatResult(ctx, c, w, licenseID, ref, true)
	return res.Solution, err
}

// ReassignSeat moves a held seat to another e-mail in one step, and
// answers with the license's whole view.
func (s *Store) ReassignSeat(ctx context.Context, c Caller, w Write, licenseID, from, to string) (api.Solution, error) {
	res, err := s.ReassignSeatResult(ctx, c, w, licenseID, from, to, true)
	return res.Solution, err
}

// AssignSeatResult is AssignSeat answering with the changed seat, and the
// license's whole view only when full asks for it.
func (s *Store) AssignSeatResult(ctx context.Context, c Caller, w Write, licenseID, email string, full bool) (SeatResult, error) {
	return s.seatWrite(ctx, c, w, licenseID, full, []string{email}, email,
		func(sc core.SeatScope, has bool, by core.By) (core.SeatChange, core.Event, error) {
			return sc.Assign(by, core.Email(email), has)
		})
}

// RemoveSeatResult is RemoveSeat answering as AssignSeatResult does.
func (s *Store) RemoveSeatResult(ctx context.Context, c Caller, w Write, licenseID, ref string, full bool) (SeatResult, error) {
	return s.seatWrite(ctx, c, w, licenseID, full, []string{ref}, "",
		func(sc core.SeatScope, _ bool, by core.By) (core.SeatChange, core.Event, error) {
			return sc.Remove(by, ref)
		})
}

// ReassignSeatResult is ReassignSeat answering as AssignSeatResult does.
func (s *Store) ReassignSeatResult(ctx context.Context, c Caller, w Write, licenseID, from, to string, full bool) (SeatResult, error) {
	return s.seatWrite(ctx, c, w, licenseID, full, []string{from, to}, to,
		func(sc core.SeatScope, has bool, by core.By) (core.SeatChange, core.Event, error) {
			return sc.Reassign(by, from, core.Email(to), has)
		})
}

// seatWrite is the shape every seat write shares: lock the license row,
// check the caller may manage its seats and the integration lets them,
// load only the seats the rule needs (core.SeatScope: the first free one
// and those the write names), let core decide, then write the seat, audit,
// e-mail, adoption fallback and change feed in one transaction. Its cost
// does not grow with the license's seats; only a whole view asked for
// (full) reads them all.
func (s *Store) seatWrite(ctx context.Context, c Caller, w Write, licenseID string, full bool, refs []string, newHolder string,
	apply func(core.SeatScope, bool, core.By) (core.SeatChange, core.Event, error)) (SeatResult, error) {
	res, _, err := writeOnceRef(ctx, s, c.ID, w, func(t *tx) (SeatResult, []byte, error) {
		row, integ, integrated, err := t.seatLicense(ctx, licenseID)
		if err != nil {
			return SeatResult{}, nil, err
		}
		if err := hide(core.Authorize(c.actor(), core.ManageSeats, row.Account)); err != nil {
			return SeatResult{}, nil, err
		}
		if err := core.CheckSeatWrite(integ, row.Product); err != nil {
			return SeatResult{}, nil, err
		}
		sc, has, err := t.seatScope(ctx, row, refs, newHolder)
		if err != nil {
			return SeatResult{}, nil, err
		}
		ch, ev, err := apply(sc, has, c.by(t))
		if err != nil {
			return SeatResult{}, nil, err
		}
		if err := t.commitSeat(ctx, c.by(t), row, ch, ev, integrated); err != nil {
			return SeatResult{}, nil, err
		}
		out := SeatResult{Change: api.SeatChangeOf(row.ID, ch)}
		rec, _ := json.Marshal(out.Change)
		if full {
			if out.Solution, err = t.solutionNow(ctx, row.ID); err != nil {
				return SeatResult{}, nil, err
			}
		}
		return out, rec, nil
	}, func(t *tx, body []byte) (SeatResult, error) {
		// The record is the changed seat (older ones: the license ID only).
		var a api.SeatChange
		if err := json.Unmarshal(body, &a); err != nil || a.LicenseID == "" {
			return SeatResult{}, fmt.Errorf("replay seat answer: %q", body)
		}
		row, err := t.license(ctx, a.LicenseID, false)
		if err != nil {
			return SeatResult{}, err
		}
		if err := hide(core.Authorize(c.actor(), core.ViewSolutions, row.Account)); err != nil {
			return SeatResult{}, err
		}
		if a.After.ID == "" && !full {
			return SeatResult{}, core.E(core.Conflict, "idempotency.applied", "this write was applied before; reload to see its result")
		}
		out := SeatResult{Change: a}
		if full {
			out.Solution = solutionView(row, t.now)
		}
		return out, nil
	})
	if err != nil {
		return SeatResult{}, fmt.Errorf("seat of license %s: %w", licenseID, err)
	}
	return res, nil
}

// solutionNow renders a license's whole view inside the transaction.
func (t *tx) solutionNow(ctx context.Context, licenseID string) (api.Solution, error) {
	row, err := t.license(ctx, licenseID, false)
	if err != nil {
		return api.Solution{}, err
	}
	return solutionView(row, t.now), nil
}

// seatLicense loads a license's row (no seats) with its account's
// integration switches of the product, locking the row until the
// transaction ends so that two writers of its seats run one after the
// other (SQLite's write transactions are serial already).
func (t *tx) seatLicense(ctx context.Context, id string) (row licenseRow, integ core.Integration, integrated bool, err error) {
	q := `SELECT ` + licenseCols + `, COALESCE(i.product_on, ` + t.d.falseLit() + `), COALESCE(i.external_controller, ` + t.d.falseLit() + `),
		CASE WHEN i.account_id IS NULL THEN 0 ELSE 1 END
		FROM licenses l JOIN accounts a ON a.id = l.account_id
		LEFT JOIN integrations i ON i.account_id = l.account_id AND i.product = l.product
		WHERE l.id = ?`
	if t.d == dialectPostgres {
		q += ` FOR UPDATE OF l`
	}
	var in int
	row, err = scanLicense(t.queryRow(ctx, q, id), &integ.ProductOn, &integ.ExternalController, &in)
	if errors.Is(err, sql.ErrNoRows) {
		return row, integ, false, errNoLicense
	}
	if err != nil {
		return row, integ, false, fmt.Errorf("load license %s: %w", id, err)
	}
	return row, integ, in == 1, nil
}

// seatScope loads the seats a write needs, in one query: the seats it
// names (by seat ID, or held by an address it names) and the license's
// first Available seat, over the seats' indexes; and whether newHolder
// (when given) has a verified account.
func (t *tx) seatScope(ctx context.Context, row licenseRow, refs []string, newHolder string) (core.SeatScope, bool, error) {
	sc := core.SeatScope{LicenseID: row.ID, Contracted: row.contracted}
	ids, emails := core.SeatRefs(refs...)
	args := []any{row.ID}
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, row.ID)
	for _, e := range emails {
		args = append(args, string(e))
	}
	var acct core.Email
	if e, err := core.NormalizeEmail(newHolder); err == nil {
		acct = e
	}
	args = append(args, row.ID, string(acct))
	emailCond := `0 = 1`
	if len(emails) > 0 {
		emailCond = `email IN (` + placeholders(len(emails)) + `)`
	}
	rows, err := t.query(ctx, `SELECT id, state, COALESCE(email, ''), 0 FROM seats WHERE license_id = ? AND id IN (`+placeholders(len(ids))+`)
		UNION ALL SELECT id, state, COALESCE(email, ''), 0 FROM seats WHERE license_id = ? AND `+emailCond+`
		UNION ALL SELECT id, state, '', 1 FROM (SELECT id, state FROM seats WHERE license_id = ? AND state = 'available' ORDER BY position LIMIT 1) f
		UNION ALL SELECT '', '', '', CASE WHEN EXISTS (SELECT 1 FROM users WHERE email = ? AND verified_at <> 0) THEN 3 ELSE 2 END`, args...)
	if err != nil {
		return sc, false, fmt.Errorf("load seats of %s: %w", row.ID, err)
	}
	defer rows.Close()
	has := false
	seen := map[string]bool{}
	for rows.Next() {
		var id, state, email string
		var what int
		if err := rows.Scan(&id, &state, &email, &what); err != nil {
			return sc, false, fmt.Errorf("load seats of %s: %w", row.ID, err)
		}
		switch what {
		case 2, 3:
			has = what == 3 && acct != ""
			continue
		}
		st, err := core.ParseSeatState(state)
		if err != nil {
			return sc, false, fmt.Errorf("seat %s: %w", id, err)
		}
		seat := core.Seat{ID: id, State: st, Email: core.Email(email)}
		if what == 1 {
			sc.Free, sc.HasFree = seat, true
		} else if !seen[id] {
			seen[id] = true
			sc.Named = append(sc.Named, seat)
		}
	}
	return sc, has, rows.Err()
}

// commitSeat persists one seat's change and everything that follows from
// it: the audit event, the e-mails it owes, the fallback of an adoption
// whose seat was lost, and the change feed entries for the account, the
// integration view and each holder affected. On PostgreSQL, unless an
// adoption falls back, it is one statement.
func (t *tx) commitSeat(ctx context.Context, by core.By, row licenseRow, ch core.SeatChange, ev core.Event, integrated bool) error {
	t.recordChange(ctx, api.KindSolution, row.ID, string(row.Owner), "")
	if integrated {
		// Where the account integrates the product, its integration view
		// (licenses available, each user's switch) follows the seats.
		t.recordChange(ctx, api.KindIntegration, string(row.Owner)+"/"+row.Product, string(row.Owner), "")
	}
	// Each holder whose seat changed sees its "Assigned to you" change.
	if e := ch.Before.Email; e != "" {
		t.recordChange(ctx, api.KindAssigned, row.Product, "", string(e))
	}
	if e := ch.After.Email; e != "" && e != ch.Before.Email {
		t.recordChange(ctx, api.KindAssigned, row.Product, "", string(e))
	}
	if e := ch.Gained(); e != "" {
		// A new holder now sees the product's downloads and news too.
		for _, kind := range []string{api.KindDownload, api.KindNews} {
			t.recordChange(ctx, kind, row.Product, "", string(e))
		}
	}
	var seatEmail any
	if ch.After.Email != "" {
		seatEmail = string(ch.After.Email)
	}
	saveSeat := deferredSQL{`UPDATE seats SET state = ?, email = ?, updated_at = ? WHERE id = ?`,
		[]any{ch.After.State.String(), seatEmail, ms(t.now), ch.After.ID}}
	audit := auditInsert(t.now, row.Owner, row.ID, ev)
	var mails []deferredSQL
	for _, n := range ch.Notices(row.ID) {
		m, err := mailInsert(t.now, MailSeat, string(n.To), Notice{To: string(n.To), Kind: n.Kind.String(),
			LicenseID: row.ID, Product: row.Product, OwnerName: row.OwnerName})
		if err != nil {
			return err
		}
		mails = append(mails, m)
	}
	t.mailQueued = t.mailQueued || len(mails) > 0
	fallback := false
	if lost := ch.Lost(); lost != "" {
		var err error
		if fallback, err = t.hasAdoption(ctx, lost, row.Product); err != nil {
			return err
		}
	}
	if t.d == dialectPostgres && !fallback {
		return t.flushChanges(ctx, append([]deferredSQL{saveSeat, audit}, mails...)...)
	}
	for _, d := range append([]deferredSQL{saveSeat, audit}, mails...) {
		if _, err := t.exec(ctx, d.q, d.args...); err != nil {
			return fmt.Errorf("seat %s: %w", ch.After.ID, err)
		}
	}
	if fallback {
		return t.reconcileAdoption(ctx, by, row.Owner, ch.Lost(), row.Product)
	}
	return nil
}

// hasAdoption reports whether email adopted a license of product.
func (t *tx) hasAdoption(ctx context.Context, email core.Email, product string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM adoptions WHERE email = ? AND product = ?`, string(email), product).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("adoption of %s: %w", product, err)
	}
	return n > 0, nil
}

// commitSeats persists a seat transition of one license computed on the
// whole license, and everything that follows from it: the audit event, the
// e-mails it owes, the fallback of adoptions whose seat was lost, and the
// change feed entries for the account and each affected holder.
func (t *tx) commitSeats(ctx context.Context, by core.By, row licenseRow, after core.License, events ...core.Event) error {
	if err := t.saveSeats(ctx, row.License, after); err != nil {
		return err
	}
	if err := t.audit(ctx, row.Owner, row.ID, events...); err != nil {
		return err
	}
	for _, n := range core.SeatNotices(row.License, after) {
		if err := t.queueMail(ctx, MailSeat, string(n.To), Notice{To: string(n.To), Kind: n.Kind.String(),
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
