package contract

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// RunRateLimiter runs the cases of ports.RateLimiter against f.RateLimiter. The limit is a
// GCRA: a burst of rate.Events at once, then one event per rate.Interval(); a refused event
// waits until the next one fits. Limiters judge time by the clock they are given, so every
// wait is checked to the microsecond whatever f.ExactExpiry says.
func RunRateLimiter(t *testing.T, f Factory) {
	if f.RateLimiter == nil {
		t.Skipf("%s has no RateLimiter (Factory.RateLimiter is nil)", f.Name)
	}
	t.Run("burst allowed, then refused for one interval", func(t *testing.T) { limiterBurst(t, f) })
	t.Run("interval not a whole microsecond", func(t *testing.T) { limiterOddInterval(t, f) })
	t.Run("wait records nothing", func(t *testing.T) { limiterWaitRecordsNothing(t, f) })
	t.Run("allowed again after the wait", func(t *testing.T) { limiterAfterWait(t, f) })
	t.Run("keys are independent", func(t *testing.T) { limiterKeysIndependent(t, f) })
	t.Run("off never limits and records nothing", func(t *testing.T) { limiterOff(t, f) })
	t.Run("steady rate is always allowed", func(t *testing.T) { limiterSteady(t, f) })
	t.Run("idle key forgets", func(t *testing.T) { limiterIdle(t, f) })
	t.Run("concurrent takes on one key", func(t *testing.T) { limiterConcurrent(t, f) })
	t.Run("any key", func(t *testing.T) { limiterAnyKey(t, f) })
	t.Run("cancel gives back one event", func(t *testing.T) { limiterCancel(t, f) })
	t.Run("cancel with nothing outstanding makes no room", func(t *testing.T) { limiterCancelNothing(t, f) })
	t.Run("concurrent takes and cancels on one key", func(t *testing.T) { limiterConcurrentCancel(t, f) })
}

var fivePerMinute = domain.Rate{Events: 5, Per: time.Minute}

func rateLimiter(t *testing.T, f Factory) (ports.RateLimiter, *Clock) {
	clock := clockFor(f)
	return f.RateLimiter(t, clock), clock
}

// take calls Take and fails t on an error.
func take(t *testing.T, l ports.RateLimiter, key string, rate domain.Rate) time.Duration {
	t.Helper()
	wait, err := l.Take(t.Context(), key, rate)
	if err != nil {
		t.Fatalf("Take(%.40q, %v) error = %v", key, rate, err)
	}
	return wait
}

// waitFor calls Wait and fails t on an error.
func waitFor(t *testing.T, l ports.RateLimiter, key string, rate domain.Rate) time.Duration {
	t.Helper()
	wait, err := l.Wait(t.Context(), key, rate)
	if err != nil {
		t.Fatalf("Wait(%.40q, %v) error = %v", key, rate, err)
	}
	return wait
}

// takeBurst fails t unless rate.Events Takes of key in a row are all allowed.
func takeBurst(t *testing.T, l ports.RateLimiter, key string, rate domain.Rate) {
	t.Helper()
	for i := range rate.Events {
		if wait := take(t, l, key, rate); wait != 0 {
			t.Fatalf("Take %d of a burst of %d under %v = %v, want 0 (allowed)", i+1, rate.Events, rate, wait)
		}
	}
}

// checkRefused fails t unless both Wait and Take of key report want.
func checkRefused(t *testing.T, l ports.RateLimiter, key string, rate domain.Rate, want time.Duration) {
	t.Helper()
	if got := waitFor(t, l, key, rate); got != want {
		t.Errorf("Wait under %v = %v, want %v", rate, got, want)
	}
	if got := take(t, l, key, rate); got != want {
		t.Errorf("Take under %v = %v, want %v (refused)", rate, got, want)
	}
}

