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

	"github.com/licdesk/licdesk/i18n"
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

// command is one subcommand: its name, its arguments' syntax (English:
// flag names and placeholders) and the catalog key of its summary.
type command struct {
	name, args, help string
	run              func(ctx context.Context, a *app, args []string) error
}

func commands() []command {
	return []command{
		{"login", "--portal URL --email E [--password-stdin]", "cli.cmd.login", cmdLogin},
		{"signup", "--portal URL --email E [--password-stdin] [--name N]", "cli.cmd.signup", cmdSignup},
		{"verify", "CODE|--resend", "cli.cmd.verify", cmdVerify},
		{"language", "[LANG]", "cli.cmd.language", cmdLanguage},
		{"offers", "[list]|accept ACCOUNT|decline ACCOUNT", "cli.cmd.offers", cmdOffers},
		{"logout", "[--discard-pending]", "cli.cmd.logout", cmdLogout},
		{"status", "[--keep-refused]", "cli.cmd.status", cmdStatus},
		{"sync", "[--dismiss-failed]", "cli.cmd.sync", cmdSync},
		{"solutions", "", "cli.cmd.solutions", cmdSolutions},
		{"seats", "list --license ID|assign --license ID --email E|remove --license ID --email E|reassign --license ID --email E --to E", "cli.cmd.seats", cmdSeats},
		{"assigned", "", "cli.cmd.assigned", cmdAssigned},
		{"adopt", "--license ID", "cli.cmd.adopt", cmdAdopt},
		{"orders", "list|assign --order ID --account A", "cli.cmd.orders", cmdOrders},
		{"members", "list|add --email E [--role admin|member]|remove --email E|leave|handover --email E [--account A]", "cli.cmd.members", cmdMembers},
		{"delegation", "grant --partner P|revoke [--account A]", "cli.cmd.delegation", cmdDelegation},
		{"audit", "--license ID|--account A", "cli.cmd.audit", cmdAudit},
		{"integrations", "list [--account A]|set --account A --product P [--integration on|off] [--controller on|off]|user --account A --product P --email E --on|--off", "cli.cmd.integrations", cmdIntegrations},
		{"products", "list|register --number N", "cli.cmd.products", cmdProducts},
		{"keys", "list|capacity|notices|get --serial S --company C --person P --address A --country CC [--phone P] [--yes]|upgrade --notification N --product P --quantity Q|add KEY", "cli.cmd.keys", cmdKeys},
		{"subscriptions", "", "cli.cmd.subscriptions", cmdSubscriptions},
		{"downloads", "list [--product P] [--history]|get --file ID [--out DIR]", "cli.cmd.downloads", cmdDownloads},
		{"support", "list|show ID|new --product P --title T --description D|comment ID --body B|close ID|products", "cli.cmd.support", cmdSupport},
		{"news", "list [--product P] [--new]|read [--product P]|settings [--product P]|subscribe --product P|unsubscribe --product P", "cli.cmd.news", cmdNews},
		{"activate", "KEY|--request FILE KEY|--fulfil REQUEST --out RESPONSE|--response FILE [--machine NAME]", "cli.cmd.activate", cmdActivate},
		{"deactivate", "[PRODUCT] [--receipt FILE]|--submit RECEIPT|--machine NAME [PRODUCT] [--yes]", "cli.cmd.deactivate", cmdDeactivate},
		{"trust", "add FILE|list", "cli.cmd.trust", cmdTrust},
		{"mail", "add --imap imaps://USER@HOST[:PORT] [--folder F] [--since YYYY-MM-DD] [--insecure-skip-verify] --password-stdin|scan|list|apply ID|--all|dismiss ID|remove|import FILE.eml...", "cli.cmd.mail", cmdMail},
		{"check", "PRODUCT [--module M]", "cli.cmd.check", cmdCheck},
		{"launch", "PRODUCT [-- ARGS]|--set-program PRODUCT PATH", "cli.cmd.launch", cmdLaunch},
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

// Help writes licdesk's help in l's language: how to open the window,
// then the subcommands (Usage).
func Help(w io.Writer, l *i18n.Lang) {
	fmt.Fprintf(w, "licdesk: %s\n\n%s\n", l.T("cli.help.title"), l.T("cli.help.usage"))
	for _, c := range [][2]string{{"licdesk", "cli.help.window"}, {"licdesk --demo", "cli.help.demo"},
		{"licdesk --version", "cli.help.version"}, {"licdesk --help", "cli.help.help"}} {
		fmt.Fprintf(w, "  %-22s %s\n", c[0], l.T(c[1]))
	}
	Usage(w, l)
}

// Usage writes the subcommands' summary, within 100 columns: one line
// each; `licdesk COMMAND --help` gives a command's usage and flags.
func Usage(w io.Writer, l *i18n.Lang) {
	fmt.Fprint(w, "\n"+l.T("cli.help.commands")+"\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  licdesk %-14s %s\n", c.name, l.T(c.help))
	}
	fmt.Fprint(w, "\n"+l.T("cli.help.footer")+"\n")
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

// helpOf is the catalog key of a command's one-line description.
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

// usageError is a mistake in the command line itself; it wraps the worded
// error, so that Lang.Err puts it in the user's language.
type usageError struct{ err error }

// Error returns the message in English.
func (e *usageError) Error() string { return e.err.Error() }

// Unwrap exposes the worded error.
func (e *usageError) Unwrap() error { return e.err }

// usage is a usage error worded by the catalog's key.
func usage(key string, kv ...any) error { return &usageError{i18n.Errorf(key, kv...)} }

// EnvLang is the environment variable that chooses the command line's
// language ("pt-BR", "es", "fr_FR.UTF-8"); --lang beats it, and it beats
// the system's locale (LC_ALL, LC_MESSAGES, LANG).
const EnvLang = "LICDESK_LANG"

// chooseLang takes the --lang flags out of args (up to a "--", after which
// the arguments are a program's) and picks the language: the last --lang,
// else LICDESK_LANG, else the system's. A --lang or LICDESK_LANG that names
// no supported language is an error, worded in the system's language.
func chooseLang(args []string, getenv func(string) string) (*i18n.Lang, []string, error) {
	setting, from := "", ""
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || name != "lang" {
			rest = append(rest, arg)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return i18n.New(i18n.Detect("", getenv)), nil, &usageError{i18n.Errorf("cli.lang.missing", "Supported", i18n.SupportedList())}
			}
			i++
			value = args[i]
		}
		setting, from = value, "--lang"
	}
	if from == "" {
		if setting = getenv(EnvLang); setting != "" {
			from = EnvLang
		}
	}
	if from != "" {
		if _, err := i18n.Parse(setting); err != nil {
			return i18n.New(i18n.Detect("", getenv)), nil, &usageError{i18n.Errorf("cli.lang.bad",
				"Flag", from, "Value", setting, "Supported", i18n.SupportedList())}
		}
	}
	return i18n.New(i18n.Detect(setting, getenv)), rest, nil
}

