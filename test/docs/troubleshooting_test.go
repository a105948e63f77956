// Package docs checks the documentation against the code: every condition and event
// reason the operator reports has a Troubleshooting entry in the README, and every
// CRD field has a description for `kubectl explain`.
package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// reasons returns the values of the Reason* string constants of the Go files in dir.
func reasons(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Reason") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

func TestEveryReasonHasATroubleshootingEntry(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "## Troubleshooting")
	if start < 0 {
		t.Fatal("README has no Troubleshooting section")
	}
	section := readme[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	all := append(reasons(t, "../../internal/conditions"), reasons(t, "../../internal/managed")...)
	if len(all) < 10 {
		t.Fatalf("found only %d reasons: is the parsing broken?", len(all))
	}
	for _, r := range all {
		if !strings.Contains(section, "| `"+r+"` |") {
			t.Errorf("reason %s has no row in the README's Troubleshooting section", r)
		}
	}
}
