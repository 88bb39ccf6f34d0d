// Command gatehouse-bench is Gatehouse's reproducible load run. From the repository root:
//
//	go run ./cmd/gatehouse-bench -profile memory -rounds 3
//
// It builds cmd/gatehouse, starts it on loopback on the chosen store profile (memory, redis
// or mysql), starts in the same run a baseline (the smallest Gin server doing the same single
// store lookup; for the paths that hash a password, a Gin handler doing one argon2id
// verification, at most one per CPU at once), and loads both at a fixed concurrency (closed loop: vegeta with rate 0 and a
// fixed number of workers; or wrk, when installed, for the requests that never change) for a
// bounded time per measurement. It prints req/s, p50, p99 and the server's CPU time per
// request (its /proc utime+stime over the measured window ÷ requests answered) per path, and
// each one's ratios to its baseline, as medians over the rounds; then token /me
// with 1,000 against 1,000,000 stored tokens, and on the memory profile the heap per stored
// token and the time from process start to first answered request.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	profile  string
	rounds   int
	duration time.Duration
	workers  uint64
	large    int
	scale    bool
	redisURL string
	mysqlDSN string
	load     string // wrk or vegeta, for the requests wrk can send
	quiet    bool   // Gatehouse with the access log and the audit log off
	binary   string // a Gatehouse binary to run instead of building cmd/gatehouse
	only     string // measure only the paths whose names contain it
}

func main() {
	var o options
	baseline := flag.String("serve-baseline", "", "internal: serve the baseline of this profile")
	baselineKey := flag.String("baseline-key", "", "internal: the Redis key or row the baseline reads")
	seeded := flag.Int("serve-seeded-memory", 0, "internal: serve Gatehouse on memory stores holding this many tokens")
	flag.StringVar(&o.profile, "profile", "memory", "store profile: memory, redis or mysql")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; every figure is the median over them")
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "load time of one measurement")
	flag.Uint64Var(&o.workers, "c", 32, "requests in flight (closed loop)")
	flag.IntVar(&o.large, "tokens", 1_000_000, "stored tokens of the large side of the scale comparison")
	flag.BoolVar(&o.scale, "scale", true, "compare token /me with 1,000 and -tokens stored tokens")
	flag.StringVar(&o.redisURL, "redis-url", envOr("GATEHOUSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis server (profile redis)")
	flag.StringVar(&o.mysqlDSN, "mysql-dsn", envOr("GATEHOUSE_TEST_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/"), "MySQL server, without a database (profile mysql)")
	flag.StringVar(&o.load, "load", "auto", "load generator of the fixed requests: wrk, vegeta, or auto (wrk when installed)")
	flag.BoolVar(&o.quiet, "quiet", false, "run Gatehouse with GATEHOUSE_LOG_LEVEL=warn and GATEHOUSE_AUDIT_LOG=off instead of its defaults")
	flag.StringVar(&o.binary, "gatehouse", "", "a Gatehouse binary to measure instead of building ./cmd/gatehouse (another version's)")
	flag.StringVar(&o.only, "only", "", "measure only the paths whose names contain this (\"token /me\", \"/me\")")
	flag.Parse()
	switch {
	case *baseline != "":
		serveBaseline(*baseline, o.redisURL, o.mysqlDSN, *baselineKey)
		return
	case *seeded > 0:
		serveSeededMemory(*seeded)
		return
	}
	switch o.profile {
	case "memory", "redis", "mysql":
	default:
		log.Fatalf("-profile %q: want memory, redis or mysql", o.profile)
	}
	switch o.load {
	case "auto":
		o.load = "vegeta"
		if _, err := exec.LookPath("wrk"); err == nil {
			o.load = "wrk"
		}
	case "wrk", "vegeta":
	default:
		log.Fatalf("-load %q: want wrk, vegeta or auto", o.load)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
