package store_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/portal/store"
	"github.com/licdesk/licdesk/portal/store/storetest"
)

// keyWorld is a fresh store on one backend with an owner and a stranger,
// and a clock the test moves.
type keyWorld struct {
	t        *testing.T
	ctx      context.Context
	s        *store.Store
	mu       sync.Mutex
	now      time.Time
	owner    store.Caller
	acct     string
	stranger store.Caller
	other    string // the stranger's account
}

func (w *keyWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *keyWorld) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

func eachKeyWorld(t *testing.T, fn func(t *testing.T, w *keyWorld)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := &keyWorld{t: t, ctx: context.Background(), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			s, err := store.Open(w.ctx, b.DSN, store.WithClock(w.clock), store.WithKeyEncryptionKey(testKEK(t)))
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			w.s = s
			w.owner, w.acct = w.user("ana@acme.example", "Acme")
			w.stranger, w.other = w.user("eve@evil.example", "Evil")
			fn(t, w)
		})
	}
}

func (w *keyWorld) user(email, name string) (store.Caller, string) {
	u, err := w.s.CreateUser(w.ctx, core.Email(email), name, name, "x")
	require.NoError(w.t, err)
	require.NoError(w.t, w.s.MarkVerified(w.ctx, core.Email(email)))
	c, err := w.s.Caller(w.ctx, u.ID)
	require.NoError(w.t, err)
	acct, err := w.s.OwnedAccount(w.ctx, u.ID)
	require.NoError(w.t, err)
	return c, acct
}

func myq(kind core.KeyKind, devices int) store.KeySpec {
	return store.KeySpec{Product: "MyQ Print Server", Edition: core.EditionProfessional, Modules: []string{"Print", "Scan"},
		Kind: kind, Capacity: devices, Unit: "devices", Months: 12}
}

var reg = api.Registration{Company: "Acme", Person: "Ana Souza", Address: "Rua 1", Country: "br", Email: "Ana@Acme.example"}

// licenseKey registers a fresh serial for n devices into a key of the
// owner's account.
func (w *keyWorld) licenseKey(n int) api.Key {
	w.t.Helper()
	serial, err := w.s.CreateSerial(w.ctx, "", myq(core.LicenseKey, n))
	require.NoError(w.t, err)
	k, err := w.s.GetKey(w.ctx, w.owner, store.Write{}, api.GetKeyRequest{Serial: string(serial), Registration: reg, Confirm: true})
	require.NoError(w.t, err)
	return k
}

func fp(machine string) map[string]string {
	return map[string]string{"cpu": machine + "-cpu", "disk": machine + "-disk", "mac": machine + "-mac"}
}

// snapshot is everything the owner's keys hold, to prove a refusal changed
// nothing.
func (w *keyWorld) snapshot() string {
	w.t.Helper()
	l, err := w.s.Keys(w.ctx, w.owner)
	require.NoError(w.t, err)
	audit, err := w.s.Audit(w.ctx, w.owner, store.AuditQuery{AccountID: w.acct})
	require.NoError(w.t, err)
	b, _ := json.Marshal([]any{l, audit})
	return string(b)
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, code, core.CodeOf(err), "%v", err)
}

func TestSigningKeys_FirstUseGeneratesOneKeyOnceEvenWhenRacedAndRotationKeepsOldKeysPublished(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		var wg sync.WaitGroup
		kids := make([]string, 8)
		for i := range kids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys, err := w.s.SigningKeys(w.ctx)
				if assert.NoError(t, err) && assert.Len(t, keys, 1) {
					kids[i] = keys[0].KeyID
				}
			}()
		}
		wg.Wait()
		for _, k := range kids {
			assert.Equal(t, kids[0], k, "every instance signs with the one key generated")
		}

		rotated, err := w.s.RotateSigningKey(w.ctx)
		require.NoError(t, err)
		keys, err := w.s.SigningKeys(w.ctx)
		require.NoError(t, err)
		require.Len(t, keys, 2)
		assert.Equal(t, rotated.KeyID, keys[0].KeyID)
		assert.True(t, keys[0].Active)
		assert.Equal(t, kids[0], keys[1].KeyID, "the old key stays published")
		assert.False(t, keys[1].Active)
		assert.False(t, keys[1].RetiredAt.IsZero())

		// The active key signs: an activation verifies under it.
		k := w.licenseKey(5)
		a, err := w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: fp("m1"), Machine: "m1"})
		require.NoError(t, err)
		trusted, err := w.s.TrustedKeys(w.ctx)
		require.NoError(t, err)
		p, err := licensefile.Verify([]byte(a.LicenseFile), trusted)
		require.NoError(t, err)
		assert.Equal(t, rotated.KeyID, p.KeyID)
	})
}

