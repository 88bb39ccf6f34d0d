package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/gatehouse/gatehouse/domain"
)

const (
	benchUser     = "bench"
	benchPassword = "plum-Orchard-7391"
	redisPrefix   = "gatehouse-bench:"
	mysqlDatabase = "gatehouse_bench"
	sampleTokens  = 1000 // distinct tokens the scale comparison sends
)

// bench holds what one run has started.
type bench struct {
	o     options
	self  string // this executable, re-run as the baseline and the seeded memory server
	gh    string // the gatehouse binary
	rdb   *redis.Client
	db    *sql.DB
	procs []*proc
	dbs   []string // MySQL databases to drop at the end
	dir   string   // temporary files (wrk's scripts)
}

// creds are the bench user's credentials on one Gatehouse.
type creds struct {
	user    domain.UserID // known when this Gatehouse signed the user up
	token   string
	session *http.Cookie
}

func run(ctx context.Context, o options) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "gatehouse-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	b := &bench{o: o, self: self, dir: dir, gh: o.binary}
	defer b.stopAll()
	if b.gh == "" {
		if b.gh, err = buildGatehouse(dir); err != nil {
			return err
		}
	}
	if err := b.openStores(ctx); err != nil {
		return err
	}
	defer b.closeStores(ctx)

	logging := "defaults (access log, audit log)"
	if o.quiet {
		logging = "GATEHOUSE_LOG_LEVEL=warn, audit log off"
	}
	fmt.Printf("gatehouse-bench: profile %s, %d rounds of %s per measurement, %d requests in flight, load %s, %d CPUs, %s\n",
		o.profile, o.rounds, o.duration, o.workers, o.load, runtime.NumCPU(), runtime.Version())
	fmt.Printf("Gatehouse logging: %s\n", logging)

	if o.profile == "memory" {
		if err := b.startup(); err != nil {
			return err
		}
	}
	rows, err := b.table(ctx)
	if err != nil {
		return err
	}
	printTable(rows)
	if o.scale {
		if err := b.scale(ctx); err != nil {
			return err
		}
	}
	if o.profile == "memory" {
		fmt.Printf("\nmemory token store heap: %.0f B per token (%d tokens)\n", heapPerToken(o.large), o.large)
	}
	return nil
}

// gatehouseEnv is the configuration of every Gatehouse the bench starts: the profile's
// stores, no throttling (the load comes from one address), and the default logging (the
// access log and the audit log, written to the null device) unless -quiet turns both off.
// The audit log has its own switch: the level does not quiet it.
//
// ns names a namespace (a Redis key prefix or a MySQL database of its own) for Gatehouses
// that must not share data with the main one; "" is the main one.
func (b *bench) gatehouseEnv(ns string, extra ...string) []string {
	env := []string{
		"GATEHOUSE_COOKIE_SECURE=false",
		"GATEHOUSE_THROTTLE_LOGIN_USER=off", "GATEHOUSE_THROTTLE_LOGIN_IP=off", "GATEHOUSE_THROTTLE_SIGNUP_IP=off",
		"GATEHOUSE_USER_STORE=" + b.o.profile, "GATEHOUSE_SESSION_STORE=" + b.o.profile, "GATEHOUSE_TOKEN_STORE=" + b.o.profile,
	}
	if b.o.quiet {
		env = append(env, "GATEHOUSE_LOG_LEVEL=warn", "GATEHOUSE_AUDIT_LOG=off")
	}
	switch b.o.profile {
	case "redis":
		env = append(env, "GATEHOUSE_REDIS_URL="+b.o.redisURL, "GATEHOUSE_REDIS_PREFIX="+redisNS(ns))
	case "mysql":
		env = append(env, "GATEHOUSE_MYSQL_DSN="+b.o.mysqlDSN+mysqlNS(ns), "GATEHOUSE_MYSQL_AUTO_MIGRATE=true")
	}
	return append(env, extra...)
}

func redisNS(ns string) string {
	if ns == "" {
		return redisPrefix
	}
	return redisPrefix + ns + ":"
}

