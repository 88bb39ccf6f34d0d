package fault_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/tests/fault"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

const (
	// storeTimeout is the deadline of every store call in the server under test.
	storeTimeout = "1s"
	// answerBound is how soon a request must be answered while a store is cut, however the
	// store fails: a correctness bound (no request hangs; the store deadline is 1s, and a
	// race-built server on two loaded cores needs the slack), not a benchmark.
	answerBound = 10 * time.Second
	// recoverTimeout is how soon after Restore everything must work again.
	recoverTimeout = 10 * time.Second
	// probeConcurrency is how many probes are in flight at once during a cut: enough to
	// overlap the store deadlines of a blackhole, few enough not to pile up password hashes.
	probeConcurrency = 3
	// cutHold bounds how long a cut lasts while the load collects replies during it.
	cutHold = 20 * time.Second
)

// scenario is a choice of stores with one backend behind a proxy, and what every probe
// must answer while that proxy is cut.
type scenario struct {
	name  string
	cut   string // the backend behind the proxy, as metrics label it
	env   func(t *testing.T) (map[string]string, *fault.Proxy)
	modes []fault.Mode
	// during is the status of each probe while the proxy is cut: 503 for every request
	// that needs the cut store, what it always answers for the others.
	during map[string]int
}

// needsEverything is what a server answers while the store behind every credential is cut:
// only requests that authenticate nobody (anonymous, health) get by without it.
var needsEverything = map[string]int{
	tokenMe: 503, sessionMe: 503, basicMe: 503, revokedMe: 503, wrongPassMe: 503,
	anonymousMe: 401, newToken: 503, newSession: 503, newUser: 503,
	healthz: 200, readyz: 503,
}

var scenarios = []scenario{
	{
		// Users, sessions and tokens in MySQL; throttle counters in memory.
		name:   "mysql",
		cut:    "mysql",
		env:    func(t *testing.T) (map[string]string, *fault.Proxy) { return mysqlEnv(t, true) },
		modes:  []fault.Mode{fault.Refuse, fault.Blackhole},
		during: needsEverything,
	},
	{
		// The production shape: users in MySQL (reached directly), sessions, tokens and
		// throttle counters in Redis. Basic and every login need Redis for the throttle.
		name: "redis",
		cut:  "redis",
		env: func(t *testing.T) (map[string]string, *fault.Proxy) {
			env, _ := mysqlEnv(t, false)
			renv, p := redisEnv(t)
			for k, v := range renv {
				env[k] = v
			}
			env["GATEHOUSE_SESSION_STORE"], env["GATEHOUSE_TOKEN_STORE"] = "redis", "redis"
			env["GATEHOUSE_THROTTLE_STORE"] = "redis"
			return env, p
		},
		modes:  []fault.Mode{fault.Refuse, fault.Blackhole},
		during: needsEverything,
	},
	{
		// Only sessions and tokens in Redis; users and throttle counters in memory. Basic
		// authentication and signup need no Redis and must keep working through the cut.
		name: "redis-credentials-only",
		cut:  "redis",
		env: func(t *testing.T) (map[string]string, *fault.Proxy) {
			env, p := redisEnv(t)
			env["GATEHOUSE_USER_STORE"] = "memory"
			env["GATEHOUSE_SESSION_STORE"], env["GATEHOUSE_TOKEN_STORE"] = "redis", "redis"
			env["GATEHOUSE_THROTTLE_STORE"] = "memory"
			return env, p
		},
		modes: []fault.Mode{fault.Refuse},
		during: map[string]int{
			tokenMe: 503, sessionMe: 503, basicMe: 200, revokedMe: 503, wrongPassMe: 401,
			anonymousMe: 401, newToken: 503, newSession: 503, newUser: 201,
			healthz: 200, readyz: 503,
		},
	},
	{
		// Only the throttle counters in Redis. Every password check is charged to them
		// before its hash runs, so without them no password is judged (fail closed), while
		// sessions and tokens, which need no password, keep working.
		name: "redis-throttle-only",
		cut:  "redis",
		env: func(t *testing.T) (map[string]string, *fault.Proxy) {
			env, p := redisEnv(t)
			env["GATEHOUSE_USER_STORE"] = "memory"
			env["GATEHOUSE_SESSION_STORE"], env["GATEHOUSE_TOKEN_STORE"] = "memory", "memory"
			env["GATEHOUSE_THROTTLE_STORE"] = "redis"
			return env, p
		},
		modes: []fault.Mode{fault.Refuse, fault.Blackhole},
		during: map[string]int{
			tokenMe: 200, sessionMe: 200, basicMe: 503, revokedMe: 401, wrongPassMe: 503,
			anonymousMe: 401, newToken: 503, newSession: 503, newUser: 503,
			healthz: 200, readyz: 503,
		},
	},
}

