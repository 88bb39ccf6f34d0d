package api_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// binary is the path of the gatehouse binary under test, built by TestMain.
var binary string

// profile is a choice of stores. env returns the environment that selects them for one
// server; it may create what the server needs (a fresh database) and clean it up with t.
type profile struct {
	name string
	env  func(t testing.TB) map[string]string
}

// profiles are the store profiles the suite runs against, in order.
var profiles = []profile{
	{"memory", func(testing.TB) map[string]string { return nil }},
	{"mysql", func(t testing.TB) map[string]string { return stores(t, "mysql", "mysql", "mysql") }},
	{"redis", func(t testing.TB) map[string]string { return stores(t, "redis", "redis", "redis") }},
	// The recommended production shape: users in MySQL, sessions and tokens in Redis.
	{"mysql+redis", func(t testing.TB) map[string]string { return stores(t, "mysql", "redis", "redis") }},
}

// stores returns the environment that puts users, sessions and tokens on the named
// backends, each in a database or key prefix of its own that is removed when t ends.
func stores(t testing.TB, users, sessions, tokens string) map[string]string {
	env := map[string]string{
		"GATEHOUSE_USER_STORE":    users,
		"GATEHOUSE_SESSION_STORE": sessions,
		"GATEHOUSE_TOKEN_STORE":   tokens,
	}
	for _, b := range []string{users, sessions, tokens} {
		switch {
		case b == "mysql" && env["GATEHOUSE_MYSQL_DSN"] == "":
			env["GATEHOUSE_MYSQL_DSN"] = testenv.MySQLDSN(t)
			env["GATEHOUSE_MYSQL_AUTO_MIGRATE"] = "true"
		case b == "redis" && env["GATEHOUSE_REDIS_URL"] == "":
			url := testenv.RedisURL(t)
			env["GATEHOUSE_REDIS_URL"] = url
			env["GATEHOUSE_REDIS_PREFIX"] = testenv.RedisPrefix(t, url, nil)
			// Where Redis is at hand, throttle counters live there too, shared by instances.
			env["GATEHOUSE_THROTTLE_STORE"] = "redis"
		}
	}
	return env
}

// current is the profile being run.
var current profile

// profileEnv returns the environment a server of the current profile starts with.
func profileEnv(t testing.TB) map[string]string { return current.env(t) }

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds the binary and runs every test once per profile, or only for the profile named by
// GATEHOUSE_TEST_PROFILE. testing.M.Run may run more than once (go.dev/issue/23129).
func run(m *testing.M) int {
	only := os.Getenv("GATEHOUSE_TEST_PROFILE")
	var selected []profile
	for _, p := range profiles {
		if only == "" || only == p.name {
			selected = append(selected, p)
		}
	}
	if len(selected) == 0 {
		fmt.Fprintf(os.Stderr, "GATEHOUSE_TEST_PROFILE=%q: unknown profile; want memory, mysql, redis or mysql+redis\n", only)
		return 2
	}
	dir, err := os.MkdirTemp("", "gatehouse-api-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if binary, err = testenv.BuildGatehouse(dir, testenv.Race); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := 0
	for _, p := range selected {
		current = p
		fmt.Printf("=== store profile %s\n", p.name)
		if c := m.Run(); c != 0 {
			fmt.Printf("--- store profile %s failed\n", p.name)
			code = c
		}
	}
	return code
}