func mysqlNS(ns string) string {
	if ns == "" {
		return mysqlDatabase
	}
	return mysqlDatabase + "_" + ns
}

// createDatabase makes a fresh MySQL database for namespace ns and returns a handle on it.
func (b *bench) createDatabase(ctx context.Context, ns string) (*sql.DB, error) {
	root, err := openMySQL(b.o.mysqlDSN)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	name := mysqlNS(ns)
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name} {
		if _, err := root.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("mysql: %w", err)
		}
	}
	b.dbs = append(b.dbs, name)
	return openMySQL(b.o.mysqlDSN + name)
}

func (b *bench) openStores(ctx context.Context) error {
	switch b.o.profile {
	case "redis":
		opt, err := redis.ParseURL(b.o.redisURL)
		if err != nil {
			return err
		}
		b.rdb = redis.NewClient(opt)
		return dropRedisPrefix(ctx, b.rdb, redisPrefix)
	case "mysql":
		var err error
		b.db, err = b.createDatabase(ctx, "")
		return err
	}
	return nil
}

func (b *bench) closeStores(ctx context.Context) {
	if b.rdb != nil {
		_ = dropRedisPrefix(ctx, b.rdb, redisPrefix)
		_ = b.rdb.Close()
	}
	if b.db != nil {
		for _, name := range b.dbs {
			_, _ = b.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
		}
		_ = b.db.Close()
	}
}

func (b *bench) start(name, bin string, args, env []string, path string) (*proc, error) {
	p, _, err := start(name, bin, args, env, path, b.o.quiet)
	if err == nil {
		b.procs = append(b.procs, p)
	}
	return p, err
}

func (b *bench) stopAll() {
	for _, p := range b.procs {
		p.stop()
	}
	b.procs = nil
}

// startup starts the memory profile five times and reports the median time from process
// start to the first answered request.
func (b *bench) startup() error {
	var times []time.Duration
	for range 5 {
		p, d, err := start("gatehouse", b.gh, nil, b.gatehouseEnv(""), "/healthz", b.o.quiet)
		if err != nil {
			return err
		}
		p.stop()
		times = append(times, d)
	}
	fmt.Printf("start to first answered request (memory profile, median of 5): %s\n\n", round(medianDuration(times)))
	return nil
}

// fixtures signs up the bench user on g (a taken name is fine: the stores may be shared)
// and obtains a token and a session.
func (b *bench) fixtures(g *proc) (creds, error) {
	var cr creds
	body := fmt.Sprintf(`{"username":%q,"password":%q,"email":"bench@example.com"}`, benchUser, benchPassword)
	resp, err := http.Post(g.base+"/v1/auth/signup", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return cr, err
	}
	var u struct{ ID int64 }
	_ = json.NewDecoder(resp.Body).Decode(&u)
	resp.Body.Close()
	if resp.StatusCode == http.StatusCreated {
		cr.user = domain.UserID(u.ID)
	}
	resp, err = http.Post(g.base+"/v1/auth/token", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return cr, err
	}
	var t struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&t)
	resp.Body.Close()
	if t.Token == "" {
		return cr, fmt.Errorf("token login: %s", resp.Status)
	}
	cr.token = t.Token
	resp, err = http.Post(g.base+"/v1/auth/login", "application/json", bytes.NewBufferString(body))
	if err != nil {
		return cr, err
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			cr.session = c
		}
	}
	if cr.session == nil {
		return cr, fmt.Errorf("session login: %s", resp.Status)
	}
	return cr, nil
}

// row is one line of the results: the medians over the rounds.
type row struct {
	name     string
	f        []figures
	ratio    []float64 // of throughput
	cpuRatio []float64 // of CPU time per request
	against  string
}

func (r *row) add(f figures, ratio, cpuRatio float64) {
	r.f = append(r.f, f)
	r.ratio = append(r.ratio, ratio)
	r.cpuRatio = append(r.cpuRatio, cpuRatio)
}