func TestGetKey_PreviewWritesNothingAndConfirmUsesTheSerialOnce(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		serial, err := w.s.CreateSerial(w.ctx, "", myq(core.LicenseKey, 25))
		require.NoError(t, err)
		req := api.GetKeyRequest{Serial: string(serial), Registration: reg}

		before := w.snapshot()
		pv, err := w.s.PreviewKey(w.ctx, w.owner, req)
		require.NoError(t, err)
		assert.Equal(t, "MyQ Print Server", pv.Product)
		assert.Equal(t, 25, pv.Capacity)
		assert.Equal(t, "license", pv.Kind)
		assert.Equal(t, w.acct, pv.AccountID)
		assert.Equal(t, "BR", pv.Registration.Country, "the registration is shown normalised")
		assert.Equal(t, "ana@acme.example", pv.Registration.Email)
		require.NotNil(t, pv.Expiry)
		assert.Equal(t, w.now.AddDate(1, 0, 0), *pv.Expiry)
		assert.Equal(t, before, w.snapshot(), "a preview writes nothing")

		req.Confirm = true
		k, err := w.s.GetKey(w.ctx, w.owner, store.Write{}, req)
		require.NoError(t, err)
		assert.Equal(t, core.LicenseKey, core.Key(k.Key).Kind())
		assert.Equal(t, string(serial), k.Serial)
		assert.Equal(t, "added", k.Status, "a license key waits for its activation")
		assert.Equal(t, "ana@acme.example", k.Registration.Email)

		products, err := w.s.Products(w.ctx, w.owner)
		require.NoError(t, err)
		require.Len(t, products, 1, "a registration lists the product")
		assert.Equal(t, "registration", products[0].Source)

		before = w.snapshot()
		for name, tc := range map[string]struct {
			c    store.Caller
			req  api.GetKeyRequest
			code string
		}{
			"the same serial again":            {w.owner, req, "serial.used"},
			"the same serial by someone else":  {w.stranger, req, "serial.used"},
			"a serial nobody issued":           {w.owner, api.GetKeyRequest{Serial: string(core.NewSerial(42)), Registration: reg, Confirm: true}, "serial.unknown"},
			"a serial with a typo":             {w.owner, api.GetKeyRequest{Serial: "6SWB-NZ9Y-4HMW", Registration: reg, Confirm: true}, core.CodeSerialChecksum},
			"a serial of the wrong shape":      {w.owner, api.GetKeyRequest{Serial: "12345", Registration: reg, Confirm: true}, core.CodeSerialFormat},
			"a registration without a company": {w.owner, api.GetKeyRequest{Serial: string(serial), Registration: api.Registration{Person: "A", Address: "B", Country: "BR", Email: "a@b.example"}, Confirm: true}, core.CodeRegistrationMissing},
			"a registration in no country":     {w.owner, api.GetKeyRequest{Serial: string(serial), Registration: api.Registration{Company: "C", Person: "A", Address: "B", Country: "XX", Email: "a@b.example"}, Confirm: true}, core.CodeRegistrationCountry},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.s.GetKey(w.ctx, tc.c, store.Write{}, tc.req)
				requireCode(t, err, tc.code)
			})
		}
		// Into another account: hidden as not found.
		other, err := w.s.CreateSerial(w.ctx, "", myq(core.LicenseKey, 1))
		require.NoError(t, err)
		_, err = w.s.GetKey(w.ctx, w.stranger, store.Write{}, api.GetKeyRequest{Serial: string(other), Registration: reg, AccountID: w.acct, Confirm: true})
		requireCode(t, err, "not_found")
		assert.Equal(t, before, w.snapshot(), "nothing changed")
	})
}

