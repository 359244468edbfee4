package portal_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/portal"
	"github.com/licdesk/licdesk/portal/mail"
	"github.com/licdesk/licdesk/portal/store"
)

var keyReg = api.Registration{Company: "Acme", Person: "Ana Souza", Address: "Rua 1", Country: "BR", Email: "ana@acme.example"}

func printServer(kind core.KeyKind, devices int) store.KeySpec {
	return store.KeySpec{Product: "MyQ Print Server", Edition: core.EditionProfessional, Modules: []string{"Print"},
		Kind: kind, Capacity: devices, Unit: "devices", Months: 12}
}

func machineFP(name string) map[string]string {
	return map[string]string{"cpu": name + "c", "disk": name + "d", "mac": name + "m"}
}

func newNonce(t testing.TB) string {
	var b [activation.NonceBytes]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return activation.NewNonce(b)
}

// requestFile is what a disconnected machine writes.
func requestFile(t testing.TB, key, machine string) (activation.Request, []byte) {
	t.Helper()
	req := activation.Request{Key: core.Key(key), Machine: machine, Fingerprint: machineFP(machine), Nonce: newNonce(t), Created: time.Now()}
	f, err := req.Encode()
	require.NoError(t, err)
	return req.Normalize(), f
}

// trustedKeys fetches the published keys as a client pins them.
func (p *testPortal) trustedKeys() licensefile.TrustedKeys {
	p.t.Helper()
	r := p.do("GET", api.WellKnownKeysPath, "", nil)
	require.Equal(p.t, http.StatusOK, r.Status)
	keys, err := licensefile.ParsePublicKeys(r.Body)
	require.NoError(p.t, err)
	return keys
}

// rawReply is an answer with its headers.
type rawReply struct {
	reply
	Header http.Header
}

