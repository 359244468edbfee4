//go:build !linux && !windows && !darwin

package machine

import "context"

// otherSource is for systems without a dedicated reader: only gopsutil's CPU
// and memory and the interfaces' MACs are known.
type otherSource struct{}

func newOSSource() osSource { return otherSource{} }

func (otherSource) machineID(context.Context) string  { return "" }
func (otherSource) boardUUID(context.Context) string  { return "" }
func (otherSource) macs(context.Context) []string     { return interfaceMACs() }
func (otherSource) diskSerial(context.Context) string { return "" }

// cpu is gopsutil's reading of the first processor.
func (otherSource) cpu(ctx context.Context) (string, string, string) { return gopsutilCPU(ctx) }

// memoryBytes is gopsutil's total memory.
func (otherSource) memoryBytes(ctx context.Context) uint64 { return gopsutilMemory(ctx) }
