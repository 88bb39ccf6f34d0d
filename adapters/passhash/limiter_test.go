package passhash

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

var tiny = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestLimiter(t *testing.T, slots int, wait time.Duration, opts ...Option) *Limiter {
	t.Helper()
	h, err := New(tiny)
	if err != nil {
		t.Fatal(err)
	}
	return NewLimiter(h, Foreign{}, slots, wait, opts...)
}

// fill takes every slot, as concurrent hashes would, until the returned func is called.
func fill(l *Limiter) (release func()) {
	for range cap(l.slots) {
		l.slots <- struct{}{}
	}
	return func() {
		for range cap(l.slots) {
			<-l.slots
		}
	}
}

// hold takes kib of the memory budget and a slot, as a running hash would, until the
// returned func is called.
func hold(t *testing.T, l *Limiter, kib int64) (release func()) {
	t.Helper()
	if err := l.acquire(context.Background(), kib); err != nil {
		t.Fatal(err)
	}
	return func() { l.release(kib) }
}

// waitUntil polls cond: it waits for a state, it asserts nothing about time.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}

func TestLimiterRefusesWhenEverySlotIsBusy(t *testing.T) {
	l := newTestLimiter(t, 2, 20*time.Millisecond)
	release := fill(l)
	if _, err := l.Hash(context.Background(), "pw"); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Hash with every slot busy: err = %v, want ErrUnavailable", err)
	}
	if _, _, err := l.Verify(context.Background(), "pw", "x"); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Verify with every slot busy: err = %v, want ErrUnavailable", err)
	}
	release()
	h, err := l.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatalf("Hash after release: %v", err)
	}
	if ok, rehash, err := l.Verify(context.Background(), "pw", h); !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want a match", ok, rehash, err)
	}
}

// TestLimiterRefusesWhenMemoryIsExhausted: free slots do not help a hash whose memory is
// not free; it gets ErrUnavailable after the maximum wait, and nothing stays held.
func TestLimiterRefusesWhenMemoryIsExhausted(t *testing.T) {
	l := newTestLimiter(t, 4, 20*time.Millisecond, WithMemory(150))
	release := hold(t, l, 100)
	heavy := encodePHC(Params{Memory: 100, Time: 1, Threads: 1}, make([]byte, 16), make([]byte, 32))
	if _, _, err := l.Verify(context.Background(), "pw", heavy); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Verify of a 100 KiB hash with 50 KiB free: err = %v, want ErrUnavailable", err)
	}
	if _, err := l.Hash(context.Background(), "pw"); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Hash of 64 KiB with 50 KiB free: err = %v, want ErrUnavailable", err)
	}
	release()
	if l.MemoryInUse() != 0 || l.InUse() != 0 || l.Waiting() != 0 {
		t.Errorf("after the refusals: memory %d KiB, %d slots, %d waiting; want 0, 0, 0",
			l.MemoryInUse(), l.InUse(), l.Waiting())
	}
	if _, err := l.Hash(context.Background(), "pw"); err != nil {
		t.Errorf("Hash with the memory free: %v", err)
	}
}

