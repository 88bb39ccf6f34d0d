package prommetrics_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
)

type fakeMailQueue struct {
	queued  int
	observe func(domain.MailKind, domain.MailOutcome)
}

func (q *fakeMailQueue) Queued() int { return q.queued }
func (q *fakeMailQueue) ObserveOutcomes(f func(domain.MailKind, domain.MailOutcome)) {
	q.observe = f
}

func TestMailQueueCountsOutcomes(t *testing.T) {
	m := prommetrics.New()
	q := &fakeMailQueue{queued: 3}
	m.MailQueue(q)
	g := m.Gatherer()
	expect(t, g, "gatehouse_mails_total", map[string]string{"kind": "password-reset", "outcome": "failed"}, 0)
	q.observe(domain.MailPasswordReset, domain.MailFailed)
	q.observe(domain.MailPasswordReset, domain.MailFailed)
	q.observe(domain.MailVerifyEmail, domain.MailSent)
	q.observe("made-up", domain.MailDropped)
	expect(t, g, "gatehouse_mails_total", map[string]string{"kind": "password-reset", "outcome": "failed"}, 2)
	expect(t, g, "gatehouse_mails_total", map[string]string{"kind": "verify-email", "outcome": "sent"}, 1)
	expect(t, g, "gatehouse_mails_total", map[string]string{"kind": "other", "outcome": "dropped"}, 1)
	expect(t, g, "gatehouse_mail_queue_depth", map[string]string{}, 3)
}

type transportFunc func(context.Context, domain.Message) error

func (f transportFunc) Deliver(ctx context.Context, msg domain.Message) error { return f(ctx, msg) }

func TestMailTransportTimesTries(t *testing.T) {
	m := prommetrics.New()
	results := []error{nil, fmt.Errorf("%w: 550", domain.ErrMailRejected), fmt.Errorf("%w: timeout", domain.ErrUnavailable), nil}
	tr := m.MailTransport(transportFunc(func(context.Context, domain.Message) error {
		err := results[0]
		results = results[1:]
		return err
	}))
	for range 4 {
		_ = tr.Deliver(context.Background(), domain.Message{})
	}
	g := m.Gatherer()
	expect(t, g, "gatehouse_mail_delivery_seconds", map[string]string{"result": "ok"}, 2)
	expect(t, g, "gatehouse_mail_delivery_seconds", map[string]string{"result": "rejected"}, 1)
	expect(t, g, "gatehouse_mail_delivery_seconds", map[string]string{"result": "unavailable"}, 1)
}
