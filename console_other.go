//go:build !windows

package main

// attachConsole is Windows' concern only: elsewhere a program started from
// a terminal has it already.
func attachConsole() {}
