package passhash

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

var tiny = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestLimiter(t *testing.T, slots int, wait time.Duration) *Limiter {
	t.Helper()
	h, err := New(tiny)
	if err != nil {
		t.Fatal(err)
	}
	return NewLimiter(h, Foreign{}, slots, wait)
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

func TestLimiterWaitsForASlot(t *testing.T) {
	l := newTestLimiter(t, 1, 5*time.Second)
	release := fill(l)
	done := make(chan error)
	go func() {
		_, err := l.Hash(context.Background(), "pw")
		done <- err
	}()
	time.Sleep(10 * time.Millisecond) // the hash is now waiting
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

// TestLimiterBoundsConcurrency runs many hashes at once and records how many ran together.
func TestLimiterBoundsConcurrency(t *testing.T) {
	const slots = 3
	l := newTestLimiter(t, slots, time.Minute)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			if err := l.acquire(context.Background()); err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			_, _ = l.hasher.Hash("pw")
			running.Add(-1)
			l.release()
		})
	}
	wg.Wait()
	if p := peak.Load(); p > slots {
		t.Errorf("%d hashes ran at once, want at most %d", p, slots)
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
	for deadline := time.Now().Add(5 * time.Second); l.Waiting() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Waiting = %d while a hash waits, want 1", l.Waiting())
		}
	}
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
