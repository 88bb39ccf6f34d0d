package failover_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFailover runs the mixed load over three instances, kills the Redis master holding the
// first user's keys, lets a replica take over, later brings the dead node back as a
// replica, then restarts one gatehouse instance, on a Redis Cluster and on Sentinel. It
// fails on any revoked credential accepted after its revocation was acknowledged, any 500,
// any 200 for a wrong or unknown credential, an instance that does not authenticate again
// within a phase (before the dead node is back, for the kill), and a revocation never
// acknowledged once Redis is whole again.
func TestFailover(t *testing.T) {
	m := runMode(t)
	for _, tc := range []struct {
		name string
		topo func(*testing.T) topology
	}{
		{"cluster", newCluster},
		{"sentinel", newSentinel},
	} {
		t.Run(tc.name, func(t *testing.T) { runFailover(t, m, tc.name, tc.topo(t)) })
	}
}

// firstUserKey is a key on the slot of user 1's keys ({u:<id>} is their hash tag), which
// the load's accounts use from the start.
const firstUserKey = "{u:1}"

func runFailover(t *testing.T, m mode, name string, topo topology) {
	instances := startInstances(t, 3, storesEnv(t, topo))
	c := newClient()
	owned := make([][]*account, m.workers)
	for w := range owned {
		for k := range 3 {
			a := &account{name: fmt.Sprintf("user%d_%d", w, k), password: password}
			r := c.send(instances[(w+k)%len(instances)].base(), request{method: "POST", path: "/v1/auth/signup",
				body: map[string]string{"username": a.name, "password": a.password}})
			if r.status != http.StatusCreated {
				t.Fatalf("signup of %s: %v", a.name, r)
			}
			owned[w] = append(owned[w], a)
		}
	}

	rec := newRecorder()
	l := startLoad(rec, c, instances, owned)
	t.Cleanup(l.halt)
	time.Sleep(m.warm)

	victim := topo.masterFor(firstUserKey)
	if victim == nil {
		t.Fatalf("no master holds %s", firstUserKey)
	}
	killed := rec.mark("Redis master SIGKILL")
	victim.Kill(t)
	promoted := topo.waitPromotion(t, firstUserKey, victim)
	t.Logf("%s: %s promoted in place of %s at %v (%v after the kill)", name, promoted.Addr, victim.Addr,
		rec.now().Round(time.Millisecond), (rec.now() - killed).Round(time.Millisecond))
	time.Sleep(time.Until(rec.start.Add(killed + m.afterKill)))

	// The crashed node comes back, as a supervisor would restart it, and the promoted
	// master has a replica again.
	rec.mark("crashed Redis node back as a replica")
	topo.rejoin(t, victim)
	t.Logf("%s: %s back as a replica in sync at %v", name, victim.Addr, rec.now().Round(time.Millisecond))
	time.Sleep(m.afterRejoin)

	rec.mark("gatehouse instance B SIGTERM + restart")
	instances[1].restart(t)
	time.Sleep(m.afterRestart)
	end := rec.now()
	l.halt()

	settle(t, rec, l)
	report(t, rec, name, end, len(instances))
	if t.Failed() {
		logErrors(t, instances)
	}
	checkLogs(t, instances, sampleSecrets(owned, 50))
}