// table measures every path on a Gatehouse with the Basic cache off and one with it on, and
// the baseline, in each round.
func (b *bench) table(ctx context.Context) ([]*row, error) {
	g, err := b.start("gatehouse", b.gh, nil, b.gatehouseEnv(""), "/healthz")
	if err != nil {
		return nil, err
	}
	cr, err := b.fixtures(g)
	if err != nil {
		return nil, err
	}
	gc, err := b.start("gatehouse (Basic cache on)", b.gh, nil, b.gatehouseEnv("", "GATEHOUSE_BASIC_CACHE_TTL=1h"), "/healthz")
	if err != nil {
		return nil, err
	}
	crc, err := b.fixtures(gc)
	if err != nil {
		return nil, err
	}
	key := ""
	switch b.o.profile {
	case "redis":
		key = redisPrefix + "baseline"
		view, _ := json.Marshal(meView{ID: 1, Username: benchUser})
		if err := b.rdb.Set(ctx, key, view, 0).Err(); err != nil {
			return nil, err
		}
	case "mysql":
		key = domain.HashSecret(cr.token).Hex()
	}
	base, err := b.start("baseline", b.self, []string{"-serve-baseline", b.o.profile, "-baseline-key", key,
		"-redis-url", b.o.redisURL, "-mysql-dsn", b.o.mysqlDSN + mysqlDatabase}, nil, "/me")
	if err != nil {
		return nil, err
	}

	me, mec := g.base+"/v1/auth/me", gc.base+"/v1/auth/me"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(benchUser+":"+benchPassword))
	login := []byte(fmt.Sprintf(`{"username":%q,"password":%q}`, benchUser, benchPassword))
	nonce := strconv.FormatInt(time.Now().UnixNano()%1_000_000_007, 36)
	w, d := b.o.workers, b.o.duration
	// send loads p with one request over and over, by wrk when chosen, and measures p's CPU.
	send := func(p *proc, method, url string, h http.Header, body []byte) load {
		if b.o.load == "wrk" {
			return measured(p, func(d time.Duration) sample { return wrkAttack(b.dir, method, url, h, body, w, d) })
		}
		tr := fixed(method, url, body, []http.Header{h})
		return measured(p, func(d time.Duration) sample { return attack(url, tr, w, d, 200, nil) })
	}
	get := func(p *proc, url, k, v string) load { return send(p, "GET", url, http.Header{k: {v}}, nil) }
	// The baseline gets the same request as the path it is compared with, credentials and
	// all: reading them is net/http's work, which both sides must do.
	baseline := func(k, v string) load { return get(base, base.base+"/me", k, v) }
	post := func(tr vegeta.Targeter, want int) load {
		return measured(g, func(d time.Duration) sample { return attack("post", tr, w, d, want, nil) })
	}
	ceiling := send(base, "POST", base.base+"/hash", http.Header{}, nil)
	var signups atomic.Uint64
	type measure struct {
		name, against string
		base, load    load
	}
	measures := []measure{
		{"token /me", "baseline", baseline("Authorization", "Token "+cr.token), get(g, me, "Authorization", "Token "+cr.token)},
		{"bearer /me", "baseline", baseline("Authorization", "Bearer "+cr.token), get(g, me, "Authorization", "Bearer "+cr.token)},
		{"session /me", "baseline", baseline("Cookie", cr.session.Name+"="+cr.session.Value), get(g, me, "Cookie", cr.session.Name+"="+cr.session.Value)},
		{"Basic /me, cache off", "argon2id ceiling", ceiling, get(g, me, "Authorization", basic)},
		{"Basic /me, cache on", "token /me", get(gc, mec, "Authorization", "Token "+crc.token), get(gc, mec, "Authorization", basic)},
		{"token login", "argon2id ceiling", ceiling, send(g, "POST", g.base+"/v1/auth/token", jsonHeader(), login)},
		{"signup", "argon2id ceiling", ceiling, post(numbered(func(uint64) vegeta.Target {
			body := fmt.Sprintf(`{"username":"b%s-%d","password":%q}`, nonce, signups.Add(1), benchPassword)
			return vegeta.Target{Method: "POST", URL: g.base + "/v1/auth/signup", Body: []byte(body), Header: jsonHeader()}
		}), 201)},
		{"login+logout cycle", "argon2id ceiling", ceiling, measured(g, func(d time.Duration) sample { return b.cycle(g, login, d) })},
	}
	measures = slices.DeleteFunc(measures, func(m measure) bool { return !strings.Contains(m.name, b.o.only) })
	var rows []*row
	for _, m := range measures {
		rows = append(rows, &row{name: m.name, against: m.against})
	}
	baseRow := &row{name: "baseline " + b.o.profile + " /me"}
	ceilRow := &row{name: "argon2id ceiling"}
	for round := range b.o.rounds {
		for i, m := range measures {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fa, fb := pair(m.base, m.load, d, b.slices())
			ratio, cpuRatio := ratios(fa, fb)
			rows[i].add(fb, ratio, cpuRatio)
			switch m.against {
			case "baseline":
				baseRow.add(fa, 1, 1)
			case "argon2id ceiling":
				ceilRow.add(fa, 1, 1)
			}
		}
		fmt.Fprintf(os.Stderr, "round %d done\n", round+1)
	}
	return slices.DeleteFunc(append([]*row{baseRow, ceilRow}, rows...), func(r *row) bool { return len(r.f) == 0 }), nil
}

