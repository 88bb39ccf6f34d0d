package fault_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binary is the path of the gatehouse binary under test, built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds the binary once, with -race when the tests run with it, then runs the tests.
func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gatehouse-fault-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "gatehouse")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "github.com/gatehouse/gatehouse/cmd/gatehouse")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building gatehouse: %v\n", err)
		return 1
	}
	return m.Run()
}
