package app

import (
	"context"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/ports"
)

// ttlCache keeps what a store answered, by key, in process memory for a short time, so a hot
// path asks the store at most once per key and TTL. Errors are never kept. A zero TTL turns
// it off: every get loads. When size entries are held, an arbitrary one makes room.
type ttlCache[K comparable, V any] struct {
	load  func(context.Context, K) (V, error)
	ttl   time.Duration
	size  int
	clock ports.Clock

	mu      sync.RWMutex
	entries map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	value   V
	expires time.Time
}

// newTTLCache returns a cache that loads a missing or expired key with load.
func newTTLCache[K comparable, V any](load func(context.Context, K) (V, error), ttl time.Duration, size int,
	clock ports.Clock) *ttlCache[K, V] {
	return &ttlCache[K, V]{load: load, ttl: ttl, size: size, clock: clock, entries: map[K]ttlEntry[V]{}}
}

// get returns key's live value, or loads it and keeps it unless the load failed.
func (c *ttlCache[K, V]) get(ctx context.Context, key K) (V, error) {
	if c.ttl <= 0 {
		return c.load(ctx, key)
	}
	now := c.clock.Now()
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.value, nil
	}
	v, err := c.load(ctx, key)
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, present := c.entries[key]; !present && len(c.entries) >= c.size {
		for old := range c.entries {
			delete(c.entries, old)
			break
		}
	}
	c.entries[key] = ttlEntry[V]{value: v, expires: now.Add(c.ttl)}
	return v, nil
}

// drop forgets key, so this instance's next get loads it again.
func (c *ttlCache[K, V]) drop(key K) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}
