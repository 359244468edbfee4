//go:build !linux

package machine

import (
	"context"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
)

// pinnedEnv fixes gopsutil's idea of where /proc, /sys and friends are: by
// default it honours HOST_PROC, HOST_SYS, ... environment variables, which
// would let anyone who starts the program fake the CPU and memory components.
func pinnedEnv(ctx context.Context) context.Context {
	return context.WithValue(ctx, common.EnvKey, common.EnvMap{
		common.HostProcEnvKey: "/proc",
		common.HostSysEnvKey:  "/sys",
		common.HostEtcEnvKey:  "/etc",
		common.HostVarEnvKey:  "/var",
		common.HostRunEnvKey:  "/run",
		common.HostDevEnvKey:  "/dev",
		common.HostRootEnvKey: "/",
	})
}

// gopsutilCPU is the first processor's vendor, family and model as gopsutil
// reads them on systems without a reader of ours.
func gopsutilCPU(ctx context.Context) (vendor, family, model string) {
	if infos, err := cpu.InfoWithContext(pinnedEnv(ctx)); err == nil && len(infos) > 0 {
		return infos[0].VendorID, infos[0].Family, infos[0].Model
	}
	return "", "", ""
}

// gopsutilMemory is the total memory as gopsutil reads it, 0 when unknown.
func gopsutilMemory(ctx context.Context) uint64 {
	if vm, err := mem.VirtualMemoryWithContext(pinnedEnv(ctx)); err == nil && vm != nil {
		return vm.Total
	}
	return 0
}