func limiterBurst(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	ns := newNamespace()
	// Rates whose interval is a whole number of microseconds, so the wait is exactly one.
	for _, tt := range []struct {
		name string
		rate domain.Rate
	}{
		{"5 per minute", fivePerMinute},
		{"10 per second", domain.Rate{Events: 10, Per: time.Second}},
		{"20 per hour", domain.Rate{Events: 20, Per: time.Hour}},
		{"1000 per day", domain.Rate{Events: 1000, Per: 24 * time.Hour}},
		{"1 per minute", domain.Rate{Events: 1, Per: time.Minute}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, rate := ns.name(tt.name), tt.rate
			for i := range rate.Events {
				if wait := waitFor(t, l, key, rate); wait != 0 {
					t.Fatalf("Wait before Take %d of %d = %v, want 0", i+1, rate.Events, wait)
				}
				if wait := take(t, l, key, rate); wait != 0 {
					t.Fatalf("Take %d of a burst of %d = %v, want 0 (allowed)", i+1, rate.Events, wait)
				}
			}
			checkRefused(t, l, key, rate, rate.Interval())
			// The refused Take recorded nothing: the wait has not grown.
			checkRefused(t, l, key, rate, rate.Interval())
		})
	}
}

// limiterOddInterval uses 3/s, whose interval of 333333.3 µs a limiter keeping microseconds
// cannot hold: the burst is still exactly three, and the wait is exact by its own account.
func limiterOddInterval(t *testing.T, f Factory) {
	l, clock := rateLimiter(t, f)
	key, rate := newNamespace().name("odd"), domain.Rate{Events: 3, Per: time.Second}
	takeBurst(t, l, key, rate)
	wait := take(t, l, key, rate)
	if wait <= 0 || wait > rate.Interval() {
		t.Fatalf("Take after the burst = %v, want refused for at most %v", wait, rate.Interval())
	}
	clock.Advance(wait - time.Microsecond)
	if got := take(t, l, key, rate); got != time.Microsecond {
		t.Errorf("Take 1µs before the wait is over = %v, want 1µs", got)
	}
	clock.Advance(time.Microsecond)
	if got := take(t, l, key, rate); got != 0 {
		t.Errorf("Take once the wait is over = %v, want 0 (allowed)", got)
	}
}

func limiterWaitRecordsNothing(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	key := newNamespace().name("alice|192.0.2.1")
	for i := range 100 {
		if wait := waitFor(t, l, key, fivePerMinute); wait != 0 {
			t.Fatalf("Wait %d of a fresh key = %v, want 0", i+1, wait)
		}
	}
	takeBurst(t, l, key, fivePerMinute)
	checkRefused(t, l, key, fivePerMinute, fivePerMinute.Interval())
}

func limiterAfterWait(t *testing.T, f Factory) {
	l, clock := rateLimiter(t, f)
	key, rate := newNamespace().name("alice"), fivePerMinute
	takeBurst(t, l, key, rate)
	wait := take(t, l, key, rate)
	if wait != rate.Interval() {
		t.Fatalf("Take after the burst = %v, want %v", wait, rate.Interval())
	}
	clock.Advance(wait - time.Microsecond)
	checkRefused(t, l, key, rate, time.Microsecond)
	clock.Advance(time.Microsecond)
	if got := waitFor(t, l, key, rate); got != 0 {
		t.Errorf("Wait once the wait is over = %v, want 0", got)
	}
	if got := take(t, l, key, rate); got != 0 {
		t.Fatalf("Take once the wait is over = %v, want 0 (allowed)", got)
	}
	checkRefused(t, l, key, rate, rate.Interval())
}

func limiterKeysIndependent(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	ns := newNamespace()
	a, b := ns.name("a"), ns.name("b")
	takeBurst(t, l, a, fivePerMinute)
	checkRefused(t, l, a, fivePerMinute, fivePerMinute.Interval())
	takeBurst(t, l, b, fivePerMinute)
	checkRefused(t, l, b, fivePerMinute, fivePerMinute.Interval())
	checkRefused(t, l, a, fivePerMinute, fivePerMinute.Interval())
}

