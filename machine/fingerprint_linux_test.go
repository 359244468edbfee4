//go:build linux

package machine

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeRoot builds a file tree under a temporary root: files maps a path to
// its content; links maps a path to a symlink target (relative, as in sysfs).
func fakeRoot(t *testing.T, files, links map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	for p, target := range links {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.Symlink(target, full))
	}
	return root
}

const pci = "sys/devices/pci0000:00/0000:00:1f.6"

// nic adds a network interface: its device directory (physical under pci,
// else under devices/virtual) and the class/net link to it.
func nic(files, links map[string]string, name, mac, assignType string, physical bool) {
	dev := "sys/devices/virtual/net/" + name
	if physical {
		dev = pci + "/net/" + name
		links[dev+"/device"] = "../../../0000:00:1f.6"
	}
	files[dev+"/address"] = mac + "\n"
	files[dev+"/addr_assign_type"] = assignType + "\n"
	links["sys/class/net/"+name] = "../../" + dev[len("sys/"):]
}

func TestLinuxSource_ReadsOnlyPermanentMACsOfPhysicalDevices(t *testing.T) {
	files, links := map[string]string{}, map[string]string{}
	nic(files, links, "eno1", "3c:7c:3f:12:34:56", "0", true)   // kept
	nic(files, links, "enp2s0", "a4:bb:6d:00:11:22", "0", true) // kept
	nic(files, links, "wlp3s0", "7a:11:22:33:44:55", "1", true) // random (Wi-Fi privacy)
	nic(files, links, "eth9", "02:fc:00:00:00:01", "0", true)   // hypervisor-assigned, locally administered
	nic(files, links, "bond0m", "00:1b:21:aa:bb:cc", "2", true) // stolen by bonding
	nic(files, links, "docker0", "00:1b:21:00:00:01", "0", false)
	nic(files, links, "lo", "00:00:00:00:00:00", "0", false)
	s := linuxSource{root: fakeRoot(t, files, links)}
	assert.ElementsMatch(t, []string{"3c:7c:3f:12:34:56", "a4:bb:6d:00:11:22"}, s.macs(context.Background()))
}

func TestLinuxSource_MachineIDFallsBackToDBus(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"systemd", map[string]string{"etc/machine-id": "aaaa\n", "var/lib/dbus/machine-id": "bbbb\n"}, "aaaa"},
		{"dbus only", map[string]string{"var/lib/dbus/machine-id": "bbbb\n"}, "bbbb"},
		{"empty systemd file", map[string]string{"etc/machine-id": "\n", "var/lib/dbus/machine-id": "bbbb\n"}, "bbbb"},
		{"none", map[string]string{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := linuxSource{root: fakeRoot(t, tt.files, nil)}
			assert.Equal(t, tt.want, s.machineID(context.Background()))
		})
	}
}

func TestLinuxSource_BoardUUIDUnreadableIsUnknown(t *testing.T) {
	root := fakeRoot(t, map[string]string{"sys/class/dmi/id/product_uuid": "4c4c4544-0042-3510-8052-b2c04f4b3732\n"}, nil)
	assert.Equal(t, "4c4c4544-0042-3510-8052-b2c04f4b3732", linuxSource{root: root}.boardUUID(context.Background()))
	assert.Empty(t, linuxSource{root: t.TempDir()}.boardUUID(context.Background()))
}

func TestLinuxSource_DiskSerialOfTheRootFileSystemsDisk(t *testing.T) {
	nvme := "sys/devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1"
	sata := "sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda"
	dm := "sys/devices/virtual/block/dm-0"
	files := map[string]string{
		nvme + "/dev": "259:0\n", nvme + "/device/serial": "  S4EWNX0R123456  \n",
		nvme + "/nvme0n1p2/dev": "259:2\n", nvme + "/nvme0n1p2/partition": "2\n",
		sata + "/dev": "8:0\n", sata + "/sda1/dev": "8:1\n", sata + "/sda1/partition": "1\n",
		"run/udev/data/b8:0":         "S:disk/by-id/ata-X\nE:ID_SERIAL=WDC_WD10EZEX_WD-WCC6Y0000000\nE:ID_SERIAL_SHORT=WD-WCC6Y0000000\n",
		dm + "/dev":                  "254:0\n",
		dm + "/slaves/nvme0n1p2/dev": "259:2\n",
	}
	links := map[string]string{
		"sys/dev/block/259:0": "../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1",
		"sys/dev/block/259:2": "../../devices/pci0000:00/0000:00:1d.0/nvme/nvme0/nvme0n1/nvme0n1p2",
		"sys/dev/block/8:1":   "../../devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda1",
		"sys/dev/block/254:0": "../../devices/virtual/block/dm-0",
	}
	root := fakeRoot(t, files, links)
	tests := []struct {
		name       string
		maj, min   uint32
		ok         bool
		wantSerial string
	}{
		{"nvme partition, serial in sysfs", 259, 2, true, "S4EWNX0R123456"},
		{"sata partition, serial in udev", 8, 1, true, "WD-WCC6Y0000000"},
		{"LVM over nvme", 254, 0, true, "S4EWNX0R123456"},
		{"overlay root", 0, 0, false, ""},
		{"device without sysfs entry", 9, 9, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := linuxSource{root: root, rootDevice: func() (uint32, uint32, bool) { return tt.maj, tt.min, tt.ok }}
			assert.Equal(t, tt.wantSerial, s.diskSerial(context.Background()))
		})
	}
}
