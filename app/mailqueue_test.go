package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// plainRenderer renders a mail as its link, so tests can see what reached the transport.
type plainRenderer struct{}

func (plainRenderer) Render(m domain.Mail) (domain.Message, error) {
	if m.Kind == "broken" {
		return domain.Message{}, errors.New("unknown kind")
	}
	return domain.Message{To: m.To, Subject: string(m.Kind), Text: m.Link, HTML: m.Link}, nil
}

// scriptedTransport fails each delivery with the next error of its script (nil: success,
// and after the script: success), optionally blocking until release is closed or ctx ends.
type scriptedTransport struct {
	mu      sync.Mutex
	script  []error
	calls   int
	release chan struct{}
}

func (s *scriptedTransport) Deliver(ctx context.Context, msg domain.Message) error {
	s.mu.Lock()
	s.calls++
	var err error
	if len(s.script) > 0 {
		err, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	if s.release != nil {
		select {
		case <-s.release:
		case <-ctx.Done():
			return fmt.Errorf("%w: %v", domain.ErrUnavailable, ctx.Err())
		}
	}
	return err
}

func (s *scriptedTransport) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// outcomes collects what the queue reports.
type outcomes struct {
	mu  sync.Mutex
	got []domain.MailOutcome
	ch  chan struct{}
}

func newQueue(t *testing.T, tr *scriptedTransport, s app.MailQueueSettings, log *slog.Logger) (*app.MailQueue, *outcomes) {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	q := app.NewMailQueue(plainRenderer{}, tr, s, log)
	o := &outcomes{ch: make(chan struct{}, 100)}
	q.ObserveOutcomes(func(_ domain.MailKind, out domain.MailOutcome) {
		o.mu.Lock()
		o.got = append(o.got, out)
		o.mu.Unlock()
		o.ch <- struct{}{}
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		q.Close(ctx)
	})
	return q, o
}

// wait returns the first n outcomes once they are in.
func (o *outcomes) wait(t *testing.T, n int) []domain.MailOutcome {
	t.Helper()
	for range n {
		select {
		case <-o.ch:
		case <-time.After(30 * time.Second):
			t.Fatalf("only %v of %d outcomes", o.got, n)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]domain.MailOutcome(nil), o.got...)
}

var fast = app.MailQueueSettings{Capacity: 8, Workers: 1, Attempts: 3, AttemptTimeout: 5 * time.Second, Backoff: time.Millisecond}

func mailTo(to string) domain.Mail {
	return domain.Mail{Kind: domain.MailPasswordReset, To: to, Link: "/reset?token=SECRET-TOKEN"}
}

func TestMailQueueRetries(t *testing.T) {
	down := fmt.Errorf("%w: connection refused", domain.ErrUnavailable)
	rejected := fmt.Errorf("%w: 550", domain.ErrMailRejected)
	tests := []struct {
		name   string
		script []error
		want   domain.MailOutcome
		calls  int
	}{
		{"first try", nil, domain.MailSent, 1},
		{"after two failures", []error{down, down}, domain.MailSent, 3},
		{"tries exhausted", []error{down, down, down}, domain.MailFailed, 3},
		{"rejected for good, not retried", []error{rejected}, domain.MailFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &scriptedTransport{script: tt.script}
			q, o := newQueue(t, tr, fast, nil)
			q.Send(context.Background(), mailTo("ada@example.org"))
			if got := o.wait(t, 1); got[0] != tt.want || tr.Calls() != tt.calls {
				t.Errorf("outcome %v after %d tries, want %v after %d", got[0], tr.Calls(), tt.want, tt.calls)
			}
		})
	}
}

func TestMailQueueUnrenderableMailFails(t *testing.T) {
	tr := &scriptedTransport{}
	q, o := newQueue(t, tr, fast, nil)
	q.Send(context.Background(), domain.Mail{Kind: "broken", To: "a@example.org"})
	if got := o.wait(t, 1); got[0] != domain.MailFailed || tr.Calls() != 0 {
		t.Errorf("outcome %v after %d tries, want failed before any", got[0], tr.Calls())
	}
}

// TestMailQueueSendNeverBlocks: with the only worker stuck on a silent server and the
// queue full, Send still returns, and the mail that found no room is dropped.
func TestMailQueueSendNeverBlocks(t *testing.T) {
	tr := &scriptedTransport{release: make(chan struct{})}
	s := fast
	s.Capacity = 1
	q, o := newQueue(t, tr, s, nil)
	q.Send(context.Background(), mailTo("a@example.org")) // taken by the worker
	for tr.Calls() == 0 {
		time.Sleep(time.Millisecond)
	}
	q.Send(context.Background(), mailTo("b@example.org")) // waits in the queue
	q.Send(context.Background(), mailTo("c@example.org")) // no room
	if got := o.wait(t, 1); got[0] != domain.MailDropped {
		t.Errorf("outcome %v, want dropped", got[0])
	}
	close(tr.release)
	if got := o.wait(t, 2); got[1] != domain.MailSent || got[2] != domain.MailSent {
		t.Errorf("outcomes %v, want the other two sent", got)
	}
}

func TestMailQueueCloseDrains(t *testing.T) {
	tr := &scriptedTransport{}
	q := app.NewMailQueue(plainRenderer{}, tr, fast, slog.New(slog.DiscardHandler))
	for i := range 5 {
		q.Send(context.Background(), mailTo(fmt.Sprintf("u%d@example.org", i)))
	}
	q.Close(context.Background())
	if tr.Calls() != 5 {
		t.Errorf("%d mails delivered before Close returned, want 5", tr.Calls())
	}
	var dropped bool
	q.ObserveOutcomes(func(_ domain.MailKind, o domain.MailOutcome) { dropped = o == domain.MailDropped })
	q.Send(context.Background(), mailTo("late@example.org"))
	if !dropped {
		t.Error("a mail sent after Close was not dropped")
	}
}

// TestMailQueueCloseGivesUp: when the drain time runs out, the try under way is cut off and
// the queued mails are dropped, so shutdown never waits on a dead mail server.
func TestMailQueueCloseGivesUp(t *testing.T) {
	tr := &scriptedTransport{release: make(chan struct{})} // never released
	s := fast
	s.AttemptTimeout = time.Hour
	q, o := newQueue(t, tr, s, nil)
	for i := range 3 {
		q.Send(context.Background(), mailTo(fmt.Sprintf("u%d@example.org", i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	q.Close(ctx)
	for _, got := range o.wait(t, 3) {
		if got != domain.MailDropped {
			t.Errorf("outcome %v, want dropped", got)
		}
	}
}

// TestMailQueueLogsNoSecret: a failure is logged with the kind and the recipient's domain,
// never the address or the link and its token.
func TestMailQueueLogsNoSecret(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	tr := &scriptedTransport{script: []error{fmt.Errorf("%w: 550", domain.ErrMailRejected)}}
	q, o := newQueue(t, tr, fast, log)
	q.Send(context.Background(), mailTo("ada.lovelace@example.org"))
	o.wait(t, 1)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if strings.Contains(out, "SECRET-TOKEN") || strings.Contains(out, "ada.lovelace") {
		t.Errorf("log shows a secret or the address:\n%s", out)
	}
	for _, want := range []string{`"kind":"password-reset"`, `"to_domain":"example.org"`, `"outcome":"failed"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestMailOffIsOff(t *testing.T) {
	var m app.MailOff
	if m.Enabled() {
		t.Error("MailOff is enabled")
	}
	m.Send(context.Background(), mailTo("a@example.org")) // drops it, without a panic
}
