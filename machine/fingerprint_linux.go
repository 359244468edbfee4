//go:build linux

package machine

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// linuxSource reads /etc, /sys and udev's database under root ("/" for the
// real machine; a fake tree in tests). rootDevice gives the device number of
// the file system holding the operating system.
type linuxSource struct {
	root       string
	rootDevice func() (major, minor uint32, ok bool)
}

func newOSSource() osSource {
	return linuxSource{root: "/", rootDevice: statRootDevice}
}

// statRootDevice is the device "/" is mounted from. An overlay or tmpfs root
// (containers) has major 0: no disk, so no disk serial.
func statRootDevice() (uint32, uint32, bool) {
	var st unix.Stat_t
	if err := unix.Stat("/", &st); err != nil {
		return 0, 0, false
	}
	maj, min := unix.Major(st.Dev), unix.Minor(st.Dev)
	return maj, min, maj != 0
}

func (s linuxSource) path(p string) string { return filepath.Join(s.root, p) }

// readSmall reads a short sysfs or /etc file, trimmed; "" when unreadable
// (missing, or root-only like product_uuid for a user).
func (s linuxSource) readSmall(p string) string {
	fd, err := unix.Open(s.path(p), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return ""
	}
	defer unix.Close(fd)
	// A sysfs attribute comes whole in one read (as the former os.File read did).
	var buf [4096]byte
	n, err := unix.Read(fd, buf[:])
	if err != nil || n <= 0 {
		return ""
	}
	return strings.TrimSpace(string(buf[:n]))
}

// readRaw reads the file at path into buf, up to its size, with plain
// system calls: os.Open would also register the file with the runtime's
// poller (sysfs and /proc files are pollable), which costs as much again as
// the read. readSmall does the same with one read.
func readRaw(path string, buf []byte) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return buf[:n], nil
}

// exists reports whether path names something, with one stat.
func exists(path string) bool {
	var st unix.Stat_t
	return unix.Stat(path, &st) == nil
}

// resolveLink follows one symbolic link, the way sysfs's class and dev
// entries point straight at a device folder; a path that is not a link is
// its own answer.
func resolveLink(path string) (string, error) {
	target, err := os.Readlink(path)
	if errors.Is(err, unix.EINVAL) {
		return path, nil
	}
	if err != nil {
		return "", err
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	return target, nil
}

// machineID reads systemd's machine ID, or D-Bus's copy on systems without
// systemd. gopsutil's HostID is not used: as root it returns the DMI UUID
// instead, so the component would change with the user running the check.
func (s linuxSource) machineID(context.Context) string {
	for _, p := range []string{"etc/machine-id", "var/lib/dbus/machine-id"} {
		if v := s.readSmall(p); v != "" {
			return v
		}
	}
	return ""
}

// boardUUID reads the DMI system UUID; only root can read it on most
// systems, and virtual machines may have no DMI at all: unknown then.
func (s linuxSource) boardUUID(context.Context) string {
	return s.readSmall("sys/class/dmi/id/product_uuid")
}

// macs lists the MACs of physical network devices whose address is the
// one burnt in: the interface has a device behind it (not under
// /sys/devices/virtual) and addr_assign_type 0 (NET_ADDR_PERM), which leaves
// out random, stolen (bonding) and software-set addresses. The class entry
// is a link straight to the device's folder, so one readlink tells where it
// is (filepath.EvalSymlinks would stat every element of the path).
func (s linuxSource) macs(context.Context) []string {
	dir := s.path("sys/class/net")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		ifDir := filepath.Join(dir, e.Name())
		target, err := resolveLink(ifDir)
		if err != nil {
			continue
		}
		if strings.Contains(filepath.ToSlash(target), "/devices/virtual/") {
			continue
		}
		rel := filepath.Join("sys/class/net", e.Name())
		if s.readSmall(filepath.Join(rel, "addr_assign_type")) != "0" {
			continue
		}
		if !exists(filepath.Join(ifDir, "device")) {
			continue
		}
		if m, ok := permanentMAC(s.readSmall(filepath.Join(rel, "address"))); ok {
			out = append(out, m)
		}
	}
	return out
}

// cpu reads the vendor, family and model of the first processor block of
// /proc/cpuinfo and stops there: the other blocks repeat them. The keys and
// the vendor names of ARM and RISC-V implementer codes are gopsutil's, which
// read them before, so that a fingerprint taken then still matches.
func (s linuxSource) cpu(context.Context) (vendor, family, model string) {
	fd, err := unix.Open(s.path("proc/cpuinfo"), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", "", ""
	}
	defer unix.Close(fd)
	return firstProcessor(fdReader(fd))
}

// fdReader reads a file descriptor with plain read(2) calls.
type fdReader int

