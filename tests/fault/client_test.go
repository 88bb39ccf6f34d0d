package fault_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"testing"
	"time"
)

const (
	// clientTimeout bounds every request of the load, the probes and the recovery: a store
	// outage must be answered well within it, and a request that is not has hung.
	clientTimeout = 10 * time.Second
	// setupTimeout bounds the requests that set up a test while the stores are healthy, so a
	// busy machine slows them down without failing them.
	setupTimeout = 30 * time.Second
)

// request is one HTTP request the tests send.
type request struct {
	method, path string
	body         any // sent as JSON unless nil
	cred         func(*http.Request)
}

// withToken authenticates with "Authorization: Token <secret>".
func withToken(secret string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Token "+secret) }
}

// withBasic authenticates with HTTP Basic (RFC 7617).
func withBasic(username, password string) func(*http.Request) {
	return func(r *http.Request) {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(username+":"+password)))
	}
}

// withSession sends the session cookie and the CSRF token as a browser script would.
func withSession(s session) func(*http.Request) {
	return func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: s.cookie})
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: s.csrf})
		r.Header.Set("X-CSRFToken", s.csrf)
	}
}

// reply is what came back for a request: a whole response, or the error that stood in for
// one, and when the request started and how long it took.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
	start  time.Time
	took   time.Duration
}

func (r reply) String() string {
	if r.err != nil {
		return fmt.Sprintf("error after %v: %v", r.took.Round(time.Millisecond), r.err)
	}
	return fmt.Sprintf("%d after %v: %.200s", r.status, r.took.Round(time.Millisecond), r.body)
}

// send sends req and reads the whole response within clientTimeout. It never fails the
// test, so that it can be called from load goroutines; the caller judges the reply.
func (s *server) send(req request) reply { return s.sendWithin(req, clientTimeout) }

// sendWithin is send with another timeout.
func (s *server) sendWithin(req request, timeout time.Duration) reply {
	var body io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			panic(err)
		}
		body = bytes.NewReader(b)
	}
	start := time.Now()
	r := reply{start: start}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.method, s.base+req.path, body)
	if err != nil {
		r.err = err
		return r
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.cred != nil {
		req.cred(hr)
	}
	res, err := s.http.Do(hr)
	if err == nil {
		r.status, r.header = res.StatusCode, res.Header
		r.body, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	r.err, r.took = err, time.Since(start)
	return r
}

// problem is an RFC 9457 problem document as Gatehouse writes it.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// problemError says what is wrong with an error reply as a problem document, or nil.
func problemError(r reply) error {
	ct, _, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil || ct != "application/problem+json" {
		return fmt.Errorf("status %d with Content-Type %q, want application/problem+json", r.status, r.header.Get("Content-Type"))
	}
	var p problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		return fmt.Errorf("status %d, body is not a problem document: %v: %s", r.status, err, r.body)
	}
	if p.Type == "" || p.Title == "" || p.Detail == "" || p.Status != r.status {
		return fmt.Errorf("status %d, want type, title, detail non-empty and status %d: %s", r.status, r.status, r.body)
	}
	return nil
}

// unavailableError says how r falls short of the answer to a request whose store is down —
// 503, a problem document with a detail, and a Retry-After of whole seconds — or nil.
func unavailableError(r reply) error {
	if r.err != nil {
		return fmt.Errorf("no answer: %v", r)
	}
	if r.status != http.StatusServiceUnavailable {
		return fmt.Errorf("status %d, want 503: %v", r.status, r)
	}
	if err := problemError(r); err != nil {
		return err
	}
	if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 {
		return fmt.Errorf("503 with Retry-After %q, want a positive number of seconds", r.header.Get("Retry-After"))
	}
	return nil
}

// statusError says how r differs from an answer with the given status, or nil. A 503 must
// also be a proper outage answer and any other error status a problem document.
func statusError(r reply, status int) error {
	switch {
	case r.err != nil:
		return fmt.Errorf("no answer: %v", r)
	case r.status != status:
		return fmt.Errorf("status %d, want %d: %v", r.status, status, r)
	case status == http.StatusServiceUnavailable:
		return unavailableError(r)
	case status >= 400:
		return problemError(r)
	}
	return nil
}

// object decodes the body of a 200 or 201 reply, failing t otherwise.
func (r reply) object(t testing.TB, what string) map[string]any {
	t.Helper()
	if r.err != nil || r.status/100 != 2 {
		t.Fatalf("%s: %v", what, r)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s: body is not a JSON object: %v: %s", what, err, r.body)
	}
	return m
}

// cookie returns the value of the Set-Cookie of that name, or "".
func (r reply) cookie(name string) string {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}
