package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/activation"
	"github.com/licdesk/licdesk/core/licensefile"
	"github.com/licdesk/licdesk/portal/store"
)

// keyRoutes registers the endpoints of keys, activations and signing keys.
func (s *Server) keyRoutes() {
	s.handle("GET "+api.WellKnownKeysPath, s.publicKeys)

	s.handleAuthed("GET /v1/keys", s.keys)
	s.handleAuthed("POST /v1/keys", s.addKey)
	s.handleAuthed("POST /v1/keys/get", s.getKey)
	s.handleAuthed("POST /v1/keys/upgrade", s.upgradeKey)
	s.handleAuthed("GET /v1/upgrades", s.upgradeNotices)

	s.handleAuthed("POST /v1/activations", s.activate)
	s.handleAuthed("POST /v1/activations/offline", s.activateOffline)
	s.handleAuthed("DELETE /v1/activations/{id}", s.deactivate)
	s.handleAuthed("POST /v1/activations/receipt", s.deactivateByReceipt)

	s.handleAuthed("POST /v1/leases", s.lease)
	s.handleAuthed("GET /v1/subscriptions", s.subscriptions)

	s.handle("GET /activate", s.activatePage)
	s.handle("POST /activate", s.activatePageSubmit)
	s.handle("GET /receipt", s.receiptPage)
	s.handle("POST /receipt", s.receiptPageSubmit)
}

