//go:build !race

package fault_test

// raceEnabled reports whether this test binary runs under the race detector; the server
// under test is then built with -race too, so its data races fail the suite.
const raceEnabled = false
