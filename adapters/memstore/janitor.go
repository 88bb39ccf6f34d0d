package memstore

import (
	"sync"
	"time"
)

// Sweeper frees expired items. *SessionStore, *TokenStore and *CodeStore are Sweepers.
type Sweeper interface {
	Sweep() int
}

// StartJanitor sweeps every sweeper once per interval in one goroutine, so expired sessions
// and tokens, which lookups already ignore, do not hold memory forever. The returned stop
// ends the goroutine and waits for it, so no sweep runs after stop returns; calling stop again
// does nothing. StartJanitor panics if interval is not positive, as time.NewTicker does.
func StartJanitor(interval time.Duration, sweepers ...Sweeper) (stop func()) {
	ticker := time.NewTicker(interval)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer ticker.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ticker.C:
				for _, s := range sweepers {
					s.Sweep()
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(quit) })
		<-done
	}
}
