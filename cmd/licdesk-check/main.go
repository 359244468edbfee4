// Command licdesk-check answers one question for programs that are not
// written in Go: may PRODUCT run on this machine now? It gives the same
// standard output and exit code as "licdesk check PRODUCT" (package
// checkcmd holds both), from the same profile folder ($LICDESK_HOME or the
// user's config folder): 0 with the license, 1 with one line per failure on
// stderr, 2 for a wrong command line. It reads the profile's license files
// and sealed offline state only, and starts like a bare Go program: no
// window, no database, no network.
//
//	licdesk-check "CAD Studio" --module render --json
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/licdesk/licdesk/checkcmd"
	"github.com/licdesk/licdesk/machine"
	"github.com/licdesk/licdesk/version"
)

func main() {
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println(version.String("licdesk-check"))
		return
	}
	dir := func() (string, error) { return machine.HomeDir(os.Getenv) }
	os.Exit(checkcmd.Program(context.Background(), "licdesk-check", os.Args[1:], os.Stdout, os.Stderr, dir, time.Now()))
}
