package failover_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// binary is the path of the gatehouse binary under test, built by TestMain.
var binary string

// TestMain builds gatehouse only when the tests will run. The binary is built without
// -race even when the tests are: an argon2id hash takes about half a second under the race
// detector, and three race-instrumented servers on two cores would measure the detector
// rather than the failover (tests/api and tests/fault run the race-built server).
func TestMain(m *testing.M) {
	if os.Getenv("GATEHOUSE_FAILOVER") == "" {
		os.Exit(m.Run()) // every test skips and says why
	}
	dir, err := os.MkdirTemp("", "gatehouse-failover-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary, err = testenv.BuildGatehouse(dir, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if err := writeReport(); err != nil {
		fmt.Fprintln(os.Stderr, "GATEHOUSE_FAILOVER_REPORT:", err)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// mode is how long each phase of a load scenario lasts.
type mode struct {
	name string
	// warm is the load before the Redis master is killed; afterKill the load from the kill
	// until the crashed node is started again (it must include the promotion);
	// afterRejoin the load from then until a gatehouse instance restarts; afterRestart
	// the load after that.
	warm, afterKill, afterRejoin, afterRestart time.Duration
	// workers is how many goroutines send the load, each owning its own users.
	workers int
}

// runMode returns the mode GATEHOUSE_FAILOVER names, or skips t when it is unset.
func runMode(t *testing.T) mode {
	t.Helper()
	switch v := os.Getenv("GATEHOUSE_FAILOVER"); v {
	case "":
		t.Skip("skipping: set GATEHOUSE_FAILOVER=short (as CI does) or GATEHOUSE_FAILOVER=long to run the multi-node failover tests")
	case "short":
		return mode{name: v, warm: 5 * time.Second, afterKill: 9 * time.Second, afterRejoin: 4 * time.Second,
			afterRestart: 6 * time.Second, workers: 6}
	case "long":
		return mode{name: v, warm: 20 * time.Second, afterKill: 40 * time.Second, afterRejoin: 20 * time.Second,
			afterRestart: 30 * time.Second, workers: 8}
	default:
		t.Fatalf("GATEHOUSE_FAILOVER=%q: want short or long", v)
	}
	return mode{}
}
