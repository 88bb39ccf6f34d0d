package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse/gatehouse/gatehouse"
)

// envPrefix starts the name of every setting's variable.
const envPrefix = "GATEHOUSE_"

// Variables that start with envPrefix but are no settings, so unknownVariables lets them
// pass: the test and benchmark harness's (by prefix), the CI switch that makes missing
// services fail tests, the release version scripts/build-image reads, and the DSN that
// import django reads in place of --from-dsn (a command's input, not a setting).
var (
	exemptEnvPrefixes = []string{"GATEHOUSE_TEST_", "GATEHOUSE_BENCH_"}
	exemptEnvNames    = []string{"GATEHOUSE_REQUIRE_SERVICES", "GATEHOUSE_VERSION", importDSNEnv}
)

// getenvOf looks names up in environ ("NAME=value" entries) as os.Getenv does.
func getenvOf(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if _, seen := m[k]; !seen { // the first entry wins, as in os.Getenv
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// unknownVariables refuses variables of environ that look like settings (their name starts
// with GATEHOUSE_, in any case) but are none, suggesting the setting a name is closest to. A
// misspelled variable would otherwise be ignored in silence, and its setting keep the
// default: GATEHOUSE_COOKIESECURE=false would leave cookies Secure.
func unknownVariables(environ []string) error {
	var known []string
	for _, s := range settings(&gatehouse.Config{}) {
		known = append(known, s.env())
	}
	var lines []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(strings.ToUpper(name), envPrefix) || slices.Contains(known, name) || exemptVariable(name) {
			continue
		}
		line := name + " is not a setting"
		if s := closestName(name, known); s != "" {
			line += "; did you mean " + s + "?"
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return nil
	}
	slices.Sort(lines)
	return fmt.Errorf("unknown variables (gatehouse --help lists the settings):\n  %s", strings.Join(slices.Compact(lines), "\n  "))
}

func exemptVariable(name string) bool {
	if slices.Contains(exemptEnvNames, name) {
		return true
	}
	for _, p := range exemptEnvPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// closestName returns the name of known nearest to name, comparing them without case and
// underscores, or "" when none is near enough to be what was meant: at most two edits, or
// one in five characters for long names.
func closestName(name string, known []string) string {
	norm := func(s string) string {
		return strings.ReplaceAll(strings.TrimPrefix(strings.ToUpper(s), envPrefix), "_", "")
	}
	n := norm(name)
	best, bestDist := "", -1
	for _, k := range known {
		d := editDistance(n, norm(k))
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist < 0 || bestDist > max(2, len(n)/5) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, counted in bytes: names are ASCII.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
