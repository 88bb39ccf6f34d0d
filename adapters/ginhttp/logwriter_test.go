package ginhttp

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

// countingWriter counts the Writes that reach the destination.
type countingWriter struct {
	syncBuffer
	mu     sync.Mutex
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.syncBuffer.Write(p)
}

// TestSyncWriterKeepsEveryLineInOrder: lines written by many goroutines at once all arrive,
// whole, each goroutine's in the order it wrote them, in fewer Writes than lines; Flush
// makes what was written before it visible; after Close, a line goes straight through.
func TestSyncWriterKeepsEveryLineInOrder(t *testing.T) {
	var out countingWriter
	w := NewSyncWriter(&out)
	const writers, each = 16, 500
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for n := range each {
				fmt.Fprintf(w, "%d %d %s\n", g, n, strings.Repeat("x", 100))
			}
		})
	}
	wg.Wait()
	w.Flush()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != writers*each {
		t.Fatalf("after Flush: %d lines, want %d", len(lines), writers*each)
	}
	next := make([]int, writers)
	for _, l := range lines {
		var g, n int
		var rest string
		if _, err := fmt.Sscanf(l, "%d %d %s", &g, &n, &rest); err != nil || len(rest) != 100 {
			t.Fatalf("torn line %q", l)
		}
		if n != next[g] {
			t.Fatalf("writer %d: line %d after line %d", g, n, next[g]-1)
		}
		next[g]++
	}
	if out.writes >= writers*each {
		t.Errorf("%d lines took %d Writes: nothing gathered", writers*each, out.writes)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(w, "after\n")
	if !strings.HasSuffix(out.String(), "x\nafter\n") {
		t.Errorf("a line written after Close did not go straight through: %q", out.String()[len(out.String())-20:])
	}
}

// BenchmarkSyncWriter writes access-line-sized lines from many goroutines to the null
// device: the cost of a line's trip to the destination, system call included.
func BenchmarkSyncWriter(b *testing.B) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := NewSyncWriter(f)
	defer w.Close()
	line := []byte(strings.Repeat("x", 199) + "\n")
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, _ = w.Write(line)
		}
	})
}
