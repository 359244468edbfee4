package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseCore parses core's non-test sources.
func parseCore(t *testing.T) (*token.FileSet, []*ast.File) {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	require.NotEmpty(t, files)
	return fset, files
}

// TestPurity_CoreImportsOnlyPureStdlib keeps core a leaf: standard library
// only, and none of the packages that do I/O, read the clock's randomness or
// log.
func TestPurity_CoreImportsOnlyPureStdlib(t *testing.T) {
	forbidden := map[string]bool{
		"os": true, "os/exec": true, "io/ioutil": true, "io/fs": true, "net": true, "net/http": true,
		"database/sql": true, "math/rand": true, "math/rand/v2": true, "crypto/rand": true, "log": true,
		"log/slog": true, "syscall": true, "unsafe": true, "sync": true, "sync/atomic": true,
	}
	// Pure table-driven Unicode packages of the Go project, for the one text
	// validator (NFC) and e-mail domains (IDNA): no I/O, no state.
	pureExternal := map[string]bool{"golang.org/x/text/unicode/norm": true, "golang.org/x/net/idna": true}
	fset, files := parseCore(t)
	for _, f := range files {
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			pos := fset.Position(imp.Pos())
			if pureExternal[path] {
				continue
			}
			assert.NotContains(t, strings.SplitN(path, "/", 2)[0], ".", "%s: %s is not standard library", pos, path)
			assert.False(t, forbidden[path], "%s: core must not import %s", pos, path)
		}
	}
}

// TestPurity_NoClockReadsAndNoPackageVariables: time comes in as an
// argument, and there is no package-level state to mutate.
func TestPurity_NoClockReadsAndNoPackageVariables(t *testing.T) {
	fset, files := parseCore(t)
	for _, f := range files {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				t.Errorf("%s: package-level var in core", fset.Position(g.Pos()))
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" {
				switch sel.Sel.Name {
				case "Now", "Since", "Until", "Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc":
					t.Errorf("%s: core must not call time.%s", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// TestCodes_AreDistinctAndDotted guards the published error codes: two
// refusals never share a code, and each reads area.reason.
func TestCodes_AreDistinctAndDotted(t *testing.T) {
	fset, files := parseCore(t)
	format := regexp.MustCompile(`^[a-z]+\.[a-z_]+$`)
	seen := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					require.True(t, ok, "%s: %s must be a string literal", fset.Position(name.Pos()), name.Name)
					v, _ := strconv.Unquote(lit.Value)
					assert.Regexp(t, format, v, name.Name)
					if other, dup := seen[v]; dup {
						t.Errorf("%s and %s share the code %q", other, name.Name, v)
					}
					seen[v] = name.Name
				}
			}
		}
	}
	assert.Greater(t, len(seen), 30)
}

func TestParseEnum_ListsTheValidNamesWhenRefusing(t *testing.T) {
	_, err := ParseRole("boss")
	assert.Equal(t, Invalid, KindOf(err))
	assert.Equal(t, `unknown role "boss" (want one of: owner, admin, member, partner)`, err.Error())
}

// TestDocs_EveryExportedNameHasADocComment: core is read by the portal, the
// client and the command line; every exported name says what it is for.
func TestDocs_EveryExportedNameHasADocComment(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fs := token.NewFileSet()
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fs, p, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && d.Doc == nil {
					t.Errorf("%s: %s has no doc comment", fs.Position(d.Pos()), d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() && d.Doc == nil && s.Doc == nil {
							t.Errorf("%s: type %s has no doc comment", fs.Position(s.Pos()), s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && d.Doc == nil && s.Doc == nil && s.Comment == nil {
								t.Errorf("%s: %s has no doc comment", fs.Position(n.Pos()), n.Name)
							}
						}
					}
				}
			}
		}
	}
}