func limiterOff(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	key := newNamespace().name("off")
	for _, rate := range []domain.Rate{{}, {Per: time.Minute}, {Events: 5}, {Events: -1, Per: time.Minute}} {
		for i := range 100 {
			if wait := take(t, l, key, rate); wait != 0 {
				t.Fatalf("Take %d under %+v (off) = %v, want 0", i+1, rate, wait)
			}
			if wait := waitFor(t, l, key, rate); wait != 0 {
				t.Fatalf("Wait after %d Takes under %+v (off) = %v, want 0", i+1, rate, wait)
			}
		}
	}
	// Nothing was counted: the key has its whole burst under a real rate.
	takeBurst(t, l, key, fivePerMinute)
	checkRefused(t, l, key, fivePerMinute, fivePerMinute.Interval())
	// And a rate that is off still allows the key that is now limited.
	if wait := take(t, l, key, domain.Rate{}); wait != 0 {
		t.Errorf("Take under an off rate of a limited key = %v, want 0", wait)
	}
}

func limiterSteady(t *testing.T, f Factory) {
	l, clock := rateLimiter(t, f)
	ns := newNamespace()
	rate := fivePerMinute
	// From a fresh key: one event per interval never runs out.
	fresh := ns.name("fresh")
	for i := range 4 * rate.Events {
		if wait := take(t, l, fresh, rate); wait != 0 {
			t.Fatalf("Take %d, one per interval = %v, want 0 (allowed)", i+1, wait)
		}
		clock.Advance(rate.Interval())
	}
	// After a burst: one more per interval, and never two.
	burst := ns.name("burst")
	takeBurst(t, l, burst, rate)
	for i := range 4 * rate.Events {
		clock.Advance(rate.Interval())
		if wait := take(t, l, burst, rate); wait != 0 {
			t.Fatalf("Take %d after the burst, one per interval = %v, want 0 (allowed)", i+1, wait)
		}
		checkRefused(t, l, burst, rate, rate.Interval())
	}
}

func limiterIdle(t *testing.T, f Factory) {
	l, clock := rateLimiter(t, f)
	key, rate := newNamespace().name("idle"), fivePerMinute
	takeBurst(t, l, key, rate)
	checkRefused(t, l, key, rate, rate.Interval())
	clock.Advance(rate.Per)
	takeBurst(t, l, key, rate)
	checkRefused(t, l, key, rate, rate.Interval())
	clock.Advance(24 * time.Hour)
	takeBurst(t, l, key, rate)
	checkRefused(t, l, key, rate, rate.Interval())
}

// limiterConcurrent takes one key from 50 goroutines at one instant: check and record must be
// one step, or two goroutines see room for the same event.
func limiterConcurrent(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	key, rate := newNamespace().name("contended"), domain.Rate{Events: 10, Per: time.Minute}
	const n = 50
	waits, errs := make([]time.Duration, n), make([]error, n)
	race(n, func(i int) { waits[i], errs[i] = l.Take(t.Context(), key, rate) })
	allowed := 0
	for i, wait := range waits {
		switch {
		case errs[i] != nil:
			t.Errorf("Take error = %v", errs[i])
		case wait == 0:
			allowed++
		case wait != rate.Interval():
			// At a frozen clock only the burst's end refuses, so every refusal is one interval.
			t.Errorf("refused Take = %v, want %v", wait, rate.Interval())
		}
	}
	if allowed != rate.Events {
		t.Errorf("%d of %d concurrent Takes under %v allowed, want exactly %d", allowed, n, rate, rate.Events)
	}
	checkRefused(t, l, key, rate, rate.Interval())
}