func TestUpgradeKey_ExchangesANotificationOnceForTheChosenProductAndQuantity(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		from := w.licenseKey(25)
		offer := myq(core.LicenseKey, 0)
		offer.Product = "MyQ Print Server 11"
		id, err := w.s.CreateUpgradeNotification(w.ctx, w.acct, store.UpgradeSpec{ID: "upg-2026-0001", FromKey: core.Key(from.Key),
			Offers: []store.KeySpec{offer}, MaxQuantity: 25})
		require.NoError(t, err)
		assert.Equal(t, "UPG-2026-0001", id, "stored upper case")

		before := w.snapshot()
		for name, tc := range map[string]struct {
			c    store.Caller
			req  api.UpgradeKeyRequest
			code string
		}{
			"a notification nobody sent":      {w.owner, api.UpgradeKeyRequest{NotificationID: "UPG-NOPE-0000", Product: offer.Product, Quantity: 5}, "upgrade.notification_unknown"},
			"another account's notification":  {w.stranger, api.UpgradeKeyRequest{NotificationID: id, Product: offer.Product, Quantity: 5}, "upgrade.notification_unknown"},
			"a malformed notification ID":     {w.owner, api.UpgradeKeyRequest{NotificationID: "x", Product: offer.Product, Quantity: 5}, core.CodeUpgradeNotification},
			"a product it does not offer":     {w.owner, api.UpgradeKeyRequest{NotificationID: id, Product: "Other", Quantity: 5}, "upgrade.product_not_offered"},
			"more than it covers":             {w.owner, api.UpgradeKeyRequest{NotificationID: id, Product: offer.Product, Quantity: 26}, "upgrade.quantity_exceeds"},
			"a quantity of zero":              {w.owner, api.UpgradeKeyRequest{NotificationID: id, Product: offer.Product, Quantity: 0}, core.CodeUpgradeQuantity},
			"an edited registration, invalid": {w.owner, api.UpgradeKeyRequest{NotificationID: id, Product: offer.Product, Quantity: 5, Registration: &api.Registration{Company: "C"}}, core.CodeRegistrationMissing},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.s.UpgradeKey(w.ctx, tc.c, store.Write{}, tc.req)
				requireCode(t, err, tc.code)
			})
		}
		assert.Equal(t, before, w.snapshot(), "refusals change nothing")

		k, err := w.s.UpgradeKey(w.ctx, w.owner, store.Write{}, api.UpgradeKeyRequest{NotificationID: "upg-2026-0001", Product: "myq print server 11", Quantity: 20})
		require.NoError(t, err)
		assert.Equal(t, "MyQ Print Server 11", k.Product)
		assert.Equal(t, 20, k.Capacity)
		assert.Equal(t, "upgrade", k.Source)
		assert.Equal(t, id, k.NotificationID)
		assert.Equal(t, from.Registration, k.Registration, "the support registration carries over")

		_, err = w.s.UpgradeKey(w.ctx, w.owner, store.Write{}, api.UpgradeKeyRequest{NotificationID: id, Product: offer.Product, Quantity: 5})
		requireCode(t, err, "upgrade.notification_used")
	})
}

func TestAddKey_AnInstallKeyIsActivatedAtOnceALicenseKeyWaits(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		ins, err := w.s.IssueKey(w.ctx, "", myq(core.InstallKey, 5))
		require.NoError(t, err)
		lic, err := w.s.IssueKey(w.ctx, "", myq(core.LicenseKey, 10))
		require.NoError(t, err)

		before := w.snapshot()
		for name, tc := range map[string]struct {
			req  api.AddKeyRequest
			code string
		}{
			"an install key without a fingerprint": {api.AddKeyRequest{Key: string(ins)}, activation.CodeRequestInvalid},
			"an install key without a machine":     {api.AddKeyRequest{Key: string(ins), Fingerprint: fp("m1")}, activation.CodeRequestInvalid},
			"a license key with a fingerprint":     {api.AddKeyRequest{Key: string(lic), Fingerprint: fp("m1"), Machine: "m1"}, "key.activate_separately"},
			"a key nobody issued":                  {api.AddKeyRequest{Key: "LIC-00000-00000-00000-00000-00000"}, "key.unknown"},
			"a key with a typo":                    {api.AddKeyRequest{Key: typo(lic)}, core.CodeKeyChecksum},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.s.AddKey(w.ctx, w.owner, store.Write{}, tc.req)
				requireCode(t, err, tc.code)
			})
		}
		assert.Equal(t, before, w.snapshot())

		got, err := w.s.AddKey(w.ctx, w.owner, store.Write{}, api.AddKeyRequest{Key: string(ins), Fingerprint: fp("m1"), Machine: "m1"})
		require.NoError(t, err)
		require.NotNil(t, got.Activation, "an install key is activated as it is added")
		assert.Equal(t, "install", got.Activation.Activation.Mode)
		assert.Equal(t, "active", got.Key.Status)

		got, err = w.s.AddKey(w.ctx, w.owner, store.Write{}, api.AddKeyRequest{Key: string(lic)})
		require.NoError(t, err)
		assert.Nil(t, got.Activation)
		assert.Equal(t, "added", got.Key.Status)
		assert.Equal(t, w.acct, got.Key.AccountID)

		again, err := w.s.AddKey(w.ctx, w.owner, store.Write{}, api.AddKeyRequest{Key: string(lic)})
		require.NoError(t, err, "adding a key the account holds changes nothing")
		assert.Equal(t, got.Key, again.Key)

		_, err = w.s.AddKey(w.ctx, w.stranger, store.Write{}, api.AddKeyRequest{Key: string(lic)})
		requireCode(t, err, "key.other_account")
	})
}

