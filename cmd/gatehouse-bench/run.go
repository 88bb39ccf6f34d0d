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
	o      options
	self   string // this executable, re-run as the baseline and the seeded memory server
	gh     string // the gatehouse binary
	rdb    *redis.Client
	db     *sql.DB
	procs  []*proc
	userID domain.UserID // the bench user on the shared stores
}

// creds are the bench user's credentials on one Gatehouse.
type creds struct {
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
	b := &bench{o: o, self: self}
	defer b.stopAll()
	if b.gh, err = buildGatehouse(dir); err != nil {
		return err
	}
	if err := b.openStores(ctx); err != nil {
		return err
	}
	defer b.closeStores(ctx)

	fmt.Printf("gatehouse-bench: profile %s, %d rounds of %s per measurement, %d requests in flight, %d CPUs, %s\n",
		o.profile, o.rounds, o.duration, o.workers, runtime.NumCPU(), runtime.Version())

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
// stores, no throttling (the load comes from one address), no access log (the baseline has
// none either; logging one JSON line per request is measured separately if wanted).
func (b *bench) gatehouseEnv(extra ...string) []string {
	env := []string{
		"GATEHOUSE_LOG_LEVEL=warn", "GATEHOUSE_COOKIE_SECURE=false",
		"GATEHOUSE_THROTTLE_LOGIN_USER=off", "GATEHOUSE_THROTTLE_LOGIN_IP=off", "GATEHOUSE_THROTTLE_SIGNUP_IP=off",
		"GATEHOUSE_USER_STORE=" + b.o.profile, "GATEHOUSE_SESSION_STORE=" + b.o.profile, "GATEHOUSE_TOKEN_STORE=" + b.o.profile,
	}
	switch b.o.profile {
	case "redis":
		env = append(env, "GATEHOUSE_REDIS_URL="+b.o.redisURL, "GATEHOUSE_REDIS_PREFIX="+redisPrefix)
	case "mysql":
		env = append(env, "GATEHOUSE_MYSQL_DSN="+b.o.mysqlDSN+mysqlDatabase, "GATEHOUSE_MYSQL_AUTO_MIGRATE=true")
	}
	return append(env, extra...)
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
		root, err := openMySQL(b.o.mysqlDSN)
		if err != nil {
			return err
		}
		defer root.Close()
		for _, q := range []string{"DROP DATABASE IF EXISTS " + mysqlDatabase, "CREATE DATABASE " + mysqlDatabase} {
			if _, err := root.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("mysql: %w", err)
			}
		}
		b.db, err = openMySQL(b.o.mysqlDSN + mysqlDatabase)
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
		_, _ = b.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+mysqlDatabase)
		_ = b.db.Close()
	}
}

