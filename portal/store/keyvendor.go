package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
)

// The operations below are the vendor operator's (licportal seed and
// administration): they act with no caller and no access check, and are
// not reachable over HTTP.

// KeySpec describes what a key licenses: a product in an edition with
// modules, a capacity (25 devices) and how many machines it may be active
// on at once. The activation limit is kept apart from the capacity because
// they count different things: a print server key for 25 devices is
// activated on one server.
type KeySpec struct {
	Product string
	Edition core.Edition
	Modules []string
	Kind    core.KeyKind // LicenseKey when zero
	// Capacity is what the key adds to its product, in Unit ("devices"
	// when empty).
	Capacity int
	Unit     string
	// MaxActivations is how many machines the key may be active on at once;
	// 1 when zero.
	MaxActivations int
	// Months is the subscription term, counted from the key's issue; 0 is
	// perpetual.
	Months int
}

// Bounds of a key spec, generous but finite so that a typo in an operator's
// script is caught before a customer sees it.
const (
	maxCapacity    = 1000000
	maxActivations = 10000
	maxMonths      = 120
	maxTextField   = 100
)

// normalize fills in the defaults and checks the spec.
func (k KeySpec) normalize(capacityRequired bool) (KeySpec, error) {
	bad := func(msg string) (KeySpec, error) { return k, core.E(core.Invalid, "key.spec", msg) }
	k.Product = strings.TrimSpace(k.Product)
	k.Unit = strings.TrimSpace(k.Unit)
	if k.Kind == 0 {
		k.Kind = core.LicenseKey
	}
	if k.Unit == "" {
		k.Unit = "devices"
	}
	if k.MaxActivations == 0 {
		k.MaxActivations = 1
	}
	switch {
	case k.Product == "" || utf8.RuneCountInString(k.Product) > maxTextField:
		return bad("a key needs a product name of at most 100 characters")
	case k.Edition < core.EditionBasic || k.Edition > core.EditionEnterprise:
		return bad("a key needs an edition")
	case k.Kind != core.InstallKey && k.Kind != core.LicenseKey:
		return bad("a key is an install key or a license key")
	case capacityRequired && (k.Capacity < 1 || k.Capacity > maxCapacity):
		return bad(fmt.Sprintf("capacity must be between 1 and %d", maxCapacity))
	case utf8.RuneCountInString(k.Unit) > 32:
		return bad("the unit is at most 32 characters")
	case k.MaxActivations < 1 || k.MaxActivations > maxActivations:
		return bad(fmt.Sprintf("the activation limit must be between 1 and %d", maxActivations))
	case k.Months < 0 || k.Months > maxMonths:
		return bad(fmt.Sprintf("the term must be between 0 (perpetual) and %d months", maxMonths))
	}
	for _, m := range k.Modules {
		if strings.TrimSpace(m) == "" || utf8.RuneCountInString(m) > maxTextField {
			return bad("module names are 1 to 100 characters")
		}
	}
	k.Modules = nonNil(k.Modules)
	return k, nil
}

// expiry is the end of the term from start, in whole seconds as signed
// files carry it; zero when perpetual.
func (k KeySpec) expiry(start time.Time) time.Time {
	if k.Months == 0 {
		return time.Time{}
	}
	return start.Truncate(time.Second).AddDate(0, k.Months, 0)
}

