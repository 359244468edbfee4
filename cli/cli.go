// Package cli is licdesk's command line: one function per subcommand of
// docs/design.md's command-line surface, all over the same sync layer the window
// uses. Every command prints a table (or JSON with --json), exits 0 on
// success, and on failure exits non-zero with one line on stderr.
//
// Reads come from the offline cache, refreshed by one quick sync round when
// the portal answers; writes go through the outbox, so a write made offline
// is queued and sent by the next command or the window.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/licdesk/licdesk/machine"
)

// Env is what a command may touch of the world outside the process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Terminal reports whether stdin is a terminal (for the password
	// prompt) and stderr is one (for progress bars).
	StdinTerminal, StderrTerminal bool
	// ReadPassword reads a line from the terminal without echo.
	ReadPassword func() ([]byte, error)
	// Now is the clock.
	Now func() time.Time
	// Hardware reads the machine's fingerprint; nil is this machine's
	// hardware. Only in-process callers (tests) set it: no flag or
	// environment variable does.
	Hardware machine.Source
	// Checkpoint is the crash tests' hook (desk.Options.Checkpoint); only
	// the test binary sets it.
	Checkpoint func(point string)
}

// OSEnv is the real process's environment.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		StdinTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		StderrTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		ReadPassword:   func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) },
		Now:            time.Now}
}

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"login", "--portal URL --email E [--password-stdin]", "log in and sync", cmdLogin},
		{"signup", "--portal URL --email E [--password-stdin] [--name N]", "create an account and log in", cmdSignup},
		{"verify", "CODE|--resend", "verify your e-mail address with the code the portal sent", cmdVerify},
		{"offers", "[list]|accept ACCOUNT|decline ACCOUNT", "accounts that offered you membership", cmdOffers},
		{"logout", "[--discard-pending]", "log out and forget the cached data", cmdLogout},
		{"status", "[--keep-refused]", "portal, user, online or not, last sync, waiting and refused writes", cmdStatus},
		{"sync", "[--dismiss-failed]", "send waiting writes and fetch changes now", cmdSync},
		{"solutions", "", "active solutions with seat counts", cmdSolutions},
		{"seats", "list --license ID|assign --license ID --email E|remove --license ID --email E|reassign --license ID --email E --to E", "the seats of a license", cmdSeats},
		{"assigned", "", "licenses assigned to you, by product", cmdAssigned},
		{"adopt", "--license ID", "run a product with this license", cmdAdopt},
		{"orders", "list|assign --order ID --account A", "a partner's orders, and those assigned to you", cmdOrders},
		{"members", "list|add --email E [--role admin|member]|remove --email E|leave|handover --email E [--account A]", "the users of an account, offers, leaving, the owner's hand-over", cmdMembers},
		{"delegation", "grant --partner P|revoke [--account A]", "let the partner that sold to you manage your account", cmdDelegation},
		{"audit", "--license ID|--account A", "who changed what, when", cmdAudit},
		{"integrations", "list [--account A]|set --account A --product P [--integration on|off] [--controller on|off]|user --account A --product P --email E --on|--off", "product integrations and users' license switches", cmdIntegrations},
		{"products", "list|register --number N", "products registered to your accounts", cmdProducts},
		{"keys", "list|capacity|notices|get --serial S --company C --person P --address A --country CC [--phone P] [--yes]|upgrade --notification N --product P --quantity Q|add KEY", "license and install keys, capacity per product", cmdKeys},
		{"subscriptions", "", "phase, days left, the day they stop out of reach of the portal", cmdSubscriptions},
		{"downloads", "list [--product P] [--history]|get --file ID [--out DIR]", "software downloads", cmdDownloads},
		{"support", "list|show ID|new --product P --title T --description D|comment ID --body B|close ID|products", "service requests", cmdSupport},
		{"news", "list [--product P] [--new]|read [--product P]|settings [--product P]|subscribe --product P|unsubscribe --product P", "news, e-mail settings and RSS feeds per product", cmdNews},
		{"activate", "KEY|--request FILE KEY|--fulfil REQUEST --out RESPONSE|--response FILE [--machine NAME]", "activate a key on this machine, online or offline", cmdActivate},
		{"deactivate", "[PRODUCT] [--receipt FILE]|--submit RECEIPT|--machine NAME [PRODUCT] [--yes]", "free an activation: here (online or by receipt) or another machine's", cmdDeactivate},
		{"trust", "add FILE|list", "portal public keys this profile trusts", cmdTrust},
		{"mail", "add --imap imaps://USER@HOST[:PORT] [--folder F] [--since YYYY-MM-DD] [--insecure-skip-verify] --password-stdin|scan|list|apply ID|--all|dismiss ID|remove|import FILE.eml...", "licenses, keys and seats that arrive by e-mail", cmdMail},
		{"check", "PRODUCT [--module M]", "exit 0 when a valid license is present here", cmdCheck},
		{"launch", "PRODUCT [-- ARGS]|--set-program PRODUCT PATH", "run a product's program after checking its license", cmdLaunch},
	}
}

