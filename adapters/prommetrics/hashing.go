package prommetrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// HashQueue is the password-hashing limiter as the metrics see it (passhash.Limiter).
type HashQueue interface {
	// Waiting returns how many requests wait for a hashing slot.
	Waiting() int
	// InUse returns how many hashes are being computed.
	InUse() int
	// ObserveWaits makes the queue report every wait for a slot to f.
	ObserveWaits(f func(wait time.Duration, ok bool))
}

// memoryQueue is a HashQueue that also bounds the hashes' memory (passhash.Limiter does).
type memoryQueue interface {
	// MemoryInUse returns the KiB the hashes being computed hold.
	MemoryInUse() int64
	// MemoryBudget returns the KiB they may hold together.
	MemoryBudget() int64
}

// HashQueue exports q's depth, its slots in use and its wait times, and, when q bounds
// memory too, the memory its hashes hold and the budget. Call it once, before q is used.
func (m *Metrics) HashQueue(q HashQueue) {
	if mq, ok := q.(memoryQueue); ok {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "gatehouse_password_hash_memory_bytes",
				Help: "Memory the password hashes being computed hold by their parameters.",
			}, func() float64 { return float64(mq.MemoryInUse()) * 1024 }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "gatehouse_password_hash_memory_budget_bytes",
				Help: "Memory the password hashes may hold together (GATEHOUSE_HASH_MEMORY).",
			}, func() float64 { return float64(mq.MemoryBudget()) * 1024 }),
		)
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gatehouse_password_hash_queue_depth",
			Help: "Password hashes waiting for a slot now.",
		}, func() float64 { return float64(q.Waiting()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gatehouse_password_hash_in_flight",
			Help: "Password hashes being computed now (at most GATEHOUSE_HASH_CONCURRENCY).",
		}, func() float64 { return float64(q.InUse()) }),
	)
	ok, busy := m.hashWait.WithLabelValues("ok"), m.hashWait.WithLabelValues("busy")
	q.ObserveWaits(func(wait time.Duration, got bool) {
		if got {
			ok.Observe(wait.Seconds())
		} else {
			busy.Observe(wait.Seconds())
		}
	})
}