// CreateSerial records a serial number that yields a key of spec when a
// customer registers it. serial is the value to use (the demo's fixed
// serials); empty picks a random one.
func (s *Store) CreateSerial(ctx context.Context, serial string, spec KeySpec) (core.Serial, error) {
	spec, err := spec.normalize(true)
	if err != nil {
		return "", fmt.Errorf("create serial: %w", err)
	}
	var out core.Serial
	err = s.inTx(ctx, func(t *tx) error {
		out = ""
		if serial != "" {
			if out, err = core.ParseSerial(serial); err != nil {
				return err
			}
		}
		for attempt := 0; out == "" && attempt < 8; attempt++ {
			out = core.NewSerial(randomUint64())
			var n int
			if err := t.queryRow(ctx, `SELECT COUNT(*) FROM serials WHERE serial = ?`, string(out)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				out = ""
			}
		}
		mods, _ := json.Marshal(spec.Modules)
		_, err := t.exec(ctx, `INSERT INTO serials (serial, product, edition, modules, kind, capacity, unit, max_activations, months, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(out), spec.Product, spec.Edition.String(), string(mods), spec.Kind.String(),
			spec.Capacity, spec.Unit, spec.MaxActivations, spec.Months, ms(t.now))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create serial: %w", err)
	}
	return out, nil
}

// IssueKey issues a key of spec directly, as printed on a certificate or
// sent by e-mail: held by accountID, or by no account until a customer adds
// it when accountID is empty. The term starts now.
func (s *Store) IssueKey(ctx context.Context, accountID string, spec KeySpec) (core.Key, error) {
	spec, err := spec.normalize(true)
	if err != nil {
		return "", fmt.Errorf("issue key: %w", err)
	}
	var key core.Key
	err = s.inTx(ctx, func(t *tx) error {
		if accountID != "" {
			if _, err := t.account(ctx, accountID); err != nil {
				return err
			}
		}
		row := keyRow{Kind: spec.Kind, AccountID: accountID, Product: spec.Product, Edition: spec.Edition, Modules: spec.Modules,
			Capacity: spec.Capacity, Unit: spec.Unit, MaxActivations: spec.MaxActivations, Source: "vendor",
			IssuedAt: t.now, Expiry: spec.expiry(t.now)}
		if accountID != "" {
			row.AddedAt = t.now
		}
		var err error
		if key, err = t.insertKey(ctx, row); err != nil {
			return err
		}
		if accountID == "" {
			return nil
		}
		if err := t.addProduct(ctx, core.AccountID(accountID), spec.Product, core.SourceRegistration); err != nil {
			return err
		}
		return t.recordChange(ctx, api.KindKey, string(key), accountID, "")
	})
	if err != nil {
		return "", fmt.Errorf("issue key: %w", err)
	}
	return key, nil
}

// UpgradeSpec is a version-upgrade notification the vendor sends an
// account (source 001): the products it may be exchanged for, and up to how
// many.
type UpgradeSpec struct {
	// ID is the notification ID the customer types; random when empty.
	ID string
	// FromKey is the key being upgraded, if any: its support registration
	// carries over to the new key unless the customer edits it.
	FromKey core.Key
	// Offers are the products on offer; their Capacity is ignored, since
	// the quantity chosen becomes the new key's capacity.
	Offers      []KeySpec
	MaxQuantity int
}

// CreateUpgradeNotification records a notification for an account and
// returns its ID.
func (s *Store) CreateUpgradeNotification(ctx context.Context, accountID string, spec UpgradeSpec) (string, error) {
	if len(spec.Offers) == 0 {
		return "", errors.New("create upgrade notification: offer at least one product")
	}
	if spec.MaxQuantity < core.MinUpgradeQuantity || spec.MaxQuantity > core.MaxUpgradeQuantity {
		return "", fmt.Errorf("create upgrade notification: the quantity must be between %d and %d",
			core.MinUpgradeQuantity, core.MaxUpgradeQuantity)
	}
	for i, o := range spec.Offers {
		var err error
		if spec.Offers[i], err = o.normalize(false); err != nil {
			return "", fmt.Errorf("create upgrade notification: offer %d: %w", i+1, err)
		}
	}
	id := spec.ID
	if id == "" {
		var b [10]byte
		rand.Read(b[:])
		id = "UPG-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	}
	req, err := core.UpgradeRequest{NotificationID: id, Product: spec.Offers[0].Product, Quantity: 1}.Validate()
	if err != nil {
		return "", fmt.Errorf("create upgrade notification: %w", err)
	}
	offers, _ := json.Marshal(spec.Offers)
	err = s.inTx(ctx, func(t *tx) error {
		if _, err := t.account(ctx, accountID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO upgrade_notices (id, account_id, from_key, offers, max_quantity, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, req.NotificationID, accountID, string(spec.FromKey), string(offers), spec.MaxQuantity, ms(t.now))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create upgrade notification: %w", err)
	}
	return req.NotificationID, nil
}

// RenewKey sets a key's subscription as the vendor's billing decides: the
// new expiry (zero: perpetual) and whether it renews past it (source 002:
// the client stops at expiry only when the portal says it was not renewed).
func (s *Store) RenewKey(ctx context.Context, key core.Key, expiry time.Time, renewed bool) error {
	return s.inTx(ctx, func(t *tx) error {
		row, err := t.key(ctx, key, true)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE keys SET expiry = ?, renewed = ? WHERE key = ?`, ms(expiry), renewed, string(key)); err != nil {
			return err
		}
		if row.AccountID == "" {
			return nil
		}
		ev := core.Event{At: t.now, Action: auditKeyRenew, Subject: string(key),
			Before: subscriptionText(row.Expiry, row.Renewed), After: subscriptionText(expiry, renewed)}
		if err := t.audit(ctx, core.AccountID(row.AccountID), "", ev); err != nil {
			return err
		}
		return t.recordChange(ctx, api.KindKey, string(key), row.AccountID, "")
	})
}