// Read reads once, retried on EINTR.
func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// firstProcessor parses cpuinfo up to the end of the first processor
// block: the blank line after it, or the next processor line. Lines before
// the first one (s390's header) count for nothing, as in gopsutil.
func firstProcessor(r io.Reader) (vendor, family, model string) {
	sc := bufio.NewScanner(r)
	// Small reads: the kernel writes out the next processor's block only
	// when a read asks for more than the first one holds. The buffer grows
	// for a long line (flags).
	sc.Buffer(make([]byte, 512), 64<<10)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if in && strings.TrimSpace(line) == "" {
			break
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "processor", "cpu number":
			if in {
				return vendor, family, model
			}
			in, vendor, family, model = true, "", "", ""
		case "vendorId", "vendor_id":
			vendor = value
		case "mvendorid":
			if v, ok := strings.CutPrefix(value, "0x"); ok {
				if n, err := strconv.ParseUint(v, 16, 32); err == nil && riscvVendor(n) != "" {
					vendor = riscvVendor(n)
				}
			}
		case "CPU implementer":
			if n, err := strconv.ParseUint(value, 0, 8); err == nil && armImplementer(n) != "" {
				vendor = armImplementer(n)
			}
		case "cpu family", "marchid":
			family = value
		case "model", "CPU part", "mimpid":
			model = value
		case "Model Name", "model name", "cpu", "uarch":
			if strings.Contains(value, "POWER") {
				model, family, vendor = strings.Split(value, " ")[0], "POWER", "IBM"
			}
		}
	}
	if !in {
		return "", "", ""
	}
	return vendor, family, model
}

// armImplementer names the implementer code of ARM's "CPU implementer".
func armImplementer(n uint64) string {
	switch n {
	case 0x41:
		return "ARM"
	case 0x42:
		return "Broadcom"
	case 0x43:
		return "Cavium"
	case 0x44:
		return "DEC"
	case 0x46:
		return "Fujitsu"
	case 0x48:
		return "HiSilicon"
	case 0x49:
		return "Infineon"
	case 0x4d:
		return "Motorola/Freescale"
	case 0x4e:
		return "NVIDIA"
	case 0x50:
		return "APM"
	case 0x51:
		return "Qualcomm"
	case 0x56:
		return "Marvell"
	case 0x61:
		return "Apple"
	case 0x69:
		return "Intel"
	case 0xc0:
		return "Ampere"
	}
	return ""
}

// riscvVendor names the vendor code of RISC-V's "mvendorid".
func riscvVendor(n uint64) string {
	switch n {
	case 0x31e:
		return "Andes"
	case 0x029:
		return "Microchip"
	case 0x127:
		return "MIPS"
	case 0x489:
		return "SiFive"
	case 0x5b7:
		return "T-Head"
	}
	return ""
}

// memoryBytes is the total RAM from sysinfo(2), the figure /proc/meminfo's
// MemTotal shows, without reading and parsing that file.
func (s linuxSource) memoryBytes(context.Context) uint64 {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0
	}
	unit := uint64(si.Unit)
	if unit == 0 {
		unit = 1
	}
	return uint64(si.Totalram) * unit
}

// diskSerial finds the whole disk under the root file system (through a
// partition, and through device-mapper or md layers to their first member)
// and reads its serial from udev's database, else from sysfs.
func (s linuxSource) diskSerial(context.Context) string {
	maj, min, ok := s.rootDevice()
	if !ok {
		return ""
	}
	dev, ok := s.wholeDisk(fmt.Sprintf("%d:%d", maj, min), 0)
	if !ok {
		return ""
	}
	if v := s.udevSerial(s.readSmall(filepath.Join(dev, "dev"))); v != "" {
		return v
	}
	for _, p := range []string{"device/serial", "serial", "device/vpd_pg80"} {
		if v := normalizeSerial(s.readSmall(filepath.Join(dev, p))); v != "" {
			return v
		}
	}
	return ""
}

// wholeDisk returns the sysfs path, relative to root, of the disk that
// holds block device majmin.
func (s linuxSource) wholeDisk(majmin string, depth int) (string, bool) {
	if depth > 4 {
		return "", false
	}
	link := s.path(filepath.Join("sys/dev/block", majmin))
	// One readlink: the entry links straight to the device's folder.
	real, err := resolveLink(link)
	if err != nil {
		return "", false
	}
	if exists(filepath.Join(real, "partition")) {
		real = filepath.Dir(real)
	}
	// A stacked device (LVM, LUKS, RAID) has its members under slaves/.
	if ents, err := os.ReadDir(filepath.Join(real, "slaves")); err == nil && len(ents) > 0 {
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		child := strings.TrimSpace(s.readAbs(filepath.Join(real, "slaves", names[0], "dev")))
		if child == "" {
			return "", false
		}
		return s.wholeDisk(child, depth+1)
	}
	rel, err := filepath.Rel(s.root, real)
	if err != nil {
		return "", false
	}
	return rel, true
}

func (s linuxSource) readAbs(p string) string {
	rel, err := filepath.Rel(s.root, p)
	if err != nil {
		return ""
	}
	return s.readSmall(rel)
}

// udevSerial reads ID_SERIAL_SHORT (the drive's own serial), else
// ID_SERIAL (model and serial), from udev's record of block device majmin.
func (s linuxSource) udevSerial(majmin string) string {
	if majmin == "" {
		return ""
	}
	var buf [64 << 10]byte
	b, err := readRaw(s.path(filepath.Join("run/udev/data", "b"+majmin)), buf[:])
	if err != nil {
		return ""
	}
	var short, long string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "E:ID_SERIAL_SHORT="); ok {
			short = v
		} else if v, ok := strings.CutPrefix(line, "E:ID_SERIAL="); ok {
			long = v
		}
	}
	if v := normalizeSerial(short); v != "" {
		return v
	}
	return normalizeSerial(long)
}
