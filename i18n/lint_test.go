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
var translated = []string{"cli", "desk", "internal/words", "ui", "."}

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
var translators = map[string]int{"T": 0, "N": 0, "Errorf": 0, "Wrap": 1}

// verbs are fmt's verbs; a literal that is only verbs, punctuation and
// spaces ("%s: %v", " · ") has nothing to translate.
var verbs = regexp.MustCompile(`%[-+# 0-9.*]*[a-zA-Z]`)

var word = regexp.MustCompile(`\p{L}{2,}`)

// untranslatable are literals that stay as they are in every language:
// units, command and flag names, formats. Keep it short.
var untranslatable = map[string]bool{
	"INBOX": true, "https://portal.example": true, "XXXX-XXXX-XXXX": true, // an IMAP folder, a URL, a serial's shape
	"licdesk:": true, // the program's name before its message on stderr
}

// program is a command line to type: the program's name, a subcommand
// and flags ("licdesk %s: %s", "licdesk signup --portal %s"), which stay
// as they are in every language.
var program = regexp.MustCompile(`\blicdesk( [a-z]+\b)?|--[a-z][a-z-]*`)

func needsWords(s string) bool {
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
	walk(t, dir, func(fset *token.FileSet, call *ast.CallExpr) {
		pkg, name := callName(call)
		if flagDefs[name] && len(call.Args) >= 3 {
			help := call.Args[len(call.Args)-1]
			if s, ok := stringLit(help); ok && needsWords(s) && !isKey(s) {
				out = append(out, finding{fset.Position(help.Pos()), s})
			}
			return
		}
		isSink := sinks[name] || (pkg == "errors" && name == "New") || (pkg == "core" && (name == "E" || name == "Wrap"))
		if !isSink || pkg == "i18n" {
			return
		}
		for _, a := range call.Args {
			if s, ok := stringLit(a); ok && needsWords(s) && !isKey(s) {
				out = append(out, finding{fset.Position(a.Pos()), s})
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
		"flag.String(\"license\", \"\", \"the license ID\"); fmt.Println(\"licdesk seats --license %s\") }\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte(src), 0o600))
	up, err := filepath.Abs("..")
	require.NoError(t, err)
	rel, err := filepath.Rel(up, dir)
	require.NoError(t, err)
	found := englishLiterals(t, rel)
	require.Len(t, found, 2, "%v", found)
	assert.Equal(t, "Hello there", found[0].text)
	assert.Equal(t, "the license ID", found[1].text, "a flag's help is read; its name is not")
}
