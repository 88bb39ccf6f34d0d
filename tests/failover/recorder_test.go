package failover_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// credential is a session or token the load holds. Its fields never change after login.
type credential struct {
	user    *account
	kind    string // "token" or "session"
	secret  string // the token, or the sessionid cookie
	csrf    string // sessions only
	tokenID string // tokens only
	issued  time.Duration
}

// auth authenticates a request with the credential; bearer picks "Bearer" over "Token".
func (c *credential) auth(bearer bool) func(*http.Request) {
	if c.kind == "session" {
		return withSession(c.secret, c.csrf)
	}
	return withToken(c.secret, bearer)
}

// sample is one request of the run: which instance, what kind, when it started and ended
// (relative to the run's start, on the monotonic clock) and its status (0: no answer).
type sample struct {
	instance   int
	kind       string
	start, end time.Duration
	status     int
	cred       *credential // the credential that authenticated the request, if any
}

func (s sample) failed() bool { return s.status == 0 || s.status == http.StatusServiceUnavailable }
func (s sample) served() bool { return s.status != 0 && s.status < 500 }

// read reports whether the sample authenticates and writes nothing (a /me): what tells
// that an instance answers again. A revocation may rightly fail for longer, while no
// replica can make it durable.
func (s sample) read() bool { return strings.HasSuffix(s.kind, "/me") }

// acceptance is a 200 to a request authenticated by a credential.
type acceptance struct {
	cred     *credential
	start    time.Duration
	instance int
	kind     string
}

// revocation is the acknowledgement (a 2xx) of a logout, token revocation or password
// change that revoked a credential.
type revocation struct {
	ack time.Duration
	how string
}

// loss is an acknowledged credential, never revoked, later answered 401.
type loss struct {
	cred     *credential
	at       time.Duration
	instance int
	kind     string
}

func (l loss) String() string {
	return fmt.Sprintf("%s of %s issued at %v refused (%s on %c started at %v)", l.cred.kind, l.cred.user.name,
		l.cred.issued.Round(time.Millisecond), l.kind, rune('A'+l.instance), l.at.Round(time.Millisecond))
}

// event is something the test did to the topology, starting a phase of the run.
type event struct {
	name string
	at   time.Duration
}

// recorder collects what the run saw. It is safe for concurrent use.
type recorder struct {
	start time.Time

	mu        sync.Mutex
	samples   []sample
	accepted  []acceptance
	revoked   map[*credential]revocation
	attempted map[*credential]bool // a revocation was sent, maybe without an acknowledgement
	lost      []loss
	problems  []string // 500s, 200s for wrong credentials, answers the API never gives
	events    []event
}

func newRecorder() *recorder {
	return &recorder{start: time.Now(), revoked: map[*credential]revocation{}, attempted: map[*credential]bool{}}
}

// now is the time since the run started, on the monotonic clock.
func (r *recorder) now() time.Duration { return time.Since(r.start) }

// send sends req to instance i, records the sample and returns the reply and the time the
// request started. Any 5xx but 503 is a problem whatever the caller expected.
func (r *recorder) send(c *client, instances []*instance, i int, kind string, req request) (reply, time.Duration) {
	start := r.now()
	rep := c.send(instances[i].base(), req)
	s := sample{instance: i, kind: kind, start: start, end: r.now(), status: rep.status, cred: req.owner}
	if rep.err != nil {
		s.status = 0
	}
	r.mu.Lock()
	r.samples = append(r.samples, s)
	r.mu.Unlock()
	if rep.err == nil && rep.status >= 500 && rep.status != http.StatusServiceUnavailable {
		r.problem("%s on instance %s: %v", kind, instances[i].name, rep)
	}
	return rep, start
}

// accept records a 200 to a request authenticated by c that started at start.
func (r *recorder) accept(c *credential, start time.Duration, instance int, kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted = append(r.accepted, acceptance{cred: c, start: start, instance: instance, kind: kind})
}

// attempt records that a revocation of creds was sent, acknowledged or not.
func (r *recorder) attempt(creds ...*credential) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range creds {
		r.attempted[c] = true
	}
}

// revoke records that the revocation of creds was acknowledged now.
func (r *recorder) revoke(how string, creds ...*credential) {
	at := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range creds {
		r.attempted[c] = true
		if _, ok := r.revoked[c]; !ok {
			r.revoked[c] = revocation{ack: at, how: how}
		}
	}
}

// refused records a 401 to a request authenticated by c that started at start; it is a
// lost credential unless a revocation of c was ever sent.
func (r *recorder) refused(c *credential, start time.Duration, instance int, kind string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.attempted[c] {
		r.lost = append(r.lost, loss{cred: c, at: start, instance: instance, kind: kind})
	}
}

// problem records a failure of the run that no failover excuses.
// The same answer reported twice (by send for a 5xx, and by the step that got it) counts once.
func (r *recorder) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	at := r.now().Round(time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	if n := len(r.problems); n > 0 && strings.HasSuffix(r.problems[n-1], ": "+msg) {
		return
	}
	r.problems = append(r.problems, fmt.Sprintf("%v: %s", at, msg))
}

// mark records an event now and returns its time.
func (r *recorder) mark(name string) time.Duration {
	at := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{name: name, at: at})
	return at
}

// violation is a credential accepted by a request that started after its revocation was
// acknowledged: a revocation lost.
type violation struct {
	acceptance
	revocation
}

