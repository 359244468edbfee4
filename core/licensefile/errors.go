package licensefile

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them with
// context, for example
//
//	licensefile: malformed file: line 3: payload line is 63 characters, want 64
var (
	// ErrTooLarge: the input exceeds MaxFileSize (checked before parsing).
	ErrTooLarge = errors.New("licensefile: file too large")
	// ErrMalformed: the input is not a well-formed, canonical file.
	ErrMalformed = errors.New("licensefile: malformed file")
	// ErrUnsupportedVersion: the payload has a version this build does not know.
	ErrUnsupportedVersion = errors.New("licensefile: unsupported version")
	// ErrUnknownKey: the file's key ID is not among the trusted keys.
	ErrUnknownKey = errors.New("licensefile: unknown signing key")
	// ErrBadSignature: the signature does not verify under the trusted key.
	ErrBadSignature = errors.New("licensefile: bad signature")
	// ErrInvalidPayload: the payload breaks a rule (missing license ID, etc.).
	ErrInvalidPayload = errors.New("licensefile: invalid payload")
	// ErrInvalidKey: a key or key ID given to this package is unusable.
	ErrInvalidKey = errors.New("licensefile: invalid key")
	// ErrNotYetValid: issued later than now plus the allowed clock skew.
	ErrNotYetValid = errors.New("licensefile: not yet valid")
	// ErrExpired: now is at or after the expiry.
	ErrExpired = errors.New("licensefile: license expired")
	// ErrLeaseEnded: now is at or after the offline lease end.
	ErrLeaseEnded = errors.New("licensefile: offline lease ended")
	// ErrClockRollback: the clock is earlier than a time already seen.
	ErrClockRollback = errors.New("licensefile: clock set back")
)
