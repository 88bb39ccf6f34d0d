//go:build race

package testenv

// Race reports whether this binary runs under the race detector. Tests that start the
// gatehouse binary build it with -race too, so its data races fail them.
const Race = true