func TestKeys_CapacityIsTheSumOfTheActivatedLiveKeysOfAProduct(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		ten, one, five := w.licenseKey(10), w.licenseKey(1), w.licenseKey(5)
		capacity := func() []api.Capacity {
			l, err := w.s.Keys(w.ctx, w.owner)
			require.NoError(t, err)
			return l.Capacity
		}
		assert.Empty(t, capacity(), "keys added but not activated license nothing")
		var acts []api.Activated
		for i, k := range []api.Key{ten, one, five} {
			m := string(rune('a' + i))
			a, err := w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: fp(m), Machine: m})
			require.NoError(t, err)
			acts = append(acts, a)
		}
		assert.Equal(t, []api.Capacity{{AccountID: w.acct, Product: "MyQ Print Server", Unit: "devices", Total: 16, Keys: 3}}, capacity(),
			"source 002: ten + one + five devices")

		_, err := w.s.Deactivate(w.ctx, w.owner, store.Write{}, acts[1].Activation.ID)
		require.NoError(t, err)
		assert.Equal(t, 15, capacity()[0].Total, "a deactivated key stops counting")

		require.NoError(t, w.s.RenewKey(w.ctx, core.Key(five.Key), w.now.Add(core.Day), false))
		w.advance(2 * core.Day)
		assert.Equal(t, 10, capacity()[0].Total, "an expired key stops counting")

		l, err := w.s.Keys(w.ctx, w.stranger)
		require.NoError(t, err)
		assert.Empty(t, l.Keys, "another account sees none of them")
		assert.Empty(t, l.Capacity)
	})
}

func TestActivate_LimitPerKeySameMachineReusesAndDeactivationFreesASlot(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25)
		act := func(machine string, f map[string]string) (api.Activated, error) {
			return w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: f, Machine: machine})
		}
		first, err := act("srv1", fp("srv1"))
		require.NoError(t, err)
		assert.False(t, first.Reused)

		// The same server with a new disk: still the same machine.
		changed := fp("srv1")
		changed["disk"] = "new-disk"
		again, err := act("srv1", changed)
		require.NoError(t, err)
		assert.True(t, again.Reused)
		assert.Equal(t, first.Activation.ID, again.Activation.ID)
		assert.Equal(t, "new-disk", again.Activation.Fingerprint["disk"], "rebound to the machine as it is now")

		before := w.snapshot()
		_, err = act("srv2", fp("srv2"))
		requireCode(t, err, "activation.limit")
		assert.Equal(t, before, w.snapshot(), "nothing changed")

		_, err = w.s.Activate(w.ctx, w.stranger, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: fp("x"), Machine: "x"})
		requireCode(t, err, "key.not_found")
		_, err = w.s.Deactivate(w.ctx, w.stranger, store.Write{}, first.Activation.ID)
		requireCode(t, err, "activation.not_found")
		assert.Equal(t, before, w.snapshot(), "nothing changed")

		gone, err := w.s.Deactivate(w.ctx, w.owner, store.Write{}, first.Activation.ID)
		require.NoError(t, err)
		assert.Equal(t, "deactivated", gone.State)
		assert.Equal(t, "online", gone.DeactivatedBy)
		_, err = w.s.Deactivate(w.ctx, w.owner, store.Write{}, first.Activation.ID)
		requireCode(t, err, core.CodeActivationInactive)

		second, err := act("srv2", fp("srv2"))
		require.NoError(t, err, "the freed slot takes a new machine")
		assert.NotEqual(t, first.Activation.ID, second.Activation.ID)

		require.NoError(t, w.s.RenewKey(w.ctx, core.Key(k.Key), w.now.Add(time.Hour), false))
		w.advance(2 * time.Hour)
		_, err = act("srv2", fp("srv2"))
		requireCode(t, err, "key.expired")
	})
}

