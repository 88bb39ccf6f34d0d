package prommetrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// MailQueue is the mail sender as the metrics see it (app.MailQueue).
type MailQueue interface {
	// Queued returns how many mails wait for a worker.
	Queued() int
	// ObserveOutcomes makes the queue report what became of every mail to f.
	ObserveOutcomes(f func(domain.MailKind, domain.MailOutcome))
}

// MailQueue exports q's depth and counts its mails by kind and outcome in
// gatehouse_mails_total. Call it once, before q is used.
func (m *Metrics) MailQueue(q MailQueue) {
	mails := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gatehouse_mails_total",
		Help: "Mails handed to the sender, by kind and outcome: sent, failed (every try failed, or the server refused it for good) or dropped (the queue was full or the process stopping).",
	}, []string{"kind", "outcome"})
	for _, k := range domain.MailKinds() {
		for _, o := range domain.MailOutcomes() {
			mails.WithLabelValues(string(k), string(o))
		}
	}
	m.reg.MustRegister(mails, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gatehouse_mail_queue_depth",
		Help: "Mails waiting for a worker now.",
	}, func() float64 { return float64(q.Queued()) }))
	q.ObserveOutcomes(func(k domain.MailKind, o domain.MailOutcome) {
		kind := "other" // never a label value from outside the fixed list
		for _, known := range domain.MailKinds() {
			if k == known {
				kind = string(k)
			}
		}
		mails.WithLabelValues(kind, string(o)).Inc()
	})
}

// MailTransport times the deliveries of the transport it wraps and counts them by result.
type MailTransport struct {
	next     ports.MailTransport
	duration *prometheus.HistogramVec
}

var _ ports.MailTransport = (*MailTransport)(nil)

// MailTransport returns next, measured in gatehouse_mail_delivery_seconds: each try, so a
// rise of unavailable tries shows a struggling server before mails start to fail.
func (m *Metrics) MailTransport(next ports.MailTransport) *MailTransport {
	d := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "gatehouse_mail_delivery_seconds",
		Help:    "Time of one try to deliver a mail to the SMTP server, by result: ok, unavailable (no answer, timed out, 4xx) or rejected (5xx).",
		Buckets: []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"result"})
	for _, r := range []string{"ok", "unavailable", "rejected"} {
		d.WithLabelValues(r)
	}
	m.reg.MustRegister(d)
	return &MailTransport{next: next, duration: d}
}

// Deliver implements ports.MailTransport.
func (t *MailTransport) Deliver(ctx context.Context, msg domain.Message) error {
	start := time.Now()
	err := t.next.Deliver(ctx, msg)
	result := "ok"
	switch {
	case errors.Is(err, domain.ErrMailRejected):
		result = "rejected"
	case err != nil:
		result = "unavailable"
	}
	t.duration.WithLabelValues(result).Observe(time.Since(start).Seconds())
	return err
}
