package ginhttp

import (
	"io"
	"sync"
	"time"
)

// SyncWriter serializes the Writes of everything that shares it (slog's handlers lock only
// their own Writes, and the access log writes beside them), and gathers them: a Write
// appends to a buffer and wakes one goroutine, which lets lines gather for a moment
// (linger) and writes out all of them with a single Write. A write(2) per request cost more
// than formatting its access line; under load a hundred lines now share one, and a line
// reaches the destination at most a few milliseconds after it was logged. (Writing at once
// on waking gathered nothing: the woken goroutine runs as soon as the request's goroutine
// waits for its next request, one line later.) Order is kept. Close writes out the rest;
// later Writes go straight through.
type SyncWriter struct {
	w    io.Writer
	wake chan struct{} // one pending wake-up is enough: the flusher takes everything
	done chan struct{}

	mu     sync.Mutex
	cond   *sync.Cond // the flusher took or wrote a batch
	buf    []byte
	busy   bool // the flusher is writing a batch
	closed bool
}

// linger is how long the flusher lets lines gather before writing them.
const linger = 2 * time.Millisecond

// maxGathered bounds the buffer: a Write that finds it this full waits for the flusher, so
// a destination that blocks slows the server down rather than growing its memory.
const maxGathered = 1 << 20

// NewSyncWriter returns a SyncWriter writing to w; Close it when done.
func NewSyncWriter(w io.Writer) *SyncWriter {
	s := &SyncWriter{w: w, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	go s.flush()
	return s
}

// Write gathers p for the flusher; after Close it writes p at once. Errors of the
// destination are dropped, as slog.Logger drops its handler's.
func (s *SyncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	for len(s.buf) >= maxGathered && !s.closed {
		s.cond.Wait()
	}
	if !s.closed {
		s.buf = append(s.buf, p...)
		select {
		case s.wake <- struct{}{}:
		default:
		}
		s.mu.Unlock()
		return len(p), nil
	}
	s.mu.Unlock()
	<-s.done // what was gathered before goes first
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (s *SyncWriter) flush() {
	defer close(s.done)
	var spare []byte
	for range s.wake {
		time.Sleep(linger)
		s.mu.Lock()
		batch := s.buf
		s.buf, s.busy = spare[:0], true
		s.cond.Broadcast()
		s.mu.Unlock()
		if len(batch) > 0 {
			_, _ = s.w.Write(batch)
		}
		s.mu.Lock()
		s.busy = false
		s.cond.Broadcast()
		s.mu.Unlock()
		spare = batch
	}
}

// Flush returns once everything written before it has reached the destination.
func (s *SyncWriter) Flush() {
	s.mu.Lock()
	for (len(s.buf) > 0 || s.busy) && !s.closed {
		s.cond.Wait()
	}
	closed := s.closed
	s.mu.Unlock()
	if closed {
		<-s.done
	}
}

// Close writes out what is gathered and stops the flusher.
func (s *SyncWriter) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.wake)
	s.cond.Broadcast()
	s.mu.Unlock()
	<-s.done
	return nil
}
