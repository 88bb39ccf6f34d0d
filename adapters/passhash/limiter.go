package passhash

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.PasswordHasher = (*Limiter)(nil)

// DefaultMemoryBudget is the memory, in KiB, that hashes running at once may hold when no
// WithMemory option is given: 256 MiB. It admits one imported Django argon2 hash at Django's
// default (100 MiB) next to eight argon2id hashes at the OWASP default (19 MiB), and keeps the
// hashing's peak a fixed, small part of a typical 512 MiB–1 GiB container whatever the number
// of cores.
const DefaultMemoryBudget = 256 << 10

// DefaultMaxWait is how long a hash waits for a slot unless configured otherwise: long
// enough to ride out a burst of logins, short enough that a client learns of an overload
// (503) before it gives up.
const DefaultMaxWait = 2 * time.Second

// Limiter bounds the password hashing that runs at once, by count and by memory. Each argon2
// computation holds its memory parameter (19 MiB by default, 100 MiB for an imported Django
// hash) for tens of milliseconds, and Basic authentication hashes on every request, so
// without a bound a flood of logins exhausts memory long before CPU.
//
// The count (slots) bounds CPU: one hash keeps one core busy. The memory budget bounds what
// the hashes hold together: each takes its weight from a weighted semaphore before it starts
// (see weigh), read from the parameters of the stored hash before anything is allocated, so
// two imported 1 GiB hashes cannot run side by side because two slots were free. A hash
// whose weight exceeds the whole budget never runs: Verify reports no match and logs why.
//
// A request waits for both at most maxWait (and never past its own deadline); after that it
// fails with domain.ErrUnavailable, which the HTTP adapter answers with 503 and Retry-After.
// Waiting requests hold no hashing memory, so the process's peak stays near the budget.
//
// Verify also takes hashes imported from Django (see Foreign), behind the same limits, and
// asks for every one that matches to be re-hashed to argon2id.
type Limiter struct {
	hasher  *Argon2id
	foreign Foreign
	slots   chan struct{}
	memory  *semaphore.Weighted
	budget  int64 // KiB
	maxWait time.Duration
	log     *slog.Logger
	waiting atomic.Int64
	held    atomic.Int64 // KiB
	onWait  func(wait time.Duration, ok bool)
	// onCalibrate, set by tests, learns of each verification Calibrate times.
	onCalibrate func(algorithm string)
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithMemory sets the memory budget in KiB, the unit of argon2's m. NewLimiter raises a
// budget below the configured argon2id memory to it, so Hash can always run; production
// configuration refuses such a budget.
func WithMemory(kib int64) Option { return func(l *Limiter) { l.budget = kib } }

// WithLogger sets where the Limiter reports hashes refused for their memory (slog.Default
// otherwise).
func WithLogger(log *slog.Logger) Option { return func(l *Limiter) { l.log = log } }

// NewLimiter returns hasher, and foreign for imported hashes, behind a limit of slots
// concurrent computations and, unless an option says otherwise, DefaultMemoryBudget.
func NewLimiter(hasher *Argon2id, foreign Foreign, slots int, maxWait time.Duration, opts ...Option) *Limiter {
	l := &Limiter{hasher: hasher, foreign: foreign, slots: make(chan struct{}, max(slots, 1)),
		budget: DefaultMemoryBudget, maxWait: maxWait, log: slog.Default()}
	for _, o := range opts {
		o(l)
	}
	l.budget = max(l.budget, int64(hasher.params.Memory))
	l.memory = semaphore.NewWeighted(l.budget)
	return l
}

// errBusy is what a request gets when no slot or memory frees up in time.
var errBusy = fmt.Errorf("%w: every password-hashing slot is busy", domain.ErrUnavailable)

// ObserveWaits makes the Limiter report every request's wait for a slot to f: how long it
// waited (0 when a slot was free) and whether it got one. It keeps metrics out of this
// package. Call it before the Limiter is used; f must be quick and safe for concurrent use.
func (l *Limiter) ObserveWaits(f func(wait time.Duration, ok bool)) { l.onWait = f }

// Waiting returns how many requests are waiting for a slot or memory: the queue's depth.
func (l *Limiter) Waiting() int { return int(l.waiting.Load()) }

// InUse returns how many slots are taken: hashes being computed.
func (l *Limiter) InUse() int { return len(l.slots) }

// MemoryInUse returns the memory, in KiB, that the hashes being computed hold by their
// parameters; it never exceeds MemoryBudget.
func (l *Limiter) MemoryInUse() int64 { return l.held.Load() }

// MemoryBudget returns the memory budget in KiB.
func (l *Limiter) MemoryBudget() int64 { return l.budget }

// acquire takes weight KiB of the budget, then a slot. Both are taken before any hashing
// starts and given back by release, so the limits hold however many requests race.
// The wait is reported to ObserveWaits.
func (l *Limiter) acquire(ctx context.Context, weight int64) error {
	wait, err := l.take(ctx, weight)
	l.observe(wait, err)
	return err
}

// take is acquire without the report, for Calibrate, whose waits are not a request's. It
// returns how long it waited.
func (l *Limiter) take(ctx context.Context, weight int64) (time.Duration, error) {
	if l.memory.TryAcquire(weight) {
		select {
		case l.slots <- struct{}{}:
			l.held.Add(weight)
			return 0, nil
		default:
			l.memory.Release(weight)
		}
	}
	start := time.Now()
	l.waiting.Add(1)
	err := l.wait(ctx, weight)
	l.waiting.Add(-1)
	return time.Since(start), err
}

func (l *Limiter) observe(wait time.Duration, err error) {
	if l.onWait != nil {
		l.onWait(wait, err == nil)
	}
}

// wait blocks until weight KiB and a slot are free, maxWait passes, or ctx ends. Memory is
// taken first: the semaphore serves waiters in order, so a heavy hash is not starved by
// light ones, and holding a share of the budget while waiting for a slot allocates nothing.
func (l *Limiter) wait(ctx context.Context, weight int64) error {
	wctx, cancel := context.WithTimeout(ctx, l.maxWait)
	defer cancel()
	if err := l.memory.Acquire(wctx, weight); err != nil {
		return l.busy(ctx)
	}
	select {
	case l.slots <- struct{}{}:
		l.held.Add(weight)
		return nil
	case <-wctx.Done():
		l.memory.Release(weight)
		return l.busy(ctx)
	}
}

// busy is the error of a wait that ended: the request's own end, or maxWait.
func (l *Limiter) busy(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %v", errBusy, err)
	}
	return errBusy
}

