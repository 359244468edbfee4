package core

import "strconv"

// Fingerprint is a machine's hardware fingerprint: component name (for
// example "cpu", "board", "disk", "mac") to a hash of its value. An empty
// value means the component could not be read on that machine. Only hashes
// are kept so the portal never learns serial numbers.
type Fingerprint map[string]string

// Fingerprint component names. They are the keys of Fingerprint and appear
// in license files and activation requests, so they never change.
const (
	ComponentMachineID = "machine_id" // the OS installation's ID (strong)
	ComponentBoard     = "board"      // the DMI/SMBIOS system UUID (strong)
	ComponentDisk      = "disk"       // the serial number of the system disk (strong)
	ComponentMAC       = "mac"        // the set of permanent MACs of physical NICs (strong)
	ComponentCPU       = "cpu"        // vendor, family and model (weak)
	ComponentMemory    = "memory"     // total memory rounded to GiB (weak)
)

// StrongComponent reports whether a component identifies one machine: the
// OS machine ID, the board UUID, the system disk serial and the permanent
// MACs are (nearly) unique per computer. Every other component, the CPU
// model and the memory size first of all, is weak: thousands of machines
// share it, so it never proves on its own that two fingerprints are one
// machine. An unknown component name counts as weak for the same reason.
func StrongComponent(name string) bool {
	switch name {
	case ComponentMachineID, ComponentBoard, ComponentDisk, ComponentMAC:
		return true
	}
	return false
}

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

// Strong counts the strong components with a value: a fingerprint with
// none can never match under MatchFingerprint, so nothing may be bound to
// it.
func (f Fingerprint) Strong() int {
	n := 0
	for name, v := range f {
		if v != "" && StrongComponent(name) {
			n++
		}
	}
	return n
}

// Match is the outcome of comparing a bound fingerprint with the current
// one.
type Match struct {
	Matched       int  // components known on both sides with equal values
	Known         int  // components known on both sides
	StrongMatched int  // strong components known on both sides with equal values
	OK            bool // the activation still belongs to this machine
	// OtherMachine is set when no strong component matches: nothing ties
	// the two fingerprints to one computer, so they are two machines (a
	// license file copied elsewhere, a twin with the same CPU and memory),
	// not one machine whose hardware changed, and no grace applies.
	OtherMachine bool
}

// Summary renders the comparison for messages and audit entries.
func (m Match) Summary() string {
	return strconv.Itoa(m.Matched) + " of " + strconv.Itoa(m.Known) + " known components match, " +
		strconv.Itoa(m.StrongMatched) + " of them strong"
}

// MatchFingerprint applies the one match rule of License Desk, which the
// portal uses to decide whether an activation request comes from a machine
// already activated, and the local check to decide whether a license file
// belongs to this machine.
//
// Components unknown on either side are left out: a component that cannot
// be read (a virtual machine without a board serial, a disk behind a RAID
// controller) says nothing about whether the machine changed. The machine is
// the same (OK) when at least one strong component (see StrongComponent)
// matches and at least half of the components known on both sides match, so
// replacing one part of several keeps the activation while moving the
// license to another machine does not. Weak components count towards the
// half but never match alone: two machines with the same CPU model and
// memory size share both weak components and are still two machines. When
// no strong component matches, including when none is known on both sides,
// the fingerprints are of another machine (OtherMachine): a license file is
// then refused outright, with no hardware-change grace.
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
			if StrongComponent(name) {
				m.StrongMatched++
			}
		}
	}
	m.OtherMachine = m.StrongMatched == 0
	m.OK = !m.OtherMachine && 2*m.Matched >= m.Known
	return m
}

// Same reports whether two fingerprints are identical in every component
// known on either side: a request that is the bound machine as it was, not
// a re-bind to changed (or crafted) hardware.
func (f Fingerprint) Same(other Fingerprint) bool {
	if f.Known() != other.Known() {
		return false
	}
	for name, v := range f {
		if v != "" && other[name] != v {
			return false
		}
	}
	return true
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
