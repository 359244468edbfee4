package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

// translated are the folders (from the module root) whose user-facing
// strings must come from the catalogs. A face joins the list once its
// strings are in the catalogs; from then on a new English literal in a
// widget, dialog, printer or error constructor fails this test.
var translated = []string{"cli", "desk", "internal/words", "ui", ".", "portal", "portal/mail"}

// keyed are the folders whose catalog keys are checked: every literal key
// passed to T, N, Errorf or Wrap must exist in en.json.
var keyed = []string{"cli", "ui", "desk", "portal", "portal/mail", "mailbox", "mailscan", "sync", "machine", "check", "."}

// sinks are the calls whose string arguments people read: Fyne's widgets,
// dialogs, menus and notifications, the printers, and the error
// constructors.
var sinks = map[string]bool{
	"NewLabel": true, "NewLabelWithStyle": true, "NewButton": true, "NewButtonWithIcon": true,
	"NewCheck": true, "NewHyperlink": true, "NewRichTextFromMarkdown": true, "NewRichTextWithText": true,
	"NewTabItem": true, "NewTabItemWithIcon": true, "NewMenuItem": true, "NewMenu": true,
	"NewFormItem": true, "SetText": true, "SetPlaceHolder": true, "SetTitle": true, "NewWindow": true,
	"ShowInformation": true, "NewInformation": true, "ShowConfirm": true, "NewConfirm": true,
	"ShowCustom": true, "NewCustom": true, "ShowCustomConfirm": true, "NewCustomConfirm": true,
	"ShowCustomWithoutButtons": true, "NewCustomWithoutButtons": true, "NewNotification": true,
	"Fprintln": true, "Fprintf": true, "Fprint": true, "Printf": true, "Println": true, "Print": true,
	"Errorf": true,
	// ui's own helpers that put a literal in front of people: a form's
	// title, button, placeholder and required field's name; confirmations
	// and notices; the hint line under buttons; a file dialog's title.
	"newFormEntry": true, "showForm": true, "confirm": true, "inform": true, "say": true, "notice": true,
	"setHint": true, "required": true, "SetTitleText": true,
	// The command line's own printers: table headers (catalog keys) and
	// table cells.
	"table": true, "row": true,
}

// flagDefs are the flag package's definitions: their last argument is the
// flag's help, which people read (--help); the name and the default are
// typed, not read, and stay English.
var flagDefs = map[string]bool{"String": true, "StringVar": true, "Bool": true, "BoolVar": true,
	"Int": true, "IntVar": true, "Int64": true, "Int64Var": true, "Duration": true, "DurationVar": true}

// translators are the calls whose first string argument (second for Wrap)
// is a catalog key.
var translators = map[string]int{"T": 0, "N": 0, "Errorf": 0, "Wrap": 1, "Stored": 0}

