package gatehouse

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/ports"
)

// backend is one storage technology with a store for every port. Each port then takes its
// store from the backend the configuration names, so any mix of backends works.
type backend struct {
	users    ports.UserStore
	sessions ports.SessionStore
	tokens   ports.TokenStore
	codes    ports.CodeStore
	factors  ports.FactorStore
	passkeys ports.PasskeyStore // the factor store, which keeps passkeys too
	limiter  ports.RateLimiter  // nil where the backend keeps no counters
	pinger   ports.Pinger
}

// Stores are the stores chosen for each port, and the backends behind them for readiness.
// The gatehouse command opens them for its store commands (user, token, import).
type Stores struct {
	Users    ports.UserStore
	Sessions ports.SessionStore
	Tokens   ports.TokenStore
	// Codes live with the sessions (GATEHOUSE_SESSION_STORE): they are short-lived secrets
	// of the same shape, and a backend fit for sessions is fit for them.
	Codes ports.CodeStore
	// Factors live with the users (GATEHOUSE_USER_STORE): a second factor is part of the
	// account, as durable as the password it backs.
	Factors ports.FactorStore
	// Passkeys live with the users too, in the same store as Factors, whose
	// DeleteUserFactors removes them.
	Passkeys ports.PasskeyStore
	// RecoveryCodes is the users' backend's code store, for recovery codes: they belong to
	// the factor, and must not be lost by a restart that keeps it.
	RecoveryCodes ports.CodeStore
	Limiter       ports.RateLimiter
	Pingers       []ports.Pinger
}

// OpenStores opens the backends the configuration names — only those — through their Wire
// injectors, and picks each port's store, on the wall clock. The returned function closes
// them, and stops their sweepers.
func OpenStores(ctx context.Context, cfg Config, log *slog.Logger) (Stores, func(), error) {
	return openStores(ctx, cfg, log, system.Clock{})
}

// openStores is OpenStores on clock.
func openStores(ctx context.Context, cfg Config, log *slog.Logger, clock ports.Clock) (Stores, func(), error) {
	opened := map[string]*backend{}
	var cleanups []func()
	closeAll := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	get := func(name string) (*backend, error) {
		if b, ok := opened[name]; ok {
			return b, nil
		}
		var (
			b       *backend
			cleanup func()
			err     error
		)
		switch name {
		case "memory":
			b, cleanup = newMemoryBackend(cfg, clock)
		case "mysql":
			b, cleanup, err = newMySQLBackend(ctx, cfg, log, clock)
		case "redis":
			b, cleanup, err = newRedisBackend(ctx, cfg, clock)
		default:
			err = fmt.Errorf("unknown store backend %q", name)
		}
		if err != nil {
			return nil, err
		}
		opened[name] = b
		cleanups = append(cleanups, cleanup)
		return b, nil
	}
	var s Stores
	for _, pick := range []struct {
		name string
		set  func(*backend)
	}{
		{cfg.Stores.Users, func(b *backend) {
			s.Users, s.Factors, s.Passkeys, s.RecoveryCodes = b.users, b.factors, b.passkeys, b.codes
		}},
		{cfg.Stores.Sessions, func(b *backend) { s.Sessions, s.Codes = b.sessions, b.codes }},
		{cfg.Stores.Tokens, func(b *backend) { s.Tokens = b.tokens }},
		{cfg.Stores.Throttle, func(b *backend) { s.Limiter = b.limiter }},
	} {
		b, err := get(pick.name)
		if err != nil {
			closeAll()
			return Stores{}, nil, err
		}
		pick.set(b)
	}
	for _, name := range BackendNames {
		if b, ok := opened[name]; ok {
			s.Pingers = append(s.Pingers, b.pinger)
		}
	}
	return s, closeAll, nil
}

func memoryBackend(u *memstore.UserStore, s *memstore.SessionStore, t *memstore.TokenStore, c *memstore.CodeStore,
	f *memstore.FactorStore, l *memstore.RateLimiter, _ memoryJanitor) *backend {
	return &backend{users: u, sessions: s, tokens: t, codes: c, factors: f, passkeys: f, limiter: l,
		pinger: memstore.Pinger{}}
}

// memoryJanitor marks that expired memory credentials are being swept.
type memoryJanitor struct{}

func newMemoryJanitor(cfg Config, s *memstore.SessionStore, t *memstore.TokenStore, c *memstore.CodeStore, l *memstore.RateLimiter) (memoryJanitor, func()) {
	return memoryJanitor{}, memstore.StartJanitor(cfg.SweepInterval, s, t, c, l)
}

func mysqlBackend(db *mysqlstore.DB, u *mysqlstore.UserStore, s *mysqlstore.SessionStore, t *mysqlstore.TokenStore,
	c *mysqlstore.CodeStore, f *mysqlstore.FactorStore, _ mysqlSweeper) *backend {
	return &backend{users: u, sessions: s, tokens: t, codes: c, factors: f, passkeys: f, pinger: db}
}

// mysqlSweeper marks that expired MySQL rows are being deleted.
type mysqlSweeper struct{}

func newMySQLSweeper(cfg Config, log *slog.Logger, s *mysqlstore.SessionStore, t *mysqlstore.TokenStore, c *mysqlstore.CodeStore) (mysqlSweeper, func()) {
	return mysqlSweeper{}, mysqlstore.StartSweeper(cfg.SweepInterval, log, s, t, c)
}

// redisBackend needs no sweeper: Redis expires keys itself, and index entries are pruned by
// their deadline as users create credentials.
func redisBackend(c *redisstore.Client, u *redisstore.UserStore, s *redisstore.SessionStore, t *redisstore.TokenStore,
	codes *redisstore.CodeStore, f *redisstore.FactorStore, l *redisstore.RateLimiter) *backend {
	return &backend{users: u, sessions: s, tokens: t, codes: codes, factors: f, passkeys: f, limiter: l,
		pinger: c}
}
