package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// maxBody is the documented cap on request bodies.
const maxBody = 64 << 10

// paddedSignup returns a signup body of exactly n bytes whose username is blank, so a body
// the server reads in full is refused as 400 without any password hashing.
func paddedSignup(n int) []byte {
	const head, tail = `{"username":"","password":"","pad":"`, `"}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "fuzzer", "walrus-Cinder-6092")
	tok := s.token(t, a)

	t.Run("a body over 64 KiB is 413", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			size   int
			status int
		}{
			{"64 KiB + 1", maxBody + 1, http.StatusRequestEntityTooLarge},
			{"1 MiB", 1 << 20, http.StatusRequestEntityTooLarge},
			{"exactly 64 KiB", maxBody, http.StatusBadRequest},
		} {
			for _, mode := range []string{"with Content-Length", "chunked"} {
				t.Run(tc.name+" "+mode, func(t *testing.T) {
					opts := []opt{rawBody("application/json", paddedSignup(tc.size))}
					if mode == "chunked" {
						opts = append(opts, chunked())
					}
					s.do(t, "POST", "/v1/auth/signup", opts...).expect(t, tc.status)
				})
			}
		}
	})

	t.Run("a body over 64 KiB is 413 where no body is expected", func(t *testing.T) {
		// Basic logout revokes nothing, so the request can be repeated.
		for _, mode := range []string{"with Content-Length", "chunked"} {
			t.Run(mode, func(t *testing.T) {
				opts := []opt{withBasic(a.username, a.password), rawBody("application/json", paddedSignup(maxBody+1))}
				if mode == "chunked" {
					opts = append(opts, chunked())
				}
				s.do(t, "POST", "/v1/auth/logout", opts...).expect(t, http.StatusRequestEntityTooLarge)
			})
		}
	})

	t.Run("a body that is not JSON where JSON is required is 415", func(t *testing.T) {
		form := url.Values{"username": {"x"}, "password": {"y"}}.Encode()
		for _, tc := range []struct {
			path, contentType, body string
			auth                    bool
		}{
			{"/v1/auth/signup", "text/plain", `{"username":"x","password":"y"}`, false},
			{"/v1/auth/signup", "application/x-www-form-urlencoded", form, false},
			{"/v1/auth/signup", "", `{"username":"x","password":"y"}`, false},
			{"/v1/auth/token", "text/plain", `{"username":"x","password":"y"}`, false},
			{"/v1/auth/token", "application/x-www-form-urlencoded", form, false},
			{"/v1/auth/login", "text/plain", form, false},
			{"/v1/auth/password", "text/plain", `{"old_password":"x","new_password":"y"}`, true},
		} {
			t.Run(tc.path+" "+tc.contentType, func(t *testing.T) {
				opts := []opt{rawBody(tc.contentType, []byte(tc.body))}
				if tc.auth {
					opts = append(opts, withToken(tok.secret))
				}
				s.do(t, "POST", tc.path, opts...).expect(t, http.StatusUnsupportedMediaType)
			})
		}
	})

	t.Run("JSON with a charset or in upper case is accepted", func(t *testing.T) {
		// A blank username proves the body was read as JSON without hashing any password.
		for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON"} {
			s.do(t, "POST", "/v1/auth/signup", rawBody(ct, []byte(`{"username":"","password":""}`))).fieldErrors(t, "username")
		}
	})

	t.Run("malformed JSON is 400", func(t *testing.T) {
		for _, body := range []string{
			``, `{"username":`, `{username:"x"}`, `{"username":"x",}`, `{"a":"b"} {"c":"d"}`, "\xff\xfe",
		} {
			s.do(t, "POST", "/v1/auth/signup", rawBody("application/json", []byte(body))).expect(t, http.StatusBadRequest)
		}
	})

	t.Run("a JSON value other than an object is 400", func(t *testing.T) {
		deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		for _, body := range []string{`[]`, `[{"username":"x","password":"y"}]`, `"x"`, `42`, `null`, `true`, deep} {
			s.do(t, "POST", "/v1/auth/signup", rawBody("application/json", []byte(body))).expect(t, http.StatusBadRequest)
		}
	})

	t.Run("a field of the wrong type is 400 in errors", func(t *testing.T) {
		for _, tc := range []struct {
			path  string
			body  map[string]any
			field string
		}{
			{"/v1/auth/signup", map[string]any{"username": 42, "password": "tidal-Ferry-5561"}, "username"},
			{"/v1/auth/signup", map[string]any{"username": nil, "password": "tidal-Ferry-5561"}, "username"},
			{"/v1/auth/signup", map[string]any{"username": "typed", "password": true}, "password"},
			{"/v1/auth/signup", map[string]any{"username": "typed", "password": "tidal-Ferry-5561", "email": 7}, "email"},
			{"/v1/auth/signup", map[string]any{"username": []string{"x"}, "password": "tidal-Ferry-5561"}, "username"},
			{"/v1/auth/token", map[string]any{"username": "typed", "password": map[string]any{}}, "password"},
			{"/v1/auth/token", map[string]any{"username": "typed", "password": "tidal-Ferry-5561", "name": 5}, "name"},
			{"/v1/auth/login", map[string]any{"username": 1.5, "password": "tidal-Ferry-5561"}, "username"},
		} {
			t.Run(fmt.Sprintf("%s %s", tc.path, tc.field), func(t *testing.T) {
				s.do(t, "POST", tc.path, jsonBody(tc.body)).fieldErrors(t, tc.field)
			})
		}
	})

	t.Run("missing fields are 400 in errors", func(t *testing.T) {
		for _, tc := range []struct {
			path   string
			body   opt
			fields []string
		}{
			{"/v1/auth/signup", jsonBody(map[string]any{}), []string{"username", "password"}},
			{"/v1/auth/signup", jsonBody(map[string]any{"username": "lonely"}), []string{"password"}},
			{"/v1/auth/token", jsonBody(map[string]any{}), []string{"username", "password"}},
			{"/v1/auth/login", jsonBody(map[string]any{"password": "tidal-Ferry-5561"}), []string{"username"}},
			{"/v1/auth/login", formBody(url.Values{}), []string{"username", "password"}},
			{"/v1/auth/password", jsonBody(map[string]any{}), []string{"old_password", "new_password"}},
		} {
			t.Run(tc.path, func(t *testing.T) {
				r := s.do(t, "POST", tc.path, tc.body, withToken(tok.secret))
				for _, f := range tc.fields {
					r.fieldErrors(t, f)
				}
			})
		}
	})

	t.Run("a malformed Authorization header is 401", func(t *testing.T) {
		b64 := base64.StdEncoding.EncodeToString
		for _, tc := range []struct{ name, value string }{
			{"unknown scheme", "Digest username=\"fuzzer\""},
			{"scheme without a space", "Token" + tok.secret},
			{"empty token", "Token"},
			{"empty bearer", "Bearer"},
			{"token with a space", "Token " + tok.secret + " extra"},
			{"empty basic", "Basic"},
			{"basic not base64", "Basic !!!not-base64!!!"},
			{"basic without a colon", "Basic " + b64([]byte("fuzzer"))},
			{"basic not UTF-8", "Basic " + b64([]byte("fuzzer:\xff\xfe"))},
			{"basic with an empty username", "Basic " + b64([]byte(":"+a.password))},
			{"over-long token", "Token " + strings.Repeat("a", 5000)},
			{"over-long basic", "Basic " + b64([]byte("fuzzer:"+strings.Repeat("p", 5000)))},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.do(t, "GET", "/v1/auth/me", header("Authorization", tc.value)).expect(t, http.StatusUnauthorized)
			})
		}
	})

	t.Run("two Authorization headers are 400", func(t *testing.T) {
		s.do(t, "GET", "/v1/auth/me", withToken(tok.secret), withToken(tok.secret)).expect(t, http.StatusBadRequest)
	})

	t.Run("an unknown route is 404", func(t *testing.T) {
		for _, path := range []string{"/nope", "/v1/auth", "/v1/auth/ME", "/v1/auth/tokens/x/y", "/v2/auth/me"} {
			s.do(t, "GET", path, withToken(tok.secret)).expect(t, http.StatusNotFound)
		}
		// "/" is a page now: it sends browsers on to their account.
		if r, err := s.sendUnchecked("GET", "/"); err != nil || r.status != http.StatusSeeOther || r.header.Get("Location") != "/account" {
			t.Errorf("GET /: %v, %v; want 303 to /account", r, err)
		}
	})

	t.Run("a known route with a trailing slash is 404", func(t *testing.T) {
		for _, tc := range []struct{ method, path string }{
			{"GET", "/v1/auth/me/"},
			{"POST", "/v1/auth/login/"},
			{"GET", "/healthz/"},
		} {
			if r := s.do(t, tc.method, tc.path, withToken(tok.secret)); r.status != http.StatusNotFound {
				t.Errorf("%s %s: status %d (Location %q), want 404", tc.method, tc.path, r.status, r.header.Get("Location"))
			}
		}
	})

	t.Run("a wrong method is 405", func(t *testing.T) {
		for _, tc := range []struct{ method, path, allow string }{
			{"GET", "/v1/auth/login", "POST"},
			{"GET", "/v1/auth/signup", "POST"},
			{"PUT", "/v1/auth/me", "GET"},
			{"POST", "/v1/auth/tokens", "GET"},
			{"PATCH", "/v1/auth/sessions/0123456789abcdef0123456789abcdef", "DELETE"},
			{"DELETE", "/healthz", "GET"},
		} {
			r := s.do(t, tc.method, tc.path, withToken(tok.secret)).expect(t, http.StatusMethodNotAllowed)
			if allow := strings.Split(r.header.Get("Allow"), ", "); !slices.Contains(allow, tc.allow) {
				t.Errorf("%s %s: Allow = %q, want it to list %s", tc.method, tc.path, r.header.Get("Allow"), tc.allow)
			}
		}
	})

	// The bad requests above did not disturb the good credential.
	s.me(t, withToken(tok.secret))
}
