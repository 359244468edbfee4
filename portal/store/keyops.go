package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// keyRow is a key as stored, with its account's name and delegation for
// authorization.
type keyRow struct {
	Key            core.Key
	Kind           core.KeyKind
	AccountID      string // "" until added to an account
	AccountName    string
	DelegatedTo    string
	Product        string
	Edition        core.Edition
	Modules        []string
	Capacity       int
	Unit           string
	MaxActivations int
	Source         string // serial, upgrade or vendor
	Serial         string
	NotificationID string
	Registration   *api.Registration
	IssuedAt       time.Time
	AddedAt        time.Time
	Expiry         time.Time // zero: perpetual
	Renewed        bool
}

func (k keyRow) account() core.Account {
	return core.Account{ID: core.AccountID(k.AccountID), Name: k.AccountName, DelegatedTo: core.AccountID(k.DelegatedTo)}
}

// expired reports whether the key no longer licenses anything at now. The
// comparison is in whole seconds, the precision of signed files, so that a
// file is never signed with an expiry not after its issue.
func (k keyRow) expired(now time.Time) bool {
	return !k.Expiry.IsZero() && !now.Truncate(time.Second).Before(k.Expiry.Truncate(time.Second))
}

const keyCols = `k.key, k.kind, COALESCE(k.account_id, ''), COALESCE(a.name, ''), COALESCE(a.delegated_to, ''),
	k.product, k.edition, k.modules, k.capacity, k.unit, k.max_activations, k.source, k.serial, k.notification_id,
	k.registration, k.issued_at, k.added_at, k.expiry, k.renewed`

const keyFrom = ` FROM keys k LEFT JOIN accounts a ON a.id = k.account_id `

