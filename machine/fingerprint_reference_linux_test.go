//go:build linux

package machine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceEnv is how the former reader pinned gopsutil's paths.
func referenceEnv(ctx context.Context, proc string) context.Context {
	return context.WithValue(ctx, common.EnvKey, common.EnvMap{
		common.HostProcEnvKey: proc, common.HostSysEnvKey: "/sys", common.HostEtcEnvKey: "/etc",
		common.HostVarEnvKey: "/var", common.HostRunEnvKey: "/run", common.HostDevEnvKey: "/dev", common.HostRootEnvKey: "/",
	})
}

// referenceMACs is the former way of listing the interfaces' MACs:
// filepath.EvalSymlinks on every interface's class entry.
func referenceMACs(s linuxSource) []string {
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

// referenceIdentifiers is the former reader: gopsutil's whole
// /proc/cpuinfo and /proc/meminfo, and referenceMACs.
func referenceIdentifiers(ctx context.Context) Identifiers {
	s := linuxSource{root: "/", rootDevice: statRootDevice}
	var id Identifiers
	id.MachineID = s.machineID(ctx)
	id.BoardUUID = s.boardUUID(ctx)
	pinned := referenceEnv(ctx, "/proc")
	if infos, err := cpu.InfoWithContext(pinned); err == nil && len(infos) > 0 {
		id.CPUVendor, id.CPUFamily, id.CPUModel = infos[0].VendorID, infos[0].Family, infos[0].Model
	}
	if vm, err := mem.VirtualMemoryWithContext(pinned); err == nil && vm != nil {
		id.MemoryBytes = vm.Total
	}
	id.MACs = referenceMACs(s)
	id.DiskSerial = s.diskSerial(ctx)
	return id
}

func TestSystem_ReadsTheSameIdentifiersAsTheFormerReaderOnThisMachine(t *testing.T) {
	ctx := context.Background()
	want := referenceIdentifiers(ctx)
	got, err := System().Identifiers(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, Hash(want), Hash(got))
	assert.NotEmpty(t, got.CPUVendor+got.CPUFamily+got.CPUModel, "this machine's CPU is readable")
	assert.NotZero(t, got.MemoryBytes, "this machine's memory is readable")
}

func TestLinuxSource_MACsAgreeWithTheFormerReaderOnAFakeTree(t *testing.T) {
	files, links := map[string]string{}, map[string]string{}
	nic(files, links, "eno1", "3c:7c:3f:12:34:56", "0", true)
	nic(files, links, "wlp3s0", "7a:11:22:33:44:55", "1", true)
	nic(files, links, "docker0", "00:1b:21:00:00:01", "0", false)
	root := fakeRoot(t, files, links)
	// An interface whose class entry is a folder, not a link (old sysfs).
	dev := filepath.Join(root, "sys/class/net/eth5")
	require.NoError(t, os.MkdirAll(filepath.Join(dev, "device"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dev, "address"), []byte("00:1b:21:99:88:77\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dev, "addr_assign_type"), []byte("0\n"), 0o644))
	s := linuxSource{root: root}
	want := referenceMACs(s)
	assert.ElementsMatch(t, []string{"3c:7c:3f:12:34:56", "00:1b:21:99:88:77"}, want)
	assert.Equal(t, want, s.macs(context.Background()))
}

// cpuinfo samples of the architectures gopsutil knows, each with a second
// block that differs, to show only the first one counts.
var cpuinfoSamples = map[string]string{
	"x86": "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\nmodel name\t: Intel(R) Xeon(R)\nstepping\t: 6\nflags\t\t: fpu vme\n\n" +
		"processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 107\n\n",
	"arm64": "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n" +
		"processor\t: 1\nCPU implementer\t: 0x51\nCPU part\t: 0xd0d\n\n",
	"power": "processor\t: 0\ncpu\t\t: POWER9 (architected), altivec supported\nclock\t\t: 2200.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n\n" +
		"processor\t: 1\ncpu\t\t: POWER10\n\n",
	"riscv": "processor\t: 0\nhart\t\t: 1\nisa\t\t: rv64imafdc\nmmu\t\t: sv39\nuarch\t\t: sifive,u74-mc\nmvendorid\t: 0x489\nmarchid\t\t: 0x8000000000000007\nmimpid\t\t: 0x4210427\n\n" +
		"processor\t: 1\nmvendorid\t: 0x5b7\n\n",
	"header before the first block": "vendor_id\t: IBM/S390\n# processors\t: 2\n\nprocessor\t: 0\ncpu family\t: 3\nmodel\t\t: 8561\n\n",
	"no processor line":             "vendor_id\t: Nobody\ncpu family\t: 1\n",
	"unknown implementer":           "processor\t: 0\nCPU implementer\t: 0x7f\nCPU part\t: 0x001\n",
}

func TestFirstProcessor_AgreesWithGopsutilsWholeFileReading(t *testing.T) {
	for name, info := range cpuinfoSamples {
		t.Run(name, func(t *testing.T) {
			proc := filepath.Join(t.TempDir(), "proc")
			require.NoError(t, os.MkdirAll(proc, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(proc, "cpuinfo"), []byte(info), 0o644))
			var want [3]string
			infos, err := cpu.InfoWithContext(referenceEnv(context.Background(), proc))
			if err == nil && len(infos) > 0 {
				want = [3]string{infos[0].VendorID, infos[0].Family, infos[0].Model}
			}
			v, f, m := linuxSource{root: filepath.Dir(proc)}.cpu(context.Background())
			assert.Equal(t, want, [3]string{v, f, m})
		})
	}
}

// countingOS is an osSource that counts its reads.
type countingOS struct{ reads *int }

func (c countingOS) machineID(context.Context) string  { *c.reads++; return "id" }
func (c countingOS) boardUUID(context.Context) string  { return "" }
func (c countingOS) macs(context.Context) []string     { return []string{"3c:7c:3f:12:34:56"} }
func (c countingOS) diskSerial(context.Context) string { return "" }
func (c countingOS) cpu(context.Context) (string, string, string) {
	return "v", "f", "m"
}
func (c countingOS) memoryBytes(context.Context) uint64 { return 1 << 30 }

func TestSystemSource_ReadsTheHardwareOnceForItsOwner(t *testing.T) {
	reads := 0
	s := &systemSource{os: countingOS{&reads}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Identifiers(ctx)
	require.Error(t, err, "a read cut short fails")
	first, err := s.Identifiers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, reads, "a read cut short is not memoised")
	first.MACs[0] = "changed by the caller"
	second, err := s.Identifiers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 2, reads, "the second ask is answered from memory")
	assert.Equal(t, []string{"3c:7c:3f:12:34:56"}, second.MACs, "a caller's edit does not reach the next caller")
	other := &systemSource{os: countingOS{&reads}}
	_, err = other.Identifiers(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 3, reads, "another owner reads again")
}

// BenchmarkCollect is the fingerprint collection on this machine: the
// system source as a new owner reads it (fresh each time, nothing
// memoised), against the former reader in the same run; and a second ask
// of one owner (memoised).
func BenchmarkCollect(b *testing.B) {
	ctx := context.Background()
	b.Run("system", func(b *testing.B) {
		for b.Loop() {
			if _, err := CollectFrom(ctx, System()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		for b.Loop() {
			_ = Hash(referenceIdentifiers(ctx))
		}
	})
	b.Run("memoised", func(b *testing.B) {
		src := System()
		for b.Loop() {
			if _, err := CollectFrom(ctx, src); err != nil {
				b.Fatal(err)
			}
		}
	})
}
