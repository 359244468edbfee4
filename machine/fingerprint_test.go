package machine_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/machine"
)

// workstation is a fully readable machine.
func workstation() machine.Identifiers {
	return machine.Identifiers{
		MachineID:   "3d1219c7c4c5404aaa1f6d2a48adfda4",
		BoardUUID:   "4C4C4544-0042-3510-8052-B2C04F4B3732",
		CPUVendor:   "GenuineIntel",
		CPUFamily:   "6",
		CPUModel:    "106",
		MemoryBytes: 16 << 30,
		MACs:        []string{"3c:7c:3f:12:34:56", "a4:bb:6d:00:11:22"},
		DiskSerial:  "S4EWNX0R123456",
	}
}

func fake(id machine.Identifiers) machine.Source {
	return machine.SourceFunc(func(context.Context) (machine.Identifiers, error) { return id, nil })
}

func collect(t *testing.T, id machine.Identifiers) core.Fingerprint {
	t.Helper()
	fp, err := machine.CollectFrom(context.Background(), fake(id))
	require.NoError(t, err)
	return fp
}

func TestHash_EveryReadableComponentIsAHashedEntry(t *testing.T) {
	fp := collect(t, workstation())
	assert.ElementsMatch(t, []string{"machine_id", "board", "cpu", "memory", "mac", "disk"}, keys(fp))
	for name, h := range fp {
		assert.Regexp(t, `^[0-9a-f]{32}$`, h, name)
	}
	// No raw identifier leaves the machine.
	for _, raw := range []string{"3d1219c7", "4c4c4544", "GenuineIntel", "3c:7c:3f", "S4EWNX0R"} {
		for _, h := range fp {
			assert.NotContains(t, h, raw)
		}
	}
}

func keys(fp core.Fingerprint) []string {
	var out []string
	for k := range fp {
		out = append(out, k)
	}
	return out
}

func TestHash_UnreadableComponentsAreAbsentNotEmpty(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*machine.Identifiers)
		absent string
	}{
		{"no machine id", func(i *machine.Identifiers) { i.MachineID = "" }, "machine_id"},
		{"uninitialized machine id", func(i *machine.Identifiers) { i.MachineID = "uninitialized" }, "machine_id"},
		{"all-zero machine id", func(i *machine.Identifiers) { i.MachineID = "00000000000000000000000000000000" }, "machine_id"},
		{"no DMI", func(i *machine.Identifiers) { i.BoardUUID = "" }, "board"},
		{"all-zero board uuid", func(i *machine.Identifiers) { i.BoardUUID = "00000000-0000-0000-0000-000000000000" }, "board"},
		{"all-F board uuid", func(i *machine.Identifiers) { i.BoardUUID = "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF" }, "board"},
		{"placeholder board uuid", func(i *machine.Identifiers) { i.BoardUUID = "03000200-0400-0500-0006-000700080009" }, "board"},
		{"no cpu info", func(i *machine.Identifiers) { i.CPUVendor, i.CPUFamily, i.CPUModel = "", "", "" }, "cpu"},
		{"no memory size", func(i *machine.Identifiers) { i.MemoryBytes = 0 }, "memory"},
		{"no MACs", func(i *machine.Identifiers) { i.MACs = nil }, "mac"},
		{"only locally administered MACs", func(i *machine.Identifiers) { i.MACs = []string{"02:fc:00:00:00:01", "3e:35:3b:a2:23:6c"} }, "mac"},
		{"only multicast and zero MACs", func(i *machine.Identifiers) { i.MACs = []string{"01:00:5e:00:00:01", "00:00:00:00:00:00"} }, "mac"},
		{"unparsable MAC", func(i *machine.Identifiers) { i.MACs = []string{"not a mac", "00:11:22:33:44:55:66:77"} }, "mac"},
		{"empty disk serial", func(i *machine.Identifiers) { i.DiskSerial = "" }, "disk"},
		{"filler disk serial", func(i *machine.Identifiers) { i.DiskSerial = "0000000000" }, "disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := workstation()
			tt.edit(&id)
			fp := collect(t, id)
			_, present := fp[tt.absent]
			assert.False(t, present, "an unreadable component is left out, not stored empty")
			assert.Len(t, fp, 5)
			for _, h := range fp {
				assert.NotEmpty(t, h)
			}
		})
	}
}

