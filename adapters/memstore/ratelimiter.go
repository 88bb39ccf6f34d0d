package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.RateLimiter = (*RateLimiter)(nil)

// RateLimiter limits events per key by the generic cell rate algorithm (GCRA): each key
// holds one number, its theoretical arrival time (TAT), the instant by which its events so
// far would have arrived had they come at the steady rate. An event is allowed when, counted
// in, the key is no more than the rate's period ahead of now; a burst of Events is thus
// allowed at once and one more per interval after it. Times are kept in Unix microseconds,
// the precision of the Redis limiter, so both give the same answers.
//
// A key whose TAT has passed is as good as absent and is removed by Sweep; run StartJanitor
// with the limiter so keys that went idle do not hold memory.
type RateLimiter struct {
	clock ports.Clock
	mu    sync.RWMutex
	tat   map[string]int64 // theoretical arrival time, Unix µs
}

// NewRateLimiter returns a limiter with no keys that judges time by clock.
func NewRateLimiter(clock ports.Clock) *RateLimiter {
	return &RateLimiter{clock: clock, tat: map[string]int64{}}
}

// Wait implements ports.RateLimiter.
func (l *RateLimiter) Wait(_ context.Context, key string, rate domain.Rate) (time.Duration, error) {
	if rate.Off() {
		return 0, nil
	}
	now := l.clock.Now().UnixMicro()
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, wait := gcra(l.tat[key], now, rate)
	return time.Duration(wait) * time.Microsecond, nil
}

// Take implements ports.RateLimiter.
func (l *RateLimiter) Take(_ context.Context, key string, rate domain.Rate) (time.Duration, error) {
	if rate.Off() {
		return 0, nil
	}
	now := l.clock.Now().UnixMicro()
	l.mu.Lock()
	defer l.mu.Unlock()
	tat, wait := gcra(l.tat[key], now, rate)
	if wait > 0 {
		return time.Duration(wait) * time.Microsecond, nil
	}
	l.tat[key] = tat
	return 0, nil
}

// Cancel implements ports.RateLimiter: the key's TAT goes back one interval, and a key
// left with nothing outstanding is deleted.
func (l *RateLimiter) Cancel(_ context.Context, key string, rate domain.Rate) error {
	if rate.Off() {
		return nil
	}
	now := l.clock.Now().UnixMicro()
	l.mu.Lock()
	defer l.mu.Unlock()
	tat, ok := l.tat[key]
	if !ok || tat <= now {
		return nil
	}
	if tat -= gcraInterval(rate); tat <= now {
		delete(l.tat, key)
	} else {
		l.tat[key] = tat
	}
	return nil
}

// Sweep deletes the keys whose TAT has passed, which limit nothing any more, and reports how
// many it deleted. It holds the write lock while it walks every key.
func (l *RateLimiter) Sweep() int {
	now := l.clock.Now().UnixMicro()
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.tat)
	for key, tat := range l.tat {
		if tat <= now {
			delete(l.tat, key)
		}
	}
	return n - len(l.tat)
}

// gcra decides one event at now (Unix µs) for a key whose stored TAT is stored (0 for none)
// under rate, which is not Off. It returns the key's TAT once the event is counted and, when
// the event is not allowed, the µs to wait before it is (else 0).
func gcra(stored, now int64, rate domain.Rate) (tat, wait int64) {
	// A period of at least one interval, so that every rate that is not Off allows at least
	// one event.
	interval := gcraInterval(rate)
	period := max(interval, rate.Per.Microseconds())
	tat = max(stored, now) + interval
	return tat, max(0, tat-now-period)
}

// gcraInterval is rate's interval in whole microseconds, at least one.
func gcraInterval(rate domain.Rate) int64 { return max(1, rate.Interval().Microseconds()) }