func TestActivateOffline_AnsweredOnceForTheCallersKeysOnly(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25)
		k.MaxActivations = 1
		req := activation.Request{Key: core.Key(k.Key), Machine: "offline-srv", Fingerprint: fp("off"),
			Nonce: activation.NewNonce([16]byte{7}), Created: w.now}
		file, err := req.Encode()
		require.NoError(t, err)

		res, err := w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, file)
		require.NoError(t, err)
		trusted, err := w.s.TrustedKeys(w.ctx)
		require.NoError(t, err)
		resp, p, err := activation.OpenResponse([]byte(res.Response), req, trusted)
		require.NoError(t, err, "the machine imports the response")
		assert.Equal(t, res.Activation.ID, resp.ActivationID)
		assert.Equal(t, res.LicenseFile, string(resp.License))
		assert.Equal(t, licensefile.KindActivation, p.Kind)
		assert.Equal(t, "offline", res.Activation.Mode)

		before := w.snapshot()
		_, err = w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, file)
		requireCode(t, err, "activation.request_replayed")

		// The same nonce in a request for another key of the account.
		other := w.licenseKey(5)
		copied := req
		copied.Key = core.Key(other.Key)
		cf, err := copied.Encode()
		require.NoError(t, err)
		_, err = w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, cf)
		requireCode(t, err, "activation.request_replayed")

		// A fresh request for the owner's key, fulfilled by a stranger.
		req.Nonce = activation.NewNonce([16]byte{8})
		sf, err := req.Encode()
		require.NoError(t, err)
		_, err = w.s.ActivateOffline(w.ctx, w.stranger, store.Write{}, sf)
		requireCode(t, err, "key.not_found")

		_, err = w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, sf[:len(sf)/2])
		requireCode(t, err, activation.CodeRequestMalformed)
		_, err = w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, make([]byte, activation.MaxFileSize+1))
		requireCode(t, err, activation.CodeRequestTooLarge)

		ins, err := w.s.IssueKey(w.ctx, w.acct, myq(core.InstallKey, 1))
		require.NoError(t, err)
		ir := req
		ir.Key, ir.Nonce = ins, activation.NewNonce([16]byte{9})
		inf, err := ir.Encode()
		require.NoError(t, err)
		_, err = w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, inf)
		requireCode(t, err, "activation.install_key_offline")
		// IssueKey added a key: compare what the refusals could have touched.
		l, err := w.s.Keys(w.ctx, w.owner)
		require.NoError(t, err)
		n := 0
		for _, k := range l.Keys {
			n += len(k.Activations)
		}
		assert.Equal(t, 1, n, "only the first request activated anything")
		_ = before
	})
}

func TestDeactivateByReceipt_FreesTheActivationOnlyOnAGenuineCurrentReceipt(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25)
		req := activation.Request{Key: core.Key(k.Key), Machine: "offline-srv", Fingerprint: fp("off"),
			Nonce: activation.NewNonce([16]byte{1}), Created: w.now}
		file, err := req.Encode()
		require.NoError(t, err)
		res, err := w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, file)
		require.NoError(t, err)
		trusted, err := w.s.TrustedKeys(w.ctx)
		require.NoError(t, err)
		resp, _, err := activation.OpenResponse([]byte(res.Response), req, trusted)
		require.NoError(t, err)

		receipt := func(nonce string, at time.Time, secret []byte) []byte {
			r, err := activation.NewReceipt(resp.ActivationID, nonce, at, secret)
			require.NoError(t, err)
			b, err := r.Encode()
			require.NoError(t, err)
			return b
		}
		wrong := make([]byte, activation.SecretSize)
		before := w.snapshot()
		for name, tc := range map[string]struct {
			c    store.Caller
			file []byte
			code string
		}{
			"made without the secret":       {w.owner, receipt(resp.Nonce, w.now, wrong), activation.CodeReceiptMAC},
			"for another request":           {w.owner, receipt(activation.NewNonce([16]byte{2}), w.now, resp.Secret), "activation.receipt_stale"},
			"dated before the activation":   {w.owner, receipt(resp.Nonce, w.now.Add(-time.Hour), resp.Secret), "activation.receipt_time"},
			"dated in the future":           {w.owner, receipt(resp.Nonce, w.now.Add(time.Hour), resp.Secret), "activation.receipt_time"},
			"brought by another account":    {w.stranger, receipt(resp.Nonce, w.now, resp.Secret), "activation.not_found"},
			"cut short":                     {w.owner, receipt(resp.Nonce, w.now, resp.Secret)[:100], activation.CodeReceiptMalformed},
			"an activation request instead": {w.owner, file, activation.CodeReceiptMalformed},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := w.s.DeactivateByReceipt(w.ctx, tc.c, store.Write{}, tc.file)
				requireCode(t, err, tc.code)
			})
		}
		assert.Equal(t, before, w.snapshot(), "nothing changed")

		w.advance(time.Minute)
		good := receipt(resp.Nonce, w.now, resp.Secret)
		d, err := w.s.DeactivateByReceipt(w.ctx, w.owner, store.Write{}, good)
		require.NoError(t, err)
		assert.Equal(t, "deactivated", d.Activation.State)
		assert.Equal(t, "receipt", d.Activation.DeactivatedBy)
		conf, err := licensefile.Verify([]byte(d.Confirmation), trusted)
		require.NoError(t, err)
		assert.Equal(t, licensefile.KindDeactivationReceipt, conf.Kind)
		assert.Equal(t, resp.ActivationID, conf.ActivationID)

		_, err = w.s.DeactivateByReceipt(w.ctx, w.owner, store.Write{}, good)
		requireCode(t, err, core.CodeActivationInactive)

		// A receipt written before the machine was activated again is stale.
		req.Nonce = activation.NewNonce([16]byte{3})
		f2, _ := req.Encode()
		res2, err := w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, f2)
		require.NoError(t, err)
		resp2, _, err := activation.OpenResponse([]byte(res2.Response), req, trusted)
		require.NoError(t, err)
		req.Nonce = activation.NewNonce([16]byte{4})
		f3, _ := req.Encode()
		res3, err := w.s.ActivateOffline(w.ctx, w.owner, store.Write{}, f3)
		require.NoError(t, err)
		require.True(t, res3.Reused)
		old, err := activation.NewReceipt(resp2.ActivationID, resp2.Nonce, w.now, resp2.Secret)
		require.NoError(t, err)
		of, _ := old.Encode()
		_, err = w.s.DeactivateByReceipt(w.ctx, w.owner, store.Write{}, of)
		requireCode(t, err, "activation.receipt_stale")
	})
}

