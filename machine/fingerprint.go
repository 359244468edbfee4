package machine

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/licdesk/licdesk/core"
)

// Fingerprint component names: core's, which also says which are strong
// (machine ID, board, disk, MACs) and which weak (CPU, memory).
const (
	ComponentMachineID = core.ComponentMachineID // the OS installation's ID
	ComponentBoard     = core.ComponentBoard     // the DMI/SMBIOS system UUID
	ComponentCPU       = core.ComponentCPU       // vendor, family and model
	ComponentMemory    = core.ComponentMemory    // total memory rounded to GiB
	ComponentMAC       = core.ComponentMAC       // the set of permanent MACs of physical NICs
	ComponentDisk      = core.ComponentDisk      // the serial number of the disk holding the system
)

// hashKey keys the HMAC that every component goes through before it leaves
// the machine. It is not a secret (it is in the source): it only makes the
// hashes specific to License Desk, so that they cannot be matched against
// plain hashes of the same serial numbers in another vendor's database, and
// it never changes, or every activation would fall into grace at once.
const hashKey = "License Desk hardware fingerprint v1"

// hashHexLen is how many hex digits of the HMAC are kept: 128 bits are far
// more than needed to tell machines apart and keep activation requests (and
// their QR codes) small.
const hashHexLen = 32

// Identifiers are a computer's raw hardware identifiers as a Source reads
// them. An empty field (nil MACs, zero MemoryBytes) is a component that could
// not be read. They stay on the machine: only Hash's output leaves it.
type Identifiers struct {
	MachineID   string   // /etc/machine-id, MachineGuid, IOPlatformUUID
	BoardUUID   string   // DMI/SMBIOS system UUID
	CPUVendor   string   // "GenuineIntel"
	CPUFamily   string   // "6"
	CPUModel    string   // "106"
	MemoryBytes uint64   // total physical memory
	MACs        []string // permanent MACs of physical network cards, any spelling net.ParseMAC accepts
	DiskSerial  string   // serial number of the disk holding the operating system
}

// Source reads this computer's identifiers. A component that cannot be read
// is left empty rather than reported as an error: an error means nothing
// could be read at all (or ctx ended).
type Source interface {
	Identifiers(ctx context.Context) (Identifiers, error)
}

// SourceFunc adapts a function to Source (tests use it for fakes).
type SourceFunc func(ctx context.Context) (Identifiers, error)

// Identifiers calls f.
func (f SourceFunc) Identifiers(ctx context.Context) (Identifiers, error) { return f(ctx) }

// System returns a source that reads this computer's hardware. The value
// memoises its first complete read: its owner (a Desk, one check) reads
// the hardware once however many times it asks, and a new System() reads
// it again. Nothing is kept beyond the value: no file, no package state.
func System() Source { return &systemSource{os: newOSSource()} }

// Collect returns this computer's fingerprint.
func Collect(ctx context.Context) (core.Fingerprint, error) {
	return CollectFrom(ctx, System())
}

// CollectFrom returns the fingerprint of the identifiers src reads.
func CollectFrom(ctx context.Context, src Source) (core.Fingerprint, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read the hardware fingerprint: %w", err)
	}
	id, err := src.Identifiers(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the hardware fingerprint: %w", err)
	}
	return Hash(id), nil
}

// Hash normalizes the identifiers and returns their fingerprint: each
// readable component as hex(HMAC-SHA256(hashKey, name NUL value)) cut to 32
// digits; unreadable or placeholder values are left out (unknown). The name
// is in the MAC so that one value read as two components (a UUID shown as
// both machine ID and board ID) gives two unrelated hashes.
func Hash(id Identifiers) core.Fingerprint {
	fp := core.Fingerprint{}
	add := func(name, value string) {
		if value == "" {
			return
		}
		m := hmac.New(sha256.New, []byte(hashKey))
		m.Write([]byte(name))
		m.Write([]byte{0})
		m.Write([]byte(value))
		fp[name] = hex.EncodeToString(m.Sum(nil))[:hashHexLen]
	}
	add(ComponentMachineID, normalizeMachineID(id.MachineID))
	add(ComponentBoard, normalizeUUID(id.BoardUUID))
	add(ComponentCPU, cpuValue(id.CPUVendor, id.CPUFamily, id.CPUModel))
	add(ComponentMemory, memoryValue(id.MemoryBytes))
	add(ComponentMAC, macValue(id.MACs))
	add(ComponentDisk, normalizeSerial(id.DiskSerial))
	return fp
}

// normalizeMachineID lower-cases an OS machine ID and drops the values an
// uninitialized system shows (empty, all zeros, systemd's "uninitialized").
func normalizeMachineID(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.Trim(s, "{}")
	if s == "uninitialized" || allOf(strings.ReplaceAll(s, "-", ""), "0") {
		return ""
	}
	return s
}

// placeholderUUID reports the system UUIDs that firmware vendors ship on
// many boards alike: they identify nothing, so they count as unknown.
func placeholderUUID(s string) bool {
	switch s {
	case "03000200-0400-0500-0006-000700080009",
		"00020003-0004-0005-0006-000700080009",
		"12345678-1234-5678-90ab-cddeefaabbcc":
		return true
	}
	return false
}

