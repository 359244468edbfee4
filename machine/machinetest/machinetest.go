// Package machinetest keeps tests that open license stores away from the
// user's own files.
package machinetest

import (
	"os"
	"testing"

	"github.com/licdesk/licdesk/machine"
)

// Main runs a package's tests with the second copy of the offline state
// (machine.EnvStateDir) in a throwaway folder, removed afterwards, and
// exits with their code. Call it from TestMain.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "licdesk-state-")
	if err != nil {
		panic(err)
	}
	os.Setenv(machine.EnvStateDir, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
