package api_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/licdesk/licdesk/api"
	"github.com/licdesk/licdesk/core"
	"github.com/licdesk/licdesk/i18n"
)

// codeUse is one place the source publishes an error code.
type codeUse struct {
	code string
	kind string // the kind or status argument as written ("core.Conflict", "http.StatusForbidden"), "" when not given
	at   string
}

// codeConstants reads every constant named Code* of the project's product
// source, keyed by package name and constant name ("core.CodeSeatFull").
func codeConstants(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	err := walkGo(root, func(path, _ string) error {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i >= len(vs.Values) || !isCodeConst(n.Name) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[f.Name.Name+"."+n.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// walkGo calls fn with every Go file of the product source: tests,
// testdata and hidden folders aside.
func walkGo(root string, fn func(path, rel string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		return fn(path, rel)
	})
}

// publishedCodes walks the project's product source (tests and the
// presentation packages aside) for every call that makes a refusal with a
// code: core.E and core.Wrap (E and Wrap inside core), the portal's refuse
// and httpError, the client's Error literals and invalid. A code given as
// something else than a literal or a core constant fails the walk, so no
// code escapes it.
func publishedCodes(t *testing.T, root string) []codeUse {
	t.Helper()
	consts := codeConstants(t, root)
	var uses []codeUse
	fset := token.NewFileSet()
	err := walkGo(root, func(path, rel string) error {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := f.Name.Name
		// resolve reads a code given as a literal or a Code* constant;
		// computed says the code is built at run time (a concatenation),
		// which the registry cannot hold; anything else (a variable, a
		// field, a call) passes on a code published elsewhere.
		resolve := func(e ast.Expr) (code string, ok, computed bool) {
			switch v := e.(type) {
			case *ast.BasicLit:
				s, err := strconv.Unquote(v.Value)
				return s, err == nil, false
			case *ast.BinaryExpr:
				return "", false, true
			case *ast.Ident:
				if isCodeConst(v.Name) {
					s, ok := consts[pkg+"."+v.Name]
					return s, ok, !ok
				}
			case *ast.SelectorExpr:
				if x, ok := v.X.(*ast.Ident); ok && isCodeConst(v.Sel.Name) {
					s, ok := consts[x.Name+"."+v.Sel.Name]
					return s, ok, !ok
				}
			}
			return "", false, false
		}
		src := func(e ast.Expr) string {
			if e == nil {
				return ""
			}
			var b strings.Builder
			ast.Inspect(e, func(n ast.Node) bool {
				switch v := n.(type) {
				case *ast.Ident:
					if b.Len() > 0 {
						b.WriteString(".")
					}
					b.WriteString(v.Name)
				}
				return true
			})
			return b.String()
		}
		add := func(codeExpr, kindExpr ast.Expr) {
			at := rel + ":" + strconv.Itoa(fset.Position(codeExpr.Pos()).Line)
			code, ok, computed := resolve(codeExpr)
			switch {
			case computed:
				t.Errorf("%s: a code computed at run time, which no registry can hold: %s", at, src(codeExpr))
			case ok:
				uses = append(uses, codeUse{code: code, kind: src(kindExpr), at: at})
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch v := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := v.Fun.(type) {
				case *ast.Ident:
					name = pkg + "." + fn.Name
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok {
						name = x.Name + "." + fn.Sel.Name
					}
				}
				switch name {
				case "core.E":
					if len(v.Args) == 3 {
						add(v.Args[1], v.Args[0])
					}
				case "core.Wrap":
					if len(v.Args) == 4 {
						add(v.Args[2], v.Args[1])
					}
				case "portal.refuse":
					add(v.Args[1], v.Args[0])
				case "sync.invalid":
					add(v.Args[0], nil)
				}
			case *ast.CompositeLit:
				typ := src(v.Type)
				if !(pkg == "portal" && (typ == "httpError" || typ == "api.Problem")) && !(pkg == "sync" && typ == "Error") && !(pkg == "core" && typ == "Error") {
					return true
				}
				var code, kind ast.Expr
				for _, el := range v.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch src(kv.Key) {
					case "code", "Code":
						code = kv.Value
					case "Kind", "status", "Status":
						kind = kv.Value
					}
				}
				if code != nil {
					add(code, kind)
				}
			}
			return true
		})
		return nil
	})
	require.NoError(t, err)
	return uses
}

// isCodeConst tells a code constant's name (CodeSeatFull) from a field
// named Code.
func isCodeConst(name string) bool {
	return len(name) > 4 && strings.HasPrefix(name, "Code") && name[4] >= 'A' && name[4] <= 'Z'
}

// Every code the source publishes is in the registry, with a kind and an
// HTTP status it is actually made with; the registry holds each code once.
func TestCodeRegistry_HoldsEveryPublishedCode(t *testing.T) {
	root := ".."
	reg := map[string]api.CodeInfo{}
	for _, c := range api.Codes() {
		_, dup := reg[c.Code]
		assert.False(t, dup, "%s is registered twice", c.Code)
		reg[c.Code] = c
	}
	uses := publishedCodes(t, root)
	require.Greater(t, len(uses), 100, "the walk finds the codes")
	kinds := map[string]map[string]bool{}
	statuses := map[string]map[int]bool{}
	for _, u := range uses {
		if _, ok := reg[u.code]; !ok {
			t.Errorf("%s: code %q is not in the registry (api/codes.go)", u.at, u.code)
			continue
		}
		name := strings.TrimPrefix(u.kind, "core.")
		if st, ok := httpStatuses[name]; ok {
			if statuses[u.code] == nil {
				statuses[u.code] = map[int]bool{}
			}
			statuses[u.code][st] = true
		} else if k, ok := coreKinds[name]; ok && !strings.HasPrefix(u.at, "sync/") {
			if kinds[u.code] == nil {
				kinds[u.code] = map[string]bool{}
			}
			kinds[u.code][k.String()] = true
		}
	}
	for code, ks := range kinds {
		assert.True(t, ks[reg[code].Kind.String()], "%s is registered as %s but made as %v", code, reg[code].Kind, ks)
	}
	for code, sts := range statuses {
		assert.True(t, sts[reg[code].Status], "%s is registered with status %d but answered with %v", code, reg[code].Status, sts)
	}
	for name, code := range codeConstants(t, root) {
		if pkg, _, _ := strings.Cut(name, "."); pkg == "core" || pkg == "activation" {
			assert.Contains(t, reg, code, "%s is not in the registry", name)
		}
	}
}

var coreKinds = map[string]core.Kind{"Invalid": core.Invalid, "NotFound": core.NotFound, "Conflict": core.Conflict,
	"Forbidden": core.Forbidden, "Offline": core.Offline, "Expired": core.Expired}

var httpStatuses = map[string]int{"http.StatusBadRequest": 400, "http.StatusUnauthorized": 401,
	"http.StatusUnsupportedMediaType": 415, "http.StatusRequestEntityTooLarge": 413,
	"http.StatusTooManyRequests": 429, "http.StatusInternalServerError": 500}

var placeholderRE = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// Every code of the registry is worded in the catalog ("error.<code>"),
// and the catalog words no code the registry lacks; the client's English
// (Message) is the catalog's English; a wording names only the specifics
// every site of its code gives (CodeInfo.Args).
func TestCodeRegistry_AndTheCatalogAgreeBothWays(t *testing.T) {
	en, err := i18n.Messages(language.English)
	require.NoError(t, err)
	reg := map[string]api.CodeInfo{}
	for _, c := range api.Codes() {
		reg[c.Code] = c
		forms, ok := en["error."+c.Code]
		if !assert.True(t, ok, "code %s has no wording error.%s in i18n/catalog/en.json", c.Code, c.Code) {
			continue
		}
		text := forms["other"]
		if c.Message != "" {
			assert.Equal(t, c.Message, text, "the registry's Message of %s is not the catalog's English", c.Code)
		}
		for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
			assert.Contains(t, c.Args, m[1], "error.%s names {{.%s}}, which the registry does not document among the code's Args", c.Code, m[1])
		}
	}
	for key := range en {
		if code, ok := strings.CutPrefix(key, "error."); ok {
			assert.Contains(t, reg, code, "the catalog words %s, which is no registered code", key)
		}
	}
}