// verbs are fmt's verbs; a literal that is only verbs, punctuation and
// spaces ("%s: %v", " · ") has nothing to translate.
var verbs = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z]`)

var word = regexp.MustCompile(`\p{L}{2,}`)

// untranslatable are literals that stay as they are in every language:
// units, command and flag names, formats. Keep it short.
var untranslatable = map[string]bool{
	// portal/mail writes an e-mail's header fields, whose names RFC 5322
	// fixes; no person reads them as words.
	"From: %s\r\n": true, "To: %s\r\n": true, "Subject: %s\r\n": true, "Date: %s\r\n": true,
	"Message-ID: <%s@licdesk.invalid>\r\n": true,
	"INBOX":                                true, "https://portal.example": true, "XXXX-XXXX-XXXX": true, // an IMAP folder, a URL, a serial's shape
	"licdesk:": true, // the program's name before its message on stderr
}

// program is a command line to type: the program's name, a subcommand
// and flags ("licdesk %s: %s", "licdesk signup --portal %s"), which stay
// as they are in every language.
var program = regexp.MustCompile(`\blicdesk( [a-z]+\b){0,2}|--[a-z][a-z-]*`)

// internalErrors are the folders whose fmt.Errorf and errors.New errors
// never reach a person in their language: the portal answers people only
// through problem+json, its pages and its e-mails, and problemOf answers
// any error that is not a core refusal or an HTTP-layer refusal as the
// code "internal" (worded in the catalogs), keeping the error itself for
// the log; the rest are the operator's licportal command, in English like
// the logs.
var internalErrors = map[string]bool{"portal": true, "portal/mail": true}

// codeShaped is a stable code or a catalog key ("seat.full",
// "account.language"): an identifier, not words.
var codeShaped = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// refusalWorded reports whether a core.E or core.Wrap call's message is the
// English of a code the catalogs word ("error.<code>"): its code is a
// literal with a wording, or a core constant (core.Code...), which api's
// tests keep registered and worded in every catalog. A face shows such a
// refusal with Lang.Err, by its code.
func refusalWorded(en *Lang, name string, call *ast.CallExpr) bool {
	i := 1 // core.E(kind, code, msg)
	if name == "Wrap" {
		i = 2 // core.Wrap(err, kind, code, msg)
	}
	if len(call.Args) <= i {
		return false
	}
	if code, ok := stringLit(call.Args[i]); ok {
		return en.Has("error." + code)
	}
	sel, ok := call.Args[i].(*ast.SelectorExpr)
	return ok && strings.HasPrefix(sel.Sel.Name, "Code")
}

func needsWords(s string) bool {
	if untranslatable[s] || codeShaped.MatchString(s) {
		return false
	}
	s = program.ReplaceAllString(verbs.ReplaceAllString(s, ""), "")
	return word.MatchString(s) && !untranslatable[s]
}

// isKey reports whether a literal is a catalog key (a printer that takes
// keys, such as the command line's table headers, words it itself).
func isKey(s string) bool {
	return strings.Contains(s, ".") && !strings.Contains(s, " ") && English().Has(s)
}

type finding struct {
	pos  token.Position
	text string
}

// walk parses the non-test Go files of dir and calls visit on every call.
func walk(t *testing.T, dir string, visit func(fset *token.FileSet, call *ast.CallExpr)) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("..", dir))
	require.NoError(t, err, dir)
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join("..", dir, name), nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				visit(fset, call)
			}
			return true
		})
	}
}

func callName(call *ast.CallExpr) (pkg, name string) {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return "", fn.Name
	case *ast.SelectorExpr:
		if id, ok := fn.X.(*ast.Ident); ok {
			return id.Name, fn.Sel.Name
		}
		return "", fn.Sel.Name
	}
	return "", ""
}

// concatenated is an argument's parts when it is a string concatenation
// ("Done: " + name + "."), so that a literal glued to a value is read
// too; any other argument is itself.
func concatenated(e ast.Expr) []ast.Expr {
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return append(concatenated(x.X), concatenated(x.Y)...)
		}
	case *ast.ParenExpr:
		return concatenated(x.X)
	}
	return []ast.Expr{e}
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// englishLiterals finds the literals with words passed to a sink in dir.
func englishLiterals(t *testing.T, dir string) []finding {
	var out []finding
	en := English()
	walk(t, dir, func(fset *token.FileSet, call *ast.CallExpr) {
		pkg, name := callName(call)
		if flagDefs[name] && len(call.Args) >= 3 {
			help := call.Args[len(call.Args)-1]
			if s, ok := stringLit(help); ok && needsWords(s) && !isKey(s) {
				out = append(out, finding{fset.Position(help.Pos()), s})
			}
			return
		}
		isRefusal := pkg == "core" && (name == "E" || name == "Wrap")
		isSink := sinks[name] || (pkg == "errors" && name == "New") || isRefusal
		if !isSink || pkg == "i18n" {
			return
		}
		if internalErrors[dir] && ((pkg == "fmt" && name == "Errorf") || (pkg == "errors" && name == "New")) {
			return
		}
		if isRefusal && refusalWorded(en, name, call) {
			return
		}
		for _, a := range call.Args {
			for _, lit := range concatenated(a) {
				if s, ok := stringLit(lit); ok && needsWords(s) && !isKey(s) {
					out = append(out, finding{fset.Position(lit.Pos()), s})
				}
			}
		}
	})
	return out
}

func TestLint_NoEnglishLiteralReachesPeopleInATranslatedFace(t *testing.T) {
	for _, dir := range translated {
		for _, f := range englishLiterals(t, dir) {
			t.Errorf("%s: %q is shown to people but is not a catalog key (put it in i18n/catalog)", f.pos, f.text)
		}
	}
}

func TestLint_EveryLiteralKeyIsInTheCatalog(t *testing.T) {
	en := New(language.English)
	for _, dir := range keyed {
		walk(t, dir, func(fset *token.FileSet, call *ast.CallExpr) {
			_, name := callName(call)
			i, ok := translators[name]
			if !ok || len(call.Args) <= i {
				return
			}
			key, ok := stringLit(call.Args[i])
			if !ok || !strings.Contains(key, ".") || strings.ContainsAny(key, " %") {
				return // not a key (fmt.Errorf's format, a computed key)
			}
			assert.True(t, en.Has(key), "%s: key %q is not in en.json", fset.Position(call.Pos()), key)
		})
	}
}

func TestLint_FindsAnEnglishLiteral(t *testing.T) {
	// The lint must be able to fail: this file's own sink calls are found.
	dir := t.TempDir()
	src := "package x\nimport (\"flag\"; \"fmt\")\nfunc f() { fmt.Println(\"Hello there\"); fmt.Println(\"%s: %d\"); " +
		"flag.String(\"license\", \"\", \"the license ID\"); fmt.Println(\"licdesk seats --license %s\"); " +
		"fmt.Println(\"Done: \" + name + \".\") }\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600))
	up, err := filepath.Abs("..")
	require.NoError(t, err)
	rel, err := filepath.Rel(up, dir)
	require.NoError(t, err)
	found := englishLiterals(t, rel)
	require.Len(t, found, 3, "%v", found)
	assert.Equal(t, "Hello there", found[0].text)
	assert.Equal(t, "the license ID", found[1].text, "a flag's help is read; its name is not")
	assert.Equal(t, "Done: ", found[2].text, "a literal glued to a value is read")
}

func TestLint_ARefusalPassesOnlyByAWordedCode(t *testing.T) {
	// A refusal whose code the catalogs word passes, with its English
	// message; one with an unworded code is found, as is an English
	// fmt.Errorf outside the portal's internal errors.
	dir := t.TempDir()
	src := "package x\nimport (\"fmt\"; \"core\")\nfunc f() {\n" +
		"\t_ = core.E(core.Conflict, \"seat.full\", \"no seat is free\")\n" +
		"\t_ = core.E(core.Conflict, \"no.such_code\", \"something clashed\")\n" +
		"\t_ = fmt.Errorf(\"could not open %s\", \"x\")\n}\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600))
	up, err := filepath.Abs("..")
	require.NoError(t, err)
	rel, err := filepath.Rel(up, dir)
	require.NoError(t, err)
	var texts []string
	for _, f := range englishLiterals(t, rel) {
		texts = append(texts, f.text)
	}
	assert.Equal(t, []string{"something clashed", "could not open %s"}, texts)
}
