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

// HashQueue exports q's depth, its slots in use and its wait times. Call it once, before q
// is used.
func (m *Metrics) HashQueue(q HashQueue) {
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
