package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchFingerprint_ValidWhenAtLeastHalfOfTheKnownComponentsMatch(t *testing.T) {
	bound := Fingerprint{"cpu": "c1", "board": "b1", "disk": "d1", "mac": "m1"}
	tests := []struct {
		name    string
		current Fingerprint
		want    Match
	}{
		{"same machine", Fingerprint{"cpu": "c1", "board": "b1", "disk": "d1", "mac": "m1"}, Match{Matched: 4, Known: 4, OK: true}},
		{"one part replaced", Fingerprint{"cpu": "c1", "board": "b1", "disk": "d2", "mac": "m1"}, Match{Matched: 3, Known: 4, OK: true}},
		{"exactly half", Fingerprint{"cpu": "c1", "board": "b1", "disk": "d2", "mac": "m2"}, Match{Matched: 2, Known: 4, OK: true}},
		{"fewer than half", Fingerprint{"cpu": "c1", "board": "b2", "disk": "d2", "mac": "m2"}, Match{Matched: 1, Known: 4, OK: false}},
		{"another machine", Fingerprint{"cpu": "c9", "board": "b9", "disk": "d9", "mac": "m9"}, Match{Matched: 0, Known: 4, OK: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MatchFingerprint(bound, tt.current))
		})
	}
}

func TestMatchFingerprint_IgnoresComponentsUnknownOnEitherSide(t *testing.T) {
	bound := Fingerprint{"cpu": "c1", "board": "", "disk": "d1", "mac": "m1"}
	current := Fingerprint{"cpu": "c1", "board": "b1", "disk": "", "extra": "x"}
	// Known on both sides: cpu only (board unknown when bound, disk unknown
	// now, mac missing now, extra missing when bound).
	assert.Equal(t, Match{Matched: 1, Known: 1, OK: true}, MatchFingerprint(bound, current))

	// Unknown components cannot pull a real mismatch above the threshold.
	bound = Fingerprint{"cpu": "c1", "board": "b1", "disk": "d1"}
	current = Fingerprint{"cpu": "c9", "board": "b9", "disk": ""}
	assert.Equal(t, Match{Matched: 0, Known: 2, OK: false}, MatchFingerprint(bound, current))
}

func TestMatchFingerprint_NothingKnownOnBothSidesIsAMismatch(t *testing.T) {
	tests := []struct{ bound, current Fingerprint }{
		{nil, nil},
		{Fingerprint{"cpu": "c1"}, Fingerprint{"board": "b1"}},
		{Fingerprint{"cpu": ""}, Fingerprint{"cpu": ""}},
	}
	for _, tt := range tests {
		assert.Equal(t, Match{}, MatchFingerprint(tt.bound, tt.current))
	}
}

func TestFingerprintKnown_CountsNonEmptyValues(t *testing.T) {
	assert.Equal(t, 2, Fingerprint{"a": "1", "b": "", "c": "3"}.Known())
	assert.Equal(t, 0, Fingerprint(nil).Known())
}
