package memstore_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
)

// The contract suite (tests/contract) covers the limiting itself; these tests cover what
// only the memory limiter has: Sweep.

var _ memstore.Sweeper = (*memstore.RateLimiter)(nil)

var fivePerMinute = domain.Rate{Events: 5, Per: time.Minute}

func take(t *testing.T, l *memstore.RateLimiter, key string, rate domain.Rate) time.Duration {
	t.Helper()
	wait, err := l.Take(ctx, key, rate)
	if err != nil {
		t.Fatalf("Take(%q) error = %v", key, err)
	}
	return wait
}

func TestRateLimiterSweepDeletesKeysWhoseTATHasPassed(t *testing.T) {
	clock := newClock()
	l := memstore.NewRateLimiter(clock)
	take(t, l, "one", fivePerMinute) // TAT: 12s from now
	for range 5 {
		take(t, l, "burst", fivePerMinute) // TAT: 60s from now
	}
	take(t, l, "hourly", domain.Rate{Events: 1, Per: time.Hour}) // TAT: 1h from now

	steps := []struct {
		advance time.Duration
		want    int
	}{
		{0, 0},
		{12*time.Second - time.Microsecond, 0},
		{time.Microsecond, 1}, // "one" at its TAT
		{48 * time.Second, 1}, // "burst"
		{time.Hour, 1},        // "hourly"
		{0, 0},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		if got := l.Sweep(); got != s.want {
			t.Errorf("step %d: Sweep() = %d, want %d", i, got, s.want)
		}
	}
}

func TestRateLimiterSweepKeepsLimits(t *testing.T) {
	clock := newClock()
	l := memstore.NewRateLimiter(clock)
	for range 5 {
		take(t, l, "alice", fivePerMinute)
	}
	clock.Advance(30 * time.Second)
	if n := l.Sweep(); n != 0 {
		t.Fatalf("Sweep() = %d, want 0: the key is still limited", n)
	}
	// 30s on, 2.5 intervals have passed: two events fit, the third waits 6s.
	take(t, l, "alice", fivePerMinute)
	take(t, l, "alice", fivePerMinute)
	if wait := take(t, l, "alice", fivePerMinute); wait != 6*time.Second {
		t.Errorf("Take after Sweep = %v, want 6s", wait)
	}
}

func TestRateLimiterWaitAndOffStoreNothing(t *testing.T) {
	clock := newClock()
	l := memstore.NewRateLimiter(clock)
	if _, err := l.Wait(ctx, "alice", fivePerMinute); err != nil {
		t.Fatal(err)
	}
	take(t, l, "alice", domain.Rate{})
	take(t, l, "bob", domain.Rate{Events: 5})
	if wait := take(t, l, "carol", domain.Rate{Events: 1, Per: time.Minute}); wait != 0 {
		t.Fatalf("Take = %v, want 0", wait)
	}
	if wait := take(t, l, "carol", domain.Rate{Events: 1, Per: time.Minute}); wait != time.Minute {
		t.Fatalf("Take = %v, want 1m (refused)", wait)
	}
	clock.Advance(time.Minute)
	if n := l.Sweep(); n != 1 {
		t.Errorf("Sweep() = %d, want 1: only carol's accepted Take was stored", n)
	}
}

// TestRateLimiterTinyRates: a rate whose interval is below a microsecond, or whose period is,
// is kept in whole microseconds: it still allows a burst (of at most one event per µs) and
// limits after it, rather than allowing everything.
func TestRateLimiterTinyRates(t *testing.T) {
	tests := []struct {
		name  string
		rate  domain.Rate
		burst int
		wait  time.Duration
	}{
		{"interval below 1µs", domain.Rate{Events: 2000, Per: time.Millisecond}, 1000, time.Microsecond},
		{"period below 1µs", domain.Rate{Events: 1, Per: time.Nanosecond}, 1, time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := memstore.NewRateLimiter(newClock())
			for i := range tt.burst {
				if wait := take(t, l, "k", tt.rate); wait != 0 {
					t.Fatalf("Take %d = %v, want 0", i+1, wait)
				}
			}
			if wait := take(t, l, "k", tt.rate); wait != tt.wait {
				t.Errorf("Take after the burst = %v, want %v", wait, tt.wait)
			}
		})
	}
}
