package contract_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/ports"
	"github.com/gatehouse/gatehouse/tests/contract"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// redisFactory opens the Redis stores and rate limiter under a random key prefix that is
// removed afterwards. The stores keep each record's deadline and the limiter each key's TAT,
// and judge them by the suite's clock, so expiry and limits are exact even though Redis also
// expires keys by its own clock.
func redisFactory(t *testing.T, name string, cfg redisstore.Config) contract.Factory {
	t.Helper()
	cfg.Prefix = testenv.RedisPrefix(t, cfg.URL, cfg.Addrs)
	c, closeClient, err := redisstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeClient)
	return contract.Factory{
		Name:     name,
		Users:    func(*testing.T) ports.UserStore { return redisstore.NewUserStore(c) },
		Sessions: func(_ *testing.T, clock ports.Clock) ports.SessionStore { return redisstore.NewSessionStore(c, clock) },
		Tokens:   func(_ *testing.T, clock ports.Clock) ports.TokenStore { return redisstore.NewTokenStore(c, clock) },
		Codes:    func(_ *testing.T, clock ports.Clock) ports.CodeStore { return redisstore.NewCodeStore(c, clock) },
		Factors:  func(*testing.T) ports.FactorStore { return redisstore.NewFactorStore(c) },
		Passkeys: func(*testing.T) (ports.PasskeyStore, ports.FactorStore) {
			s := redisstore.NewFactorStore(c)
			return s, s
		},
		RateLimiter: func(_ *testing.T, clock ports.Clock) ports.RateLimiter { return redisstore.NewRateLimiter(c, clock) },
		ExactExpiry: true,
	}
}

// TestRedis runs the suite against the server at GATEHOUSE_TEST_REDIS_URL.
func TestRedis(t *testing.T) {
	contract.Run(t, redisFactory(t, "redis", redisstore.Config{URL: testenv.RedisURL(t), Timeout: 10 * time.Second}))
}

// TestRedisCluster runs the suite against a Redis Cluster of three masters with a replica
// each, started for the test, through the same adapter: every multi-key operation must stay
// on one slot (no CROSSSLOT), and every confirmed write (revocations, single-use codes) must
// reach its slot's master and be confirmed by its replica, as the default does on Cluster.
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starting a Redis Cluster takes seconds; skipped under -short")
	}
	c := testenv.RedisClusterReplicated(t)
	contract.Run(t, redisFactory(t, "redis cluster", redisstore.Config{Addrs: c.Addrs(), Cluster: true,
		Timeout: 10 * time.Second, RevokeReplicas: redisstore.AutoReplicas, RevokeTimeout: 5 * time.Second}))
}