func (v violation) String() string {
	return fmt.Sprintf("%s of %s accepted by instance %c (%s started at %v) after its %s was acknowledged at %v",
		v.cred.kind, v.cred.user.name, rune('A'+v.instance), v.kind, v.start.Round(time.Millisecond), v.how, v.ack.Round(time.Millisecond))
}

// violations returns every revocation lost. A request that started before the
// acknowledgement was in flight when it came and may have been answered either way.
func (r *recorder) violations() []violation {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []violation
	for _, a := range r.accepted {
		if rv, ok := r.revoked[a.cred]; ok && a.start > rv.ack {
			out = append(out, violation{a, rv})
		}
	}
	return out
}

// row is the account of one phase of the run, from one event to the next.
type row struct {
	event             string
	from, to          time.Duration
	first503, last503 time.Duration // zero when there was no 503
	n503, failed      int
	served            int
	credentialsLost   int
	revocationsLost   int
	recovery          time.Duration // until every instance answered again after its last failure
	recovered         bool
}

// rows accounts for each phase that starts at an event and ends at the next or at end,
// attributing each request to the phase in which it started, and each lost credential to
// the first event after it was issued. Recovery is when the last instance to fail an
// authenticated read (503 or no answer) in the phase answered one again.
func (r *recorder) rows(end time.Duration, instances int) []row {
	violations := r.violations()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []row
	for i, e := range r.events {
		w := row{event: e.name, from: e.at, to: end, recovered: true}
		if i+1 < len(r.events) {
			w.to = r.events[i+1].at
		}
		in := func(t time.Duration) bool { return t >= w.from && t < w.to }
		lastFail := make([]time.Duration, instances)
		failedAny := make([]bool, instances)
		phase := make([]sample, 0, len(r.samples))
		for _, s := range r.samples {
			if !in(s.start) {
				continue
			}
			phase = append(phase, s)
			switch {
			case s.failed():
				w.failed++
				if s.read() && (!failedAny[s.instance] || s.start > lastFail[s.instance]) {
					lastFail[s.instance], failedAny[s.instance] = s.start, true
				}
				if s.status == http.StatusServiceUnavailable {
					if w.n503 == 0 || s.start < w.first503 {
						w.first503 = s.start
					}
					w.last503 = max(w.last503, s.end)
					w.n503++
				}
			case s.served():
				w.served++
			}
		}
		sort.Slice(phase, func(a, b int) bool { return phase[a].start < phase[b].start })
		for inst := range instances {
			if !failedAny[inst] {
				continue
			}
			back := time.Duration(-1)
			for _, s := range phase {
				if s.instance == inst && s.start > lastFail[inst] && s.read() && s.served() {
					back = s.end
					break
				}
			}
			if back < 0 {
				w.recovered = false
				continue
			}
			w.recovery = max(w.recovery, back-w.from)
		}
		// A loss is the doing of the first event after the credential was issued, however
		// late the load noticed it.
		for _, l := range r.lost {
			if l.cred.issued < w.from && (i == 0 || l.cred.issued >= r.events[i-1].at) {
				w.credentialsLost++
			}
		}
		for _, v := range violations {
			if in(v.start) {
				w.revocationsLost++
			}
		}
		out = append(out, w)
	}
	return out
}

// secs formats a duration as seconds with two decimals.
func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func (w row) window() string {
	if w.n503 == 0 {
		return "none"
	}
	return fmt.Sprintf("%s (%d × 503, %s → %s)", secs(w.last503-w.first503), w.n503, secs(w.first503-w.from), secs(w.last503-w.from))
}

func (w row) recoveryText() string {
	if !w.recovered {
		return "not within the phase"
	}
	return secs(w.recovery)
}

// table returns rows as a Markdown table, each row prefixed by the topology's name.
func table(lines []string) string {
	var b strings.Builder
	b.WriteString("| topology | event | 503 window (length, count, from → to after the event) | failed | served | credentials lost | revocations lost | time until every instance authenticates again |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func (w row) markdown(topology string) string {
	return fmt.Sprintf("| %s | %s | %s | %d | %d | %d | %d | %s |", topology, w.event, w.window(),
		w.failed, w.served, w.credentialsLost, w.revocationsLost, w.recoveryText())
}

// history lists the requests c authenticated, for the log of a lost credential.
func (r *recorder) history(c *credential) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, s := range r.samples {
		if s.cred == c {
			fmt.Fprintf(&b, "\n\t%v %s on %c: %d", s.start.Round(time.Millisecond), s.kind, rune('A'+s.instance), s.status)
		}
	}
	return b.String()
}

// kinds summarises each kind of request started in [from, to): how many, how many 503s or
// no answers, and the mean and longest time to answer. It is logged, never asserted.
func (r *recorder) kinds(from, to time.Duration) string {
	type agg struct {
		n, failed int
		sum, max  time.Duration
	}
	r.mu.Lock()
	m := map[string]*agg{}
	for _, s := range r.samples {
		if s.start < from || s.start >= to {
			continue
		}
		a := m[s.kind]
		if a == nil {
			a = &agg{}
			m[s.kind] = a
		}
		d := s.end - s.start
		a.n++
		a.sum += d
		a.max = max(a.max, d)
		if s.failed() {
			a.failed++
		}
	}
	r.mu.Unlock()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		a := m[k]
		fmt.Fprintf(&b, "\n\t%-22s %5d requests, %4d failed, mean %v, longest %v", k, a.n, a.failed,
			(a.sum / time.Duration(a.n)).Round(time.Millisecond), a.max.Round(time.Millisecond))
	}
	return b.String()
}
