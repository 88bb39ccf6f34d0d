// Package arch checks Gatehouse's dependency rule: the hexagon's inner packages never import
// the outer ones, so any adapter can be swapped without touching domain or app.
package arch

import (
	"fmt"
	"strings"
)

// Module is Gatehouse's module path.
const Module = "github.com/gatehouse/gatehouse"

// rule says which of our packages and which outside packages a layer may import.
type rule struct {
	ours    func(to string) bool
	foreign func(path string) bool
}

func stdlib(path string) bool { return !strings.Contains(strings.SplitN(path, "/", 2)[0], ".") }

// rules, by layer. A layer is the package's first path element under the module, or
// "adapters/<name>" for an adapter.
var rules = map[string]rule{
	"domain": {
		ours: func(string) bool { return false },
		// x/text for NFKC; pquerna/otp for the RFC 4226/6238 maths of TOTP (issue #16), which
		// is pure computation too.
		foreign: func(p string) bool {
			return stdlib(p) || strings.HasPrefix(p, "golang.org/x/text/") ||
				p == "github.com/pquerna/otp" || strings.HasPrefix(p, "github.com/pquerna/otp/")
		},
	},
	"ports": {
		ours:    func(to string) bool { return to == "domain" },
		foreign: stdlib,
	},
	"app": {
		ours:    func(to string) bool { return to == "domain" || to == "ports" },
		foreign: stdlib,
	},
	"adapters": {
		// An adapter implements ports; it never reaches the use cases, the command, or
		// another adapter.
		ours:    func(to string) bool { return to == "domain" || to == "ports" },
		foreign: func(string) bool { return true },
	},
}

// assembly is the layer that wires everything together, the package gatehouse (and its
// subpackages): like cmd it may import every package, and only the programs built on it
// may import it — the command, the tests and the examples. Anything else importing it
// would import every adapter through it.
const assembly = "gatehouse"

// assemblers are the layers that may import the assembly. The layers with rules of their
// own never may: their rules name what they import.
var assemblers = map[string]bool{"cmd": true, "tests": true, "examples": true, assembly: true}

// Violations returns the imports of package pkg (a path relative to the module) that break
// the dependency rule.
func Violations(pkg string, imports []string) []string {
	layer := strings.SplitN(pkg, "/", 2)[0]
	var bad []string
	r, ok := rules[layer]
	if !ok {
		if assemblers[layer] {
			return nil // cmd, tests, examples and the assembly see everything
		}
		// A layer without rules of its own (scripts, say) may import anything but the assembly.
		for _, imp := range imports {
			if imp == Module+"/"+assembly || strings.HasPrefix(imp, Module+"/"+assembly+"/") {
				bad = append(bad, fmt.Sprintf("%s imports %s", pkg, strings.TrimPrefix(imp, Module+"/")))
			}
		}
		return bad
	}
	for _, imp := range imports {
		if imp == Module || strings.HasPrefix(imp, Module+"/") {
			to := strings.TrimPrefix(strings.TrimPrefix(imp, Module), "/")
			if !r.ours(to) {
				bad = append(bad, fmt.Sprintf("%s imports %s", pkg, to))
			}
			continue
		}
		if !r.foreign(imp) {
			bad = append(bad, fmt.Sprintf("%s imports %s", pkg, imp))
		}
	}
	return bad
}