func TestLease_SignedForTheEffectiveLicenseOnlyWhileTheCallerHoldsAnAssignedSeat(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		_, err := w.s.Lease(w.ctx, w.owner, api.LeaseRequest{Product: "Eberick"})
		requireCode(t, err, core.CodeCloudLoginNoSeat)

		lic, err := w.s.IssueLicense(w.ctx, w.acct, store.LicenseSpec{Product: "Eberick", Edition: core.EditionProfessional,
			Modules: []string{"Concrete"}, Seats: 2, Start: w.now.AddDate(0, -1, 0), Expiry: w.now.AddDate(1, 0, 0)})
		require.NoError(t, err)
		_, err = w.s.AssignSeat(w.ctx, w.owner, store.Write{}, lic, "ana@acme.example")
		require.NoError(t, err)

		l, err := w.s.Lease(w.ctx, w.owner, api.LeaseRequest{Product: "Eberick"})
		require.NoError(t, err)
		assert.Equal(t, lic, l.LicenseID)
		assert.Equal(t, "default", l.Adoption)
		assert.Equal(t, w.now.AddDate(1, 0, 0).Add(core.WarnDays*core.Day), l.LeaseEnd, "a subscription's lease runs to the end of its offline countdown")
		trusted, err := w.s.TrustedKeys(w.ctx)
		require.NoError(t, err)
		p, err := licensefile.Verify([]byte(l.LeaseFile), trusted)
		require.NoError(t, err)
		assert.Equal(t, licensefile.KindLease, p.Kind)
		assert.Equal(t, "ana@acme.example", p.Assignee)
		assert.NoError(t, p.CheckTime(w.now.Add(6*core.Day), 0))
		assert.Empty(t, p.Fingerprint, "no fingerprint sent: an unbound lease, for older clients")

		_, err = w.s.Lease(w.ctx, w.stranger, api.LeaseRequest{Product: "Eberick"})
		requireCode(t, err, core.CodeCloudLoginNoSeat)
		_, err = w.s.Lease(w.ctx, w.owner, api.LeaseRequest{Product: " "})
		requireCode(t, err, core.CodeProductMissing)
	})
}

func TestSubscriptions_GiveTheClientExpiryRenewalAndTheTenDayRule(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(5)
		require.NoError(t, w.s.RenewKey(w.ctx, core.Key(k.Key), w.now.Add(8*core.Day), false))
		lic, err := w.s.IssueLicense(w.ctx, w.acct, store.LicenseSpec{Product: "Eberick", Edition: core.EditionBasic, Seats: 1,
			Start: w.now, Expiry: w.now.AddDate(1, 0, 0)})
		require.NoError(t, err)
		_, err = w.s.AssignSeat(w.ctx, w.owner, store.Write{}, lic, "ana@acme.example")
		require.NoError(t, err)

		subs, err := w.s.Subscriptions(w.ctx, w.owner)
		require.NoError(t, err)
		require.Len(t, subs, 2)
		assert.Equal(t, "license", subs[0].Source)
		assert.Equal(t, lic, subs[0].ID)
		assert.Equal(t, "active", subs[0].Phase)
		assert.True(t, subs[0].Renewed)

		ks := subs[1]
		assert.Equal(t, "key", ks.Source)
		assert.Equal(t, "warning", ks.Phase, "8 days left and not renewed: the banner shows")
		assert.Equal(t, 8, ks.DaysLeft)
		assert.Equal(t, 10, ks.WarnDays)
		assert.Equal(t, w.now.Add(-2*core.Day), *ks.WarnFrom)
		assert.Equal(t, w.now.Add(18*core.Day), *ks.StopsIfUnreachable, "expiry + 10 days")

		require.NoError(t, w.s.RenewKey(w.ctx, core.Key(k.Key), w.now.Add(8*core.Day), true))
		subs, err = w.s.Subscriptions(w.ctx, w.owner)
		require.NoError(t, err)
		assert.Equal(t, "active", subs[1].Phase, "renewed: no banner")

		subs, err = w.s.Subscriptions(w.ctx, w.stranger)
		require.NoError(t, err)
		assert.Empty(t, subs)
	})
}

