package failover_test

import (
	"crypto/rand"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// instance is one gatehouse process on a fixed loopback address, so that a restart comes
// back where the clients (standing in for a load balancer) expect it.
type instance struct {
	name string
	addr string // host:port
	env  []string

	mu   sync.Mutex
	proc *testenv.Process
}

// base returns the instance's URL.
func (in *instance) base() string { return "http://" + in.addr }

// startInstances starts n gatehouse processes one after the other (the first applies the
// MySQL migrations) with the same environment, each on its own address. Cleanup stops them
// and fails t unless each exits 0.
func startInstances(t *testing.T, n int, stores map[string]string) []*instance {
	t.Helper()
	var key [32]byte
	_, _ = rand.Read(key[:])
	common := map[string]string{
		"GATEHOUSE_COOKIE_SECURE": "false",
		"GATEHOUSE_LOG_FORMAT":    "json",
		// Every instance must open the others' form tokens.
		"GATEHOUSE_SECRET_KEY": base64.StdEncoding.EncodeToString(key[:]),
		// Limits the load never reaches: only the stores may refuse a request here.
		"GATEHOUSE_THROTTLE_LOGIN_USER":    "100000/min",
		"GATEHOUSE_THROTTLE_LOGIN_IP":      "100000/min",
		"GATEHOUSE_THROTTLE_LOGIN_ACCOUNT": "100000/min",
		"GATEHOUSE_THROTTLE_SIGNUP_IP":     "100000/min",
		// A login waiting for a hashing slot past the default 2s would also get 503 and
		// blur the verdict on Redis; the load keeps few hashes in flight anyway.
		"GATEHOUSE_HASH_WAIT": "10s",
	}
	var out []*instance
	for i := range n {
		in := &instance{name: string(rune('A' + i)), addr: freeAddr(t)}
		in.env = testenv.Environ(common, stores, map[string]string{"GATEHOUSE_ADDR": in.addr})
		in.proc = testenv.StartProcess(t, binary, in.env)
		t.Cleanup(func() { in.process().Check(t) })
		out = append(out, in)
	}
	return out
}

func (in *instance) process() *testenv.Process {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.proc
}

// restart stops the process with SIGTERM (it drains the requests in flight), fails t
// unless it exits 0, and starts a new one on the same address.
func (in *instance) restart(t *testing.T) {
	t.Helper()
	in.process().Check(t)
	p := testenv.StartProcess(t, binary, in.env)
	in.mu.Lock()
	in.proc = p
	in.mu.Unlock()
}

// checkLogs fails t if any instance logged a secret the test used.
func checkLogs(t *testing.T, instances []*instance, secrets []string) {
	t.Helper()
	for _, in := range instances {
		out := in.process().Stdout()
		for _, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("instance %s logged a secret (%.6s...)", in.name, s)
			}
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
