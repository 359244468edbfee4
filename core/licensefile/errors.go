package licensefile

import "errors"

// Sentinel errors. Errors returned by this package wrap one of them with
// context, for example
//
//	licensefile: malformed file: line 3: payload line is 63 characters, want 64
var (
	// ErrTooLarge: the input exceeds MaxFileSize (checked before parsing).
	ErrTooLarge = errors.New("the license file is too large")
	// ErrMalformed: the input is not a well-formed, canonical file.
	ErrMalformed = errors.New("the license file is damaged or not a License Desk file")
	// ErrUnsupportedVersion: the payload has a version this build does not know.
	ErrUnsupportedVersion = errors.New("the license file is of a version this License Desk does not read")
	// ErrUnknownKey: the file's key ID is not among the trusted keys.
	ErrUnknownKey = errors.New("the license file is signed with a key this profile does not trust")
	// ErrBadSignature: the signature does not verify under the trusted key.
	ErrBadSignature = errors.New("the license file's signature does not verify: it was changed")
	// ErrInvalidPayload: the payload breaks a rule (missing license ID, etc.).
	ErrInvalidPayload = errors.New("the license file's content is not valid")
	// ErrInvalidKey: a key or key ID given to this package is unusable.
	ErrInvalidKey = errors.New("the signing key is not valid")
	// ErrNotYetValid: issued later than now plus the allowed clock skew.
	ErrNotYetValid = errors.New("the license is not valid yet")
	// ErrExpired: now is at or after the expiry.
	ErrExpired = errors.New("the license has expired")
	// ErrLeaseEnded: now is at or after the offline lease end.
	ErrLeaseEnded = errors.New("the offline lease has ended: connect to the portal to renew it")
	// ErrClockRollback: the clock is earlier than a time already seen.
	ErrClockRollback = errors.New("the clock was set back")
)