// raw sends a body as it is, with a content type, and keeps the headers.
func (p *testPortal) raw(method, path, token, contentType string, body []byte) rawReply {
	p.t.Helper()
	req, err := http.NewRequest(method, p.URL+path, bytes.NewReader(body))
	require.NoError(p.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := p.http.Do(req)
	require.NoError(p.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(p.t, err)
	return rawReply{reply: reply{Status: resp.StatusCode, Body: b}, Header: resp.Header}
}

// post sends a file as the body.
func (p *testPortal) post(path, token, contentType string, body []byte) rawReply {
	p.t.Helper()
	return p.raw("POST", path, token, contentType, body)
}

// page posts the offline activation form as a browser does.
func (p *testPortal) page(fields map[string]string, file []byte) rawReply {
	p.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		require.NoError(p.t, mw.WriteField(k, v))
	}
	if file != nil {
		fw, err := mw.CreateFormFile("request", "activation-request.txt")
		require.NoError(p.t, err)
		fw.Write(file)
	}
	require.NoError(p.t, mw.Close())
	return p.post("/activate", "", mw.FormDataContentType(), body.Bytes())
}

// TestKeyStory_EndToEnd plays seeds 001 and 002 over real HTTP: a serial
// becomes a key, an upgrade notification another; keys are activated
// online, offline through the API and through the portal page; a receipt
// frees an offline activation so that the activation limit lets a new
// machine in; a cloud-login lease is renewed; and every bad input is
// refused with a clear code, changing nothing.
func TestKeyStory_EndToEnd(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		ctx := context.Background()
		ana := p.signup("ana@acme.example", "Acme")
		acme := p.accountOf(ana.Token)
		trusted := p.trustedKeys()
		require.Len(t, trusted, 1, "the first key is generated on first use")

		// Serial to key: preview, confirm.
		serial, err := p.Store.CreateSerial(ctx, "", printServer(core.LicenseKey, 25))
		require.NoError(t, err)
		get := api.GetKeyRequest{Serial: strings.ToLower(strings.ReplaceAll(string(serial), "-", "")), Registration: keyReg}
		r := p.do("POST", "/v1/keys/get", ana.Token, get)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var preview api.KeyPreview
		r.decode(t, &preview)
		assert.Equal(t, string(serial), preview.Serial)
		assert.Equal(t, 25, preview.Capacity)
		assert.Equal(t, "Acme", preview.AccountName)
		get.Confirm = true
		r = p.do("POST", "/v1/keys/get", ana.Token, get, api.IdempotencyHeader, "get-1")
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var key api.Key
		r.decode(t, &key)
		assert.Equal(t, "license", key.Kind)
		assert.Equal(t, "added", key.Status)
		replayed := p.do("POST", "/v1/keys/get", ana.Token, get, api.IdempotencyHeader, "get-1")
		assert.Equal(t, r.Body, replayed.Body, "a replayed write gets the first answer")
		r = p.do("POST", "/v1/keys/get", ana.Token, get)
		assert.Equal(t, http.StatusConflict, r.Status)
		assert.Equal(t, "serial.used", r.problem(t).Code)
		r = p.do("POST", "/v1/keys/get", ana.Token, api.GetKeyRequest{Serial: string(core.NewSerial(7)), Registration: keyReg, Confirm: true})
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Equal(t, "serial.unknown", r.problem(t).Code)

		// Upgrade.
		offer := printServer(core.LicenseKey, 0)
		offer.Product = "MyQ Print Server 11"
		notice, err := p.Store.CreateUpgradeNotification(ctx, acme, store.UpgradeSpec{FromKey: core.Key(key.Key),
			Offers: []store.KeySpec{offer}, MaxQuantity: 25})
		require.NoError(t, err)
		r = p.do("POST", "/v1/keys/upgrade", ana.Token, api.UpgradeKeyRequest{NotificationID: "UPG-WRONG-0000", Product: offer.Product, Quantity: 10})
		assert.Equal(t, http.StatusNotFound, r.Status)
		assert.Equal(t, "upgrade.notification_unknown", r.problem(t).Code)
		r = p.do("POST", "/v1/keys/upgrade", ana.Token, api.UpgradeKeyRequest{NotificationID: notice, Product: offer.Product, Quantity: 10})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var upgraded api.Key
		r.decode(t, &upgraded)
		assert.Equal(t, 10, upgraded.Capacity)
		assert.Equal(t, keyReg.Company, upgraded.Registration.Company)

		// Online activation, with the machine's own nonce so that it can
		// import the response like an offline one.
		online := activation.Request{Key: core.Key(key.Key), Machine: "srv-online", Fingerprint: machineFP("on"), Nonce: newNonce(t)}
		r = p.do("POST", "/v1/activations", ana.Token, api.ActivateRequest{Key: key.Key, Fingerprint: online.Fingerprint,
			Machine: online.Machine, Nonce: online.Nonce})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var act api.Activated
		r.decode(t, &act)
		lic, err := licensefile.Verify([]byte(act.LicenseFile), trusted)
		require.NoError(t, err)
		assert.Equal(t, licensefile.KindActivation, lic.Kind)
		assert.Equal(t, act.Activation.ID, lic.ActivationID)
		assert.Equal(t, map[string]string(online.Fingerprint), lic.Fingerprint, "node-locked")
		_, _, err = activation.OpenResponse([]byte(act.Response), online, trusted)
		require.NoError(t, err)

		// Offline through the API: the upgraded key (one activation).
		req1, file1 := requestFile(t, upgraded.Key, "srv-offline")
		r = p.post("/v1/activations/offline", ana.Token, api.ActivationRequestContentType, file1).reply
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		var off api.Activated
		r.decode(t, &off)
		resp1, lic1, err := activation.OpenResponse([]byte(off.Response), req1, trusted)
		require.NoError(t, err, "the disconnected machine imports the response")
		assert.Equal(t, "srv-offline", off.Activation.Machine)
		assert.Equal(t, off.Activation.ID, lic1.ActivationID)

		// A tampered response is refused on import.
		tampered := []byte(strings.Replace(off.Response, "\n", "\nx", 1))
		_, _, err = activation.OpenResponse(tampered, req1, trusted)
		assert.Error(t, err)
		flipped := []byte(off.Response)
		flipped[len(flipped)/2] ^= 1
		_, _, err = activation.OpenResponse(flipped, req1, trusted)
		assert.Error(t, err)

		before := p.do("GET", "/v1/keys", ana.Token, nil).Body
		_, other := requestFile(t, upgraded.Key, "srv-other")
		for _, tc := range []struct {
			name   string
			body   []byte
			status int
			code   string
		}{
			{"replayed", file1, http.StatusConflict, "activation.request_replayed"},
			{"truncated", file1[:len(file1)-30], http.StatusBadRequest, activation.CodeRequestMalformed},
			{"oversized", bytes.Repeat([]byte("A"), 100<<10), http.StatusRequestEntityTooLarge, activation.CodeRequestTooLarge},
			{"tampered", bytes.Replace(file1, []byte("\n"), []byte("\nQ"), 2), http.StatusBadRequest, activation.CodeRequestMalformed},
			{"over the activation limit", other, http.StatusConflict, "activation.limit"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := p.post("/v1/activations/offline", ana.Token, "text/plain", tc.body)
				assert.Equal(t, tc.status, r.Status, string(r.Body))
				assert.Equal(t, tc.code, r.problem(t).Code)
			})
		}
		assert.Equal(t, string(before), string(p.do("GET", "/v1/keys", ana.Token, nil).Body), "nothing changed")

		// The machine gives the activation up offline; the receipt frees it
		// and the limit lets the other machine in.
		rc, err := activation.NewReceipt(resp1.ActivationID, resp1.Nonce, time.Now(), resp1.Secret)
		require.NoError(t, err)
		receipt, err := rc.Encode()
		require.NoError(t, err)
		r = p.post("/v1/activations/receipt", ana.Token, "text/plain", receipt).reply
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var freed api.Deactivated
		r.decode(t, &freed)
		assert.Equal(t, "deactivated", freed.Activation.State)
		conf, err := licensefile.Verify([]byte(freed.Confirmation), trusted)
		require.NoError(t, err)
		assert.Equal(t, licensefile.KindDeactivationReceipt, conf.Kind)
		r = p.post("/v1/activations/receipt", ana.Token, "text/plain", receipt).reply
		assert.Equal(t, http.StatusConflict, r.Status, "a receipt frees once")
		r = p.post("/v1/activations/offline", ana.Token, "text/plain", other).reply
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))

		// Offline through the portal page: a third key, fulfilled with a
		// login, then with a token.
		serial2, err := p.Store.CreateSerial(ctx, "", printServer(core.LicenseKey, 5))
		require.NoError(t, err)
		r = p.do("POST", "/v1/keys/get", ana.Token, api.GetKeyRequest{Serial: string(serial2), Registration: keyReg, Confirm: true})
		require.Equal(t, http.StatusCreated, r.Status)
		var third api.Key
		r.decode(t, &third)

		pg := p.raw("GET", "/activate", "", "", nil)
		require.Equal(t, http.StatusOK, pg.Status)
		assert.Equal(t, "text/html; charset=utf-8", pg.Header.Get("Content-Type"))
		assert.Contains(t, string(pg.Body), `enctype="multipart/form-data"`)
		assert.Contains(t, pg.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")

		req3, file3 := requestFile(t, third.Key, "srv-page")
		dl := p.page(map[string]string{"email": "ana@acme.example", "password": "correct horse battery"}, file3)
		require.Equal(t, http.StatusOK, dl.Status, string(dl.Body))
		assert.Equal(t, portal.ResponseContentType, dl.Header.Get("Content-Type"))
		assert.Contains(t, dl.Header.Get("Content-Disposition"), "attachment")
		_, lic3, err := activation.OpenResponse(dl.Body, req3, trusted)
		require.NoError(t, err, "the downloaded response imports")
		assert.Equal(t, third.Key, lic3.LicenseID)

		again := p.page(map[string]string{"email": "ana@acme.example", "password": "correct horse battery"}, file3)
		assert.Equal(t, http.StatusConflict, again.Status)
		assert.Contains(t, string(again.Body), "already answered")
		assert.Contains(t, string(again.Body), "activation.request_replayed")

		// With a token, and the request pasted as text (CRLF, no final
		// newline, as a browser sends a text box).
		gone := p.do("DELETE", "/v1/activations/"+lic3.ActivationID, ana.Token, nil)
		require.Equal(t, http.StatusOK, gone.Status, string(gone.Body))
		req4, file4 := requestFile(t, third.Key, "srv-pasted")
		pasted := strings.ReplaceAll(strings.TrimSuffix(string(file4), "\n"), "\n", "\r\n")
		dl = p.page(map[string]string{"token": ana.Token, "request_text": pasted}, nil)
		require.Equal(t, http.StatusOK, dl.Status, string(dl.Body))
		_, _, err = activation.OpenResponse(dl.Body, req4, trusted)
		require.NoError(t, err)

		wrong := p.page(map[string]string{"email": `"><script>alert(1)</script>@x.example`, "password": "nope nope nope"}, file3)
		assert.Equal(t, http.StatusBadRequest, wrong.Status, "a malformed e-mail")
		assert.NotContains(t, string(wrong.Body), "<script>alert(1)", "what the user typed is escaped")
		wrong = p.page(map[string]string{"email": "ana@acme.example", "password": "wrong password!"}, file3)
		assert.Equal(t, http.StatusUnauthorized, wrong.Status)
		assert.Contains(t, string(wrong.Body), "wrong e-mail or password")
		wrong = p.page(map[string]string{}, file3)
		assert.Equal(t, http.StatusUnauthorized, wrong.Status)
		huge := p.page(map[string]string{"token": ana.Token}, bytes.Repeat([]byte("A"), 200<<10))
		assert.Equal(t, http.StatusRequestEntityTooLarge, huge.Status)

		// Keys, capacity and subscriptions.
		var list api.KeyList
		p.do("GET", "/v1/keys", ana.Token, nil).decode(t, &list)
		require.Len(t, list.Keys, 3)
		total := map[string]int{}
		for _, c := range list.Capacity {
			total[c.Product] = c.Total
		}
		assert.Equal(t, map[string]int{"MyQ Print Server": 30, "MyQ Print Server 11": 10}, total,
			"25 + 5 activated devices; the upgrade's 10")
		var subs []api.Subscription
		r = p.do("GET", "/v1/subscriptions", ana.Token, nil)
		require.Equal(t, http.StatusOK, r.Status)
		r.decode(t, &subs)
		assert.Len(t, subs, 3)

		// Lease renewal for a cloud-login license.
		r = p.do("POST", "/v1/leases", ana.Token, api.LeaseRequest{Product: "Eberick"})
		assert.Equal(t, http.StatusForbidden, r.Status)
		assert.Equal(t, core.CodeCloudLoginNoSeat, r.problem(t).Code)
		eb := p.issue(acme, "Eberick", "professional", []string{"Concrete"}, 2)
		require.Equal(t, http.StatusCreated, p.do("POST", "/v1/licenses/"+eb+"/seats", ana.Token, api.SeatRequest{Email: "ana@acme.example"}).Status)
		r = p.do("POST", "/v1/leases", ana.Token, api.LeaseRequest{Product: "Eberick"})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		var lease api.Lease
		r.decode(t, &lease)
		lp, err := licensefile.Verify([]byte(lease.LeaseFile), trusted)
		require.NoError(t, err)
		assert.Equal(t, licensefile.KindLease, lp.Kind)
		assert.Equal(t, eb, lp.LicenseID)
		assert.NoError(t, lp.CheckTime(time.Now(), licensefile.DefaultSkew))
	})
}

