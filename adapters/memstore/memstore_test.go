package memstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
)

// t0 is where every fake clock starts.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// fakeClock is a ports.Clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// hashOf returns the secret hash of the item with id, so each id has its own.
func hashOf(id string) domain.SecretHash { return domain.HashSecret("secret of " + id) }

var ctx = context.Background()

func TestPinger(t *testing.T) {
	var p memstore.Pinger
	if p.Name() != "memory" {
		t.Errorf("Name() = %q, want memory", p.Name())
	}
	if err := p.Ping(ctx); err != nil {
		t.Errorf("Ping() = %v, want nil", err)
	}
}