// slices is how many slices a pair takes: slicesPerPair, or fewer with wrk, whose attacks
// last whole seconds, so a pair still takes about the measurement's time.
func (b *bench) slices() int {
	if b.o.load != "wrk" {
		return slicesPerPair
	}
	return max(2, min(slicesPerPair, int(b.o.duration/time.Second)))
}

// cycle measures session logins for d, then the logout of every session they made. A cycle's
// latency is a login's plus a logout's (the latencies of the two are paired in order), and
// its time the two phases' together.
func (b *bench) cycle(g *proc, login []byte, d time.Duration) sample {
	var logouts []vegeta.Target
	in := attack("login", fixed("POST", g.base+"/v1/auth/login", login, []http.Header{jsonHeader()}), b.o.workers, d, 200,
		func(r *vegeta.Result) {
			h := jsonHeader()
			for _, c := range (&http.Response{Header: r.Headers}).Cookies() {
				h.Add("Cookie", c.Name+"="+c.Value)
				if c.Name == "csrftoken" {
					h.Set("X-CSRFToken", c.Value)
				}
			}
			logouts = append(logouts, vegeta.Target{Method: "POST", URL: g.base + "/v1/auth/logout", Header: h})
		})
	out := attack("logout", queue(logouts), b.o.workers, time.Minute, 204, nil)
	s := sample{elapsed: in.elapsed + out.elapsed, errors: in.errors + out.errors}
	for i := range min(len(in.lat), len(out.lat)) {
		s.lat = append(s.lat, in.lat[i]+out.lat[i])
	}
	return s
}

