//go:build linux

package ui

import (
	"github.com/godbus/dbus/v5"
)

// trayAvailable reports whether the desktop shows tray icons: on Linux a
// StatusNotifierWatcher must own its name on the session bus. Without one,
// Fyne's tray fails to register and then panics when the app quits, so the
// tray is not set up at all.
func trayAvailable() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
