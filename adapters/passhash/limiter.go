package passhash

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.PasswordHasher = (*Limiter)(nil)

// Limiter bounds how many argon2id computations run at once. Each one holds its memory
// parameter (19 MiB by default) for tens of milliseconds, and Basic authentication hashes on
// every request, so without a bound a flood of logins exhausts memory long before CPU. A
// request waits for a slot at most maxWait (and never past its own deadline); after that it
// fails with domain.ErrUnavailable, which the HTTP adapter answers with 503 and Retry-After.
// Waiting requests hold no argon2 memory, so the process's peak stays near slots × m.
//
// Verify also takes hashes imported from Django (see Foreign), behind the same limit, and
// asks for every one that matches to be re-hashed to argon2id.
type Limiter struct {
	hasher  *Argon2id
	foreign Foreign
	slots   chan struct{}
	maxWait time.Duration
	waiting atomic.Int64
	onWait  func(wait time.Duration, ok bool)
}

// NewLimiter returns hasher, and foreign for imported hashes, behind a limit of slots
// concurrent computations.
func NewLimiter(hasher *Argon2id, foreign Foreign, slots int, maxWait time.Duration) *Limiter {
	return &Limiter{hasher: hasher, foreign: foreign, slots: make(chan struct{}, max(slots, 1)), maxWait: maxWait}
}

// errBusy is what a request gets when no slot frees up in time.
var errBusy = fmt.Errorf("%w: every password-hashing slot is busy", domain.ErrUnavailable)

// ObserveWaits makes the Limiter report every request's wait for a slot to f: how long it
// waited (0 when a slot was free) and whether it got one. It keeps metrics out of this
// package. Call it before the Limiter is used; f must be quick and safe for concurrent use.
func (l *Limiter) ObserveWaits(f func(wait time.Duration, ok bool)) { l.onWait = f }

// Waiting returns how many requests are waiting for a slot: the queue's depth.
func (l *Limiter) Waiting() int { return int(l.waiting.Load()) }

// InUse returns how many slots are taken: hashes being computed.
func (l *Limiter) InUse() int { return len(l.slots) }

func (l *Limiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		l.observe(0, nil)
		return nil
	default:
	}
	start := time.Now()
	l.waiting.Add(1)
	err := l.wait(ctx)
	l.waiting.Add(-1)
	l.observe(time.Since(start), err)
	return err
}

func (l *Limiter) observe(wait time.Duration, err error) {
	if l.onWait != nil {
		l.onWait(wait, err == nil)
	}
}

// wait blocks until a slot is free, maxWait passes, or ctx ends.
func (l *Limiter) wait(ctx context.Context) error {
	timer := time.NewTimer(l.maxWait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return errBusy
	case <-ctx.Done():
		return fmt.Errorf("%w: %v", errBusy, ctx.Err())
	}
}

func (l *Limiter) release() { <-l.slots }

// Hash implements ports.PasswordHasher.
func (l *Limiter) Hash(ctx context.Context, password string) (string, error) {
	if err := l.acquire(ctx); err != nil {
		return "", err
	}
	defer l.release()
	return l.hasher.Hash(password)
}

// Verify implements ports.PasswordHasher.
func (l *Limiter) Verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	if err := l.acquire(ctx); err != nil {
		return false, false, err
	}
	defer l.release()
	if strings.HasPrefix(encoded, "$argon2id$") {
		ok, rehash = l.hasher.Verify(password, encoded)
		return ok, rehash, nil
	}
	ok, _ = l.foreign.Verify(password, encoded)
	return ok, ok, nil
}