// TestKeyEndpoints_AnotherAccountsTokenIsRefusedAndChangesNothing points
// every key endpoint at the victim's keys and activations with a
// stranger's token.
func TestKeyEndpoints_AnotherAccountsTokenIsRefusedAndChangesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		ctx := context.Background()
		victim := p.signup("owner@victim.example", "Victim")
		vacct := p.accountOf(victim.Token)
		k, err := p.Store.IssueKey(ctx, vacct, printServer(core.LicenseKey, 5))
		require.NoError(t, err)
		r := p.do("POST", "/v1/activations", victim.Token, api.ActivateRequest{Key: string(k), Fingerprint: machineFP("v"), Machine: "v"})
		require.Equal(t, http.StatusCreated, r.Status)
		var act api.Activated
		r.decode(t, &act)
		trusted := p.trustedKeys()
		resp, _, err := activation.OpenResponse([]byte(act.Response), activation.Request{Key: k, Machine: "v",
			Fingerprint: machineFP("v"), Nonce: nonceOf(t, act, trusted)}, trusted)
		require.NoError(t, err)
		rc, err := activation.NewReceipt(resp.ActivationID, resp.Nonce, time.Now(), resp.Secret)
		require.NoError(t, err)
		receipt, _ := rc.Encode()
		_, offline := requestFile(t, string(k), "w")
		serial, err := p.Store.CreateSerial(ctx, "", printServer(core.LicenseKey, 1))
		require.NoError(t, err)
		notice, err := p.Store.CreateUpgradeNotification(ctx, vacct, store.UpgradeSpec{FromKey: k,
			Offers: []store.KeySpec{printServer(core.LicenseKey, 0)}, MaxQuantity: 5})
		require.NoError(t, err)
		state := func() string {
			return string(p.do("GET", "/v1/keys", victim.Token, nil).Body) + string(p.do("GET", "/v1/accounts/"+vacct+"/audit", victim.Token, nil).Body)
		}
		before := state()

		stranger := p.signup("stranger@evil.example", "Evil")
		for _, tc := range []struct {
			method, path string
			body         any
			raw          []byte
			code         string
		}{
			{"POST", "/v1/keys", api.AddKeyRequest{Key: string(k)}, nil, "key.other_account"},
			{"POST", "/v1/keys/get", api.GetKeyRequest{Serial: string(serial), Registration: keyReg, AccountID: vacct, Confirm: true}, nil, "not_found"},
			{"POST", "/v1/keys/get", api.GetKeyRequest{Serial: string(serial), Registration: keyReg, AccountID: vacct}, nil, "not_found"},
			{"POST", "/v1/keys/upgrade", api.UpgradeKeyRequest{NotificationID: notice, Product: "MyQ Print Server", Quantity: 1}, nil, "upgrade.notification_unknown"},
			{"POST", "/v1/activations", api.ActivateRequest{Key: string(k), Fingerprint: machineFP("x"), Machine: "x"}, nil, "key.not_found"},
			{"POST", "/v1/activations/offline", nil, offline, "key.not_found"},
			{"DELETE", "/v1/activations/" + act.Activation.ID, nil, nil, "activation.not_found"},
			{"POST", "/v1/activations/receipt", nil, receipt, "activation.not_found"},
			{"POST", "/v1/leases", api.LeaseRequest{Product: "MyQ Print Server"}, nil, core.CodeCloudLoginNoSeat},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				var r reply
				if tc.raw != nil {
					r = p.post(tc.path, stranger.Token, "text/plain", tc.raw).reply
				} else {
					r = p.do(tc.method, tc.path, stranger.Token, tc.body)
				}
				assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.Status, string(r.Body))
				assert.Equal(t, tc.code, r.problem(t).Code)
				assert.NotContains(t, string(r.Body), vacct)
			})
		}
		for _, path := range []string{"/v1/keys", "/v1/subscriptions"} {
			r := p.do("GET", path, stranger.Token, nil)
			require.Equal(t, http.StatusOK, r.Status)
			assert.NotContains(t, string(r.Body), string(k), "%s shows the stranger none of the victim's keys", path)
		}
		page := p.page(map[string]string{"token": stranger.Token}, offline)
		assert.Equal(t, http.StatusNotFound, page.Status)
		assert.Equal(t, before, state(), "nothing of the victim's changed")
	})
}