// Every site that makes a code whose wording names specifics gives them:
// core.WithArgs(core.E(..., code, ...), "Name", value, ...) with every name
// the registry documents for the code.
func TestCodeRegistry_EverySiteGivesTheArgsItsCodeDocuments(t *testing.T) {
	root := ".."
	given := map[string][]string{} // file:line of the code -> names given
	fset := token.NewFileSet()
	require.NoError(t, walkGo(root, func(path, rel string) error {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := f.Name.Name
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || calleeName(pkg, call) != "core.WithArgs" {
				return true
			}
			inner, ok := call.Args[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			var codeExpr ast.Expr
			switch calleeName(pkg, inner) {
			case "core.E":
				codeExpr = inner.Args[1]
			case "core.Wrap":
				codeExpr = inner.Args[2]
			default:
				return true
			}
			at := rel + ":" + strconv.Itoa(fset.Position(codeExpr.Pos()).Line)
			for i := 1; i < len(call.Args); i += 2 {
				if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					name, _ := strconv.Unquote(lit.Value)
					given[at] = append(given[at], name)
				}
			}
			return true
		})
		return nil
	}))
	checked := 0
	for _, u := range publishedCodes(t, root) {
		info, ok := api.LookupCode(u.code)
		if !ok || len(info.Args) == 0 || strings.HasPrefix(u.at, "sync/") {
			continue
		}
		checked++
		for _, a := range info.Args {
			assert.Contains(t, given[u.at], a, "%s: %s is made without the %s its wording names (core.WithArgs)", u.at, u.code, a)
		}
	}
	assert.Greater(t, checked, 20, "the walk finds the sites of the codes with Args")
}

// calleeName is "pkg.Func" of a call, with core's own calls named as from
// outside ("core.E").
func calleeName(pkg string, call *ast.CallExpr) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return pkg + "." + fn.Name
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok {
			return x.Name + "." + fn.Sel.Name
		}
	}
	return ""
}
