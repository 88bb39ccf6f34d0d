package contract

import (
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/ports"
)

// Start is where every NewClock starts: a fixed instant in UTC with a fraction of a second
// that fills all six microsecond digits, so a store that drops or rounds them is caught.
var Start = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

var _ ports.Clock = (*Clock)(nil)

// Clock is a ports.Clock that moves only when told to. It is safe for concurrent use, since
// stores read it from many goroutines.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at Start.
func NewClock() *Clock { return &Clock{now: Start} }

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
