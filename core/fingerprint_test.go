package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// six is a machine with every component of the real fingerprint.
func six() Fingerprint {
	return Fingerprint{ComponentMachineID: "id1", ComponentBoard: "b1", ComponentDisk: "d1", ComponentMAC: "m1",
		ComponentCPU: "c1", ComponentMemory: "16GiB"}
}

func with(f Fingerprint, kv ...string) Fingerprint {
	out := f.clone()
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestMatchFingerprint_NeedsOneStrongComponentAndHalfOfTheKnownOnes(t *testing.T) {
	tests := []struct {
		name    string
		current Fingerprint
		want    Match
	}{
		{"same machine", six(), Match{Matched: 6, Known: 6, StrongMatched: 4, OK: true}},
		{"disk replaced", with(six(), ComponentDisk, "d2"), Match{Matched: 5, Known: 6, StrongMatched: 3, OK: true}},
		{"exactly half, one strong", with(six(), ComponentMachineID, "x", ComponentBoard, "x", ComponentDisk, "x"),
			Match{Matched: 3, Known: 6, StrongMatched: 1, OK: true}},
		{"fewer than half, one strong: grace", with(six(), ComponentMachineID, "x", ComponentBoard, "x", ComponentDisk, "x", ComponentCPU, "x"),
			Match{Matched: 2, Known: 6, StrongMatched: 1}},
		{"twin machine: same CPU and memory only", with(six(), ComponentMachineID, "x", ComponentBoard, "x", ComponentDisk, "x", ComponentMAC, "x"),
			Match{Matched: 2, Known: 6, OtherMachine: true}},
		{"another machine", Fingerprint{ComponentMachineID: "9", ComponentBoard: "9", ComponentDisk: "9", ComponentMAC: "9", ComponentCPU: "9", ComponentMemory: "9"},
			Match{Matched: 0, Known: 6, OtherMachine: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MatchFingerprint(six(), tt.current))
		})
	}
}

func TestMatchFingerprint_WeakComponentsNeverMatchAlone(t *testing.T) {
	// The crafted re-bind of issue 11: a request that shares only the CPU
	// with the bound machine and leaves the rest unreadable was "one of one
	// known components" and so the same machine.
	onlyCPU := Fingerprint{ComponentCPU: "c1"}
	m := MatchFingerprint(six(), onlyCPU)
	assert.False(t, m.OK)
	assert.True(t, m.OtherMachine)
	assert.Equal(t, 1, m.Matched)

	m = MatchFingerprint(six(), Fingerprint{ComponentCPU: "c1", ComponentMemory: "16GiB", ComponentMAC: "other"})
	assert.False(t, m.OK)
	assert.True(t, m.OtherMachine, "CPU and memory are a majority of three but prove nothing")

	// Unknown component names count as weak.
	m = MatchFingerprint(Fingerprint{"host": "h1", "cpu": "c1"}, Fingerprint{"host": "h1", "cpu": "c1"})
	assert.True(t, m.OtherMachine)
}

func TestMatchFingerprint_IgnoresComponentsUnknownOnEitherSide(t *testing.T) {
	bound := Fingerprint{"cpu": "c1", "board": "", "disk": "d1", "mac": "m1"}
	current := Fingerprint{"cpu": "c1", "board": "b1", "disk": "", "mac": "m1", "extra": "x"}
	// Known on both sides: cpu and mac (board unknown when bound, disk
	// unknown now, extra missing when bound).
	assert.Equal(t, Match{Matched: 2, Known: 2, StrongMatched: 1, OK: true}, MatchFingerprint(bound, current))

	// Unknown components cannot pull a real mismatch above the threshold.
	bound = Fingerprint{"cpu": "c1", "board": "b1", "disk": "d1"}
	current = Fingerprint{"cpu": "c9", "board": "b9", "disk": ""}
	assert.Equal(t, Match{Matched: 0, Known: 2, OtherMachine: true}, MatchFingerprint(bound, current))
}

func TestMatchFingerprint_NothingKnownOnBothSidesIsAnotherMachine(t *testing.T) {
	tests := []struct{ bound, current Fingerprint }{
		{nil, nil},
		{Fingerprint{"cpu": "c1"}, Fingerprint{"board": "b1"}},
		{Fingerprint{"cpu": ""}, Fingerprint{"cpu": ""}},
	}
	for _, tt := range tests {
		assert.Equal(t, Match{OtherMachine: true}, MatchFingerprint(tt.bound, tt.current))
	}
}

func TestStrongComponent_AreTheFourMachineIdentifiers(t *testing.T) {
	for _, c := range []string{ComponentMachineID, ComponentBoard, ComponentDisk, ComponentMAC} {
		assert.True(t, StrongComponent(c), c)
	}
	for _, c := range []string{ComponentCPU, ComponentMemory, "host", ""} {
		assert.False(t, StrongComponent(c), c)
	}
}

func TestFingerprintSame_ComparesEveryKnownComponent(t *testing.T) {
	assert.True(t, six().Same(six()))
	assert.True(t, six().Same(with(six(), "extra", "")), "an unknown component is no difference")
	assert.False(t, six().Same(with(six(), ComponentDisk, "d2")))
	assert.False(t, six().Same(with(six(), "extra", "x")))
}

func TestFingerprintKnown_CountsNonEmptyValues(t *testing.T) {
	assert.Equal(t, 2, Fingerprint{"a": "1", "b": "", "c": "3"}.Known())
	assert.Equal(t, 0, Fingerprint(nil).Known())
}