// mysqlEnv returns the environment that puts users (and, when all, sessions and tokens) in a
// fresh MySQL database. With all the server reaches MySQL through a proxy, which it returns.
func mysqlEnv(t *testing.T, all bool) (map[string]string, *fault.Proxy) {
	t.Helper()
	dsn := testenv.MySQLDSN(t)
	env := map[string]string{
		"GATEHOUSE_USER_STORE":          "mysql",
		"GATEHOUSE_MYSQL_AUTO_MIGRATE":  "true",
		"GATEHOUSE_MYSQL_QUERY_TIMEOUT": storeTimeout,
	}
	var p *fault.Proxy
	if all {
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		p = listen(t, cfg.Addr)
		cfg.Addr = p.Addr()
		dsn = cfg.FormatDSN()
		env["GATEHOUSE_SESSION_STORE"], env["GATEHOUSE_TOKEN_STORE"] = "mysql", "mysql"
	}
	env["GATEHOUSE_MYSQL_DSN"] = dsn
	return env, p
}

// redisEnv returns the environment that gives the server a key prefix of its own on the
// test Redis, reached through a proxy, which it returns.
func redisEnv(t *testing.T) (map[string]string, *fault.Proxy) {
	t.Helper()
	raw := testenv.RedisURL(t)
	prefix := testenv.RedisPrefix(t, raw, nil) // removed through a direct connection
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	p := listen(t, opts.Addr)
	u.Host = p.Addr()
	return map[string]string{
		"GATEHOUSE_REDIS_URL":     u.String(),
		"GATEHOUSE_REDIS_PREFIX":  prefix,
		"GATEHOUSE_REDIS_TIMEOUT": storeTimeout,
	}, p
}

// listen starts a proxy to target, closed when t ends (after the server, started later).
func listen(t *testing.T, target string) *fault.Proxy {
	t.Helper()
	p, err := fault.Listen(target)
	if err != nil {
		t.Fatalf("proxy to %s: %v", target, err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestStoreOutage cuts the store behind a proxy mid-load, once per mode, and checks that
// Gatehouse fails closed and then recovers without a restart, losing nothing.
func TestStoreOutage(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			env, p := sc.env(t)
			s := startServer(t, env)
			f := newFixture(t, s)
			for _, mode := range sc.modes {
				t.Run(mode.String(), func(t *testing.T) { outage(t, s, f, p, mode, sc) })
			}
		})
	}
}

// outage runs the load, cuts p in mode, probes the server during the cut, restores p and
// checks every reply and the recovery.
func outage(t *testing.T, s *server, f *fixture, p *fault.Proxy, mode fault.Mode, sc scenario) {
	during := sc.during
	errorsBefore := s.counter(t, "gatehouse_store_errors_total", `backend="`+sc.cut+`"`)
	unavailableBefore := s.counter(t, "gatehouse_auth_attempts_total", `outcome="unavailable"`)
	l := startLoad(s, f)
	defer l.halt()
	if !waitFor(cutHold, func() bool { return covers(l.startedSince(time.Time{}), 1) }) {
		t.Fatalf("the load got no reply of some kind before the cut: %v", l.startedSince(time.Time{}))
	}

	cutStart := time.Now()
	p.Cut(mode)
	defer p.Restore()
	cutDone := time.Now()

	probes := f.probes()
	replies := make(map[string]reply, len(probes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, probeConcurrency)
	for name, req := range probes {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			r := s.send(req)
			mu.Lock()
			defer mu.Unlock()
			replies[name] = r
		})
	}
	wg.Wait()
	// Hold the cut until every kind of load request started during it has been answered
	// twice, so the load's verdict covers each method.
	if !waitFor(cutHold, func() bool { return covers(l.startedSince(cutDone), 2) }) {
		t.Errorf("the load got too few replies during the cut: %v", l.startedSince(cutDone))
	}
	results := l.halt()
	p.Restore()
	restored := time.Now()

	for _, name := range slices.Sorted(maps.Keys(replies)) {
		r, want := replies[name], during[name]
		err := statusError(r, want)
		if name == readyz && want == http.StatusServiceUnavailable && r.err == nil && r.status == want {
			err = problemError(r) // a readiness 503 has no Retry-After: orchestrators poll anyway
		}
		if err != nil {
			t.Errorf("during the cut, %s: %v", name, err)
		}
		if r.took >= answerBound {
			t.Errorf("during the cut, %s answered after %v, want under %v", name, r.took, answerBound)
		}
	}
	judgeLoad(t, results, cutStart, cutDone, during)
	recovered(t, s, f, restored)
	storeMetricsMoved(t, s, sc.cut, errorsBefore, unavailableBefore)
}

