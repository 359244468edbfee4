//go:build windows

package machine

import (
	"context"

	"golang.org/x/sys/windows/registry"
)

// windowsSource reads the registry.
type windowsSource struct{}

func newOSSource() osSource { return windowsSource{} }

// readRegistry reads a string value from HKEY_LOCAL_MACHINE through the
// 64-bit view, so that a 32-bit build reads the same value as a 64-bit one.
func readRegistry(path, name string) string {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return ""
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	if err != nil {
		return ""
	}
	return v
}

// machineID is the MachineGuid Windows sets at installation.
func (windowsSource) machineID(context.Context) string {
	return readRegistry(`SOFTWARE\Microsoft\Cryptography`, "MachineGuid")
}

// boardUUID is the SMBIOS system UUID, which Windows records (in braces) as
// the last hardware configuration it booted with; reading it here avoids
// WMI, which is slow to start and needs COM.
func (windowsSource) boardUUID(context.Context) string {
	return readRegistry(`SYSTEM\HardwareConfig`, "LastConfig")
}

// macs cannot tell physical cards from virtual ones on Windows without
// setup-API calls: it keeps universally administered MACs outside virtual
// cards' vendor prefixes.
func (windowsSource) macs(context.Context) []string { return interfaceMACs() }

// diskSerial is not read on Windows (it needs a storage IOCTL on the
// physical drive, which needs administrator rights): unknown.
func (windowsSource) diskSerial(context.Context) string { return "" }

// cpu is gopsutil's reading of the first processor.
func (windowsSource) cpu(ctx context.Context) (string, string, string) { return gopsutilCPU(ctx) }

// memoryBytes is gopsutil's total memory.
func (windowsSource) memoryBytes(ctx context.Context) uint64 { return gopsutilMemory(ctx) }
