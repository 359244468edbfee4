package licensefile

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
)

// MaxFileSize is the largest file (license, envelope or public-key document)
// this package reads or writes, in bytes.
const MaxFileSize = 64 << 10

const (
	licenseType  = "LICENSE"
	beginPrefix  = "-----BEGIN LICENSE DESK "
	endPrefix    = "-----END LICENSE DESK "
	dashes       = "-----"
	keyIDHeader  = "Key-Id: "
	lineWidth    = 64
	maxKeyIDLen  = 64
	maxTypeLen   = 40
	sigLineChars = 1 + 88 // "=" + base64 of 64 bytes
)

var b64 = base64.StdEncoding.Strict()

// validKeyID reports whether kid is 1 to 64 characters of [A-Za-z0-9._-].
func validKeyID(kid string) bool {
	if len(kid) == 0 || len(kid) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(kid); i++ {
		c := kid[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

func checkKeyID(kid string) error {
	if !validKeyID(kid) {
		return fmt.Errorf("%w: key ID %q must be 1 to %d characters of A-Z a-z 0-9 . _ -", ErrInvalidKey, kid, maxKeyIDLen)
	}
	return nil
}

// validType reports whether typ is upper-case ASCII words separated by single
// spaces, at most 40 characters ("LICENSE", "ACTIVATION RESPONSE").
func validType(typ string) bool {
	if len(typ) == 0 || len(typ) > maxTypeLen || typ[0] == ' ' || typ[len(typ)-1] == ' ' {
		return false
	}
	for i := 0; i < len(typ); i++ {
		c := typ[i]
		if c == ' ' && typ[i-1] == ' ' {
			return false
		}
		if c != ' ' && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// domain returns the signed-message prefix of a document type:
// "licdesk-" + lower-case type with spaces as dashes + "-v1" + NUL.
func domain(typ string) string {
	return "licdesk-" + strings.ReplaceAll(strings.ToLower(typ), " ", "-") + "-v1\x00"
}

// signedMessage is what Ed25519 signs: domain(typ) + kid + NUL + body.
func signedMessage(typ, kid string, body []byte) []byte {
	d := domain(typ)
	m := make([]byte, 0, len(d)+len(kid)+1+len(body))
	m = append(m, d...)
	m = append(m, kid...)
	m = append(m, 0)
	return append(m, body...)
}

func beginLine(typ string) string { return beginPrefix + typ + dashes }
func endLine(typ string) string   { return endPrefix + typ + dashes }

// encodeArmor writes the canonical armored form. body must not be empty.
func encodeArmor(typ, kid string, body, sig []byte) []byte {
	enc := b64.EncodeToString(body)
	var b bytes.Buffer
	b.Grow(2*(len(beginPrefix)+len(typ)+len(dashes)+1) + len(keyIDHeader) + len(kid) + 1 +
		len(enc) + len(enc)/lineWidth + 1 + sigLineChars + 1)
	b.WriteString(beginLine(typ))
	b.WriteByte('\n')
	b.WriteString(keyIDHeader)
	b.WriteString(kid)
	b.WriteByte('\n')
	for len(enc) > lineWidth {
		b.WriteString(enc[:lineWidth])
		b.WriteByte('\n')
		enc = enc[lineWidth:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	b.WriteByte('=')
	b.WriteString(b64.EncodeToString(sig))
	b.WriteByte('\n')
	b.WriteString(endLine(typ))
	b.WriteByte('\n')
	return b.Bytes()
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// decodeArmor parses an armored document of type typ strictly. The caller has
// checked the size.
func decodeArmor(file []byte, typ string) (kid string, body, sig []byte, err error) {
	if len(file) == 0 {
		return "", nil, nil, malformed("empty file")
	}
	if i := bytes.IndexByte(file, '\r'); i >= 0 {
		return "", nil, nil, malformed("carriage return at byte %d: CRLF line endings are not accepted (copy the file in binary mode)", i)
	}
	if file[len(file)-1] != '\n' {
		return "", nil, nil, malformed("no newline at end of file (truncated?)")
	}
	lines := strings.Split(string(file[:len(file)-1]), "\n")
	if lines[0] != beginLine(typ) {
		if l := lines[0]; strings.HasPrefix(l, beginPrefix) && strings.HasSuffix(l, dashes) && len(l) > len(beginPrefix)+len(dashes) {
			return "", nil, nil, malformed("line 1: this is a LICENSE DESK %s, not a %s", l[len(beginPrefix):len(l)-len(dashes)], typ)
		}
		return "", nil, nil, malformed("line 1: want %q", beginLine(typ))
	}
	if len(lines) < 5 {
		return "", nil, nil, malformed("only %d lines, want at least 5 (truncated?)", len(lines))
	}
	if !strings.HasPrefix(lines[1], keyIDHeader) {
		return "", nil, nil, malformed("line 2: want %q header", strings.TrimSpace(keyIDHeader))
	}
	kid = lines[1][len(keyIDHeader):]
	if !validKeyID(kid) {
		return "", nil, nil, malformed("line 2: key ID %q must be 1 to %d characters of A-Z a-z 0-9 . _ -", kid, maxKeyIDLen)
	}
	last := len(lines) - 1
	if lines[last] != endLine(typ) {
		return "", nil, nil, malformed("line %d: want %q (truncated?)", last+1, endLine(typ))
	}
	sigLine := lines[last-1]
	if len(sigLine) == 0 || sigLine[0] != '=' {
		return "", nil, nil, malformed("line %d: want signature line starting with \"=\"", last)
	}
	sig, err = b64.DecodeString(sigLine[1:])
	if err != nil || len(sig) != ed25519.SignatureSize || len(sigLine) != sigLineChars {
		return "", nil, nil, malformed("line %d: signature is not base64 of %d bytes", last, ed25519.SignatureSize)
	}
	payload := lines[2 : last-1]
	for i, l := range payload {
		n := i + 3
		if i < len(payload)-1 && len(l) != lineWidth {
			return "", nil, nil, malformed("line %d: payload line is %d characters, want %d", n, len(l), lineWidth)
		}
		if len(l) == 0 || len(l) > lineWidth {
			return "", nil, nil, malformed("line %d: payload line is %d characters, want 1 to %d", n, len(l), lineWidth)
		}
	}
	body, err = b64.DecodeString(strings.Join(payload, ""))
	if err != nil {
		return "", nil, nil, malformed("payload is not valid base64: %v", err)
	}
	if len(body) == 0 {
		return "", nil, nil, malformed("empty payload")
	}
	// Belt and braces: the checks above should admit only canonical files.
	if !bytes.Equal(encodeArmor(typ, kid, body, sig), file) {
		return "", nil, nil, malformed("not in canonical form")
	}
	return kid, body, sig, nil
}

// openEnvelope checks size, armor and signature, and returns the signed body.
func openEnvelope(file []byte, typ string, trusted TrustedKeys) (kid string, body []byte, err error) {
	if len(file) > MaxFileSize {
		return "", nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(file), MaxFileSize)
	}
	kid, body, sig, err := decodeArmor(file, typ)
	if err != nil {
		return "", nil, err
	}
	pub, ok := trusted[kid]
	if !ok {
		return "", nil, fmt.Errorf("%w: key ID %q is not trusted (add the portal's public key with \"licdesk trust add\")", ErrUnknownKey, kid)
	}
	if len(pub) != ed25519.PublicKeySize {
		return "", nil, fmt.Errorf("%w: trusted key %q is %d bytes, want %d", ErrInvalidKey, kid, len(pub), ed25519.PublicKeySize)
	}
	if !ed25519.Verify(pub, signedMessage(typ, kid, body), sig) {
		return "", nil, fmt.Errorf("%w: signature by key %q does not match the contents (file altered or signed by another key)", ErrBadSignature, kid)
	}
	return kid, body, nil
}

// seal signs body and armors it.
func (s Signer) seal(typ string, body []byte) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrInvalidPayload)
	}
	// Quick bound before signing: base64 alone is 4/3 of the body.
	if len(body) > MaxFileSize/4*3 {
		return nil, fmt.Errorf("%w: body of %d bytes exceeds the %d-byte file limit once encoded", ErrTooLarge, len(body), MaxFileSize)
	}
	sig := ed25519.Sign(s.Key, signedMessage(typ, s.KeyID, body))
	out := encodeArmor(typ, s.KeyID, body, sig)
	if len(out) > MaxFileSize {
		return nil, fmt.Errorf("%w: encoded file is %d bytes, limit %d", ErrTooLarge, len(out), MaxFileSize)
	}
	return out, nil
}

// SealEnvelope signs body as an armored document of type typ
// ("-----BEGIN LICENSE DESK <typ>-----"), for signed documents other than
// licenses (activation responses, for example). typ is upper-case words
// separated by single spaces; "LICENSE" is reserved for Sign.
func (s Signer) SealEnvelope(typ string, body []byte) ([]byte, error) {
	if err := checkEnvelopeType(typ); err != nil {
		return nil, err
	}
	return s.seal(typ, body)
}

// OpenEnvelope verifies an armored document of type typ made by
// SealEnvelope against the trusted keys and returns its body and key ID. The
// body is exactly the signed bytes; parsing it is the caller's job.
func OpenEnvelope(file []byte, typ string, trusted TrustedKeys) (body []byte, kid string, err error) {
	if err := checkEnvelopeType(typ); err != nil {
		return nil, "", err
	}
	kid, body, err = openEnvelope(file, typ, trusted)
	return body, kid, err
}

func checkEnvelopeType(typ string) error {
	if !validType(typ) {
		return fmt.Errorf("%w: document type %q must be upper-case words separated by single spaces, at most %d characters", ErrInvalidPayload, typ, maxTypeLen)
	}
	if typ == licenseType {
		return fmt.Errorf("%w: document type %q is reserved for Sign and Verify", ErrInvalidPayload, typ)
	}
	return nil
}