// covers reports whether counts has at least n of every load kind.
func covers(counts map[string]int, n int) bool {
	for _, k := range loadKinds {
		if counts[k] < n {
			return false
		}
	}
	return true
}

// judgeLoad checks every reply of the load. Requests that ended before the cut began must
// have succeeded; requests that started after Cut returned must get what during says; those
// in flight at the cut may get either 200 or a proper 503. None may go unanswered, get any
// other status, or take answerBound or longer.
func judgeLoad(t *testing.T, results []result, cutStart, cutDone time.Time, during map[string]int) {
	t.Helper()
	var errs []string
	var slowest time.Duration
	counts := map[string]map[int]int{}
	for _, r := range results {
		var err error
		switch end := r.start.Add(r.took); {
		case !r.start.Before(cutDone):
			err = statusError(r.reply, during[r.kind])
			slowest = max(slowest, r.took)
			if counts[r.kind] == nil {
				counts[r.kind] = map[int]int{}
			}
			counts[r.kind][r.status]++
		case end.Before(cutStart):
			err = statusError(r.reply, http.StatusOK)
		default:
			if err = statusError(r.reply, http.StatusOK); err != nil {
				err = unavailableError(r.reply)
			}
		}
		if err == nil && r.took >= answerBound {
			err = fmt.Errorf("answered after %v, want under %v", r.took, answerBound)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s started %v after the cut: %v", r.kind, r.start.Sub(cutDone).Round(time.Millisecond), err))
		}
	}
	t.Logf("load: %d requests; started during the cut, by kind and status: %v; slowest of those %v",
		len(results), counts, slowest.Round(time.Millisecond))
	if len(errs) > 0 {
		const show = 10
		t.Errorf("%d of %d load requests went wrong; the first:\n%s", len(errs), len(results),
			strings.Join(errs[:min(show, len(errs))], "\n"))
	}
}

// recovered waits until, after Restore, the token, session and Basic credentials written
// before the cut authenticate again as themselves, the revoked token is still refused, and
// /readyz is 200. Until then a 503 is the only acceptable failure.
func recovered(t *testing.T, s *server, f *fixture, restored time.Time) {
	t.Helper()
	want := map[string]int{tokenMe: 200, sessionMe: 200, basicMe: 200, revokedMe: 401, readyz: 200}
	probes := f.probes()
	for {
		var pending []string
		for _, name := range slices.Sorted(maps.Keys(want)) {
			r := s.send(probes[name])
			if statusError(r, want[name]) == nil {
				continue
			}
			if err := unavailableError(r); err != nil && !(name == readyz && r.status == http.StatusServiceUnavailable) {
				t.Fatalf("after Restore, %s: %v (want %d, or 503 until recovered)", name, err, want[name])
			}
			pending = append(pending, fmt.Sprintf("%s: %v", name, r))
		}
		if len(pending) == 0 {
			break
		}
		if time.Since(restored) > recoverTimeout {
			t.Fatalf("not recovered %v after Restore:\n%s", recoverTimeout, strings.Join(pending, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("recovered %v after Restore", time.Since(restored).Round(time.Millisecond))

	auth := authOf(s.sendWithin(probes[tokenMe], setupTimeout).object(t, tokenMe))
	if auth["method"] != "token" || auth["token_id"] != f.tokenID {
		t.Errorf("after the outage, the token authenticates as %v, want token %s", auth, f.tokenID)
	}
	auth = authOf(s.sendWithin(probes[sessionMe], setupTimeout).object(t, sessionMe))
	if auth["method"] != "session" || auth["session_id"] != f.sessionID {
		t.Errorf("after the outage, the session authenticates as %v, want session %s", auth, f.sessionID)
	}
	if me := s.sendWithin(probes[basicMe], setupTimeout).object(t, basicMe); me["username"] != f.username {
		t.Errorf("after the outage, Basic authenticates %v, want %s", me["username"], f.username)
	}
}
