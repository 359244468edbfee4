//go:build linux

package machine

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
	f, err := os.Open(s.path(p))
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := f.Read(buf)
	return strings.TrimSpace(string(buf[:n]))
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
// out random, stolen (bonding) and software-set addresses.
func (s linuxSource) macs(context.Context) []string {
	dir := s.path("sys/class/net")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		ifDir := filepath.Join(dir, e.Name())
		real, err := filepath.EvalSymlinks(ifDir)
		if err != nil || strings.Contains(filepath.ToSlash(real), "/devices/virtual/") {
			continue
		}
		if _, err := os.Stat(filepath.Join(ifDir, "device")); err != nil {
			continue
		}
		rel := filepath.Join("sys/class/net", e.Name())
		if s.readSmall(filepath.Join(rel, "addr_assign_type")) != "0" {
			continue
		}
		if m, ok := permanentMAC(s.readSmall(filepath.Join(rel, "address"))); ok {
			out = append(out, m)
		}
	}
	return out
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
	real, err := filepath.EvalSymlinks(link)
	if err != nil {
		return "", false
	}
	if _, err := os.Stat(filepath.Join(real, "partition")); err == nil {
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
	b, err := os.ReadFile(s.path(filepath.Join("run/udev/data", "b"+majmin)))
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
