package cli

import (
	"errors"
	"fmt"

	"github.com/licdesk/licdesk/checkcmd"
	"github.com/licdesk/licdesk/machine"
)

// reasonLines prints all the reasons but the last on stderr, each as
// Run prints a command's error, and returns the last as the error: so a
// refusal shows one line per failure, in order, and exits non-zero.
func (a *app) reasonLines(cmd string, reasons []machine.Reason) error {
	if len(reasons) == 0 {
		return errors.New("refused")
	}
	for _, r := range reasons[:len(reasons)-1] {
		fmt.Fprintf(a.env.Stderr, "licdesk %s: %s\n", cmd, reasonText(r))
	}
	return errors.New(reasonText(reasons[len(reasons)-1]))
}

// reasonText is a reason as one line: its code, then the message.
func reasonText(r machine.Reason) string { return checkcmd.Line(r) }

// refusalError turns a *machine.Reason error into its one line with its
// code; other errors pass through.
func refusalError(err error) error {
	var r *machine.Reason
	if errors.As(err, &r) {
		return errors.New(reasonText(*r))
	}
	return err
}