// normalizeUUID lower-cases a system UUID and drops empty, all-zero, all-F
// and well-known placeholder values.
func normalizeUUID(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), "{}"))
	hexDigits := strings.ReplaceAll(s, "-", "")
	if allOf(hexDigits, "0") || allOf(hexDigits, "f") || placeholderUUID(s) {
		return ""
	}
	return s
}

// allOf reports whether s is empty or made only of the character c.
func allOf(s, c string) bool { return strings.Trim(s, c) == "" }

// cpuValue joins vendor, family and model. Frequency, core count and
// stepping are left out: they change with power settings, virtual CPU
// allotment and microcode, not with the processor.
func cpuValue(vendor, family, model string) string {
	vendor, family, model = strings.TrimSpace(vendor), strings.TrimSpace(family), strings.TrimSpace(model)
	if vendor == "" && family == "" && model == "" {
		return ""
	}
	return vendor + "/" + family + "/" + model
}

const gib = 1 << 30

// memoryValue rounds the memory size to the nearest GiB, so that the few
// MiB the kernel or firmware reserve differently from one boot or update to
// the next do not count as a hardware change.
func memoryValue(b uint64) string {
	if b == 0 {
		return ""
	}
	n := (b + gib/2) / gib
	if n == 0 {
		n = 1
	}
	return strconv.FormatUint(n, 10) + "GiB"
}

// macValue is the sorted set of usable MACs, comma-joined: one component
// for all network cards, so that adding or removing a card changes one
// component of six, which the match rule tolerates.
func macValue(macs []string) string {
	var set []string
	for _, s := range macs {
		if m, ok := permanentMAC(s); ok {
			set = append(set, m)
		}
	}
	slices.Sort(set)
	return strings.Join(slices.Compact(set), ",")
}

// permanentMAC parses a 6-byte MAC and refuses the ones that do not
// identify hardware: all zeros, multicast, and locally administered (set by
// software: random Wi-Fi MACs, containers, most virtual NICs).
func permanentMAC(s string) (string, bool) {
	hw, err := net.ParseMAC(strings.TrimSpace(s))
	if err != nil || len(hw) != 6 {
		return "", false
	}
	if hw[0]&0x01 != 0 || hw[0]&0x02 != 0 || allZero(hw) {
		return "", false
	}
	return hw.String(), true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// normalizeSerial trims a disk serial and drops the filler values some
// controllers report instead of one.
func normalizeSerial(s string) string {
	s = strings.TrimSpace(strings.Trim(s, "\x00"))
	if allOf(s, "0") || allOf(s, " ") || strings.EqualFold(s, "none") || strings.EqualFold(s, "unknown") {
		return ""
	}
	return s
}

// osSource reads the identifiers in the operating system's own way.
type osSource interface {
	machineID(ctx context.Context) string
	boardUUID(ctx context.Context) string
	macs(ctx context.Context) []string
	diskSerial(ctx context.Context) string
	// cpu is the first processor's vendor, family and model.
	cpu(ctx context.Context) (vendor, family, model string)
	// memoryBytes is the total physical memory, 0 when unknown.
	memoryBytes(ctx context.Context) uint64
}

// systemSource reads this computer through its osSource, once: mu guards
// the memoised read.
type systemSource struct {
	os osSource

	mu   sync.Mutex
	read bool
	id   Identifiers
}

// Identifiers reads everything it can and never fails on one component. A
// read that ctx cut short is not memoised.
func (s *systemSource) Identifiers(ctx context.Context) (Identifiers, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read {
		return s.copied(), nil
	}
	var id Identifiers
	id.MachineID = s.os.machineID(ctx)
	id.BoardUUID = s.os.boardUUID(ctx)
	id.CPUVendor, id.CPUFamily, id.CPUModel = s.os.cpu(ctx)
	id.MemoryBytes = s.os.memoryBytes(ctx)
	id.MACs = s.os.macs(ctx)
	id.DiskSerial = s.os.diskSerial(ctx)
	if err := ctx.Err(); err != nil {
		return Identifiers{}, err
	}
	s.id, s.read = id, true
	return s.copied(), nil
}

// copied is the memoised read with its own MACs slice, so that a caller
// that edits it does not change what the next caller gets.
func (s *systemSource) copied() Identifiers {
	id := s.id
	id.MACs = slices.Clone(s.id.MACs)
	return id
}

// virtualOUI reports the vendor prefixes of virtual network cards
// (Hyper-V, VMware, VirtualBox, Parallels, Xen). Where the system cannot
// tell a virtual card from a physical one (Windows, macOS), cards with these
// prefixes are left out: a host's virtual switches come and go with the
// hypervisor's configuration.
func virtualOUI(mac string) bool {
	switch mac[:8] {
	case "00:15:5d", "00:50:56", "00:0c:29", "00:05:69", "00:1c:14", "08:00:27", "00:1c:42", "00:16:3e":
		return true
	}
	return false
}

// interfaceMACs lists the permanent MACs of the network interfaces the Go
// runtime sees, without virtual cards' prefixes; for systems whose own
// tables the package does not read.
func interfaceMACs() []string {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []string
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 {
			continue
		}
		m, ok := permanentMAC(i.HardwareAddr.String())
		if !ok || virtualOUI(m) {
			continue
		}
		out = append(out, m)
	}
	return out
}
