// Package version holds the release number shared by licdesk and licportal,
// so that both binaries and the packaging agree on one value.
package version

import (
	"fmt"
	"runtime/debug"
)

// Number is the release of License Desk. FyneApp.toml carries the same value
// for packaging; keep them in step when releasing.
const Number = "0.1.0"

// String describes this build for --version: the release number and, when
// the binary was built from a VCS checkout, the revision it was built from.
func String(program string) string {
	s := fmt.Sprintf("%s %s", program, Number)
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return s
	}
	var rev, dirty string
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		s += fmt.Sprintf(" (%s%s)", rev, dirty)
	}
	return s + " " + info.GoVersion
}
