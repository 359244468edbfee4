// Command licdesk is License Desk: the desktop license manager. With no
// argument it opens the window; with a subcommand it runs the command line.
// This file is the composition root: it alone wires the pieces together.
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

// run dispatches one invocation and returns the process exit code, so that
// tests can drive the binary's behaviour without exiting.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, version.String("licdesk"))
		return 0
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "licdesk: unknown command %q (try licdesk --help)\n", args[0])
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `licdesk: License Desk, your licenses in one place

usage:
  licdesk --version      print the version
  licdesk --help         this help
`)
}
