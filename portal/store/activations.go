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
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
)

// ReceiptSkew is how far a deactivation receipt's time may stray from the
// portal's clock: the machine that wrote it has its own clock and no
// network to set it by.
const ReceiptSkew = 5 * time.Minute

// activationRow is an activation as stored, with what the views and the
// access check need beside it.
type activationRow struct {
	core.Activation
	AccountID     string
	AccountName   string
	DelegatedTo   string
	Product       string
	Machine       string
	Mode          string // online, offline or install
	Nonce         string // of the request that last activated it
	Secret        []byte
	DeactivatedAt time.Time
	DeactivatedBy string // online or receipt
}

func (a activationRow) account() core.Account {
	return core.Account{ID: core.AccountID(a.AccountID), Name: a.AccountName, DelegatedTo: core.AccountID(a.DelegatedTo)}
}

const activationCols = `a.id, a.key, a.account_id, ac.name, COALESCE(ac.delegated_to, ''), k.product, a.machine, a.fingerprint,
	a.mode, a.nonce, a.secret, a.activated_at, a.deactivated_at, a.deactivated_by`

func loadActivations(ctx context.Context, q querier, d dialect, where string, args ...any) ([]activationRow, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+activationCols+` FROM activations a JOIN keys k ON k.key = a.key
		JOIN accounts ac ON ac.id = a.account_id WHERE `+where+` ORDER BY a.activated_at, a.id`), args...)
	if err != nil {
		return nil, fmt.Errorf("load activations: %w", err)
	}
	defer rows.Close()
	var out []activationRow
	for rows.Next() {
		var a activationRow
		var key, fp string
		var at, deact int64
		if err := rows.Scan(&a.ID, &key, &a.AccountID, &a.AccountName, &a.DelegatedTo, &a.Product, &a.Machine, &fp,
			&a.Mode, &a.Nonce, &a.Secret, &at, &deact, &a.DeactivatedBy); err != nil {
			return nil, fmt.Errorf("load activations: %w", err)
		}
		if err := json.Unmarshal([]byte(fp), &a.Bound); err != nil {
			return nil, fmt.Errorf("activation %s fingerprint: %w", a.ID, err)
		}
		a.Key, a.ActivatedAt, a.DeactivatedAt = core.Key(key), fromMS(at), fromMS(deact)
		a.Deactivated = deact != 0
		out = append(out, a)
	}
	return out, rows.Err()
}

func activationViewOf(a activationRow) api.Activation {
	v := api.Activation{ID: a.ID, Key: string(a.Key), AccountID: a.AccountID, Product: a.Product, Machine: a.Machine,
		Fingerprint: map[string]string(a.Bound), Mode: a.Mode, State: "active", ActivatedAt: a.ActivatedAt,
		DeactivatedBy: a.DeactivatedBy}
	if v.Fingerprint == nil {
		v.Fingerprint = map[string]string{}
	}
	if a.Deactivated {
		at := a.DeactivatedAt
		v.State, v.DeactivatedAt = "deactivated", &at
	}
	return v
}

// activationPlan is a checked activation request: the same rules for an
// online request, an install key's and an offline request file, since all
// three become the same signed answer.
type activationPlan struct {
	req activation.Request
}

// planActivation checks the parts of an online activation with the rules
// of an offline request; a missing nonce is made up so that every
// activation has one for its deactivation receipt.
func planActivation(key core.Key, fp map[string]string, machine, nonce string, now time.Time) (activationPlan, error) {
	if nonce == "" {
		var b [activation.NonceBytes]byte
		randRead(b[:])
		nonce = activation.NewNonce(b)
	}
	req := activation.Request{Key: key, Machine: machine, Fingerprint: core.Fingerprint(fp), Nonce: nonce, Created: now}.Normalize()
	if err := req.Validate(); err != nil {
		return activationPlan{}, err
	}
	return activationPlan{req: req}, nil
}

