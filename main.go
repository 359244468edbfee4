// Command licdesk is License Desk: the desktop license manager. With no
// argument it opens the window; with a subcommand it runs the command line.
// This file is the composition root: it alone wires the pieces together.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/licdesk/licdesk/cli"
	"github.com/licdesk/licdesk/internal/quietinit"
	"github.com/licdesk/licdesk/version"
)

func main() {
	if len(os.Args) > 1 {
		attachConsole()
	}
	quietinit.Restore()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], cli.OSEnv(), openWindow)
	stop()
	os.Exit(code)
}

// window opens License Desk's window (against the in-process demo portal
// when demo) and returns the exit code once it is closed.
type window func(ctx context.Context, demo bool, env cli.Env) int

// run dispatches one invocation and returns the process exit code, so that
// tests can drive the binary's behaviour without exiting. With no argument,
// or --demo, it opens the window.
func run(ctx context.Context, args []string, env cli.Env, win window) int {
	if len(args) == 0 {
		return win(ctx, false, env)
	}
	switch args[0] {
	case "--demo", "-demo":
		return win(ctx, true, env)
	case "--version", "-version", "version":
		fmt.Fprintln(env.Stdout, version.String("licdesk"))
		return 0
	}
	// The command line: a subcommand, the help, or --lang before either;
	// it words an unknown command too, in the user's language.
	return cli.Run(ctx, args, env)
}
