package activation

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/licdesk/licdesk/core"
)

// ReceiptType is the armor type of a deactivation receipt file.
const ReceiptType = "DEACTIVATION RECEIPT"

// SecretSize is the length of the per-activation secret that keys receipts.
const SecretSize = 32

// maxActivationID bounds an activation ID, which the portal chooses.
const maxActivationID = 64

// Receipt proves that the machine holding an activation deactivated it at
// Deactivated: MAC is HMAC-SHA256, keyed with the activation's secret, over
// the activation ID, the nonce of the request that activated it and the
// time. Only the machine that imported the activation response knows the
// secret, so a receipt cannot be made up from the activation ID alone.
type Receipt struct {
	Version      int // CurrentVersion; NewReceipt fills it in
	ActivationID string
	Nonce        string
	Deactivated  time.Time
	MAC          []byte // sha256.Size bytes
}

type wireReceipt struct {
	Version      *int   `json:"version"`
	ActivationID string `json:"activation_id"`
	Nonce        string `json:"nonce"`
	Deactivated  string `json:"deactivated"`
	MAC          string `json:"mac"` // lower-case hex
}

// NewReceipt makes the receipt of the activation activationID, activated
// by the request with nonce, deactivated at at, with the secret from its
// activation response.
func NewReceipt(activationID, nonce string, at time.Time, secret []byte) (Receipt, error) {
	r := Receipt{Version: CurrentVersion, ActivationID: activationID, Nonce: nonce, Deactivated: truncTime(at)}
	if err := r.validateFields(); err != nil {
		return Receipt{}, err
	}
	if len(secret) != SecretSize {
		return Receipt{}, core.E(core.Invalid, CodeReceiptInvalid, "deactivation receipt: the activation secret must be "+
			strconv.Itoa(SecretSize)+" bytes; import the activation response again")
	}
	r.MAC = receiptMAC(r, secret)
	return r, nil
}

// receiptMAC is the HMAC of the receipt's fields, domain-separated and
// NUL-delimited so that no two receipts share the signed bytes.
func receiptMAC(r Receipt, secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("licdesk-deactivation-receipt-v1\x00" + r.ActivationID + "\x00" + r.Nonce + "\x00" + formatTime(r.Deactivated)))
	return m.Sum(nil)
}

// Verify checks the receipt's MAC with the activation's secret, in
// constant time.
func (r Receipt) Verify(secret []byte) error {
	if len(secret) != SecretSize || !hmac.Equal(r.MAC, receiptMAC(r, secret)) {
		return core.E(core.Forbidden, CodeReceiptMAC, "deactivation receipt: it was not made with the secret of activation "+
			r.ActivationID+": use the receipt written by the machine that holds it")
	}
	return nil
}

func (r Receipt) validateFields() error {
	bad := func(msg string) error { return core.E(core.Invalid, CodeReceiptInvalid, "deactivation receipt: "+msg) }
	switch {
	case r.Version != CurrentVersion:
		return unsupported(r.Version, receiptCodes)
	case !ValidActivationID(r.ActivationID):
		return bad("the activation ID must be 1 to " + strconv.Itoa(maxActivationID) + " characters of A-Z a-z 0-9 _ . -")
	case !validNonce(r.Nonce):
		return bad("the nonce must be " + strconv.Itoa(nonceHexLen) + " lower-case hexadecimal digits")
	case !validTime(r.Deactivated) || !r.Deactivated.Equal(truncTime(r.Deactivated)):
		return bad("the deactivation time is missing or not in whole seconds between 1970 and 9999")
	}
	return nil
}

// ValidActivationID reports whether id can name an activation in these
// files: 1 to 64 characters of A-Z a-z 0-9 _ . -.
func ValidActivationID(id string) bool {
	return validToken(id, maxActivationID, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
}

// Encode returns the receipt file.
func (r Receipt) Encode() ([]byte, error) {
	if err := r.validateFields(); err != nil {
		return nil, err
	}
	if len(r.MAC) != sha256.Size {
		return nil, core.E(core.Invalid, CodeReceiptInvalid, "deactivation receipt: no MAC; make it with NewReceipt")
	}
	return encodeArmor(ReceiptType, r.body()), nil
}

func (r Receipt) body() []byte {
	v := r.Version
	b, _ := json.Marshal(wireReceipt{Version: &v, ActivationID: r.ActivationID, Nonce: r.Nonce,
		Deactivated: formatTime(r.Deactivated), MAC: hex.EncodeToString(r.MAC)})
	return b
}

// ParseReceipt reads a receipt file strictly. It does not check the MAC,
// which needs the activation's secret: call Verify.
func ParseReceipt(file []byte) (Receipt, error) {
	body, err := decodeArmor(file, ReceiptType, receiptCodes)
	if err != nil {
		return Receipt{}, err
	}
	var w wireReceipt
	if err := decodeStrict(body, &w, func() *int { return w.Version }, receiptCodes); err != nil {
		return Receipt{}, err
	}
	at, ok := parseTime(w.Deactivated)
	if !ok {
		return Receipt{}, core.E(core.Invalid, CodeReceiptInvalid, "deactivation receipt: deactivated "+strconv.Quote(short(w.Deactivated))+
			" is not an RFC 3339 UTC time in whole seconds")
	}
	mac, err := hex.DecodeString(w.MAC)
	if err != nil || len(mac) != sha256.Size {
		return Receipt{}, core.E(core.Invalid, CodeReceiptInvalid, "deactivation receipt: the MAC must be "+
			strconv.Itoa(2*sha256.Size)+" hexadecimal digits")
	}
	r := Receipt{Version: *w.Version, ActivationID: w.ActivationID, Nonce: w.Nonce, Deactivated: at, MAC: mac}
	if err := r.validateFields(); err != nil {
		return Receipt{}, err
	}
	if !bytes.Equal(r.body(), body) {
		return Receipt{}, receiptCodes.malformedf("content is not in canonical form (edited by hand?)")
	}
	return r, nil
}
