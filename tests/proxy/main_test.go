package proxy_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// binary is the path of the gatehouse binary under test, built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gatehouse-proxy-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if binary, err = testenv.BuildGatehouse(dir, testenv.Race); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}