func scanKey(sc interface{ Scan(...any) error }) (keyRow, error) {
	var k keyRow
	var key, kind, edition, modules, reg string
	var issued, added, expiry int64
	if err := sc.Scan(&key, &kind, &k.AccountID, &k.AccountName, &k.DelegatedTo, &k.Product, &edition, &modules,
		&k.Capacity, &k.Unit, &k.MaxActivations, &k.Source, &k.Serial, &k.NotificationID, &reg, &issued, &added,
		&expiry, &k.Renewed); err != nil {
		return k, err
	}
	k.Key = core.Key(key)
	var err error
	if k.Kind, err = core.ParseKeyKind(kind); err != nil {
		return k, fmt.Errorf("key %s: %w", key, err)
	}
	if k.Edition, err = core.ParseEdition(edition); err != nil {
		return k, fmt.Errorf("key %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(modules), &k.Modules); err != nil {
		return k, fmt.Errorf("key %s modules: %w", key, err)
	}
	if reg != "" {
		k.Registration = &api.Registration{}
		if err := json.Unmarshal([]byte(reg), k.Registration); err != nil {
			return k, fmt.Errorf("key %s registration: %w", key, err)
		}
	}
	k.IssuedAt, k.AddedAt, k.Expiry = fromMS(issued), fromMS(added), fromMS(expiry)
	return k, nil
}

func loadKeys(ctx context.Context, q querier, d dialect, where string, args ...any) ([]keyRow, error) {
	rows, err := q.QueryContext(ctx, d.rebind(`SELECT `+keyCols+keyFrom+`WHERE `+where+` ORDER BY k.product, k.issued_at, k.key`), args...)
	if err != nil {
		return nil, fmt.Errorf("load keys: %w", err)
	}
	defer rows.Close()
	var out []keyRow
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, fmt.Errorf("load keys: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

var errNoKey = core.E(core.NotFound, "key.not_found", "no such key in your accounts: check it, or add it to your account first")

// key loads one key, locking its row for the rest of the transaction when
// lock is set, so that two activations of one key run one after the other
// and cannot both take its last activation.
func (t *tx) key(ctx context.Context, key core.Key, lock bool) (keyRow, error) {
	if lock {
		var got string
		err := t.queryRow(ctx, `SELECT key FROM keys WHERE key = ?`+t.d.forUpdate(), string(key)).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return keyRow{}, errNoKey
		}
		if err != nil {
			return keyRow{}, err
		}
	}
	ks, err := loadKeys(ctx, t, t.d, `k.key = ?`, string(key))
	if err != nil {
		return keyRow{}, err
	}
	if len(ks) == 0 {
		return keyRow{}, errNoKey
	}
	return ks[0], nil
}

// heldKey loads and locks a key of one of the caller's accounts that they
// may act on; another account's key, or one no account holds, is reported
// as not found.
func (t *tx) heldKey(ctx context.Context, c Caller, raw string, action core.Action) (keyRow, error) {
	key, err := core.ParseKey(raw)
	if err != nil {
		return keyRow{}, err
	}
	k, err := t.key(ctx, key, true)
	if err != nil {
		return keyRow{}, err
	}
	if k.AccountID == "" {
		return keyRow{}, errNoKey
	}
	if err := core.Authorize(c.actor(), action, k.account()); err != nil {
		if core.CodeOf(err) == core.CodeAccessNoRole {
			return keyRow{}, errNoKey
		}
		return keyRow{}, err
	}
	return k, nil
}

// insertKey stores a new key with a fresh random value and returns it.
func (t *tx) insertKey(ctx context.Context, k keyRow) (core.Key, error) {
	var entropy [15]byte
	randRead(entropy[:])
	key, err := core.NewKey(k.Kind, entropy)
	if err != nil {
		return "", err
	}
	mods, _ := json.Marshal(nonNil(k.Modules))
	reg := ""
	if k.Registration != nil {
		b, _ := json.Marshal(k.Registration)
		reg = string(b)
	}
	var acct any
	if k.AccountID != "" {
		acct = k.AccountID
	}
	if _, err := t.exec(ctx, `INSERT INTO keys (key, kind, account_id, product, edition, modules, capacity, unit, max_activations,
		source, serial, notification_id, registration, issued_at, added_at, expiry, renewed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(key), k.Kind.String(), acct, k.Product, k.Edition.String(), string(mods), k.Capacity, k.Unit, k.MaxActivations,
		k.Source, k.Serial, k.NotificationID, reg, ms(k.IssuedAt), ms(k.AddedAt), ms(k.Expiry), k.Renewed); err != nil {
		return "", fmt.Errorf("insert key: %w", err)
	}
	return key, nil
}

// targetAccount resolves the account a key goes to (the caller's own when
// accountID is empty) and checks the caller may register products there.
// Another account is reported as not found.
func (t *tx) targetAccount(ctx context.Context, c Caller, accountID string) (core.Account, error) {
	if accountID == "" {
		accountID = string(c.actor().Account)
	}
	if accountID == "" {
		return core.Account{}, core.E(core.Invalid, "key.account", "you own no account: name the account the key goes to")
	}
	acct, err := t.account(ctx, accountID)
	if err != nil {
		return core.Account{}, hide(core.E(core.Forbidden, core.CodeAccessNoRole, ""))
	}
	if err := hide(core.Authorize(c.actor(), core.RegisterProduct, acct)); err != nil {
		return core.Account{}, err
	}
	return acct, nil
}

// registration validates a registration with core's rules.
func registration(r api.Registration) (api.Registration, error) {
	v, err := core.Registration{Company: r.Company, Person: r.Person, Address: r.Address, Country: r.Country,
		Email: r.Email, Phone: r.Phone}.Validate()
	if err != nil {
		return api.Registration{}, err
	}
	return api.Registration{Company: v.Company, Person: v.Person, Address: v.Address, Country: v.Country,
		Email: v.Email, Phone: v.Phone}, nil
}

// serialPlan is what registering a serial would do.
type serialPlan struct {
	serial core.Serial
	spec   KeySpec
	acct   core.Account
	reg    api.Registration
}

// planSerial checks a "Get a license key" request without writing (lock
// holds the serial for the confirming transaction): the
// serial's form, the registration, that the serial exists and is unused,
// and the caller's right on the target account.
func (t *tx) planSerial(ctx context.Context, c Caller, req api.GetKeyRequest, lock bool) (serialPlan, error) {
	var p serialPlan
	var err error
	if p.serial, err = core.ParseSerial(req.Serial); err != nil {
		return p, err
	}
	if p.reg, err = registration(req.Registration); err != nil {
		return p, err
	}
	var edition, modules, kind string
	var used int64
	forUpdate := ""
	if lock {
		forUpdate = t.d.forUpdate()
	}
	err = t.queryRow(ctx, `SELECT product, edition, modules, kind, capacity, unit, max_activations, months, used_at
		FROM serials WHERE serial = ?`+forUpdate, string(p.serial)).Scan(&p.spec.Product, &edition, &modules, &kind,
		&p.spec.Capacity, &p.spec.Unit, &p.spec.MaxActivations, &p.spec.Months, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return p, core.WithArgs(core.E(core.NotFound, "serial.unknown", "serial number "+string(p.serial)+
			" is not known: check it against the license certificate"), "Serial", string(p.serial))
	}
	if err != nil {
		return p, fmt.Errorf("serial: %w", err)
	}
	if used != 0 {
		return p, core.WithArgs(core.E(core.Conflict, "serial.used", "serial number "+string(p.serial)+" was already registered on "+
			fromMS(used).Format("2006-01-02")+"; its key is listed under the account that registered it"), "Serial", string(p.serial), "Date", fromMS(used))
	}
	if p.spec.Edition, err = core.ParseEdition(edition); err != nil {
		return p, err
	}
	if p.spec.Kind, err = core.ParseKeyKind(kind); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(modules), &p.spec.Modules); err != nil {
		return p, fmt.Errorf("serial %s modules: %w", p.serial, err)
	}
	if p.acct, err = t.targetAccount(ctx, c, req.AccountID); err != nil {
		return p, err
	}
	return p, nil
}

// PreviewKey answers what registering a serial would issue, for the user
// to confirm (source 001: "confirm the information"). It writes nothing.
func (s *Store) PreviewKey(ctx context.Context, c Caller, req api.GetKeyRequest) (api.KeyPreview, error) {
	var out api.KeyPreview
	err := s.readTx(ctx, func(t *tx) error {
		p, err := t.planSerial(ctx, c, req, false)
		if err != nil {
			return err
		}
		out = api.KeyPreview{Serial: string(p.serial), Product: p.spec.Product, Edition: p.spec.Edition.String(),
			Modules: nonNil(p.spec.Modules), Kind: p.spec.Kind.String(), Capacity: p.spec.Capacity, Unit: p.spec.Unit,
			Activations: p.spec.MaxActivations, Months: p.spec.Months, AccountID: string(p.acct.ID),
			AccountName: p.acct.Name, Registration: p.reg}
		if exp := p.spec.expiry(t.now); !exp.IsZero() {
			out.Expiry = &exp
		}
		return nil
	})
	if err != nil {
		return api.KeyPreview{}, fmt.Errorf("preview key: %w", err)
	}
	return out, nil
}

// GetKey registers a serial number and issues its key to the target
// account (source 001: "Get a license key"); the serial is then used up. The
// product appears under the account's products.
func (s *Store) GetKey(ctx context.Context, c Caller, w Write, req api.GetKeyRequest) (api.Key, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Key, error) {
		p, err := t.planSerial(ctx, c, req, true)
		if err != nil {
			return api.Key{}, err
		}
		row := keyRow{Kind: p.spec.Kind, AccountID: string(p.acct.ID), Product: p.spec.Product, Edition: p.spec.Edition,
			Modules: p.spec.Modules, Capacity: p.spec.Capacity, Unit: p.spec.Unit, MaxActivations: p.spec.MaxActivations,
			Source: "serial", Serial: string(p.serial), Registration: &p.reg, IssuedAt: t.now, AddedAt: t.now,
			Expiry: p.spec.expiry(t.now)}
		key, err := t.insertKey(ctx, row)
		if err != nil {
			return api.Key{}, err
		}
		if _, err := t.exec(ctx, `UPDATE serials SET used_at = ?, used_key = ? WHERE serial = ?`, ms(t.now), string(key), string(p.serial)); err != nil {
			return api.Key{}, err
		}
		return t.finishNewKey(ctx, c, key, auditKeyGet, "serial "+string(p.serial))
	})
	if err != nil {
		return api.Key{}, fmt.Errorf("get key: %w", err)
	}
	return out, nil
}

// finishNewKey audits a key that just came to an account, lists its
// product under the account, records the change, and renders the key.
func (t *tx) finishNewKey(ctx context.Context, c Caller, key core.Key, action, before string) (api.Key, error) {
	k, err := t.key(ctx, key, false)
	if err != nil {
		return api.Key{}, err
	}
	ev := core.Event{At: t.now, Actor: c.Email, Action: action, Subject: string(key), Before: before,
		After: fmt.Sprintf("%s %s, %d %s", k.Product, k.Edition, k.Capacity, k.Unit)}
	if err := t.audit(ctx, core.AccountID(k.AccountID), "", ev); err != nil {
		return api.Key{}, err
	}
	if err := t.addProduct(ctx, core.AccountID(k.AccountID), k.Product, core.SourceRegistration); err != nil {
		return api.Key{}, err
	}
	if err := t.recordChange(ctx, api.KindKey, string(key), k.AccountID, ""); err != nil {
		return api.Key{}, err
	}
	return t.keyView(ctx, k)
}

// UpgradeKey exchanges a version-upgrade notification for a new key (seed
// 001): the product chosen among those offered, the quantity as its
// capacity, and the support registration carried over from the upgraded
// key unless the request gives a new one. The notification is then used up.
func (s *Store) UpgradeKey(ctx context.Context, c Caller, w Write, req api.UpgradeKeyRequest) (api.Key, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.Key, error) {
		u, err := core.UpgradeRequest{NotificationID: req.NotificationID, Product: req.Product, Quantity: req.Quantity}.Validate()
		if err != nil {
			return api.Key{}, err
		}
		n, err := t.upgradeNotice(ctx, u.NotificationID)
		if err != nil {
			return api.Key{}, err
		}
		acct, err := t.account(ctx, n.AccountID)
		if err != nil {
			return api.Key{}, err
		}
		if err := core.Authorize(c.actor(), core.RegisterProduct, acct); err != nil {
			if core.CodeOf(err) == core.CodeAccessNoRole {
				return api.Key{}, errNoNotice
			}
			return api.Key{}, err
		}
		if !n.UsedAt.IsZero() {
			return api.Key{}, core.WithArgs(core.E(core.Conflict, "upgrade.notification_used", "notification "+n.ID+" was already exchanged on "+
				n.UsedAt.Format("2006-01-02")+" for key "+n.UsedKey), "Notification", n.ID, "Date", n.UsedAt, "Key", n.UsedKey)
		}
		var offer *KeySpec
		var names []string
		for i := range n.Offers {
			names = append(names, n.Offers[i].Product)
			if strings.EqualFold(n.Offers[i].Product, u.Product) {
				offer = &n.Offers[i]
			}
		}
		if offer == nil {
			return api.Key{}, core.E(core.Invalid, "upgrade.product_not_offered", "notification "+n.ID+" offers "+
				strings.Join(names, ", ")+", not "+u.Product)
		}
		if u.Quantity > n.MaxQuantity {
			return api.Key{}, core.E(core.Invalid, "upgrade.quantity_exceeds", fmt.Sprintf("notification %s covers at most %d, not %d",
				n.ID, n.MaxQuantity, u.Quantity))
		}
		var reg *api.Registration
		if req.Registration != nil {
			r, err := registration(*req.Registration)
			if err != nil {
				return api.Key{}, err
			}
			reg = &r
		} else if n.FromKey != "" {
			if from, err := t.key(ctx, core.Key(n.FromKey), false); err == nil {
				reg = from.Registration
			}
		}
		if reg == nil {
			return api.Key{}, core.E(core.Invalid, core.CodeRegistrationMissing,
				"there is no support registration to carry over: give the registration details")
		}
		row := keyRow{Kind: offer.Kind, AccountID: n.AccountID, Product: offer.Product, Edition: offer.Edition, Modules: offer.Modules,
			Capacity: u.Quantity, Unit: offer.Unit, MaxActivations: offer.MaxActivations, Source: "upgrade",
			NotificationID: n.ID, Registration: reg, IssuedAt: t.now, AddedAt: t.now, Expiry: offer.expiry(t.now)}
		key, err := t.insertKey(ctx, row)
		if err != nil {
			return api.Key{}, err
		}
		if _, err := t.exec(ctx, `UPDATE upgrade_notices SET used_at = ?, used_key = ? WHERE id = ?`, ms(t.now), string(key), n.ID); err != nil {
			return api.Key{}, err
		}
		before := "notification " + n.ID
		if n.FromKey != "" {
			before += " for " + n.FromKey
		}
		return t.finishNewKey(ctx, c, key, auditKeyUpgrade, before)
	})
	if err != nil {
		return api.Key{}, fmt.Errorf("upgrade key: %w", err)
	}
	return out, nil
}

// AddKey adds a key to an account (source 002: enter the key, save, then
// activate). An install key is activated on the machine in the same step,
// so the request carries its fingerprint; a license key is only added and
// is activated later, online or offline. Adding a key the account already
// holds changes nothing (an install key is activated again on the
// machine); a key of another account is refused.
func (s *Store) AddKey(ctx context.Context, c Caller, w Write, req api.AddKeyRequest) (api.AddedKey, error) {
	out, _, err := writeOnce(ctx, s, c.ID, w, func(t *tx) (api.AddedKey, error) {
		key, err := core.ParseKey(req.Key)
		if err != nil {
			return api.AddedKey{}, err
		}
		install := key.Kind() == core.InstallKey
		if !install && (len(req.Fingerprint) > 0 || req.Machine != "") {
			return api.AddedKey{}, core.E(core.Invalid, "key.activate_separately",
				"a license key is added first and activated separately: add it without a fingerprint, then activate it")
		}
		var plan activationPlan
		if install {
			// Checked before anything is written, so a bad fingerprint adds
			// nothing.
			if plan, err = planActivation(key, req.Fingerprint, req.Machine, "", t.now); err != nil {
				return api.AddedKey{}, err
			}
		}
		k, err := t.key(ctx, key, true)
		if core.CodeOf(err) == core.CodeOf(errNoKey) {
			return api.AddedKey{}, core.WithArgs(core.E(core.NotFound, "key.unknown", "key "+string(key)+
				" was not issued by this portal: check it against the e-mail or certificate"), "Key", string(key))
		}
		if err != nil {
			return api.AddedKey{}, err
		}
		added := false
		switch {
		case k.AccountID == "":
			acct, err := t.targetAccount(ctx, c, req.AccountID)
			if err != nil {
				return api.AddedKey{}, err
			}
			if _, err := t.exec(ctx, `UPDATE keys SET account_id = ?, added_at = ? WHERE key = ?`, string(acct.ID), ms(t.now), string(key)); err != nil {
				return api.AddedKey{}, err
			}
			k.AccountID, k.AccountName, k.DelegatedTo, k.AddedAt = string(acct.ID), acct.Name, string(acct.DelegatedTo), t.now
			added = true
		default:
			if err := core.Authorize(c.actor(), core.RegisterProduct, k.account()); err != nil {
				if core.CodeOf(err) == core.CodeAccessNoRole {
					return api.AddedKey{}, core.WithArgs(core.E(core.Forbidden, "key.other_account",
						"key "+string(key)+" is registered to another account; ask its owner, or the vendor, to move it"), "Key", string(key))
				}
				return api.AddedKey{}, err
			}
			if req.AccountID != "" && req.AccountID != k.AccountID {
				return api.AddedKey{}, core.WithArgs(core.E(core.Conflict, "key.other_account",
					"key "+string(key)+" is already registered to account "+k.AccountName), "Key", string(key))
			}
		}
		if added {
			ev := core.Event{At: t.now, Actor: c.Email, Action: auditKeyAdd, Subject: string(key),
				After: fmt.Sprintf("%s %s, %d %s", k.Product, k.Edition, k.Capacity, k.Unit)}
			if err := t.audit(ctx, core.AccountID(k.AccountID), "", ev); err != nil {
				return api.AddedKey{}, err
			}
		}
		var res api.AddedKey
		var act activationRow
		if install {
			a, row, err := t.activate(ctx, c, k, plan, "install")
			if err != nil {
				return api.AddedKey{}, err
			}
			res.Activation, act = &a, row
		}
		// Products and the change feed last: they take the feed's lock,
		// which must be the transaction's last.
		if added {
			if err := t.addProduct(ctx, core.AccountID(k.AccountID), k.Product, core.SourceRegistration); err != nil {
				return api.AddedKey{}, err
			}
		}
		switch {
		case install:
			if err := t.recordActivationChange(ctx, act); err != nil {
				return api.AddedKey{}, err
			}
		case added:
			if err := t.recordChange(ctx, api.KindKey, string(key), k.AccountID, ""); err != nil {
				return api.AddedKey{}, err
			}
		}
		if res.Key, err = t.keyView(ctx, k); err != nil {
			return api.AddedKey{}, err
		}
		return res, nil
	})
	if err != nil {
		return api.AddedKey{}, fmt.Errorf("add key: %w", err)
	}
	return out, nil
}

// Keys lists the keys of every account the caller may see the licenses
// of, each with its activations, and the capacity they add up to per
// account and product (source 002).
func (s *Store) Keys(ctx context.Context, c Caller) (api.KeyList, error) {
	out := api.KeyList{Keys: []api.Key{}, Capacity: []api.Capacity{}}
	err := s.readTx(ctx, func(t *tx) error {
		views, err := t.visibleKeys(ctx, c)
		if err != nil {
			return err
		}
		out.Keys = views
		out.Capacity = capacityOf(views, t.now)
		return nil
	})
	if err != nil {
		return api.KeyList{}, fmt.Errorf("keys: %w", err)
	}
	return out, nil
}

// capacityOf sums the keys' capacities per account, product and unit with
// core's rule.
func capacityOf(keys []api.Key, now time.Time) []api.Capacity {
	byAccount := map[string][]core.CapacityGrant{}
	for _, k := range keys {
		g := core.CapacityGrant{Product: k.Product, Unit: k.Unit, Amount: k.Capacity, Activated: k.ActiveActivations > 0}
		if k.Expiry != nil {
			g.Expiry = *k.Expiry
		}
		byAccount[k.AccountID] = append(byAccount[k.AccountID], g)
	}
	out := []api.Capacity{}
	for _, acct := range sortedKeys(byAccount) {
		for _, pc := range core.SumCapacity(byAccount[acct], now) {
			out = append(out, api.Capacity{AccountID: acct, Product: pc.Product, Unit: pc.Unit, Total: pc.Total, Keys: pc.Grants})
		}
	}
	return out
}

// visibleKeys renders the keys of the caller's accounts they may see.
func (t *tx) visibleKeys(ctx context.Context, c Caller) ([]api.Key, error) {
	ids := c.accountIDs()
	if len(ids) == 0 {
		return []api.Key{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := loadKeys(ctx, t, t.d, `k.account_id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	actor := c.actor()
	var keys []keyRow
	for _, k := range rows {
		if core.Authorize(actor, core.ViewSolutions, k.account()) == nil {
			keys = append(keys, k)
		}
	}
	return t.keyViews(ctx, keys)
}

// keyViews renders keys with their activations, loaded in one query.
func (t *tx) keyViews(ctx context.Context, keys []keyRow) ([]api.Key, error) {
	out := make([]api.Key, 0, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = string(k.Key)
	}
	acts, err := loadActivations(ctx, t, t.d, `a.key IN (`+placeholders(len(keys))+`)`, args...)
	if err != nil {
		return nil, err
	}
	byKey := map[core.Key][]activationRow{}
	for _, a := range acts {
		byKey[a.Key] = append(byKey[a.Key], a)
	}
	for _, k := range keys {
		out = append(out, keyViewOf(k, byKey[k.Key], t.now))
	}
	return out, nil
}

func (t *tx) keyView(ctx context.Context, k keyRow) (api.Key, error) {
	vs, err := t.keyViews(ctx, []keyRow{k})
	if err != nil {
		return api.Key{}, err
	}
	return vs[0], nil
}

// keyViewOf renders a key and its activations (newest first).
func keyViewOf(k keyRow, acts []activationRow, now time.Time) api.Key {
	v := api.Key{Key: string(k.Key), Kind: k.Kind.String(), AccountID: k.AccountID, AccountName: k.AccountName,
		Product: k.Product, Edition: k.Edition.String(), Modules: nonNil(k.Modules), Capacity: k.Capacity, Unit: k.Unit,
		MaxActivations: k.MaxActivations, Source: k.Source, Serial: k.Serial, NotificationID: k.NotificationID,
		IssuedAt: k.IssuedAt, AddedAt: k.AddedAt, Renewed: k.Renewed, Registration: k.Registration,
		Activations: make([]api.Activation, 0, len(acts))}
	if !k.Expiry.IsZero() {
		e := k.Expiry
		v.Expiry = &e
	}
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].ActivatedAt.After(acts[j].ActivatedAt) })
	for _, a := range acts {
		av := activationViewOf(a)
		if av.State == "active" {
			v.ActiveActivations++
		}
		v.Activations = append(v.Activations, av)
	}
	switch {
	case k.expired(now):
		v.Status = "expired"
	case v.ActiveActivations > 0:
		v.Status = "active"
	default:
		v.Status = "added"
	}
	return v
}

// keyView renders one key for the change feed.
func (s *Store) keyView(ctx context.Context, c Caller, id string) (any, bool, error) {
	var out any
	found := false
	err := s.readTx(ctx, func(t *tx) error {
		ks, err := loadKeys(ctx, t, t.d, `k.key = ?`, id)
		if err != nil || len(ks) == 0 || ks[0].AccountID == "" {
			return err
		}
		if core.Authorize(c.actor(), core.ViewSolutions, ks[0].account()) != nil {
			return nil
		}
		v, err := t.keyView(ctx, ks[0])
		out, found = v, err == nil
		return err
	})
	return out, found, err
}

func (s *Store) listKeys(ctx context.Context, c Caller) (map[string]any, error) {
	out := map[string]any{}
	err := s.readTx(ctx, func(t *tx) error {
		views, err := t.visibleKeys(ctx, c)
		for _, v := range views {
			out[v.Key] = v
		}
		return err
	})
	return out, err
}
