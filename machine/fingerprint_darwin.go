//go:build darwin

package machine

import (
	"context"
	"os/exec"
	"regexp"
)

// darwinSource asks the I/O Registry.
type darwinSource struct{}

func newOSSource() osSource { return darwinSource{} }

// ioregPath is absolute so that a PATH pointing at another "ioreg" cannot
// feed the fingerprint.
const ioregPath = "/usr/sbin/ioreg"

// machineID is the IOPlatformUUID: the Mac's hardware UUID, which macOS
// uses as its machine identity (there is no separate installation ID).
func (darwinSource) machineID(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, ioregPath, "-rd1", "-c", "IOPlatformExpertDevice").Output()
	if err != nil {
		return ""
	}
	if m := regexp.MustCompile(`"IOPlatformUUID" = "([0-9A-Fa-f-]+)"`).FindSubmatch(out); m != nil {
		return string(m[1])
	}
	return ""
}

// boardUUID would be the same SMBIOS UUID as machineID on a Mac: counting
// it twice would let one part outvote the others, so it stays unknown.
func (darwinSource) boardUUID(context.Context) string { return "" }

// macs keeps universally administered MACs outside virtual cards' vendor
// prefixes (macOS's own Wi-Fi randomization uses locally administered ones).
func (darwinSource) macs(context.Context) []string { return interfaceMACs() }

// diskSerial is not read on macOS: system_profiler takes seconds, too slow
// for a check at every program start. Unknown.
func (darwinSource) diskSerial(context.Context) string { return "" }

// cpu is gopsutil's reading of the first processor.
func (darwinSource) cpu(ctx context.Context) (string, string, string) { return gopsutilCPU(ctx) }

// memoryBytes is gopsutil's total memory.
func (darwinSource) memoryBytes(ctx context.Context) uint64 { return gopsutilMemory(ctx) }