func TestFeed_KeysAndActivationsReachTheirAccountOnlyInChangesAndSnapshots(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		first, err := w.s.Changes(w.ctx, w.owner, "")
		require.NoError(t, err)
		strangerCursor, err := w.s.Changes(w.ctx, w.stranger, "")
		require.NoError(t, err)

		k := w.licenseKey(5)
		a, err := w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: fp("m"), Machine: "m"})
		require.NoError(t, err)

		page, err := w.s.Changes(w.ctx, w.owner, first.Cursor)
		require.NoError(t, err)
		kinds := map[string]string{}
		for _, c := range page.Changes {
			kinds[c.Kind] = c.ID
		}
		assert.Equal(t, k.Key, kinds[api.KindKey])
		assert.Equal(t, a.Activation.ID, kinds[api.KindActivation])
		for _, c := range page.Changes {
			if c.Kind == api.KindKey {
				var v api.Key
				require.NoError(t, json.Unmarshal(c.Data, &v))
				assert.Equal(t, "active", v.Status)
				require.Len(t, v.Activations, 1)
			}
		}

		snap, err := w.s.Changes(w.ctx, w.owner, "")
		require.NoError(t, err)
		for !snap.Complete {
			next, err := w.s.Changes(w.ctx, w.owner, snap.Cursor)
			require.NoError(t, err)
			snap.Changes, snap.Complete, snap.Cursor = append(snap.Changes, next.Changes...), next.Complete, next.Cursor
		}
		seen := map[string]bool{}
		for _, c := range snap.Changes {
			seen[c.Kind+"/"+c.ID] = true
		}
		assert.True(t, seen[api.KindKey+"/"+k.Key])
		assert.True(t, seen[api.KindActivation+"/"+a.Activation.ID])

		other, err := w.s.Changes(w.ctx, w.stranger, strangerCursor.Cursor)
		require.NoError(t, err)
		for _, c := range other.Changes {
			assert.NotContains(t, []string{api.KindKey, api.KindActivation}, c.Kind, "another account's keys never reach the stranger")
		}
	})
}

// typo changes the last symbol of a key, which its check symbol catches.
func typo(k core.Key) string {
	last := k[len(k)-1]
	if last == '0' {
		return string(k[:len(k)-1]) + "1"
	}
	return string(k[:len(k)-1]) + "0"
}

func TestActivate_ConcurrentMachinesRacingForTheLastActivationGetItOnce(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25) // one activation
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := string(rune('a' + i))
				_, errs[i] = w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: fp(m), Machine: m})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			assert.Equal(t, "activation.limit", core.CodeOf(err), "%v", err)
		}
		assert.Equal(t, 1, won)
		l, err := w.s.Keys(w.ctx, w.owner)
		require.NoError(t, err)
		assert.Equal(t, 1, l.Keys[0].ActiveActivations)
	})
}

// six is a machine with every component of a real fingerprint.
func six(machine string) map[string]string {
	return map[string]string{"machine_id": machine + "-id", "board": machine + "-board", "disk": machine + "-disk",
		"mac": machine + "-mac", "cpu": "intel-6-106", "memory": "16GiB"}
}

func TestActivate_AFingerprintSharingOnlyWeakComponentsIsAnotherMachineAndCannotTakeTheActivation(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25) // one activation
		first, err := w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: six("srv1"), Machine: "srv1"})
		require.NoError(t, err)
		before := w.snapshot()
		for name, f := range map[string]map[string]string{
			// Issue 11: only the CPU shared, the rest left out, was "1 of 1".
			"crafted: the CPU only":                   {"cpu": "intel-6-106"},
			"crafted: CPU, memory and unknown extras": {"cpu": "intel-6-106", "memory": "16GiB", "host": "x"},
			// Two machines of one model: same CPU and memory, nothing else.
			"twin machine": six("srv2"),
		} {
			_, err := w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: f, Machine: "m2"})
			requireCode(t, err, core.CodeActivationLimit)
			assert.Equal(t, before, w.snapshot(), "%s: nothing changed, the bound fingerprint is untouched", name)
		}
		l, err := w.s.Keys(w.ctx, w.owner)
		require.NoError(t, err)
		assert.Equal(t, 1, l.Keys[0].ActiveActivations)
		assert.Equal(t, six("srv1"), l.Keys[0].Activations[0].Fingerprint)
		assert.Equal(t, first.Activation.ID, l.Keys[0].Activations[0].ID)
	})
}

