package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// request is what an opt shapes before client sends it.
type request struct {
	header  http.Header
	cookies []*http.Cookie
	body    []byte
	hasBody bool
	chunked bool // send the body without Content-Length
}

// opt adds something to a request: a body, a header, a credential.
type opt func(*request)

// jsonBody sends v as a JSON body.
func jsonBody(v any) opt {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return rawBody("application/json", b)
}

// formBody sends v as an HTML form.
func formBody(v url.Values) opt {
	return rawBody("application/x-www-form-urlencoded", []byte(v.Encode()))
}

// rawBody sends b as the body with the given Content-Type ("" sends none).
func rawBody(contentType string, b []byte) opt {
	return func(r *request) {
		r.body, r.hasBody = b, true
		if contentType != "" {
			r.header.Set("Content-Type", contentType)
		}
	}
}

// chunked sends the body with chunked transfer encoding, so no Content-Length announces it.
func chunked() opt { return func(r *request) { r.chunked = true } }

// header adds a request header; adding the same name twice sends it twice.
func header(name, value string) opt { return func(r *request) { r.header.Add(name, value) } }

// cookie sends a cookie.
func cookie(name, value string) opt {
	return func(r *request) { r.cookies = append(r.cookies, &http.Cookie{Name: name, Value: value}) }
}

// withToken authenticates with "Authorization: Token <secret>".
func withToken(secret string) opt { return header("Authorization", "Token "+secret) }

// withBasic authenticates with HTTP Basic (RFC 7617).
func withBasic(username, password string) opt {
	return header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(username+":"+password)))
}

// withSession sends the session cookie and the CSRF token as a browser script would.
func withSession(s session) opt {
	return func(r *request) {
		cookie("sessionid", s.cookie)(r)
		cookie("csrftoken", s.csrf)(r)
		r.header.Set("X-CSRFToken", s.csrf)
	}
}

// withSessionCookie sends only the session cookie, as a forged cross-site form would.
func withSessionCookie(value string) opt { return cookie("sessionid", value) }

// response is a whole HTTP response, body read.
type response struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
	cookies      []*http.Cookie
}

// do sends one request and returns the response. Every secret the request carries or the
// response hands out is recorded for the server's leak check, every error response is
// checked to be a problem document, and every response to match the OpenAPI document.
func (s *server) do(t testing.TB, method, path string, opts ...opt) *response {
	t.Helper()
	r := &request{header: http.Header{}}
	for _, o := range opts {
		o(r)
	}
	var body io.Reader
	if r.hasBody {
		body = bytes.NewReader(r.body)
		if r.chunked {
			body = io.MultiReader(body) // hides the length from net/http
		}
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header = r.header
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	s.recordRequestSecrets(r)

	res, err := s.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	resp := &response{method: method, path: path, status: res.StatusCode, header: res.Header,
		body: b, cookies: res.Cookies()}
	s.recordResponseSecrets(resp)
	if resp.status >= 400 {
		resp.problem(t)
	}
	checkOpenAPI(t, req, resp)
	return resp
}

// requestSecretFields are the body fields, JSON or form, that carry secrets: passwords (the
// reset page's form asks for the new one twice), and the token of a password reset link.
var requestSecretFields = []string{"password", "old_password", "new_password", "new_password2", "token", "ticket", "recovery_code"}

func (s *server) recordRequestSecrets(r *request) {
	for _, v := range r.header.Values("Authorization") {
		s.secret(v)
		if _, cred, ok := strings.Cut(v, " "); ok {
			s.secret(cred)
			if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
				s.secret(string(raw))
				if _, pw, ok := strings.Cut(string(raw), ":"); ok {
					s.secret(pw)
				}
			}
		}
	}
	s.secret(r.header.Get("X-CSRFToken"))
	for _, c := range r.cookies {
		s.secret(c.Value)
	}
	if !r.hasBody {
		return
	}
	ct, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		if json.Unmarshal(r.body, &m) == nil {
			for _, f := range requestSecretFields {
				if v, ok := m[f].(string); ok {
					s.secret(v)
				}
			}
		}
	case "application/x-www-form-urlencoded":
		if vals, err := url.ParseQuery(string(r.body)); err == nil {
			for _, f := range requestSecretFields {
				s.secret(vals.Get(f))
			}
		}
	}
}

func (s *server) recordResponseSecrets(r *response) {
	for _, c := range r.cookies {
		s.secret(c.Value)
	}
	var m map[string]any
	if json.Unmarshal(r.body, &m) == nil {
		for _, f := range []string{"token", "ticket", "secret", "otpauth_uri"} {
			if v, ok := m[f].(string); ok {
				s.secret(v)
			}
		}
	}
}

// expect fails the test at once unless the response has the given status.
func (r *response) expect(t testing.TB, status int) *response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", r.method, r.path, r.status, status, r.body)
	}
	return r
}

// object decodes the body as a JSON object.
func (r *response) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %s", r.method, r.path, err, r.body)
	}
	return m
}

// array decodes the body as a JSON array of objects.
func (r *response) array(t testing.TB) []map[string]any {
	t.Helper()
	var a []map[string]any
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatalf("%s %s: body is not a JSON array of objects: %v: %s", r.method, r.path, err, r.body)
	}
	return a
}

// cookie returns the Set-Cookie of that name, or nil.
func (r *response) cookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// problemDoc is an RFC 9457 problem document as Gatehouse writes it.
type problemDoc struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors map[string][]string `json:"errors"`
	Code   string              `json:"code"`
}

// problem checks that the response is a problem document whose status matches the HTTP
// status, and returns it.
func (r *response) problem(t testing.TB) problemDoc {
	t.Helper()
	var p problemDoc
	ct, _, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil || ct != "application/problem+json" {
		t.Errorf("%s %s: status %d with Content-Type %q, want application/problem+json",
			r.method, r.path, r.status, r.header.Get("Content-Type"))
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Errorf("%s %s: status %d, body is not a problem document: %v: %s", r.method, r.path, r.status, err, r.body)
		return p
	}
	if p.Type == "" || p.Title == "" || p.Detail == "" || p.Status != r.status {
		t.Errorf("%s %s: status %d, want type, title, detail non-empty and status %d: %s",
			r.method, r.path, r.status, r.status, r.body)
	}
	return p
}

// fieldErrors returns the messages of errors.<field> of a 400 response, failing the test at
// once when the status is not 400 or the field has no message.
func (r *response) fieldErrors(t testing.TB, field string) []string {
	t.Helper()
	r.expect(t, http.StatusBadRequest)
	msgs := r.problem(t).Errors[field]
	if len(msgs) == 0 {
		t.Fatalf("%s %s: no errors.%s in %s", r.method, r.path, field, r.body)
	}
	return msgs
}

// keys returns the sorted keys of m, joined by commas.
func keys(m map[string]any) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ",")
}
