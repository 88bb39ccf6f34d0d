package fault_test

import (
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// binary is the path of the gatehouse binary under test, built by TestMain.
var binary string

func TestMain(m *testing.M) { os.Exit(testenv.RunWithGatehouse(m, &binary)) }
