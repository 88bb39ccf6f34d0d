package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// MailQueueSettings bound what mail may cost. A mail waits in a queue of Capacity and is
// delivered by one of Workers, in at most Attempts tries of AttemptTimeout each, waiting
// Backoff before the second try and twice as long before each next one.
type MailQueueSettings struct {
	Capacity       int
	Workers        int
	Attempts       int
	AttemptTimeout time.Duration
	Backoff        time.Duration
}

// DefaultMailQueue: 2 workers, 256 mails waiting, 4 tries of 10 s each after waits of 2, 4
// and 8 s; a mail is given up about 54 s after its first try at worst. Two workers at ten
// seconds a try still drain a full queue of mails to a dead server in minutes, and mail is
// rare (signups, resets), so a full queue means the server is down, not that we are busy.
func DefaultMailQueue() MailQueueSettings {
	return MailQueueSettings{Capacity: 256, Workers: 2, Attempts: 4, AttemptTimeout: 10 * time.Second, Backoff: 2 * time.Second}
}

// MailQueue sends mail in the background; it implements ports.Mailer. Send only enqueues,
// so no request waits for the mail server. A mail that cannot be queued (the queue is full
// or closing) or whose tries all fail is dropped: logged with its kind and the recipient's
// domain — never the address, the link or its token — and counted. Mail is not persisted:
// a process that stops loses what it could not send in the drain time.
type MailQueue struct {
	render    ports.MailRenderer
	transport ports.MailTransport
	s         MailQueueSettings
	log       *slog.Logger

	mu     sync.RWMutex // held for reading while enqueuing, for writing while closing
	closed bool
	jobs   chan mailJob
	wg     sync.WaitGroup

	// stop ends backoff waits and tries once a drain has run out of time.
	stop    context.Context
	cancel  context.CancelFunc
	observe func(domain.MailKind, domain.MailOutcome)
}

type mailJob struct {
	mail      domain.Mail
	requestID string
}

var _ ports.Mailer = (*MailQueue)(nil)

// NewMailQueue starts the workers. Close stops them.
func NewMailQueue(render ports.MailRenderer, transport ports.MailTransport, s MailQueueSettings, log *slog.Logger) *MailQueue {
	s.Capacity, s.Workers, s.Attempts = max(s.Capacity, 1), max(s.Workers, 1), max(s.Attempts, 1)
	q := &MailQueue{render: render, transport: transport, s: s, log: log, jobs: make(chan mailJob, s.Capacity),
		observe: func(domain.MailKind, domain.MailOutcome) {}}
	q.stop, q.cancel = context.WithCancel(context.Background())
	for range s.Workers {
		q.wg.Add(1)
		go q.work()
	}
	return q
}

// ObserveOutcomes makes the queue report what became of every mail to f. Call it once,
// before the first Send.
func (q *MailQueue) ObserveOutcomes(f func(domain.MailKind, domain.MailOutcome)) { q.observe = f }

// Queued returns how many mails wait for a worker.
func (q *MailQueue) Queued() int { return len(q.jobs) }

// Enabled implements ports.Mailer: a queue is made only when mail is configured.
func (q *MailQueue) Enabled() bool { return true }

// Send implements ports.Mailer. It never blocks.
func (q *MailQueue) Send(ctx context.Context, m domain.Mail) {
	job := mailJob{mail: m, requestID: domain.RequestFrom(ctx).ID}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		q.done(job, domain.MailDropped, 0, errors.New("shutting down"))
		return
	}
	select {
	case q.jobs <- job:
	default:
		q.done(job, domain.MailDropped, 0, errors.New("queue full"))
	}
}

// Close stops taking mail and lets the workers deliver what is queued until ctx ends; then
// the tries under way are cut off and the mails still queued dropped.
func (q *MailQueue) Close(ctx context.Context) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	close(q.jobs)
	q.mu.Unlock()
	drained := make(chan struct{})
	go func() { q.wg.Wait(); close(drained) }()
	select {
	case <-drained:
		return
	case <-ctx.Done():
	}
	q.log.Warn("mail queue not drained in time: dropping what is left", slog.Int("queued", len(q.jobs)))
	q.cancel()
	<-drained // quick now: every wait and try ends with stop
}

func (q *MailQueue) work() {
	defer q.wg.Done()
	for job := range q.jobs {
		q.deliver(job)
	}
}

// deliver renders job's mail and tries to deliver it.
func (q *MailQueue) deliver(job mailJob) {
	if q.stop.Err() != nil {
		q.done(job, domain.MailDropped, 0, errors.New("shutting down"))
		return
	}
	msg, err := q.render.Render(job.mail)
	if err != nil {
		q.done(job, domain.MailFailed, 0, err) // a bug in the caller: no retry can help
		return
	}
	wait := q.s.Backoff
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(q.stop, q.s.AttemptTimeout)
		err = q.transport.Deliver(ctx, msg)
		cancel()
		switch {
		case err == nil:
			q.done(job, domain.MailSent, attempt, nil)
			return
		case errors.Is(err, domain.ErrMailRejected), attempt >= q.s.Attempts:
			q.done(job, domain.MailFailed, attempt, err)
			return
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-q.stop.Done():
			q.done(job, domain.MailDropped, attempt, err)
			return
		}
	}
}

// done logs and reports a mail's outcome.
func (q *MailQueue) done(job mailJob, outcome domain.MailOutcome, attempts int, err error) {
	defer q.observe(job.mail.Kind, outcome)
	attrs := []slog.Attr{slog.String("kind", string(job.mail.Kind)), slog.String("outcome", string(outcome)),
		slog.String("to_domain", domain.MailDomain(job.mail.To)), slog.Int("attempts", attempts)}
	if job.requestID != "" {
		attrs = append(attrs, slog.String("request_id", job.requestID))
	}
	if err != nil {
		q.log.LogAttrs(context.Background(), slog.LevelWarn, "mail not sent", append(attrs, slog.String("error", err.Error()))...)
		return
	}
	q.log.LogAttrs(context.Background(), slog.LevelInfo, "mail sent", attrs...)
}

// MailOff is the mailer when no SMTP server is configured: Enabled reports false, and
// Send drops the mail, since a caller that checks Enabled never sends.
type MailOff struct{}

var _ ports.Mailer = MailOff{}

// Enabled implements ports.Mailer.
func (MailOff) Enabled() bool { return false }

// Send implements ports.Mailer.
func (MailOff) Send(context.Context, domain.Mail) {}
