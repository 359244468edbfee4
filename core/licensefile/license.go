package licensefile

import (
	"fmt"
	"time"
)

// DefaultSkew is the clock difference CheckTime should tolerate between the
// portal that issued a file and the computer checking it.
const DefaultSkew = 5 * time.Minute

// Sign normalizes p (see Payload), sets p.KeyID to s.KeyID, validates it and
// returns the signed license file. It refuses invalid payloads
// (ErrInvalidPayload, ErrUnsupportedVersion), unusable keys (ErrInvalidKey)
// and files over MaxFileSize (ErrTooLarge). The caller's slices and maps are
// not modified.
func (s Signer) Sign(p Payload) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	p = normalize(p)
	p.KeyID = s.KeyID
	if err := validate(p); err != nil {
		return nil, err
	}
	body, err := encodePayload(p)
	if err != nil {
		return nil, err
	}
	return s.seal(licenseType, body)
}

// Verify checks a license file against the trusted keys and returns its
// payload: size (ErrTooLarge), armor (ErrMalformed), key ID
// (ErrUnknownKey), signature over the exact payload bytes (ErrBadSignature),
// then the payload itself (ErrUnsupportedVersion, ErrMalformed,
// ErrInvalidPayload). It does not look at the clock: call CheckTime.
func Verify(file []byte, trusted TrustedKeys) (Payload, error) {
	kid, body, err := openEnvelope(file, licenseType, trusted)
	if err != nil {
		return Payload{}, err
	}
	p, err := decodePayload(body)
	if err != nil {
		return Payload{}, err
	}
	if p.KeyID != kid {
		return Payload{}, malformed("payload key_id %q differs from the Key-Id header %q", p.KeyID, kid)
	}
	return p, nil
}

// CheckTime checks p against the current time: issued more than skew after
// now (ErrNotYetValid), now at or after Expiry (ErrExpired), now at or after
// LeaseEnd (ErrLeaseEnded), in that order. skew (use DefaultSkew) only
// excuses a portal clock ahead of this one; it does not extend expiry or
// lease end. A negative skew counts as zero.
func (p Payload) CheckTime(now time.Time, skew time.Duration) error {
	if skew < 0 {
		skew = 0
	}
	if p.Issued.After(now.Add(skew)) {
		return fmt.Errorf("%w: issued %s, which is %s after this computer's clock (%s); check the clock",
			ErrNotYetValid, formatTime(p.Issued), p.Issued.Sub(now).Round(time.Second), now.UTC().Format(timeLayout))
	}
	if !p.Expiry.IsZero() && !now.Before(p.Expiry) {
		return fmt.Errorf("%w: license %s expired %s", ErrExpired, p.LicenseID, formatTime(p.Expiry))
	}
	if !p.LeaseEnd.IsZero() && !now.Before(p.LeaseEnd) {
		return fmt.Errorf("%w: license %s offline lease ended %s; connect to the portal to renew it", ErrLeaseEnded, p.LicenseID, formatTime(p.LeaseEnd))
	}
	return nil
}

// CheckClock detects a clock set back: it refuses now when it is earlier than
// latestSeen (the latest time this computer has already observed, persisted
// by the caller) by more than skew. A zero latestSeen always passes.
func CheckClock(now, latestSeen time.Time, skew time.Duration) error {
	if skew < 0 {
		skew = 0
	}
	if !latestSeen.IsZero() && now.Add(skew).Before(latestSeen) {
		return fmt.Errorf("%w: this computer's clock (%s) is %s behind a time already seen (%s); correct the clock",
			ErrClockRollback, now.UTC().Format(timeLayout), latestSeen.Sub(now).Round(time.Second), latestSeen.UTC().Format(timeLayout))
	}
	return nil
}
