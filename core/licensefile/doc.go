// Package licensefile reads and writes the signed license files that the
// License Desk portal issues and that clients and protected programs verify
// with no network access.
//
// The package is pure: it never touches files, the network or the clock
// (callers pass file contents as []byte and the current time as now), and it
// has no mutable globals. It imports only the standard library, so a protected
// program can link it on its own.
//
// # File format
//
// A license file is ASCII text with LF line endings:
//
//	-----BEGIN LICENSE DESK LICENSE-----
//	Key-Id: 3f2a9c0d1b7e4a55
//	eyJ2ZXJzaW9uIjoxLCJraW5kIjoibGljZW5zZSIsImxpY2Vuc2VfaWQiOiJMLTEi
//	...
//	=<base64 of the 64-byte Ed25519 signature>
//	-----END LICENSE DESK LICENSE-----
//
// Line 1 is the BEGIN line, line 2 the Key-Id header, then the payload in
// standard base64 (with padding) wrapped at 64 columns (every payload line is
// exactly 64 characters except the last, which has 1 to 64), then one line
// holding "=" followed by the base64 signature, then the END line. Every line,
// including the last, ends with a single "\n".
//
// Parsing is strict: the file must be byte-for-byte the canonical encoding of
// its key ID, payload and signature. Anything else is refused with
// ErrMalformed: CR characters (CRLF line endings are rejected, not
// canonicalized; copy license files in binary mode), leading or trailing
// blank lines or spaces, a missing final newline, re-wrapped base64, base64
// with non-zero padding bits, trailing garbage. Files larger than MaxFileSize
// are refused with ErrTooLarge before any parsing.
//
// # Signature
//
// The signature is Ed25519 (RFC 8032, pure) over
//
//	"licdesk-license-v1" 0x00 <key ID> 0x00 <payload bytes>
//
// where the payload bytes are exactly the base64-decoded bytes of the file:
// Verify checks the signature over the bytes it read and only then parses
// them; it never re-marshals before verifying. The key ID is inside the signed
// message and is repeated in the payload (key_id), so it cannot be swapped.
// Verify looks the key ID up in the caller's TrustedKeys: a file never brings
// its own trust.
//
// # Payload
//
// The payload is a JSON object in canonical form: the fields of Payload in
// declaration order, optional fields omitted when empty, modules sorted,
// fingerprint keys sorted (encoding/json map order), times as RFC 3339 UTC
// with whole seconds ("2026-03-01T00:00:00Z"). Verify refuses unknown fields,
// a version other than CurrentVersion (ErrUnsupportedVersion), and any payload
// whose bytes differ from the canonical encoding of what they decode to (for
// example duplicate keys, different key case, extra whitespace). Sign
// normalizes what it can (UTC, whole seconds, sorted modules) and refuses the
// rest (ErrInvalidPayload). Consequently Sign(Verify(file)) with the same
// signer reproduces file byte for byte (Ed25519 signatures are deterministic).
//
// # Other signed documents
//
// Signer.SealEnvelope and OpenEnvelope use the same armor and signature
// scheme for other document types (for example "ACTIVATION RESPONSE"), with
// the type in the armor lines and in the signed domain prefix
// ("licdesk-activation-response-v1" 0x00 ...), so a document of one type can
// never be accepted as another.
//
// # Public keys
//
// KeyID derives a key ID from a public key (the first 16 hex digits of its
// SHA-256). MarshalPublicKeys and ParsePublicKeys read and write the JSON
// document that a portal publishes and that "licdesk trust add FILE" imports:
//
//	{
//	  "keys": [
//	    {"kid": "3f2a9c0d1b7e4a55", "alg": "Ed25519", "public_key": "<base64 of 32 bytes>"}
//	  ]
//	}
//
// # Errors
//
// Every error wraps exactly one of the sentinel errors below, has one line,
// and says what was wrong; test with errors.Is.
package licensefile
