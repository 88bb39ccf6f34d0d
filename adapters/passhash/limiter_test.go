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
