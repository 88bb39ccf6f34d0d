package fault_test

import (
	"sync"
	"time"
)

const (
	// loadWorkers is how many goroutines send the load.
	loadWorkers = 4
	// loadPause is the pause between two requests of one worker, so a fast 503 does not
	// turn the load into a flood on a small machine.
	loadPause = 10 * time.Millisecond
	// maxPerWorker bounds the requests of one worker, should a test forget to stop it.
	maxPerWorker = 1000
)

// load is a fixed set of workers sending token, session and Basic requests in turn until
// halted, recording every reply.
type load struct {
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup

	mu      sync.Mutex
	results []result
}

// result is one reply of the load and the kind of request it answered.
type result struct {
	kind string
	reply
}

// startLoad starts loadWorkers workers sending f's load requests to s.
func startLoad(s *server, f *fixture) *load {
	l := &load{stop: make(chan struct{})}
	probes := f.probes()
	for w := range loadWorkers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := range maxPerWorker {
				kind := loadKinds[(w+i)%len(loadKinds)]
				r := s.send(probes[kind])
				l.mu.Lock()
				l.results = append(l.results, result{kind: kind, reply: r})
				l.mu.Unlock()
				select {
				case <-l.stop:
					return
				case <-time.After(loadPause):
				}
			}
		}()
	}
	return l
}

// startedSince counts, by kind, the replies to requests that started at or after since.
func (l *load) startedSince(since time.Time) map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := map[string]int{}
	for _, r := range l.results {
		if !r.start.Before(since) {
			n[r.kind]++
		}
	}
	return n
}

// halt stops the workers, waits for the requests in flight and returns every result. It may
// be called more than once.
func (l *load) halt() []result {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.results
}

// waitFor polls cond every 20ms until it holds or timeout passes, and reports whether it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