func subscriptionText(expiry time.Time, renewed bool) string {
	if expiry.IsZero() {
		return "perpetual"
	}
	s := "until " + expiry.UTC().Format(time.RFC3339)
	if renewed {
		s += ", renewed"
	}
	return s
}

// upgradeNotice is a notification as stored.
type upgradeNotice struct {
	ID          string
	AccountID   string
	FromKey     string
	Offers      []KeySpec
	MaxQuantity int
	UsedAt      time.Time
	UsedKey     string
}

var errNoNotice = core.E(core.NotFound, "upgrade.notification_unknown",
	"no upgrade notification with that ID was sent to your accounts: check the ID in the notification e-mail")

func (t *tx) upgradeNotice(ctx context.Context, id string) (upgradeNotice, error) {
	var n upgradeNotice
	var offers string
	var used int64
	err := t.queryRow(ctx, `SELECT id, account_id, from_key, offers, max_quantity, used_at, used_key FROM upgrade_notices
		WHERE id = ?`+t.d.forUpdate(), id).Scan(&n.ID, &n.AccountID, &n.FromKey, &offers, &n.MaxQuantity, &used, &n.UsedKey)
	if errors.Is(err, sql.ErrNoRows) {
		return n, errNoNotice
	}
	if err != nil {
		return n, fmt.Errorf("upgrade notification: %w", err)
	}
	if err := json.Unmarshal([]byte(offers), &n.Offers); err != nil {
		return n, fmt.Errorf("upgrade notification %s offers: %w", id, err)
	}
	n.UsedAt = fromMS(used)
	return n, nil
}

// randRead fills b with random bytes (crypto/rand never fails on the
// systems Go supports; it crashes the program rather than return short).
func randRead(b []byte) { rand.Read(b) }

// randomUint64 reads 8 random bytes.
func randomUint64() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:])
}

// UpgradeNotices lists the upgrade notifications sent to the accounts the
// caller may register products for, and not exchanged yet, oldest first.
func (s *Store) UpgradeNotices(ctx context.Context, c Caller) ([]api.UpgradeNotice, error) {
	out := []api.UpgradeNotice{}
	err := s.readTx(ctx, func(t *tx) error {
		for _, m := range c.Memberships {
			acct, err := t.account(ctx, m.AccountID)
			if err != nil {
				return err
			}
			if core.Authorize(c.actor(), core.RegisterProduct, acct) != nil {
				continue
			}
			rows, err := t.query(ctx, `SELECT id, offers, max_quantity, created_at FROM upgrade_notices
				WHERE account_id = ? AND used_at = 0 ORDER BY created_at, id`, m.AccountID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, offers string
				var maxQ int
				var created int64
				if err := rows.Scan(&id, &offers, &maxQ, &created); err != nil {
					rows.Close()
					return err
				}
				var specs []KeySpec
				if err := json.Unmarshal([]byte(offers), &specs); err != nil {
					rows.Close()
					return fmt.Errorf("upgrade notification %s offers: %w", id, err)
				}
				n := api.UpgradeNotice{ID: id, AccountID: m.AccountID, AccountName: acct.Name, MaxQuantity: maxQ,
					SentAt: fromMS(created), Products: []string{}}
				for _, sp := range specs {
					n.Products = append(n.Products, sp.Product)
				}
				out = append(out, n)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upgrade notifications: %w", err)
	}
	return out, nil
}
