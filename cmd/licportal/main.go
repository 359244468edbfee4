// Command licportal is the reference cloud licensing portal that License Desk
// syncs with: an HTTP JSON API over SQLite or PostgreSQL.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/licdesk/licdesk/version"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches one invocation and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, version.String("licportal"))
		return 0
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "licportal: unknown command %q (try licportal --help)\n", args[0])
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `licportal: the License Desk reference licensing portal

usage:
  licportal --version    print the version
  licportal --help       this help
`)
}
