package arch_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go/parser"
	"go/token"

	"github.com/gatehouse/gatehouse/tests/arch"
)

// TestDependencyRule parses every non-test Go file of the module and fails on any import that
// crosses the hexagon the wrong way.
func TestDependencyRule(t *testing.T) {
	root := moduleRoot(t)
	imports := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[filepath.ToSlash(rel)] = append(imports[filepath.ToSlash(rel)], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, layer := range []string{"domain", "ports", "app", "adapters/ginhttp", "adapters/memstore", "gatehouse"} {
		if _, ok := imports[layer]; !ok {
			t.Errorf("package %s not found: is the walk looking at the right tree?", layer)
		}
	}
	for pkg, imps := range imports {
		for _, v := range arch.Violations(pkg, imps) {
			t.Error(v)
		}
	}
}

func TestViolations(t *testing.T) {
	m := arch.Module + "/"
	tests := []struct {
		name    string
		pkg     string
		imports []string
		want    int
	}{
		{"domain uses stdlib and x/text", "domain", []string{"time", "golang.org/x/text/unicode/norm"}, 0},
		{"domain uses pquerna/otp", "domain", []string{"github.com/pquerna/otp/hotp", "github.com/pquerna/otp/totp"}, 0},
		{"domain imports a look-alike of pquerna/otp", "domain", []string{"github.com/pquerna/otpx"}, 1},
		{"domain imports ports", "domain", []string{m + "ports"}, 1},
		{"domain imports gin", "domain", []string{"github.com/gin-gonic/gin"}, 1},
		{"ports imports domain", "ports", []string{"context", m + "domain"}, 0},
		{"ports imports app", "ports", []string{m + "app"}, 1},
		{"app imports ports and domain", "app", []string{m + "ports", m + "domain"}, 0},
		{"app imports an adapter", "app", []string{m + "adapters/memstore"}, 1},
		{"app imports a driver", "app", []string{"github.com/jmoiron/sqlx"}, 1},
		{"adapter imports gin and ports", "adapters/ginhttp", []string{"github.com/gin-gonic/gin", m + "ports"}, 0},
		{"adapter imports app", "adapters/ginhttp", []string{m + "app"}, 1},
		{"adapter imports another adapter", "adapters/ginhttp", []string{m + "adapters/memstore"}, 1},
		{"cmd imports everything", "cmd/gatehouse", []string{m + "app", m + "adapters/memstore", m + "gatehouse"}, 0},
		{"the assembly imports everything", "gatehouse", []string{m + "app", m + "adapters/memstore", "github.com/google/wire"}, 0},
		{"an example imports the assembly", "examples/notes", []string{m + "gatehouse", "github.com/gin-gonic/gin"}, 0},
		{"a test imports the assembly", "tests/api", []string{m + "gatehouse/gatehousetest"}, 0},
		{"an adapter imports the assembly", "adapters/ginhttp", []string{m + "gatehouse"}, 1},
		{"app imports the assembly", "app", []string{m + "gatehouse"}, 1},
		{"a script imports the assembly", "scripts/tool", []string{m + "gatehouse"}, 1},
		{"a script imports a look-alike of the assembly", "scripts/tool", []string{m + "gatehousex", m + "app"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := arch.Violations(tt.pkg, tt.imports); len(got) != tt.want {
				t.Errorf("Violations(%q, %v) = %v, want %d", tt.pkg, tt.imports, got, tt.want)
			}
		})
	}
}

func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			slices.Contains(strings.Fields(string(data)), arch.Module) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod of " + arch.Module + " not found")
		}
		dir = parent
	}
}
