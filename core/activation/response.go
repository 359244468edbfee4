package activation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strconv"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/core/licensefile"
)

// ResponseType is the envelope type of an activation response: a
// licensefile envelope, signed by the portal.
const ResponseType = "ACTIVATION RESPONSE"

// Response is the portal's answer to an activation request: License is the
// signed, node-locked license file (kind activation) the machine installs;
// Nonce echoes the request's; Secret keys the deactivation receipt the
// machine writes when it gives the activation up.
type Response struct {
	ActivationID string
	Key          core.Key
	Nonce        string
	Secret       []byte // SecretSize bytes
	License      []byte // a licensefile license file
}

type wireResponse struct {
	Version      *int   `json:"version"`
	ActivationID string `json:"activation_id"`
	Key          string `json:"key"`
	Nonce        string `json:"nonce"`
	Secret       string `json:"secret"` // standard base64
	License      string `json:"license"`
}

func (r Response) body() ([]byte, error) {
	v := CurrentVersion
	b, err := json.Marshal(wireResponse{Version: &v, ActivationID: r.ActivationID, Key: string(r.Key), Nonce: r.Nonce,
		Secret: base64.StdEncoding.EncodeToString(r.Secret), License: string(r.License)})
	if err != nil {
		return nil, core.E(core.Invalid, CodeResponseMalformed, "activation response: "+err.Error())
	}
	return b, nil
}

func (r Response) check() error {
	bad := func(msg string) error {
		return core.E(core.Invalid, CodeResponseMalformed, "activation response: "+msg)
	}
	switch {
	case !ValidActivationID(r.ActivationID):
		return bad("invalid activation ID")
	case !validNonce(r.Nonce):
		return bad("invalid nonce")
	case len(r.Secret) != SecretSize:
		return bad("the secret is not " + strconv.Itoa(SecretSize) + " bytes")
	case len(r.License) == 0:
		return bad("no license file")
	}
	if k, err := core.ParseKey(string(r.Key)); err != nil || k != r.Key {
		return bad("invalid key")
	}
	return nil
}

// Seal signs the response with the portal's signer and returns the
// response file.
func (r Response) Seal(s licensefile.Signer) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	body, err := r.body()
	if err != nil {
		return nil, err
	}
	out, err := s.SealEnvelope(ResponseType, body)
	if err != nil {
		return nil, core.Wrap(err, core.Invalid, CodeResponseMalformed, "activation response: cannot sign")
	}
	return out, nil
}

// OpenResponse is what the disconnected machine does on import: it checks
// the response's signature against the keys it trusts, then the license
// file inside it, then that the response answers req (same key and nonce,
// an activation license bound to req's fingerprint), and returns the
// response with the license file's payload. A response never brings its
// own trust, and one made for another request or machine is refused.
func OpenResponse(file []byte, req Request, trusted licensefile.TrustedKeys) (Response, licensefile.Payload, error) {
	body, _, err := licensefile.OpenEnvelope(file, ResponseType, trusted)
	if err != nil {
		return Response{}, licensefile.Payload{}, fileError(err, "activation response")
	}
	var w wireResponse
	if err := decodeStrict(body, &w, func() *int { return w.Version }, fileCodes{what: "activation response",
		tooLarge: CodeResponseTooLarge, malformed: CodeResponseMalformed, badVersion: CodeResponseMalformed}); err != nil {
		return Response{}, licensefile.Payload{}, err
	}
	secret, err := base64.StdEncoding.Strict().DecodeString(w.Secret)
	if err != nil {
		return Response{}, licensefile.Payload{}, core.E(core.Invalid, CodeResponseMalformed, "activation response: the secret is not base64")
	}
	r := Response{ActivationID: w.ActivationID, Key: core.Key(w.Key), Nonce: w.Nonce, Secret: secret, License: []byte(w.License)}
	if err := r.check(); err != nil {
		return Response{}, licensefile.Payload{}, err
	}
	if canon, err := r.body(); err != nil || !bytes.Equal(canon, body) {
		return Response{}, licensefile.Payload{}, core.E(core.Invalid, CodeResponseMalformed, "activation response: content is not in canonical form")
	}
	p, err := licensefile.Verify(r.License, trusted)
	if err != nil {
		return Response{}, licensefile.Payload{}, fileError(err, "activation response: license file")
	}
	mismatch := func(msg string) error {
		return core.E(core.Invalid, CodeResponseMismatch, "activation response: "+msg)
	}
	req = req.Normalize()
	switch {
	case r.Nonce != req.Nonce:
		return Response{}, licensefile.Payload{}, mismatch("it answers another request (the nonce differs): import the response to the request this machine wrote last")
	case r.Key != req.Key:
		return Response{}, licensefile.Payload{}, mismatch("it is for key " + string(r.Key) + ", not " + string(req.Key))
	case p.Kind != licensefile.KindActivation || p.ActivationID != r.ActivationID || p.Nonce != r.Nonce || p.LicenseID != string(r.Key):
		return Response{}, licensefile.Payload{}, mismatch("its license file is not the activation it announces")
	case !maps.Equal(p.Fingerprint, map[string]string(req.Fingerprint)):
		return Response{}, licensefile.Payload{}, mismatch("its license file is bound to another machine's fingerprint")
	}
	return r, p, nil
}

// fileError turns a licensefile refusal into this package's codes, keeping
// the cause for logs.
func fileError(err error, what string) error {
	switch {
	case errors.Is(err, licensefile.ErrTooLarge):
		return core.Wrap(err, core.Invalid, CodeResponseTooLarge, what+" is too large")
	case errors.Is(err, licensefile.ErrUnknownKey), errors.Is(err, licensefile.ErrBadSignature):
		return core.Wrap(err, core.Forbidden, CodeResponseUntrusted, what+" is not signed by a portal you trust, or was altered")
	}
	return core.Wrap(err, core.Invalid, CodeResponseMalformed, what+" is malformed")
}