// scale compares token /me on a Gatehouse holding 1,000 tokens with one holding o.large,
// both running at once and measured in alternation (see pair), always sending the same 1,000
// tokens. Each has stores of its own: a seeded child process on the memory profile, its own
// Redis prefix or MySQL database otherwise.
func (b *bench) scale(ctx context.Context) error {
	if b.o.large <= sampleTokens {
		return fmt.Errorf("-tokens %d: want more than %d", b.o.large, sampleTokens)
	}
	headers := make([]http.Header, sampleTokens)
	for i := range headers {
		headers[i] = http.Header{"Authorization": {"Token " + seededSecret(i)}}
	}
	small, err := b.seeded(ctx, "small", sampleTokens)
	if err != nil {
		return err
	}
	large, err := b.seeded(ctx, "large", b.o.large)
	if err != nil {
		return err
	}
	me := func(g *proc) load {
		tr := fixed("GET", g.base+"/v1/auth/me", nil, headers)
		return measured(g, func(d time.Duration) sample { return attack("scale", tr, b.o.workers, d, 200, nil) })
	}
	// Warm up: connections, the user cache, and the first touch of each token.
	for _, g := range []*proc{small, large} {
		if f := me(g)(time.Second).figures(); f.errors > 0 {
			return fmt.Errorf("%d seeded tokens refused by %s", f.errors, g.name)
		}
	}
	var fs, fl []figures
	var rs []float64
	for range b.o.rounds {
		a, c := pair(me(small), me(large), b.o.duration, slicesPerPair)
		r, _ := ratios(a, c)
		if a.errors+c.errors > 0 {
			return fmt.Errorf("seeded tokens refused: %d errors", a.errors+c.errors)
		}
		fs, fl, rs = append(fs, a), append(fl, c), append(rs, r)
	}
	fmt.Printf("\ntoken /me, %s profile, by stored tokens (median of %d):\n", b.o.profile, b.o.rounds)
	fmt.Printf("  %9d tokens: %s\n", sampleTokens, median(fs))
	fmt.Printf("  %9d tokens: %s\n", b.o.large, median(fl))
	fmt.Printf("  ratio %d / %d: %.3f (target within 10%%)\n", b.o.large, sampleTokens, medianFloat(rs))
	return nil
}

// seeded starts a Gatehouse in namespace ns holding n seeded tokens of its bench user.
func (b *bench) seeded(ctx context.Context, ns string, n int) (*proc, error) {
	if b.o.profile == "memory" {
		return b.start("gatehouse ("+ns+")", b.self, []string{"-serve-seeded-memory", strconv.Itoa(n)}, nil, "/healthz")
	}
	var db *sql.DB
	if b.o.profile == "mysql" {
		var err error
		if db, err = b.createDatabase(ctx, ns); err != nil {
			return nil, err
		}
		defer db.Close()
	}
	g, err := b.start("gatehouse ("+ns+")", b.gh, nil, b.gatehouseEnv(ns), "/healthz")
	if err != nil {
		return nil, err
	}
	cr, err := b.fixtures(g)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	if db != nil {
		err = seedMySQL(ctx, db, cr.user, 0, n)
	} else {
		err = seedRedis(ctx, b.o.redisURL, redisNS(ns), cr.user, 0, n)
	}
	fmt.Fprintf(os.Stderr, "seeded %d tokens (%s) in %s\n", n, ns, time.Since(began).Round(time.Millisecond))
	return g, err
}

// printTable prints the medians over the rounds. CPU is the server's CPU time per request;
// "CPU ratio" (the headline: it does not depend on the load generator's appetite) and
// "ratio" (of throughput) are to the row named in "ratio to", measured in the same pairs.
func printTable(rows []*row) {
	fmt.Printf("%-22s %10s %10s %10s %9s %9s %8s  %s\n", "path", "req/s", "p50", "p99", "CPU/req", "CPU ratio", "ratio", "ratio to")
	for _, r := range rows {
		m := median(r.f)
		errs := 0
		for _, f := range r.f {
			errs += f.errors
		}
		line := fmt.Sprintf("%-22s %10.0f %10s %10s %9s %9.3f %8.3f  %s", r.name, m.rps, round(m.p50), round(m.p99),
			roundCPU(m.cpu), medianFloat(r.cpuRatio), medianFloat(r.ratio), r.against)
		if errs > 0 {
			line += fmt.Sprintf("  (%d unexpected responses)", errs)
		}
		fmt.Println(line)
	}
}

// median takes the median of each figure separately.
func median(fs []figures) figures {
	var rps []float64
	var p50, p99, cpu []time.Duration
	for _, f := range fs {
		rps, p50, p99, cpu = append(rps, f.rps), append(p50, f.p50), append(p99, f.p99), append(cpu, f.cpu)
	}
	return figures{rps: medianFloat(rps), p50: medianDuration(p50), p99: medianDuration(p99), cpu: medianDuration(cpu)}
}

func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianDuration(xs []time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
