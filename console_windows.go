package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole gives the command line its console on Windows: licdesk.exe
// is built as a GUI program (no console window behind the window), so when
// it runs a subcommand from cmd.exe or PowerShell it attaches to the
// parent's console and writes there. Without a parent console (started
// from Explorer) nothing changes.
func attachConsole() {
	attach := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")
	const parentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS
	if r, _, _ := attach.Call(parentProcess); r == 0 {
		return
	}
	if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = f, f
	}
	if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
		os.Stdin = f
	}
}