func (b *bench) start(name, bin string, args, env []string, path string) (*proc, error) {
	p, _, err := start(name, bin, args, env, path)
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
		p, d, err := start("gatehouse", b.gh, nil, b.gatehouseEnv(), "/healthz")
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
	if resp.StatusCode == http.StatusCreated && b.userID == 0 {
		b.userID = domain.UserID(u.ID)
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
	name    string
	f       []figures
	ratio   []float64
	against string
}

func (r *row) add(f figures, ratio float64) {
	r.f = append(r.f, f)
	r.ratio = append(r.ratio, ratio)
}

// table measures every path on a Gatehouse with the Basic cache off and one with it on, and
// the baseline, in each round.
func (b *bench) table(ctx context.Context) ([]*row, error) {
	g, err := b.start("gatehouse", b.gh, nil, b.gatehouseEnv(), "/healthz")
	if err != nil {
		return nil, err
	}
	cr, err := b.fixtures(g)
	if err != nil {
		return nil, err
	}
	gc, err := b.start("gatehouse (Basic cache on)", b.gh, nil, b.gatehouseEnv("GATEHOUSE_BASIC_CACHE_TTL=1h"), "/healthz")
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

	me := g.base + "/v1/auth/me"
	hdr := func(k, v string) []http.Header { return []http.Header{{k: {v}}} }
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(benchUser+":"+benchPassword))
	login := []byte(fmt.Sprintf(`{"username":%q,"password":%q}`, benchUser, benchPassword))
	nonce := strconv.FormatInt(time.Now().UnixNano()%1_000_000_007, 36)
	w, d := b.o.workers, b.o.duration

	rows := map[string]*row{}
	var order []*row
	get := func(name, against string) *row {
		if rows[name] == nil {
			rows[name] = &row{name: name, against: against}
			order = append(order, rows[name])
		}
		return rows[name]
	}
	baseRow := get("baseline "+b.o.profile+" /me", "")
	ceilRow := get("argon2id ceiling", "")
	for round := range b.o.rounds {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		ceiling, err := hashCeiling(d)
		if err != nil {
			return nil, err
		}
		ceilRow.add(figures{rps: ceiling}, 1)
		bl := attack("baseline", fixed("GET", base.base+"/me", nil, []http.Header{{}}), w, d, 200, nil)
		baseRow.add(bl, 1)
		ratio := func(f figures) float64 { return f.rps / bl.rps }

		tok := attack("token", fixed("GET", me, nil, hdr("Authorization", "Token "+cr.token)), w, d, 200, nil)
		get("token /me", "baseline").add(tok, ratio(tok))
		f := attack("bearer", fixed("GET", me, nil, hdr("Authorization", "Bearer "+cr.token)), w, d, 200, nil)
		get("bearer /me", "baseline").add(f, ratio(f))
		f = attack("session", fixed("GET", me, nil, hdr("Cookie", cr.session.Name+"="+cr.session.Value)), w, d, 200, nil)
		get("session /me", "baseline").add(f, ratio(f))

		f = attack("basic", fixed("GET", me, nil, hdr("Authorization", basic)), w, d, 200, nil)
		get("Basic /me, cache off", "argon2id ceiling").add(f, f.rps/ceiling)
		tokc := attack("token (cache on)", fixed("GET", gc.base+"/v1/auth/me", nil, hdr("Authorization", "Token "+crc.token)), w, d, 200, nil)
		f = attack("basic (cache on)", fixed("GET", gc.base+"/v1/auth/me", nil, hdr("Authorization", basic)), w, d, 200, nil)
		get("Basic /me, cache on", "token /me").add(f, f.rps/tokc.rps)

		f = attack("token login", fixed("POST", g.base+"/v1/auth/token", login, []http.Header{jsonHeader()}), w, d, 200, nil)
		get("token login", "argon2id ceiling").add(f, f.rps/ceiling)
		f = attack("signup", numbered(func(i uint64) vegeta.Target {
			body := fmt.Sprintf(`{"username":"b%s-%d-%d","password":%q}`, nonce, round, i, benchPassword)
			return vegeta.Target{Method: "POST", URL: g.base + "/v1/auth/signup", Body: []byte(body), Header: jsonHeader()}
		}), w, d, 201, nil)
		get("signup", "argon2id ceiling").add(f, f.rps/ceiling)
		f = b.cycle(g, login)
		get("login+logout cycle", "argon2id ceiling").add(f, f.rps/ceiling)
		fmt.Fprintf(os.Stderr, "round %d done\n", round+1)
	}
	return order, nil
}

