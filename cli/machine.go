package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/licdesk/licdesk/i18n"
	"github.com/licdesk/licdesk/internal/words"

	"github.com/licdesk/licdesk/checkcmd"
	"github.com/licdesk/licdesk/machine"
)

// reasonLines prints all the reasons but the last on stderr, each as
// Run prints a command's error, and returns the last as the error: so a
// refusal shows one line per failure, in order, and exits non-zero.
func (a *app) reasonLines(cmd string, reasons []machine.Reason) error {
	if len(reasons) == 0 {
		return i18n.Errorf("cli.refused")
	}
	for _, r := range reasons[:len(reasons)-1] {
		fmt.Fprintf(a.env.Stderr, "licdesk %s: %s\n", cmd, a.reasonText(r))
	}
	return errors.New(a.reasonText(reasons[len(reasons)-1]))
}

// reasonText is a reason as one line: its code, then the message, in the
// user's language when the catalogs word it ("cli.reason.<Words>").
func (a *app) reasonText(r machine.Reason) string {
	if key := "cli.reason." + r.Words; r.Words != "" && a.lang.Tag() != i18n.English().Tag() && a.lang.Has(key) {
		return string(r.Code) + ": " + oneLine(a.lang.T(key, a.reasonArgs(r.Args)...))
	}
	return checkcmd.Line(r) // licdesk-check's words, which English keeps
}

// reasonArgs writes a reason's values the language's way: times as the
// day and minute, day counts ("Days") as "3 dias".
func (a *app) reasonArgs(args []any) []any {
	out := make([]any, len(args))
	copy(out, args)
	for i := 1; i < len(out); i += 2 {
		switch v := out[i].(type) {
		case time.Time:
			out[i] = a.lang.DateTime(v.Local())
		case int:
			if out[i-1] == "Days" {
				out[i] = words.Plural(a.lang, v, "day")
			} else {
				out[i] = a.lang.Number(v)
			}
		}
	}
	return out
}

// refusalError turns a *machine.Reason error into its one line with its
// code; other errors pass through.
func (a *app) refusalError(err error) error {
	var r *machine.Reason
	if errors.As(err, &r) {
		return errors.New(a.reasonText(*r))
	}
	return err
}