// nonceOf reads the nonce the portal made up for an online activation
// without one, from its signed license file.
func nonceOf(t *testing.T, a api.Activated, trusted licensefile.TrustedKeys) string {
	p, err := licensefile.Verify([]byte(a.LicenseFile), trusted)
	require.NoError(t, err)
	return p.Nonce
}

func TestSigningKeys_RotationPublishesTheNewKeyAndKeepsTheOld(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		first := p.trustedKeys()
		rotated, err := p.Store.RotateSigningKey(context.Background())
		require.NoError(t, err)
		after := p.trustedKeys()
		assert.Len(t, after, 2)
		assert.Contains(t, after, rotated.KeyID)
		for kid := range first {
			assert.Contains(t, after, kid, "the old key stays published")
		}
	})
}

func TestDemoSerial_IsACanonicalSerial(t *testing.T) {
	s, err := core.ParseSerial(portal.DemoSerial)
	require.NoError(t, err)
	assert.Equal(t, portal.DemoSerial, string(s))
	_, err = core.UpgradeRequest{NotificationID: portal.DemoUpgradeNotification, Product: portal.DemoUpgradeProduct, Quantity: 1}.Validate()
	assert.NoError(t, err)
}

// TestDemoSeed_AnaHoldsAKeyedProductASerialToRegisterAndAnUpgrade checks
// what the demo promises about keys: a keyed product with device capacity,
// activated on the demo server, DemoSerial unused, and
// DemoUpgradeNotification exchangeable.
func TestDemoSeed_AnaHoldsAKeyedProductASerialToRegisterAndAnUpgrade(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		_, err := portal.Seeder{Store: p.Store, Mail: mail.Dir{Path: t.TempDir()}, Now: time.Now()}.Demo(context.Background())
		require.NoError(t, err)
		var sess api.Session
		r := p.do("POST", "/v1/login", "", api.Credentials{Email: "ana@acme.example", Password: portal.DemoPassword})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		r.decode(t, &sess)

		var list api.KeyList
		p.do("GET", "/v1/keys", sess.Token, nil).decode(t, &list)
		require.Len(t, list.Keys, 2)
		kinds := map[string]string{}
		for _, k := range list.Keys {
			kinds[k.Kind] = k.Status
			require.Len(t, k.Activations, 1)
			assert.Equal(t, portal.DemoMachine, k.Activations[0].Machine)
		}
		assert.Equal(t, map[string]string{"license": "active", "install": "active"}, kinds)
		require.Len(t, list.Capacity, 1)
		assert.Equal(t, api.Capacity{AccountID: list.Keys[0].AccountID, Product: portal.DemoKeyedProduct, Unit: "devices", Total: 30, Keys: 2},
			list.Capacity[0])

		r = p.do("POST", "/v1/keys/get", sess.Token, api.GetKeyRequest{Serial: portal.DemoSerial, Registration: keyReg})
		require.Equal(t, http.StatusOK, r.Status, "the demo serial is unused: %s", r.Body)
		r = p.do("POST", "/v1/keys/upgrade", sess.Token, api.UpgradeKeyRequest{NotificationID: portal.DemoUpgradeNotification,
			Product: portal.DemoUpgradeProduct, Quantity: 25})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	})
}