// Run runs one subcommand (args[0]) and returns the exit code. A --lang
// anywhere before "--" chooses the language of what it prints.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	lang, args, err := chooseLang(args, env.Getenv)
	if err != nil {
		fmt.Fprintln(env.Stderr, "licdesk: "+lang.Err(err))
		return exitUsage
	}
	if len(args) == 0 {
		fmt.Fprintln(env.Stderr, "licdesk: "+lang.T("cli.run.no_command"))
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "-help", "help":
		Help(env.Stdout, lang)
		return exitOK
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == args[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintln(env.Stderr, "licdesk: "+lang.T("cli.run.unknown_command", "Command", fmt.Sprintf("%q", args[0])))
		return exitUsage
	}
	a := newApp(env, lang)
	defer a.release()
	err = cmd.run(ctx, a, args[1:])
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		// Ctrl+C: whatever was under way, one line; queued writes stay
		// queued and the cache stays consistent.
		fmt.Fprintln(env.Stderr, "licdesk "+cmd.name+": "+lang.T("cli.run.interrupted"))
		return exitFail
	}
	fmt.Fprintln(env.Stderr, "licdesk "+cmd.name+": "+oneLine(lang.Err(err)))
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
	fs.BoolVar(&a.json, "json", false, a.lang.T("cli.flag.json"))
	fs.BoolVar(&a.offline, "offline", false, a.lang.T("cli.flag.offline"))
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
			return nil, flagError(err)
		}
		rest := f.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// flagError words the flag package's complaints; one it does not know
// passes as it is.
func flagError(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return usage("cli.flag.unknown", "Flag", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return usage("cli.flag.needs_argument", "Flag", name)
	}
	return &usageError{err}
}

// only is the help of a flag that only some subcommands take ("get",
// "new, products"): printHelp shows it with those alone.
func (a *app) only(subs, key string, kv ...any) string { return subs + ": " + a.lang.T(key, kv...) }

// printHelp writes the usage line, what the command does and the flags
// of this subcommand: a flag whose help starts "get: " or "new, products: "
// belongs to those subcommands only.
func (f *flags) printHelp() {
	w, l := f.a.env.Stdout, f.a.lang
	name := strings.TrimPrefix(f.Name(), "licdesk ")
	_, sub, _ := strings.Cut(name, " ")
	fmt.Fprintf(w, "%s\n\n%s\n\n%s\n", l.T("cli.usage.line", "Usage", usageLine(name)), l.T(helpOf(name)), l.T("cli.help.flags"))
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
			text += " " + l.T("cli.help.default", "Value", fl.DefValue)
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
			return usage("cli.flag.required", "Flag", "--"+pairs[i])
		}
	}
	return nil
}

// readLine reads one line from r without its line ending.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		if errors.Is(err, io.EOF) {
			return "", i18n.Errorf("cli.stdin.empty")
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