// activate binds key k to the machine of the plan, reusing the machine's
// activation when its fingerprint still matches one (core's match rule;
// a changed fingerprint is a re-bind, audited and limited per key),
// and answers the signed license file and activation response. The key row
// is locked by the caller, which records the change feed entries
// (recordActivationChange) once its own writes are done, since those must
// be the transaction's last locks.
func (t *tx) activate(ctx context.Context, c Caller, k keyRow, p activationPlan, mode string) (api.Activated, activationRow, error) {
	if k.expired(t.now) {
		return api.Activated{}, activationRow{}, core.WithArgs(core.E(core.Expired, "key.expired", "key "+string(k.Key)+" expired on "+
			k.Expiry.Format("2006-01-02")+": renew the subscription, then activate"), "Key", string(k.Key), "Date", k.Expiry)
	}
	var used int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM activation_nonces WHERE nonce = ?`, p.req.Nonce).Scan(&used); err != nil {
		return api.Activated{}, activationRow{}, err
	}
	if used > 0 {
		return api.Activated{}, activationRow{}, errReplayed
	}
	by := c.by(t)
	fp := p.req.Fingerprint
	live, err := loadActivations(ctx, t, t.d, `a.key = ? AND a.deactivated_at = 0`, string(k.Key))
	if err != nil {
		return api.Activated{}, activationRow{}, err
	}
	var row activationRow
	var ev core.Event
	var match core.Match
	reused, rebound := false, false
	// core's one match rule decides whether the request is a machine that
	// already holds an activation of the key: a strong component matching
	// and half of the known ones. A fingerprint sharing only weak
	// components (a twin, or a crafted request) is another machine.
	for _, a := range live {
		if m := core.MatchFingerprint(a.Bound, fp); m.OK {
			row, reused, match = a, true, m
			break
		}
	}
	fpJSON, _ := json.Marshal(fp)
	if reused {
		if row.Bound.Same(fp) {
			// The bound machine as it was: a fresh file, nothing re-bound.
			row.Activation, ev, err = row.Reactivate(by, fp)
		} else {
			// Changed hardware: a re-bind, audited and counted per key.
			var recent int
			if recent, err = t.recentRebinds(ctx, k.Key); err != nil {
				return api.Activated{}, activationRow{}, err
			}
			if row.Activation, ev, err = row.Rebind(by, fp, recent); err == nil {
				rebound = true
				err = t.recordRebind(ctx, k.Key, row.ID, match, t.now)
			}
		}
		if err != nil {
			return api.Activated{}, activationRow{}, err
		}
		if _, err := t.exec(ctx, `UPDATE activations SET machine = ?, fingerprint = ?, mode = ?, nonce = ?, activated_at = ? WHERE id = ?`,
			p.req.Machine, string(fpJSON), mode, p.req.Nonce, ms(t.now), row.ID); err != nil {
			return api.Activated{}, activationRow{}, fmt.Errorf("reactivate %s: %w", row.ID, err)
		}
	} else {
		if len(live) >= k.MaxActivations {
			machines := make([]string, len(live))
			for i, a := range live {
				machines[i] = a.Machine
			}
			return api.Activated{}, activationRow{}, core.WithArgs(core.E(core.Conflict, core.CodeActivationLimit, fmt.Sprintf(
				"key %s is active on %d of %d machines (%s): deactivate one of them first",
				k.Key, len(live), k.MaxActivations, strings.Join(machines, ", "))), "Key", string(k.Key), "Active", len(live), "Max", k.MaxActivations)
		}
		row = activationRow{AccountID: k.AccountID, AccountName: k.AccountName, Product: k.Product, Secret: make([]byte, activation.SecretSize)}
		randRead(row.Secret)
		if row.Activation, ev, err = core.Activate(by, newID("act"), k.Key, fp); err != nil {
			return api.Activated{}, activationRow{}, err
		}
		if _, err := t.exec(ctx, `INSERT INTO activations (id, key, account_id, machine, fingerprint, mode, nonce, secret, activated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, row.ID, string(k.Key), k.AccountID, p.req.Machine, string(fpJSON), mode,
			p.req.Nonce, row.Secret, ms(t.now)); err != nil {
			return api.Activated{}, activationRow{}, fmt.Errorf("insert activation: %w", err)
		}
	}
	row.Machine, row.Mode, row.Nonce = p.req.Machine, mode, p.req.Nonce
	// A nonce is answered once, whichever key it names: a request file
	// replayed, or copied into a request for another key, changes nothing.
	res, err := t.exec(ctx, `INSERT INTO activation_nonces (nonce, activation_id, used_at) VALUES (?, ?, ?)
		ON CONFLICT (nonce) DO NOTHING`, p.req.Nonce, row.ID, ms(t.now))
	if err != nil {
		return api.Activated{}, activationRow{}, fmt.Errorf("record nonce: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return api.Activated{}, activationRow{}, errReplayed // by a concurrent request
	}
	signer, err := t.signer(ctx)
	if err != nil {
		return api.Activated{}, activationRow{}, err
	}
	lic, err := signer.Sign(licensefile.Payload{Kind: licensefile.KindActivation, LicenseID: string(k.Key), Product: k.Product,
		Edition: k.Edition.String(), Modules: k.Modules, Owner: k.AccountName, Fingerprint: fp, Issued: t.now,
		Expiry: k.Expiry, ActivationID: row.ID, Nonce: row.Nonce})
	if err != nil {
		return api.Activated{}, activationRow{}, fmt.Errorf("sign activation %s: %w", row.ID, err)
	}
	resp, err := activation.Response{ActivationID: row.ID, Key: k.Key, Nonce: row.Nonce, Secret: row.Secret, License: lic}.Seal(signer)
	if err != nil {
		return api.Activated{}, activationRow{}, fmt.Errorf("seal activation %s: %w", row.ID, err)
	}
	ev.After += " (" + mode + ", " + row.Machine + ")"
	if err := t.audit(ctx, core.AccountID(k.AccountID), "", ev); err != nil {
		return api.Activated{}, activationRow{}, err
	}
	return api.Activated{Activation: activationViewOf(row), Reused: reused, Rebound: rebound, LicenseFile: string(lic),
		Response: string(resp)}, row, nil
}

