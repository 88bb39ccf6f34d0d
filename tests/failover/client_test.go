package failover_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// clientTimeout bounds every request: a failover must be answered (503 at worst) well
// within it, and a request that is not has hung.
const clientTimeout = 10 * time.Second

// password is the first password of every account the tests make.
const password = "tranquil harbour lantern"

// request is one HTTP request the tests send.
type request struct {
	method, path string
	body         any // sent as JSON unless nil
	cred         func(*http.Request)
	owner        *credential // the load's credential behind cred, recorded with the reply
}

// reply is what came back: a whole response or the error that stood in for one.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (r reply) String() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	return fmt.Sprintf("%d %.200s", r.status, r.body)
}

// failed reports whether the request failed for a reason a client would retry: no
// answer, or 503.
func (r reply) failed() bool { return r.err != nil || r.status == http.StatusServiceUnavailable }

// object decodes a JSON object body, or returns nil.
func (r reply) object() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.body, &m)
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

// client sends requests to the instances; it is safe for concurrent use.
type client struct{ http *http.Client }

func newClient() *client {
	return &client{http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
}

// send sends req to base and reads the whole response within clientTimeout.
func (c *client) send(base string, req request) reply {
	var body io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			panic(err)
		}
		body = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clientTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.method, base+req.path, body)
	if err != nil {
		return reply{err: err}
	}
	if req.body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.cred != nil {
		req.cred(hr)
	}
	res, err := c.http.Do(hr)
	if err != nil {
		return reply{err: err}
	}
	defer res.Body.Close()
	r := reply{status: res.StatusCode, header: res.Header}
	r.body, r.err = io.ReadAll(res.Body)
	return r
}

// withToken authenticates with "Authorization: Token <secret>", or Bearer when bearer is set.
func withToken(secret string, bearer bool) func(*http.Request) {
	scheme := "Token "
	if bearer {
		scheme = "Bearer "
	}
	return func(r *http.Request) { r.Header.Set("Authorization", scheme+secret) }
}

// withSession sends the session cookie and the CSRF token as a browser script would.
func withSession(cookie, csrf string) func(*http.Request) {
	return func(r *http.Request) {
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: csrf})
		r.Header.Set("X-CSRFToken", csrf)
	}
}

// withBasic authenticates with HTTP Basic (RFC 7617).
func withBasic(username, password string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(username, password) }
}