// cycle measures session login followed by logout: the logins for half the duration, then
// the logout of every session they made. Its rate is cycles over the two phases' time; its
// latencies are the sums of the phases' quantiles.
func (b *bench) cycle(g *proc, login []byte) figures {
	var logouts []vegeta.Target
	in := attack("login", fixed("POST", g.base+"/v1/auth/login", login, []http.Header{jsonHeader()}), b.o.workers, b.o.duration/2, 200,
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
	n := float64(len(logouts))
	if n == 0 || in.rps == 0 || out.rps == 0 {
		return figures{errors: in.errors + out.errors}
	}
	return figures{rps: n / (n/in.rps + n/out.rps), p50: in.p50 + out.p50, p99: in.p99 + out.p99, errors: in.errors + out.errors}
}

// scale compares token /me with 1,000 and with o.large stored tokens, always sending the
// same 1,000 of them.
func (b *bench) scale(ctx context.Context) error {
	sample := make([]http.Header, sampleTokens)
	for i := range sample {
		sample[i] = http.Header{"Authorization": {"Token " + seededSecret(i)}}
	}
	measure := func(g *proc) figures {
		return attack("scale", fixed("GET", g.base+"/v1/auth/me", nil, sample), b.o.workers, b.o.duration, 200, nil)
	}
	var small, large []figures
	var ratios []float64
	switch b.o.profile {
	case "memory":
		for _, n := range []int{sampleTokens, b.o.large} {
			p, err := b.start("gatehouse (seeded)", b.self, []string{"-serve-seeded-memory", strconv.Itoa(n)}, nil, "/healthz")
			if err != nil {
				return err
			}
			for range b.o.rounds {
				f := measure(p)
				if f.errors > 0 {
					return fmt.Errorf("seeded tokens refused: %d errors", f.errors)
				}
				if n == sampleTokens {
					small = append(small, f)
				} else {
					large = append(large, f)
				}
			}
			p.stop()
		}
	default:
		g, err := b.start("gatehouse", b.gh, nil, b.gatehouseEnv(), "/healthz")
		if err != nil {
			return err
		}
		seed := func(from, to int) error {
			began := time.Now()
			var err error
			if b.rdb != nil {
				err = seedRedis(ctx, b.rdb, redisPrefix, b.userID, from, to)
			} else {
				err = seedMySQL(ctx, b.db, b.userID, from, to)
			}
			fmt.Fprintf(os.Stderr, "seeded tokens %d..%d in %s\n", from, to, time.Since(began).Round(time.Millisecond))
			return err
		}
		if err := seed(0, sampleTokens); err != nil {
			return err
		}
		for range b.o.rounds {
			small = append(small, measure(g))
		}
		if err := seed(sampleTokens, b.o.large); err != nil {
			return err
		}
		for range b.o.rounds {
			large = append(large, measure(g))
		}
		for _, f := range append(small, large...) {
			if f.errors > 0 {
				return fmt.Errorf("seeded tokens refused: %d errors", f.errors)
			}
		}
	}
	for i := range small {
		ratios = append(ratios, large[i].rps/small[i].rps)
	}
	fmt.Printf("\ntoken /me, %s profile, stored tokens (median of %d):\n", b.o.profile, b.o.rounds)
	fmt.Printf("  %9d tokens: %s\n", sampleTokens, median(small))
	fmt.Printf("  %9d tokens: %s\n", b.o.large, median(large))
	fmt.Printf("  ratio %d / %d: %.3f (target within 10%%)\n", b.o.large, sampleTokens, medianFloat(ratios))
	return nil
}

func printTable(rows []*row) {
	fmt.Printf("%-22s %10s %10s %10s %8s  %s\n", "path", "req/s", "p50", "p99", "ratio", "ratio to")
	for _, r := range rows {
		m := median(r.f)
		errs := 0
		for _, f := range r.f {
			errs += f.errors
		}
		line := fmt.Sprintf("%-22s %10.0f %10s %10s %8.3f  %s", r.name, m.rps, round(m.p50), round(m.p99), medianFloat(r.ratio), r.against)
		if errs > 0 {
			line += fmt.Sprintf("  (%d unexpected responses)", errs)
		}
		fmt.Println(line)
	}
}

// median takes the median of each figure separately.
func median(fs []figures) figures {
	var rps []float64
	var p50, p99 []time.Duration
	for _, f := range fs {
		rps, p50, p99 = append(rps, f.rps), append(p50, f.p50), append(p99, f.p99)
	}
	return figures{rps: medianFloat(rps), p50: medianDuration(p50), p99: medianDuration(p99)}
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
