// Package quietinit keeps libraries' start-up chatter off licdesk's
// command line. Fyne logs an error through the standard logger while its
// packages initialise when the locale is "C" (Debian's default, C.UTF-8),
// before main can do anything: on the command line that would be three
// lines of noise on stderr for every subcommand, which promises one line
// on failure and nothing on success.
//
// main imports this package first; its init, which Go runs before Fyne's
// (see TestCommandLine_PrintsNoLibraryNoiseWhateverTheLocale), sends the
// standard logger nowhere, and main calls Restore as its first statement.
package quietinit

import (
	"io"
	"log"
	"os"
)

func init() { log.SetOutput(io.Discard) }

// Restore sends the standard logger back to stderr, once the packages have
// initialised.
func Restore() { log.SetOutput(os.Stderr) }