// activateAndRecord is activate followed by its change feed entries.
func (t *tx) activateAndRecord(ctx context.Context, c Caller, k keyRow, p activationPlan, mode string) (api.Activated, error) {
	a, row, err := t.activate(ctx, c, k, p, mode)
	if err != nil {
		return api.Activated{}, err
	}
	return a, t.recordActivationChange(ctx, row)
}

func (t *tx) recordActivationChange(ctx context.Context, a activationRow) error {
	if err := t.recordChange(ctx, api.KindActivation, a.ID, a.AccountID, ""); err != nil {
		return err
	}
	return t.recordChange(ctx, api.KindKey, string(a.Key), a.AccountID, "")
}

// Activate activates a key of the caller's accounts online on the machine
// the request describes, and answers the signed license file (source 002).
func (s *Store) Activate(ctx context.Context, c Caller, w Write, req api.ActivateRequest) (api.Activated, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Activated, error) {
		key, err := core.ParseKey(req.Key)
		if err != nil {
			return api.Activated{}, err
		}
		p, err := planActivation(key, req.Fingerprint, req.Machine, req.Nonce, t.now)
		if err != nil {
			return api.Activated{}, err
		}
		k, err := t.heldKey(ctx, c, req.Key, core.ManageSeats)
		if err != nil {
			return api.Activated{}, err
		}
		return t.activateAndRecord(ctx, c, k, p, "online")
	})
	if err != nil {
		return api.Activated{}, fmt.Errorf("activate: %w", err)
	}
	return out, nil
}

// ActivateOffline turns an activation request file written by a
// disconnected machine into the signed response it imports (source 002:
// manual activation). The request is answered once; a license key only,
// since an install key is activated online as it is added.
func (s *Store) ActivateOffline(ctx context.Context, c Caller, w Write, file []byte) (api.Activated, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Activated, error) {
		req, err := activation.ParseRequest(file)
		if err != nil {
			return api.Activated{}, err
		}
		if req.Key.Kind() == core.InstallKey {
			return api.Activated{}, core.E(core.Invalid, "activation.install_key_offline",
				"an install key is activated online as it is added: connect the machine, or use a license key")
		}
		k, err := t.heldKey(ctx, c, string(req.Key), core.ManageSeats)
		if err != nil {
			return api.Activated{}, err
		}
		return t.activateAndRecord(ctx, c, k, activationPlan{req: req}, "offline")
	})
	if err != nil {
		return api.Activated{}, fmt.Errorf("offline activation: %w", err)
	}
	return out, nil
}

var errReplayed = core.E(core.Conflict, "activation.request_replayed",
	"this activation request was already answered: import the response you received, or write a new request on the machine")

var errNoActivation = core.E(core.NotFound, "activation.not_found", "no such activation in your accounts")

// lockedActivation loads an activation of the caller's accounts that they
// may manage, locking its key and then it (the order activate locks in, so
// that a reactivation and a deactivation of one machine never interleave).
func (t *tx) lockedActivation(ctx context.Context, c Caller, id string) (activationRow, error) {
	var key string
	err := t.queryRow(ctx, `SELECT key FROM activations WHERE id = ?`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return activationRow{}, errNoActivation
	}
	if err != nil {
		return activationRow{}, err
	}
	if _, err := t.key(ctx, core.Key(key), true); err != nil {
		return activationRow{}, err
	}
	var got string
	if err := t.queryRow(ctx, `SELECT id FROM activations WHERE id = ?`+t.d.forUpdate(), id).Scan(&got); err != nil {
		return activationRow{}, err
	}
	as, err := loadActivations(ctx, t, t.d, `a.id = ?`, id)
	if err != nil {
		return activationRow{}, err
	}
	if len(as) == 0 {
		return activationRow{}, errNoActivation
	}
	if err := core.Authorize(c.actor(), core.ManageSeats, as[0].account()); err != nil {
		if core.CodeOf(err) == core.CodeAccessNoRole {
			return activationRow{}, errNoActivation
		}
		return activationRow{}, err
	}
	return as[0], nil
}

