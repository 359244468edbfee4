package core

// Fingerprint is a machine's hardware fingerprint: component name (for
// example "cpu", "board", "disk", "mac") to a hash of its value. An empty
// value means the component could not be read on that machine. Only hashes
// are kept so the portal never learns serial numbers.
type Fingerprint map[string]string

// Known counts the components with a value.
func (f Fingerprint) Known() int {
	n := 0
	for _, v := range f {
		if v != "" {
			n++
		}
	}
	return n
}

// Match is the outcome of comparing a bound fingerprint with the current
// one.
type Match struct {
	Matched int  // components known on both sides with equal values
	Known   int  // components known on both sides
	OK      bool // the activation still belongs to this machine
}

// MatchFingerprint applies the match rule. Components unknown on either
// side are left out: a component that cannot be read (a virtual machine
// without a board serial, a disk behind a RAID controller) says nothing
// about whether the machine changed. The machine is the same when at least
// half of the components known on both sides match, so replacing one part of
// several (a disk, a network card) keeps the activation, while moving the
// license to another machine does not. When no component is known on both
// sides, nothing proves it is the same machine, so it is a mismatch: the
// activation enters its grace period and the user reactivates, rather than
// a license silently following an unidentifiable machine.
func MatchFingerprint(bound, current Fingerprint) Match {
	var m Match
	for name, b := range bound {
		c := current[name]
		if b == "" || c == "" {
			continue
		}
		m.Known++
		if b == c {
			m.Matched++
		}
	}
	m.OK = m.Known > 0 && 2*m.Matched >= m.Known
	return m
}

// clone copies the fingerprint so that a stored activation never shares a
// map with its caller.
func (f Fingerprint) clone() Fingerprint {
	if f == nil {
		return nil
	}
	c := make(Fingerprint, len(f))
	for k, v := range f {
		c[k] = v
	}
	return c
}