func (l *Limiter) release(weight int64) {
	<-l.slots
	l.held.Add(-weight)
	l.memory.Release(weight)
}

// Hash implements ports.PasswordHasher.
func (l *Limiter) Hash(ctx context.Context, password string) (string, error) {
	weight := int64(l.hasher.params.Memory)
	if err := l.acquire(ctx, weight); err != nil {
		return "", err
	}
	defer l.release(weight)
	return l.hasher.Hash(password)
}

// Verify implements ports.PasswordHasher. A stored hash that needs more memory than the
// whole budget is refused without running: no match, and one warning naming the need and
// the budget (never the hash, which would help whoever reads the logs crack it).
func (l *Limiter) Verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	weight, family := weigh(encoded)
	if weight > l.budget {
		l.log.Warn("password hash refused: it needs more memory than the hashing budget",
			slog.String("algorithm", family), slog.Int64("need_kib", weight),
			slog.Int64("budget_kib", l.budget), slog.String("setting", "GATEHOUSE_HASH_MEMORY"))
		return false, false, nil
	}
	if err := l.acquire(ctx, weight); err != nil {
		return false, false, err
	}
	defer l.release(weight)
	ok, rehash = l.verify(password, encoded)
	return ok, rehash, nil
}

// verify checks password against encoded, with the limits already taken.
func (l *Limiter) verify(password, encoded string) (ok, rehash bool) {
	if strings.HasPrefix(encoded, "$argon2id$") {
		return l.hasher.Verify(password, encoded)
	}
	ok, _ = l.foreign.Verify(password, encoded)
	return ok, ok
}