// deactivate frees an activation and records how.
func (t *tx) deactivate(ctx context.Context, c Caller, a activationRow, how string) (activationRow, error) {
	after, ev, err := a.Deactivate(c.by(t))
	if err != nil {
		return a, err
	}
	if _, err := t.exec(ctx, `UPDATE activations SET deactivated_at = ?, deactivated_by = ? WHERE id = ?`, ms(t.now), how, a.ID); err != nil {
		return a, fmt.Errorf("deactivate %s: %w", a.ID, err)
	}
	a.Activation, a.DeactivatedAt, a.DeactivatedBy = after, t.now, how
	ev.After += " (" + how + ", " + a.Machine + ")"
	if err := t.audit(ctx, core.AccountID(a.AccountID), "", ev); err != nil {
		return a, err
	}
	return a, t.recordActivationChange(ctx, a)
}

// Deactivate frees an activation online, so that its key may be activated
// on another machine.
func (s *Store) Deactivate(ctx context.Context, c Caller, w Write, id string) (api.Activation, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Activation, error) {
		a, err := t.lockedActivation(ctx, c, id)
		if err != nil {
			return api.Activation{}, err
		}
		if a, err = t.deactivate(ctx, c, a, "online"); err != nil {
			return api.Activation{}, err
		}
		return activationViewOf(a), nil
	})
	if err != nil {
		return api.Activation{}, fmt.Errorf("deactivate %s: %w", id, err)
	}
	return out, nil
}

// DeactivateByReceipt frees the activation a disconnected machine gave up,
// on the proof of its deactivation receipt: made with the activation's
// secret, for the request that last activated it, at a believable time.
// The answer carries a signed confirmation.
func (s *Store) DeactivateByReceipt(ctx context.Context, c Caller, w Write, file []byte) (api.Deactivated, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Deactivated, error) {
		r, err := activation.ParseReceipt(file)
		if err != nil {
			return api.Deactivated{}, err
		}
		a, err := t.lockedActivation(ctx, c, r.ActivationID)
		if err != nil {
			return api.Deactivated{}, err
		}
		if err := r.Verify(a.Secret); err != nil {
			return api.Deactivated{}, err
		}
		if r.Nonce != a.Nonce {
			return api.Deactivated{}, core.WithArgs(core.E(core.Conflict, "activation.receipt_stale", "this receipt is for an earlier activation of "+
				a.Machine+", which was activated again since: write a new receipt on the machine"), "Machine", a.Machine)
		}
		if r.Deactivated.Before(a.ActivatedAt.Add(-ReceiptSkew)) || r.Deactivated.After(t.now.Add(ReceiptSkew)) {
			return api.Deactivated{}, core.E(core.Invalid, "activation.receipt_time", "the receipt is dated "+
				r.Deactivated.Format(time.RFC3339)+", outside the life of activation "+a.ID+": check the machine's clock")
		}
		// The signer before the deactivation, whose change feed entries must
		// be the transaction's last locks.
		signer, err := t.signer(ctx)
		if err != nil {
			return api.Deactivated{}, err
		}
		if a, err = t.deactivate(ctx, c, a, "receipt"); err != nil {
			return api.Deactivated{}, err
		}
		conf, err := signer.Sign(licensefile.Payload{Kind: licensefile.KindDeactivationReceipt, LicenseID: string(a.Key),
			Product: a.Product, Owner: a.AccountName, Issued: t.now, ActivationID: a.ID, Nonce: r.Nonce})
		if err != nil {
			return api.Deactivated{}, fmt.Errorf("sign confirmation: %w", err)
		}
		return api.Deactivated{Activation: activationViewOf(a), Confirmation: string(conf)}, nil
	})
	if err != nil {
		return api.Deactivated{}, fmt.Errorf("deactivate by receipt: %w", err)
	}
	return out, nil
}

// activationView renders one activation for the change feed.
func (s *Store) activationView(ctx context.Context, c Caller, id string) (any, bool, error) {
	as, err := loadActivations(ctx, s.db, s.d, `a.id = ?`, id)
	if err != nil || len(as) == 0 {
		return nil, false, err
	}
	if core.Authorize(c.actor(), core.ViewSolutions, as[0].account()) != nil {
		return nil, false, nil
	}
	return activationViewOf(as[0]), true, nil
}

func (s *Store) listActivations(ctx context.Context, c Caller) (map[string]any, error) {
	out := map[string]any{}
	err := s.readTx(ctx, func(t *tx) error {
		views, err := t.visibleKeys(ctx, c)
		for _, k := range views {
			for _, a := range k.Activations {
				out[a.ID] = a
			}
		}
		return err
	})
	return out, err
}
