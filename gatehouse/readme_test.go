package gatehouse_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMESnippetIsTheExample: the README's embedding snippet is the code of
// ExampleGatehouse_Middleware between its markers, which go test compiles and runs.
func TestREADMESnippetIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Using Gatehouse as a library\n")
	if !ok {
		t.Fatal(`README has no section "Using Gatehouse as a library"`)
	}
	_, block, ok := strings.Cut(section, "\n```go\n")
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !closed {
		t.Fatal("the README's section has no Go code block")
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, ok := strings.Cut(string(example), "// README:begin\n")
	code, _, closed = strings.Cut(code, "\t// README:end\n")
	if !ok || !closed {
		t.Fatal("example_test.go has no README:begin and README:end markers")
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(code, "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t")) // the example's body is indented once
	}
	if want := strings.Join(lines, "\n"); block != want {
		t.Errorf("README snippet:\n%s\n\nexample's code:\n%s", block, want)
	}
}
