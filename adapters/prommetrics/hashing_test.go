package prommetrics_test

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
)

var _ prommetrics.HashQueue = (*passhash.Limiter)(nil)

// queue is a hashing queue whose state the test sets, and whose waits it reports.
type queue struct {
	waiting, inUse int
	report         func(time.Duration, bool)
}

func (q *queue) Waiting() int                             { return q.waiting }
func (q *queue) InUse() int                               { return q.inUse }
func (q *queue) ObserveWaits(f func(time.Duration, bool)) { q.report = f }

func TestHashQueueIsMeasured(t *testing.T) {
	m := prommetrics.New()
	g := m.Gatherer()
	q := &queue{}
	m.HashQueue(q)
	q.waiting, q.inUse = 7, 2
	q.report(0, true)
	q.report(300*time.Millisecond, true)
	q.report(2*time.Second, false)

	expect(t, g, "gatehouse_password_hash_queue_depth", nil, 7)
	expect(t, g, "gatehouse_password_hash_in_flight", nil, 2)
	expect(t, g, "gatehouse_password_hash_wait_seconds", map[string]string{"outcome": "ok"}, 2)
	expect(t, g, "gatehouse_password_hash_wait_seconds", map[string]string{"outcome": "busy"}, 1)
}

// TestHashQueueOfARealLimiter: a real hash through passhash's limiter is reported.
func TestHashQueueOfARealLimiter(t *testing.T) {
	h, err := passhash.New(passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	m := prommetrics.New()
	l := passhash.NewLimiter(h, passhash.Foreign{}, 1, time.Second)
	m.HashQueue(l)
	if _, err := l.Hash(t.Context(), "pw"); err != nil {
		t.Fatal(err)
	}
	expect(t, m.Gatherer(), "gatehouse_password_hash_wait_seconds", map[string]string{"outcome": "ok"}, 1)
	expect(t, m.Gatherer(), "gatehouse_password_hash_queue_depth", nil, 0)
	expect(t, m.Gatherer(), "gatehouse_password_hash_memory_bytes", nil, 0)
	expect(t, m.Gatherer(), "gatehouse_password_hash_memory_budget_bytes", nil, float64(passhash.DefaultMemoryBudget)*1024)
}
