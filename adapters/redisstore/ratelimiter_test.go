package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// The contract suite (tests/contract) covers the limiting itself; these tests look at the
// keys the limiter leaves in Redis, and at an outage.

// fixedClock is a ports.Clock stopped at one instant.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

var fivePerMinute = domain.Rate{Events: 5, Per: time.Minute}

// limiterOnServer returns a limiter at a fixed instant with whole microseconds (so a lost
// digit shows) and a plain client to inspect its keys, which live under prefix.
func limiterOnServer(t *testing.T) (l *redisstore.RateLimiter, now time.Time, raw *redis.Client, prefix string) {
	t.Helper()
	c, raw, prefix := openOnServer(t)
	now = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)
	return redisstore.NewRateLimiter(c, fixedClock{now}), now, raw, prefix
}

func TestRateLimiterStoresTATWithExpiry(t *testing.T) {
	l, now, raw, prefix := limiterOnServer(t)
	key := prefix + "throttle:alice|192.0.2.1"
	for i := range 5 {
		if wait, err := l.Take(t.Context(), "alice|192.0.2.1", fivePerMinute); err != nil || wait != 0 {
			t.Fatalf("Take %d = %v, %v; want 0, nil", i+1, wait, err)
		}
	}
	// Exactly five intervals on, to the microsecond: a TAT written as a float would not be.
	got, err := raw.Get(t.Context(), key).Result()
	if want := strconv.FormatInt(now.Add(time.Minute).UnixMicro(), 10); err != nil || got != want {
		t.Errorf("GET %s = %q, %v; want %q", key, got, err, want)
	}
	ttl, err := raw.PTTL(t.Context(), key).Result()
	if err != nil || ttl <= 55*time.Second || ttl > time.Minute {
		t.Errorf("PTTL %s = %v, %v; want just under 1m", key, ttl, err)
	}
	// A refused Take leaves the key alone.
	if wait, err := l.Take(t.Context(), "alice|192.0.2.1", fivePerMinute); err != nil || wait != 12*time.Second {
		t.Fatalf("Take after the burst = %v, %v; want 12s, nil", wait, err)
	}
	if again, _ := raw.Get(t.Context(), key).Result(); again != got {
		t.Errorf("refused Take changed the TAT from %q to %q", got, again)
	}
}

func TestRateLimiterWaitAndOffWriteNoKey(t *testing.T) {
	l, _, raw, prefix := limiterOnServer(t)
	if _, err := l.Wait(t.Context(), "waited", fivePerMinute); err != nil {
		t.Fatal(err)
	}
	for _, rate := range []domain.Rate{{}, {Events: 5}, {Per: time.Minute}} {
		if wait, err := l.Take(t.Context(), "off", rate); err != nil || wait != 0 {
			t.Fatalf("Take under %+v = %v, %v; want 0, nil", rate, wait, err)
		}
	}
	n, err := raw.Exists(t.Context(), prefix+"throttle:waited", prefix+"throttle:off").Result()
	if err != nil || n != 0 {
		t.Errorf("EXISTS = %d, %v; want 0 keys", n, err)
	}
}

// TestRateLimiterOutageIsUnavailable: a limiter that cannot reach Redis fails closed with
// ErrUnavailable, except under a rate that is off, which needs no server.
func TestRateLimiterOutageIsUnavailable(t *testing.T) {
	url := testenv.RedisURL(t)
	c, closeClient, err := redisstore.Open(context.Background(), redisstore.Config{
		URL: url, Prefix: testenv.RedisPrefix(t, url, nil), Timeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	l := redisstore.NewRateLimiter(c, clock{})
	closeClient()
	if _, err := l.Take(t.Context(), "alice", fivePerMinute); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Take err = %v, want ErrUnavailable", err)
	}
	if _, err := l.Wait(t.Context(), "alice", fivePerMinute); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Wait err = %v, want ErrUnavailable", err)
	}
	if wait, err := l.Take(t.Context(), "alice", domain.Rate{}); wait != 0 || err != nil {
		t.Errorf("Take under an off rate = %v, %v; want 0, nil", wait, err)
	}
}