// limiterAnyKey: keys are opaque, so long ones, non-ASCII ones and ones with the characters
// a backend might treat specially (a Redis Cluster hash tag, a separator) are distinct keys.
func limiterAnyKey(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	ns := newNamespace()
	rate := domain.Rate{Events: 2, Per: time.Minute}
	keys := []struct{ name, key string }{
		{"1 KiB", ns.long("k", 1024)},
		{"1 KiB and one more", ns.long("k", 1025)},
		{"unicode", ns.name("Ｃａｒｏｌ|2001:db8::1|用户")},
		{"spaces", ns.name("alice smith | 192.0.2.1")},
		{"plain", ns.name("x")},
		{"hash tag", ns.name("{x}")},
		{"hash tag first", "{x}" + string(ns)},
		{"empty hash tag", ns.name("{}x")},
		{"separators", ns.name("throttle:x:*?[]")},
		{"bytes that are not UTF-8", ns.name("\x00\xff\xfe\r\n\x00")},
		{"quotes and Lua", ns.name(`"'); redis.call('FLUSHALL') --`)},
	}
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			// A fresh burst shows the key shares nothing with the keys limited before it.
			takeBurst(t, l, k.key, rate)
			checkRefused(t, l, k.key, rate, rate.Interval())
		})
	}
}

// cancel calls Cancel and fails t on an error.
func cancel(t *testing.T, l ports.RateLimiter, key string, rate domain.Rate) {
	t.Helper()
	if err := l.Cancel(t.Context(), key, rate); err != nil {
		t.Fatalf("Cancel(%.40q, %v) error = %v", key, rate, err)
	}
}

func limiterCancel(t *testing.T, f Factory) {
	l, clock := rateLimiter(t, f)
	key, rate := newNamespace().name("cancelled"), fivePerMinute
	takeBurst(t, l, key, rate)
	checkRefused(t, l, key, rate, rate.Interval())
	cancel(t, l, key, rate)
	if wait := take(t, l, key, rate); wait != 0 {
		t.Fatalf("Take after a Cancel = %v, want 0 (the cancelled event's room)", wait)
	}
	checkRefused(t, l, key, rate, rate.Interval())
	// Part way through an interval, a Cancel still gives back exactly one event.
	clock.Advance(rate.Interval() / 2)
	for range rate.Events - 1 {
		cancel(t, l, key, rate)
	}
	for i := range rate.Events - 1 {
		if wait := take(t, l, key, rate); wait != 0 {
			t.Fatalf("Take %d of %d given back = %v, want 0 (allowed)", i+1, rate.Events-1, wait)
		}
	}
	checkRefused(t, l, key, rate, rate.Interval()/2)
}

func limiterCancelNothing(t *testing.T, f Factory) {
	l, clock := rateLimiter(t, f)
	ns := newNamespace()
	rate := fivePerMinute
	// A fresh key: Cancels before any Take make no room beyond the burst.
	fresh := ns.name("fresh")
	for range 3 {
		cancel(t, l, fresh, rate)
	}
	takeBurst(t, l, fresh, rate)
	checkRefused(t, l, fresh, rate, rate.Interval())
	// An idle key: its events are forgotten, and Cancels of them make no room either.
	clock.Advance(rate.Per)
	for range 3 {
		cancel(t, l, fresh, rate)
	}
	takeBurst(t, l, fresh, rate)
	checkRefused(t, l, fresh, rate, rate.Interval())
	// Off records nothing and gives back nothing.
	cancel(t, l, fresh, domain.Rate{})
	checkRefused(t, l, fresh, rate, rate.Interval())
}

// limiterConcurrentCancel has 50 goroutines take one key at one instant and give back what
// they got: once all are done nothing is outstanding, so the key has its whole burst. A lost
// update in either step would leave events behind (or take more than the burst).
func limiterConcurrentCancel(t *testing.T, f Factory) {
	l, _ := rateLimiter(t, f)
	key, rate := newNamespace().name("take-cancel"), domain.Rate{Events: 10, Per: time.Minute}
	const n = 50
	errs := make([]error, n)
	race(n, func(i int) {
		wait, err := l.Take(t.Context(), key, rate)
		if err == nil && wait == 0 {
			err = l.Cancel(t.Context(), key, rate)
		}
		errs[i] = err
	})
	for _, err := range errs {
		if err != nil {
			t.Fatalf("Take or Cancel error = %v", err)
		}
	}
	takeBurst(t, l, key, rate)
	checkRefused(t, l, key, rate, rate.Interval())
}