// settle retries every revocation still unacknowledged, now that Redis is whole again,
// then asks every instance about every credential the load holds or had revoked: the live
// ones must be accepted (a 401 is a lost credential) and the revoked ones refused.
func settle(t *testing.T, rec *recorder, l *load) {
	t.Helper()
	var wg sync.WaitGroup
	for _, w := range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range w.accounts {
				for try := 0; len(a.pending) > 0 && try < 80; try++ {
					w.retry(a, a.pending[0])
					time.Sleep(250 * time.Millisecond)
				}
				if len(a.pending) > 0 {
					rec.problem("a %s of %s was never acknowledged after the failover", a.pending[0].how, a.name)
				}
				for i := range l.instances {
					for _, cr := range a.revoked {
						r, start := rec.send(l.c, l.instances, i, "final revoked /me", request{method: "GET", path: "/v1/auth/me", cred: cr.auth(false), owner: cr})
						switch {
						case r.status == http.StatusOK:
							rec.accept(cr, start, i, "final revoked /me")
						case r.status != http.StatusUnauthorized:
							rec.problem("final revoked /me on %s: %v", l.instances[i].name, r)
						}
					}
					for _, cr := range a.live {
						r, start := rec.send(l.c, l.instances, i, "final live /me", request{method: "GET", path: "/v1/auth/me", cred: cr.auth(false), owner: cr})
						switch {
						case r.status == http.StatusOK:
						case r.status == http.StatusUnauthorized:
							rec.refused(cr, start, i, "final live /me")
						default:
							rec.problem("final live /me on %s: %v", l.instances[i].name, r)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
}

// report logs the phases as a table, adds them to the report file's table, and fails t on
// every problem and lost revocation, and on an instance that did not answer again within
// its phase.
func report(t *testing.T, rec *recorder, topology string, end time.Duration, instances int) {
	t.Helper()
	var lines []string
	for _, w := range rec.rows(end, instances) {
		lines = append(lines, w.markdown(topology))
		t.Logf("%s: after %q, by kind:%s", topology, w.event, rec.kinds(w.from, w.to))
		if !w.recovered {
			t.Errorf("%s: after %q, an instance still failed at the end of the phase (%v long)", topology, w.event, (w.to - w.from).Round(time.Millisecond))
		}
		if w.served == 0 {
			t.Errorf("%s: nothing was served after %q", topology, w.event)
		}
	}
	t.Logf("%s:\n%s", topology, table(lines))
	addReport(lines)

	rec.mu.Lock()
	problems := rec.problems
	served := 0
	for _, s := range rec.samples {
		if s.served() {
			served++
		}
	}
	total, revocations := len(rec.samples), len(rec.revoked)
	rec.mu.Unlock()
	t.Logf("%s: %d requests, %d served, %d revocations acknowledged", topology, total, served, revocations)
	for i, p := range problems {
		if i == 20 {
			t.Errorf("... and %d more problems", len(problems)-i)
			break
		}
		t.Errorf("%s: %s", topology, p)
	}
	rec.mu.Lock()
	lost := rec.lost[:min(len(rec.lost), 10)]
	rec.mu.Unlock()
	for _, l := range lost {
		t.Logf("%s: credential lost: %v; its requests:%s", topology, l, rec.history(l.cred))
	}
	vs := rec.violations()
	for i, v := range vs {
		if i == 20 {
			t.Errorf("... and %d more revocations lost", len(vs)-i)
			break
		}
		t.Errorf("%s: revocation lost: %v", topology, v)
	}
}

// sampleSecrets returns up to n secrets the load used, for the log check.
func sampleSecrets(owned [][]*account, n int) []string {
	out := []string{password}
	for _, accounts := range owned {
		for _, a := range accounts {
			for _, c := range append(a.live, a.revoked...) {
				if len(out) < n {
					out = append(out, c.secret, c.csrf)
				}
			}
		}
	}
	return out
}

var reportMu sync.Mutex
var reportLines []string

// addReport keeps table rows for GATEHOUSE_FAILOVER_REPORT, written once every test ran.
func addReport(lines []string) {
	reportMu.Lock()
	defer reportMu.Unlock()
	reportLines = append(reportLines, lines...)
}

// writeReport writes the table of every failover event to GATEHOUSE_FAILOVER_REPORT, if set.
func writeReport() error {
	path := os.Getenv("GATEHOUSE_FAILOVER_REPORT")
	if path == "" || len(reportLines) == 0 {
		return nil
	}
	return os.WriteFile(path, []byte(table(reportLines)), 0o644)
}

// logErrors logs the first error lines of each instance's log, which say what a 500 was.
func logErrors(t *testing.T, instances []*instance) {
	for _, in := range instances {
		var lines []string
		for _, l := range strings.Split(in.process().Stdout(), "\n") {
			if strings.Contains(l, `"level":"ERROR"`) && len(lines) < 5 {
				lines = append(lines, l)
			}
		}
		if len(lines) > 0 {
			t.Logf("instance %s logged errors:\n%s", in.name, strings.Join(lines, "\n"))
		}
	}
}