// publicKeys publishes the key set: every public key the portal signs or
// signed with and its validity window, and the keys it revoked, so that
// clients can pin them (a file never brings its own trust) and learn the
// revocations.
func (s *Server) publicKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.cfg.Store.KeySet(r.Context())
	if err != nil {
		return err
	}
	doc, err := licensefile.MarshalKeySet(ks)
	if err != nil {
		return fmt.Errorf("publish keys: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	// Short enough that a rotation reaches clients within minutes.
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(doc)
	return nil
}

func (s *Server) keys(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Keys(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// upgradeNotices lists the caller's accounts' upgrade notifications not
// exchanged yet, so that a client offers them instead of an ID typed by
// hand.
func (s *Server) upgradeNotices(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.UpgradeNotices(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) addKey(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.AddKeyRequest
	wr, err := decodeWrite(r, "key.add", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.AddKey(r.Context(), c, wr, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// getKey answers a preview of what a serial yields, or with confirm set
// issues the key (source 001: enter the serial and the registration, confirm,
// receive the key).
func (s *Server) getKey(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.GetKeyRequest
	wr, err := decodeWrite(r, "key.get", &req)
	if err != nil {
		return err
	}
	if !req.Confirm {
		v, err := s.cfg.Store.PreviewKey(r.Context(), c, req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	}
	v, err := s.cfg.Store.GetKey(r.Context(), c, wr, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) upgradeKey(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.UpgradeKeyRequest
	wr, err := decodeWrite(r, "key.upgrade", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.UpgradeKey(r.Context(), c, wr, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) activate(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.ActivateRequest
	wr, err := decodeWrite(r, "activation.online", &req)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.Activate(r.Context(), c, wr, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// readFileBody reads a request or receipt file posted as the body, one
// byte past the files' limit so that the parser reports an oversized file
// with its own code.
func readFileBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, activation.MaxFileSize+1))
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "request.unreadable", "the request body could not be read")
	}
	return b, nil
}

// tooLarge answers an oversized file with 413 rather than 400.
func tooLarge(err error) error {
	switch code := core.CodeOf(err); code {
	case activation.CodeRequestTooLarge, activation.CodeReceiptTooLarge:
		return refuse(http.StatusRequestEntityTooLarge, code, err.Error())
	}
	return err
}

// activateOffline answers an activation request file posted as the body
// (any content type: it is text) with the signed response.
func (s *Server) activateOffline(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	file, err := readFileBody(r)
	if err != nil {
		return err
	}
	wr, err := write(r, "activation.offline", file)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.ActivateOffline(r.Context(), c, wr, file)
	if err != nil {
		return tooLarge(err)
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) deactivate(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	wr, err := write(r, "activation.deactivate", nil)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.Deactivate(r.Context(), c, wr, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// deactivateByReceipt frees the activation a disconnected machine gave up,
// on its deactivation receipt file posted as the body.
func (s *Server) deactivateByReceipt(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	file, err := readFileBody(r)
	if err != nil {
		return err
	}
	wr, err := write(r, "activation.receipt", file)
	if err != nil {
		return err
	}
	v, err := s.cfg.Store.DeactivateByReceipt(r.Context(), c, wr, file)
	if err != nil {
		return tooLarge(err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) lease(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	var req api.LeaseRequest
	if _, err := decodeJSON(r, &req); err != nil {
		return err
	}
	v, err := s.cfg.Store.Lease(r.Context(), c, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request, c store.Caller) error {
	v, err := s.cfg.Store.Subscriptions(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// The demo's keyed product and the values the README and the command line
// show: a serial to turn into a key, and an upgrade notification.
const (
	// DemoKeyedProduct is the demo user's keyed product (source 002): a
	// license key for 25 devices and an install key for 5, both activated
	// on the demo print server.
	DemoKeyedProduct = "MyQ Print Server"
	// DemoSerial is an unused serial the demo user can register
	// ("licdesk keys get --serial ..."): a license key for 10 more devices.
	DemoSerial = "1ZKW-B8W1-ED8B"
	// DemoUpgradeNotification is the version-upgrade notification sent to
	// the demo user's account, exchangeable for DemoUpgradeProduct, up to 25.
	DemoUpgradeNotification = "UPG-MYQ11-ACME-2026"
	// DemoUpgradeProduct is the product DemoUpgradeNotification offers.
	DemoUpgradeProduct = "MyQ Print Server 11"
	// DemoMachine is the demo print server the demo keys are activated on.
	DemoMachine = "print-srv-01"
)

// demoRegisteredSerial is the serial the demo user already registered.
const demoRegisteredSerial = "0N4R-VMF1-CEKM"

// DemoFingerprint is the hardware fingerprint of DemoMachine: component
// name to hash, as a client computes it.
func DemoFingerprint() map[string]string {
	h := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:16]) }
	return map[string]string{"host": h("demo host print-srv-01"), "mac": h("demo mac 52:54:00:12:34:56"), "cpu": h("demo cpu")}
}

// demoKeys loads the demo serials, keys and activations: Ana's account
// registered a serial into a license key for 25 devices and activated it on
// the print server, added an install key for 5 more (activated as it was
// added), holds an upgrade notification, and DemoSerial waits unused.
func (sd Seeder) demoKeys(ctx context.Context, userID, accountID string) error {
	c, err := sd.Store.Caller(ctx, userID)
	if err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	modules := []string{"Print", "Scan", "Mobile"}
	term := store.KeySpec{Product: DemoKeyedProduct, Edition: core.EditionProfessional, Modules: modules, Unit: "devices", Months: 12}
	spec := func(kind core.KeyKind, devices int) store.KeySpec {
		s := term
		s.Kind, s.Capacity = kind, devices
		return s
	}
	if _, err := sd.Store.CreateSerial(ctx, demoRegisteredSerial, spec(core.LicenseKey, 25)); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	if _, err := sd.Store.CreateSerial(ctx, DemoSerial, spec(core.LicenseKey, 10)); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	reg := api.Registration{Company: "Acme Engenharia", Person: "Ana Souza", Address: "Rua das Flores 100, São Paulo",
		Country: "BR", Email: string(c.Email), Phone: "+55 11 5555-0100"}
	licKey, err := sd.Store.GetKey(ctx, c, store.Write{}, api.GetKeyRequest{Serial: demoRegisteredSerial, Registration: reg,
		AccountID: accountID, Confirm: true})
	if err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	if _, err := sd.Store.Activate(ctx, c, store.Write{}, api.ActivateRequest{Key: licKey.Key, Fingerprint: DemoFingerprint(),
		Machine: DemoMachine}); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	insKey, err := sd.Store.IssueKey(ctx, "", spec(core.InstallKey, 5))
	if err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	if _, err := sd.Store.AddKey(ctx, c, store.Write{}, api.AddKeyRequest{Key: string(insKey), AccountID: accountID,
		Fingerprint: DemoFingerprint(), Machine: DemoMachine}); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	upgrade := spec(core.LicenseKey, 0)
	upgrade.Product = DemoUpgradeProduct
	if _, err := sd.Store.CreateUpgradeNotification(ctx, accountID, store.UpgradeSpec{ID: DemoUpgradeNotification,
		FromKey: core.Key(licKey.Key), Offers: []store.KeySpec{upgrade}, MaxQuantity: 25}); err != nil {
		return fmt.Errorf("demo keys: %w", err)
	}
	return nil
}
