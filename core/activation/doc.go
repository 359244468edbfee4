// Package activation holds the files of offline activation that a
// disconnected machine and the portal exchange (source 002: activate
// manually, without a connection), so that the machine's writer and the
// portal's reader are one piece of code:
//
//   - the activation REQUEST, written by the disconnected machine (also shown
//     as a QR code) and carried to a connected machine or the portal page;
//   - the activation RESPONSE, the portal's signed answer carrying the
//     node-locked license file, the request's nonce and a per-activation
//     secret;
//   - the deactivation RECEIPT, written by the disconnected machine when it
//     gives its activation up, carried back to the portal to free the seat.
//
// The package is pure like core: no files, network or clock (callers pass
// contents and times in), and no randomness (callers pass nonces and
// secrets). It imports only the standard library, core and core/licensefile.
//
// # Request and receipt files
//
// Both are ASCII text with LF line endings, armored like license files but
// unsigned, since the machine holds no key the portal would trust:
//
//	-----BEGIN LICENSE DESK ACTIVATION REQUEST-----
//	eyJ2ZXJzaW9uIjoxLCJrZXkiOiJMSUMtLi4uIiwibWFjaGluZSI6InByaW50LXNy
//	...
//	=<base64 of the SHA-256 checksum>
//	-----END LICENSE DESK ACTIVATION REQUEST-----
//
// The body is a JSON object in canonical form (fields in declaration order,
// fingerprint keys sorted, times RFC 3339 UTC with whole seconds), in
// standard base64 wrapped at 64 columns. The checksum line holds the
// SHA-256 of "licdesk-<type>-v1" NUL <body>, so that a file cut short, a
// mistyped character or a QR code read wrong is reported as such before
// anything is looked up. It is not a signature: the portal decides what to
// trust from the caller's account (the key must be theirs) and the request's
// nonce (used once).
//
// Parsing is strict: a file must be byte for byte the encoding of what it
// decodes to, at most MaxFileSize bytes, with no CR characters, unknown
// fields or trailing data.
//
// # Receipts
//
// A receipt proves that the machine holding an activation gave it up: it
// carries the activation ID, the nonce of the request that activated it,
// the time of deactivation and an HMAC-SHA256 over the three, keyed with
// the per-activation secret that only the activation response carried.
//
// # Errors
//
// Every refusal is a *core.Error with one of the Code* constants of this
// package (or a code of core for a malformed key), one line long.
package activation
