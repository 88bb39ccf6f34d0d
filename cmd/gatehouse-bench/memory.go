package main

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/slogaudit"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// serveSeededMemory serves Gatehouse on memory stores holding n seeded tokens, for the
// comparison of 1,000 with 1,000,000 stored tokens: a memory store can only be filled from
// inside its process. It is assembled from the same packages and settings as cmd/gatehouse's
// memory profile (minus the access log, which the bench turns off there too).
func serveSeededMemory(n int) {
	ctx := context.Background()
	clock := system.Clock{}
	users, sessions, tokens := memstore.NewUserStore(), memstore.NewSessionStore(clock), memstore.NewTokenStore(clock)
	limiter := memstore.NewRateLimiter(clock)
	u, err := users.CreateUser(ctx, domain.User{Username: "bench", Email: "bench@example.com", IsActive: true, DateJoined: time.Now()}, domain.EmailShared)
	if err != nil {
		log.Fatal(err)
	}
	if err := seedMemory(ctx, tokens, u.ID, n); err != nil {
		log.Fatal(err)
	}
	h, err := passhash.New(passhash.DefaultParams())
	if err != nil {
		log.Fatal(err)
	}
	hasher := passhash.NewLimiter(h, passhash.Foreign{}, runtime.NumCPU(), 2*time.Second)
	logger := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	audit := slogaudit.New(logger)
	settings := app.DefaultSettings()
	settings.UserCacheTTL = 2 * time.Second // cmd/gatehouse's default
	verifier := app.NewVerifier(users, hasher, limiter, app.Throttle{}, audit, app.LoginTiming{}, nil, nil)
	cache, err := app.NewBasicCache(settings, system.Random{}, clock)
	if err != nil {
		log.Fatal(err)
	}
	methods := []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}
	chain := app.NewChain(methods, users, sessions, tokens, verifier, cache, clock, settings, app.SecondFactors{})
	accounts := app.NewAccounts(users, sessions, tokens, hasher, verifier, clock, system.Random{}, settings, limiter, app.Throttle{}, audit, cache, memstore.NewCodeStore(clock), app.MailOff{}, app.SecondFactors{})
	api := ginhttp.New(chain, accounts, app.NewReadiness(nil), ginhttp.Config{TokenCookieName: "gatehouse_token"}, logger)
	srv := &http.Server{Addr: os.Getenv("GATEHOUSE_ADDR"), Handler: api, ReadHeaderTimeout: 5 * time.Second}
	serve(srv, strconv.Itoa(n))
}

// serve runs srv until SIGTERM. With GATEHOUSE_BENCH_CPUPROFILE set it writes a CPU profile
// of the whole time to that path plus "." and name, so that a Gatehouse and the baseline it
// is compared with can be profiled in the same run (go tool pprof -top).
func serve(srv *http.Server, name string) {
	if path := os.Getenv("GATEHOUSE_BENCH_CPUPROFILE"); path != "" {
		stop := profileCPU(path + "." + name)
		defer stop()
		go func() {
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM)
			<-sig
			_ = srv.Close()
		}()
	}
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// profileCPU writes a CPU profile to path until the returned function is called (set
// GATEHOUSE_BENCH_CPUPROFILE to see where the seeded memory server spends its time).
func profileCPU(path string) func() {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

func seedMemory(ctx context.Context, tokens *memstore.TokenStore, user domain.UserID, n int) error {
	now := time.Now()
	for i := range n {
		if err := tokens.CreateToken(ctx, seededToken(i, user, now)); err != nil {
			return err
		}
	}
	return nil
}

// heapPerToken stores n seeded tokens in a fresh memory token store and reports the live heap
// it grew by, per token, after a full collection.
func heapPerToken(n int) float64 {
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&before)
	tokens := memstore.NewTokenStore(system.Clock{})
	if err := seedMemory(ctx, tokens, 1, n); err != nil {
		log.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(tokens)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}