func TestActivate_AReBindIsAuditedCountedAndLimitedToThreePerKeyInThirtyDays(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25)
		act := func(f map[string]string) (api.Activated, error) {
			return w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: f, Machine: "srv1"})
		}
		cur := six("srv1")
		first, err := act(cur)
		require.NoError(t, err)

		same, err := act(cur)
		require.NoError(t, err)
		assert.True(t, same.Reused)
		assert.False(t, same.Rebound, "the same machine as it was is no re-bind")

		for i, part := range []string{"disk", "board", "mac"} {
			cur[part] = "new-" + part
			got, err := act(cur)
			require.NoError(t, err, "re-bind %d", i+1)
			assert.True(t, got.Rebound)
			assert.Equal(t, first.Activation.ID, got.Activation.ID)
			assert.Equal(t, cur, got.Activation.Fingerprint)
		}
		audit, err := w.s.Audit(w.ctx, w.owner, store.AuditQuery{AccountID: w.acct})
		require.NoError(t, err)
		rebinds := 0
		for _, e := range audit {
			if e.Action == core.AuditRebind {
				rebinds++
				assert.Contains(t, e.After, "of them strong")
			}
		}
		assert.Equal(t, 3, rebinds, "every re-bind is in the audit trail")

		before := w.snapshot()
		cur["machine_id"] = "new-id"
		_, err = act(cur)
		requireCode(t, err, core.CodeActivationRebindLimit)
		assert.Equal(t, before, w.snapshot(), "a refused re-bind changes nothing")

		w.advance((core.RebindWindowDays + 1) * core.Day)
		got, err := act(cur)
		require.NoError(t, err, "the window moved on")
		assert.True(t, got.Rebound)
	})
}

func TestActivate_ConcurrentReBindsCannotExceedTheLimit(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		k := w.licenseKey(25)
		_, err := w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: six("srv1"), Machine: "srv1"})
		require.NoError(t, err)
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f := six("srv1")
				f["disk"] = "disk-" + string(rune('a'+i))
				_, errs[i] = w.s.Activate(w.ctx, w.owner, store.Write{}, api.ActivateRequest{Key: k.Key, Fingerprint: f, Machine: "srv1"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			assert.Equal(t, core.CodeActivationRebindLimit, core.CodeOf(err), "%v", err)
		}
		assert.Equal(t, core.MaxRebinds, won)
	})
}

func TestLease_IsBoundToTheCallersMachineAndRunsToTheEndOfTheOfflineCountdown(t *testing.T) {
	eachKeyWorld(t, func(t *testing.T, w *keyWorld) {
		expiry := w.now.AddDate(0, 0, 3)
		lic, err := w.s.IssueLicense(w.ctx, w.acct, store.LicenseSpec{Product: "Eberick", Edition: core.EditionProfessional,
			Seats: 1, Start: w.now.AddDate(0, -1, 0), Expiry: expiry})
		require.NoError(t, err)
		_, err = w.s.AssignSeat(w.ctx, w.owner, store.Write{}, lic, "ana@acme.example")
		require.NoError(t, err)

		l, err := w.s.Lease(w.ctx, w.owner, api.LeaseRequest{Product: "Eberick", Fingerprint: six("laptop")})
		require.NoError(t, err)
		assert.Equal(t, expiry.Add(core.WarnDays*core.Day), l.LeaseEnd, "not 7 days: the lease never stops before the countdown")
		trusted, err := w.s.TrustedKeys(w.ctx)
		require.NoError(t, err)
		p, err := licensefile.Verify([]byte(l.LeaseFile), trusted)
		require.NoError(t, err)
		assert.Equal(t, six("laptop"), p.Fingerprint, "bound like an activation")

		_, err = w.s.Lease(w.ctx, w.owner, api.LeaseRequest{Product: "Eberick", Fingerprint: map[string]string{"cpu": "intel-6-106"}})
		requireCode(t, err, core.CodeActivationFingerprint)
		_, err = w.s.Lease(w.ctx, w.owner, api.LeaseRequest{Product: "Eberick", Fingerprint: map[string]string{"BAD NAME": "x"}})
		requireCode(t, err, core.CodeActivationFingerprint)
	})
}