// TestLimiterWeighsByMemory: with one verification of weight 100 running under a budget of
// 150 (KiB here, MiB in production: the semaphore does not care), a second of 100 waits for
// it, while a light one runs beside it.
func TestLimiterWeighsByMemory(t *testing.T) {
	salt, key := make([]byte, 16), make([]byte, 32)
	tests := []struct {
		name    string
		encoded string
		waits   bool
	}{
		{"second argon2 of 100 KiB", encodePHC(Params{Memory: 100, Time: 1, Threads: 1}, salt, key), true},
		{"imported argon2 of 100 KiB", "argon2" + encodePHC(Params{Memory: 100, Time: 1, Threads: 1}, salt, key), true},
		{"argon2 of 48 KiB", encodePHC(Params{Memory: 48, Time: 1, Threads: 1}, salt, key), false},
		{"pbkdf2 of 64 KiB, past the 50 free", "pbkdf2_sha256$1000$salt$" + "R5M3y32DY+zsaP5vpEEXOmI3uEnWoW5l6JEKK8coHU4=", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newTestLimiter(t, 4, time.Minute, WithMemory(150))
			release := hold(t, l, 100)
			done := make(chan error, 1)
			go func() {
				_, _, err := l.Verify(context.Background(), "pw", tt.encoded)
				done <- err
			}()
			if tt.waits {
				waitUntil(t, "the verification waits", func() bool { return l.Waiting() == 1 })
				if l.MemoryInUse() != 100 || l.InUse() != 1 {
					t.Errorf("while it waits: memory %d KiB, %d slots; want 100, 1", l.MemoryInUse(), l.InUse())
				}
				release()
			} else {
				defer release()
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestLimiterRefusesHashesBeyondTheBudget: a stored hash that asks for more memory than the
// whole budget never runs; the login fails as with a wrong password, and one warning names
// the need and the budget, never the hash.
func TestLimiterRefusesHashesBeyondTheBudget(t *testing.T) {
	salt, key := []byte("saltsaltsaltsalt"), []byte("keykeykeykeykeykeykeykeykeykeyke")
	gib := Params{Memory: 1 << 20, Time: 1, Threads: 1}
	tests := []struct {
		name, encoded string
		budget        int64
		need          string
	}{
		{"imported argon2 of 1 GiB", "argon2" + encodePHC(gib, salt, key), DefaultMemoryBudget, "need_kib=1048576"},
		{"own argon2id of 1 GiB", encodePHC(gib, salt, key), DefaultMemoryBudget, "need_kib=1048576"},
		{"Django's default argon2 over a 64 MiB budget", "argon2" + encodePHC(Params{Memory: 102400, Time: 2, Threads: 8}, salt, key), 64 << 10, "need_kib=102400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log syncBuffer
			l := newTestLimiter(t, 1, time.Minute, WithMemory(tt.budget), WithLogger(slogTo(&log)))
			before := allocated()
			ok, rehash, err := l.Verify(context.Background(), "pw", tt.encoded)
			if ok || rehash || err != nil {
				t.Errorf("Verify = %v, %v, %v; want no match and no error", ok, rehash, err)
			}
			if a := allocated() - before; a > 1<<20 {
				t.Errorf("Verify allocated %d bytes, want next to nothing", a)
			}
			lines := log.Lines()
			if len(lines) != 1 || !contains(lines[0], tt.need, "budget_kib=", "GATEHOUSE_HASH_MEMORY") {
				t.Fatalf("log = %q, want one line naming %s and the budget", lines, tt.need)
			}
			if contains(lines[0], "c2FsdHNhbHRzYWx0c2FsdA") {
				t.Errorf("log line %q repeats the hash", lines[0])
			}
		})
	}
}

func TestLimiterWaitsForASlot(t *testing.T) {
	l := newTestLimiter(t, 1, 5*time.Second)
	release := fill(l)
	done := make(chan error)
	go func() {
		_, err := l.Hash(context.Background(), "pw")
		done <- err
	}()
	waitUntil(t, "the hash waits", func() bool { return l.Waiting() == 1 })
	release()
	if err := <-done; err != nil {
		t.Errorf("Hash that waited for a freed slot: %v", err)
	}
}

func TestLimiterGivesUpWithTheRequest(t *testing.T) {
	l := newTestLimiter(t, 1, time.Hour)
	defer fill(l)()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Hash(ctx, "pw"); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Hash with a cancelled request: err = %v, want ErrUnavailable", err)
	}
}

// TestLimiterBoundsConcurrency runs 100 hashes of random weights at once and records how
// many ran together and how much memory they held.
func TestLimiterBoundsConcurrency(t *testing.T) {
	const slots, budget = 3, 200
	l := newTestLimiter(t, slots, time.Minute, WithMemory(budget))
	var running, peak, memory, peakMemory atomic.Int64
	raise := func(peak *atomic.Int64, n int64) {
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
	}
	var wg sync.WaitGroup
	for range 100 {
		weight := int64(1 + rand.IntN(budget))
		wg.Go(func() {
			if err := l.acquire(context.Background(), weight); err != nil {
				t.Error(err)
				return
			}
			raise(&peak, running.Add(1))
			raise(&peakMemory, memory.Add(weight))
			_, _ = l.hasher.Hash("pw")
			memory.Add(-weight)
			running.Add(-1)
			l.release(weight)
		})
	}
	wg.Wait()
	if p := peak.Load(); p > slots {
		t.Errorf("%d hashes ran at once, want at most %d", p, slots)
	}
	if p := peakMemory.Load(); p > budget {
		t.Errorf("hashes held %d KiB at once, want at most %d", p, budget)
	}
	if l.MemoryInUse() != 0 || l.InUse() != 0 {
		t.Errorf("afterwards: memory %d KiB, %d slots; want 0, 0", l.MemoryInUse(), l.InUse())
	}
}

// TestLimiterReportsWaits: the queue depth counts waiting requests, and every wait is
// reported with its outcome, free slots included.
func TestLimiterReportsWaits(t *testing.T) {
	l := newTestLimiter(t, 1, 5*time.Second)
	type wait struct {
		d  time.Duration
		ok bool
	}
	waits := make(chan wait, 10)
	l.ObserveWaits(func(d time.Duration, ok bool) { waits <- wait{d, ok} })

	if _, err := l.Hash(context.Background(), "pw"); err != nil {
		t.Fatal(err)
	}
	if w := <-waits; w.d != 0 || !w.ok {
		t.Errorf("wait with a free slot reported as %+v, want 0 and ok", w)
	}

	release := fill(l)
	if l.InUse() != 1 {
		t.Errorf("InUse = %d with the slot taken, want 1", l.InUse())
	}
	done := make(chan error)
	go func() {
		_, err := l.Hash(context.Background(), "pw")
		done <- err
	}()
	waitUntil(t, "a hash waits", func() bool { return l.Waiting() == 1 })
	time.Sleep(10 * time.Millisecond)
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if w := <-waits; w.d < 10*time.Millisecond || !w.ok {
		t.Errorf("wait for a freed slot reported as %+v, want at least 10ms and ok", w)
	}
	if l.Waiting() != 0 || l.InUse() != 0 {
		t.Errorf("after the hash: Waiting = %d, InUse = %d; want 0, 0", l.Waiting(), l.InUse())
	}

	short := newTestLimiter(t, 1, 5*time.Millisecond)
	short.ObserveWaits(func(d time.Duration, ok bool) { waits <- wait{d, ok} })
	defer fill(short)()
	if _, err := short.Hash(context.Background(), "pw"); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Hash with the slot busy: %v, want ErrUnavailable", err)
	}
	if w := <-waits; w.ok {
		t.Errorf("refused wait reported as %+v, want not ok", w)
	}
}
