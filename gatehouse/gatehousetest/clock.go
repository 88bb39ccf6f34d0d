package gatehousetest

import (
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/ports"
)

// Start is where every Kit's clock starts: a fixed instant, so that what a test prints of
// times is the same on every run.
var Start = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

var _ ports.Clock = (*Clock)(nil)

// Clock is the clock a Kit runs on. It moves only when told to, so a test reaches a
// session's idle timeout or a token's expiry without waiting. It is safe for concurrent
// use, as the stores read it from request goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start, in UTC.
func NewClock(start time.Time) *Clock { return &Clock{now: start.UTC()} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock by d, which may be negative.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t, in UTC.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}