func TestHash_SpellingAndNoiseDoNotChangeTheFingerprint(t *testing.T) {
	base := collect(t, workstation())
	tests := []struct {
		name string
		edit func(*machine.Identifiers)
	}{
		{"board uuid case and braces", func(i *machine.Identifiers) { i.BoardUUID = "{4c4c4544-0042-3510-8052-b2c04f4b3732}" }},
		{"machine id trailing newline", func(i *machine.Identifiers) { i.MachineID += "\n" }},
		{"MAC order, case and separators", func(i *machine.Identifiers) { i.MACs = []string{"A4-BB-6D-00-11-22", "3C:7C:3F:12:34:56"} }},
		{"a random MAC besides the permanent ones", func(i *machine.Identifiers) { i.MACs = append(i.MACs, "7a:11:22:33:44:55") }},
		{"the same MAC twice", func(i *machine.Identifiers) { i.MACs = append(i.MACs, "3c:7c:3f:12:34:56") }},
		{"a few MiB less memory", func(i *machine.Identifiers) { i.MemoryBytes -= 300 << 20 }},
		{"a few MiB more memory", func(i *machine.Identifiers) { i.MemoryBytes += 200 << 20 }},
		{"disk serial padding", func(i *machine.Identifiers) { i.DiskSerial = "  S4EWNX0R123456  " }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := workstation()
			tt.edit(&id)
			assert.Equal(t, base, collect(t, id))
		})
	}
}

func TestHash_RealChangesChangeOneComponent(t *testing.T) {
	base := collect(t, workstation())
	tests := []struct {
		name    string
		edit    func(*machine.Identifiers)
		changed string
	}{
		{"OS reinstalled", func(i *machine.Identifiers) { i.MachineID = "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5" }, "machine_id"},
		{"motherboard replaced", func(i *machine.Identifiers) { i.BoardUUID = "4C4C4544-0000-0000-0000-000000000001" }, "board"},
		{"CPU replaced", func(i *machine.Identifiers) { i.CPUModel = "143" }, "cpu"},
		{"memory doubled", func(i *machine.Identifiers) { i.MemoryBytes *= 2 }, "memory"},
		{"network card replaced", func(i *machine.Identifiers) { i.MACs[1] = "a4:bb:6d:99:99:99" }, "mac"},
		{"disk replaced", func(i *machine.Identifiers) { i.DiskSerial = "WD-WCC4N0000000" }, "disk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := workstation()
			id.MACs = append([]string(nil), id.MACs...)
			tt.edit(&id)
			fp := collect(t, id)
			for name := range base {
				if name == tt.changed {
					assert.NotEqual(t, base[name], fp[name], name)
				} else {
					assert.Equal(t, base[name], fp[name], name)
				}
			}
			m := core.MatchFingerprint(base, fp)
			assert.True(t, m.OK, "one part changed of six keeps the activation")
		})
	}
}

func TestHash_SameValueInTwoComponentsGivesTwoHashes(t *testing.T) {
	id := machine.Identifiers{MachineID: "4c4c4544-0042-3510-8052-b2c04f4b3732", BoardUUID: "4c4c4544-0042-3510-8052-b2c04f4b3732"}
	fp := collect(t, id)
	assert.NotEqual(t, fp["machine_id"], fp["board"])
}

func TestHash_IsStableAcrossReleases(t *testing.T) {
	// The hashes are bound into activations on the portal: a change here
	// would put every activated machine into grace at once. (Value computed
	// independently: HMAC-SHA256 in Python over "machine_id" NUL value.)
	fp := collect(t, machine.Identifiers{MachineID: "3d1219c7c4c5404aaa1f6d2a48adfda4"})
	assert.Equal(t, core.Fingerprint{"machine_id": "7e8fd0c6a0b4d437707454af0ab46900"}, fp)
}

func TestCollectFrom_SourceErrorAndCancelledContext(t *testing.T) {
	boom := errors.New("boom")
	_, err := machine.CollectFrom(context.Background(), machine.SourceFunc(func(context.Context) (machine.Identifiers, error) {
		return machine.Identifiers{}, boom
	}))
	assert.ErrorIs(t, err, boom)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = machine.CollectFrom(ctx, fake(workstation()))
	assert.ErrorIs(t, err, context.Canceled)
}

func TestCollect_RealMachineIsStableAcrossCalls(t *testing.T) {
	ctx := context.Background()
	a, err := machine.Collect(ctx)
	require.NoError(t, err)
	b, err := machine.Collect(ctx)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Positive(t, a.Known(), "at least one component is readable here")
	for name, h := range a {
		assert.Regexp(t, `^[0-9a-f]{32}$`, h, name)
	}
	t.Logf("components known on this machine: %v", keys(a))
}

func TestCollect_IgnoresGopsutilEnvironmentOverrides(t *testing.T) {
	ctx := context.Background()
	want, err := machine.Collect(ctx)
	require.NoError(t, err)
	dir := t.TempDir()
	t.Setenv("HOST_PROC", dir)
	t.Setenv("HOST_SYS", dir)
	t.Setenv("HOST_ETC", dir)
	got, err := machine.Collect(ctx)
	require.NoError(t, err)
	assert.Equal(t, want, got, "HOST_* variables must not redirect the fingerprint")
}