// strangerKey is a well-formed key no account holds, and the files below
// name it, for the stranger cases of security_test.go.
func strangerKey() string {
	k, err := core.NewKey(core.LicenseKey, [15]byte{0xee, 0xee})
	if err != nil {
		panic(err)
	}
	return string(k)
}

func strangerRequestFile() []byte {
	f, err := activation.Request{Key: core.Key(strangerKey()), Machine: "s", Fingerprint: machineFP("s"),
		Nonce: activation.NewNonce([16]byte{0xee}), Created: time.Now()}.Encode()
	if err != nil {
		panic(err)
	}
	return f
}

func strangerReceiptFile() []byte {
	r, err := activation.NewReceipt("act_none", activation.NewNonce([16]byte{0xee}), time.Now(), make([]byte, activation.SecretSize))
	if err != nil {
		panic(err)
	}
	f, err := r.Encode()
	if err != nil {
		panic(err)
	}
	return f
}

// Issue 11: the published key set gives every key a validity window and
// lists the revoked keys, so that a file forged with a retired key (its
// private half taken from a database copy) fails against it.
func TestWellKnownKeys_PublishWindowsAndRevocationsThatRefuseAForgedFile(t *testing.T) {
	eachBackend(t, func(t *testing.T, p *testPortal) {
		ctx := context.Background()
		first := p.trustedKeys()
		require.Len(t, first, 1)
		var oldKID string
		for kid := range first {
			oldKID = kid
		}
		_, err := p.Store.RotateSigningKey(ctx)
		require.NoError(t, err)

		r := p.do("GET", api.WellKnownKeysPath, "", nil)
		require.Equal(t, http.StatusOK, r.Status)
		ks, err := licensefile.ParseKeySet(r.Body)
		require.NoError(t, err)
		require.Len(t, ks.Keys, 2)
		for kid := range ks.Keys {
			assert.False(t, ks.Windows[kid].NotBefore.IsZero(), "every key has a window")
		}
		assert.False(t, ks.Windows[oldKID].NotAfter.IsZero(), "the retired key's window is closed")

		_, err = p.Store.RevokeSigningKey(ctx, oldKID)
		require.NoError(t, err)
		r = p.do("GET", api.WellKnownKeysPath, "", nil)
		ks, err = licensefile.ParseKeySet(r.Body)
		require.NoError(t, err)
		assert.Contains(t, ks.Revoked, oldKID)
		assert.NotContains(t, ks.Keys, oldKID)
		assert.NotContains(t, p.trustedKeys(), oldKID, "an old reader does not trust it either")
	})
}