// IsCommand reports whether name is a subcommand, so that main can tell a
// subcommand from the window's own arguments.
func IsCommand(name string) bool {
	for _, c := range commands() {
		if c.name == name {
			return true
		}
	}
	return false
}

// Usage writes the subcommands' summary, within 100 columns: one line
// each; `licdesk COMMAND --help` gives a command's usage and flags.
func Usage(w io.Writer) {
	fmt.Fprint(w, "\ncommands (licdesk COMMAND --help shows one's usage and flags):\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  licdesk %-14s %s\n", c.name, c.help)
	}
	fmt.Fprint(w, `
Every command takes --json (print JSON) and --offline (use only the cached
copy; writes are queued). The profile lives in $LICDESK_HOME (default: the
user's config folder); LICDESK_SECRETS=file keeps the session token in a
file there instead of the system keyring.
`)
}

// usageLine is the usage of a command, or of one of its subcommands
// ("seats assign"): the alternative of the command's arguments that starts
// with the subcommand, with the flags the alternatives share.
func usageLine(name string) string {
	cmd, sub, _ := strings.Cut(name, " ")
	for _, c := range commands() {
		if c.name != cmd {
			continue
		}
		if sub == "" || c.args == "" {
			return strings.TrimSpace("licdesk " + c.name + " " + c.args)
		}
		for _, alt := range strings.Split(c.args, "|") {
			if word, rest, _ := strings.Cut(alt, " "); word == sub {
				return strings.TrimSpace("licdesk " + c.name + " " + sub + " " + rest)
			}
		}
		return strings.TrimSpace("licdesk " + c.name + " " + c.args)
	}
	return "licdesk " + name
}

// helpOf is a command's one-line description.
func helpOf(name string) string {
	cmd, _, _ := strings.Cut(name, " ")
	for _, c := range commands() {
		if c.name == cmd {
			return c.help
		}
	}
	return ""
}

// exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

// Error returns the message.
func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// Run runs one subcommand (args[0]) and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "licdesk: no command given (try licdesk --help)")
		return exitUsage
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == args[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(env.Stderr, "licdesk: unknown command %q (try licdesk --help)\n", args[0])
		return exitUsage
	}
	a := newApp(env)
	defer a.release()
	err := cmd.run(ctx, a, args[1:])
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		// Ctrl+C: whatever was under way, one line; queued writes stay
		// queued and the cache stays consistent.
		fmt.Fprintln(env.Stderr, "licdesk "+cmd.name+": interrupted")
		return exitFail
	}
	fmt.Fprintln(env.Stderr, "licdesk "+cmd.name+": "+oneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFail
}

// oneLine keeps an error message to its first line.
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// flags is a subcommand's flag set with the options every command has.
type flags struct {
	*flag.FlagSet
	a *app
}

func newFlags(a *app, name string) *flags {
	fs := flag.NewFlagSet("licdesk "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&a.json, "json", false, "print JSON")
	fs.BoolVar(&a.offline, "offline", false, "use only the cached copy; queue writes")
	return &flags{FlagSet: fs, a: a}
}

// parse parses flags and positional arguments in any order, and returns the
// positional ones.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printHelp()
				return nil, flag.ErrHelp
			}
			return nil, usagef("%s", strings.TrimPrefix(err.Error(), "flag provided but not defined: "))
		}
		rest := f.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printHelp writes the usage line, what the command does and the flags
// of this subcommand: a flag whose help starts "get: " or "new, products: "
// belongs to those subcommands only.
func (f *flags) printHelp() {
	w := f.a.env.Stdout
	name := strings.TrimPrefix(f.Name(), "licdesk ")
	_, sub, _ := strings.Cut(name, " ")
	fmt.Fprintf(w, "usage: %s\n\n%s\n\nflags:\n", usageLine(name), helpOf(name))
	f.VisitAll(func(fl *flag.Flag) {
		text := fl.Usage
		if pre, rest, ok := strings.Cut(text, ": "); ok && sub != "" && isSubList(pre) {
			if !slices.Contains(strings.Split(pre, ", "), sub) {
				return
			}
			text = rest
		}
		arg, text := flag.UnquoteUsage(&flag.Flag{Name: fl.Name, Usage: text, Value: fl.Value, DefValue: fl.DefValue})
		left := "--" + fl.Name
		if arg != "" {
			left += " " + arg
		}
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			text += " (default " + fl.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-22s %s\n", left, text)
	})
}

// isSubList reports whether s is a list of subcommand words ("get",
// "new, products"), the prefix of a flag that only they take.
func isSubList(s string) bool {
	for _, w := range strings.Split(s, ", ") {
		if w == "" || strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
			return false
		}
	}
	return true
}

// need checks that string flags were given.
func need(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return usagef("--%s is required", pairs[i])
		}
	}
	return nil
}

// readLine reads one line from r without its line ending.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("nothing on standard input")
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// subcommand splits "licdesk seats assign --license L" into "assign" and
// its flags; a command given only flags runs its default subcommand.
func subcommand(args []string, def string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return def, args
}
