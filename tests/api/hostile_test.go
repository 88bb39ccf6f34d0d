package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// sendUnchecked sends one request like server.do, recording its secrets, but returns
// transport errors instead of failing the test and does not require a problem document:
// some refusals (431) come from net/http itself, and goroutines may not call t.Fatal.
func (s *server) sendUnchecked(method, path string, opts ...opt) (*response, error) {
	r := &request{header: http.Header{}}
	for _, o := range opts {
		o(r)
	}
	var body io.Reader
	if r.hasBody {
		body = bytes.NewReader(r.body)
		if r.chunked {
			body = io.MultiReader(body)
		}
	}
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		return nil, err
	}
	req.Header = r.header
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	s.recordRequestSecrets(r)
	res, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	resp := &response{method: method, path: path, status: res.StatusCode, header: res.Header,
		body: b, cookies: res.Cookies()}
	s.recordResponseSecrets(resp)
	return resp, nil
}

// manyCookies returns a Cookie header of n cookies named prefix0, prefix1, ...
func manyCookies(n int, prefix string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(prefix)
		b.WriteString(strings.Repeat("x", i%3)) // names need not be unique; vary them a little
		b.WriteString("=1")
	}
	return b.String()
}

// hostileCase is one hostile request and the answer it must get.
type hostileCase struct {
	name         string
	method, path string
	opts         []opt
	// statuses lists the acceptable statuses; the first is the one expected today.
	statuses []int
	// field, when set, must carry a message in errors.<field> of a 400.
	field string
	// notProblem marks answers that net/http writes itself, before Gatehouse sees the
	// request: they are plain text, not problem documents.
	notProblem bool
}

// TestHostileInput sends one server a table of hostile requests, each with the status it
// must get. None may be a 500, and the server keeps serving the good credential afterwards.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "hostile", "ember-Lantern-4471")
	tok := s.token(t, a)
	user := func(password string) opt {
		return jsonBody(map[string]any{"username": a.username, "password": password})
	}
	jsonText := func(body string) opt { return rawBody("application/json", []byte(body)) }
	long := strings.Repeat("u", 1000)
	mib := strings.Repeat("p", 1<<20)

	tests := []hostileCase{
		// Size limits: net/http refuses headers over MaxHeaderBytes (64 KiB, plus the 4 KiB
		// slack net/http allows) with its own 431; Gatehouse refuses bodies over 64 KiB.
		{name: "a 128 KiB header", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("X-Padding", strings.Repeat("a", 128<<10))}, statuses: []int{431}, notProblem: true},
		{name: "a 128 KiB Authorization header", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("Authorization", "Token "+strings.Repeat("a", 128<<10))}, statuses: []int{431}, notProblem: true},
		{name: "an 8 KiB Authorization header", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("Authorization", "Basic "+strings.Repeat("QUFB", 2<<10))}, statuses: []int{401}},
		{name: "a 1 MiB body", method: "POST", path: "/v1/auth/signup",
			opts: []opt{rawBody("application/json", paddedSignup(1<<20))}, statuses: []int{413}},
		{name: "a 1 MiB username", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonBody(map[string]string{"username": mib, "password": "ember-Lantern-4471"})}, statuses: []int{413}},
		{name: "a 1 MiB password at signup", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonBody(map[string]string{"username": s.name("big"), "password": mib})}, statuses: []int{413}},
		{name: "a 1 MiB password at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{user(mib)}, statuses: []int{413}},
		{name: "a chunked body of 64 KiB + 1", method: "POST", path: "/v1/auth/signup",
			opts: []opt{rawBody("application/json", paddedSignup(maxBody+1)), chunked()}, statuses: []int{413}},
		{name: "a chunked 1 MiB body to a route that reads none", method: "GET", path: "/v1/auth/me",
			opts: []opt{withToken(tok.secret), rawBody("application/json", paddedSignup(1<<20)), chunked()}, statuses: []int{413}},
		{name: "a chunked 1 MiB password change", method: "POST", path: "/v1/auth/password",
			opts:     []opt{withToken(tok.secret), jsonBody(map[string]string{"old_password": a.password, "new_password": mib}), chunked()},
			statuses: []int{413}},

		// Overlong values within the body limit.
		{name: "a 1000-character username at signup", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonBody(map[string]string{"username": long, "password": "ember-Lantern-4471"})}, statuses: []int{400}, field: "username"},
		{name: "a 1000-character username at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonBody(map[string]string{"username": long, "password": "ember-Lantern-4471"})}, statuses: []int{401}},
		{name: "a 5000-byte password at signup", method: "POST", path: "/v1/auth/signup",
			opts:     []opt{jsonBody(map[string]string{"username": s.name("wordy"), "password": strings.Repeat("aB3-", 1250)})},
			statuses: []int{400}, field: "password"},
		{name: "a 5000-byte password at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{user(strings.Repeat("aB3-", 1250))}, statuses: []int{401}},
		{name: "a 5000-byte old password", method: "POST", path: "/v1/auth/password",
			opts:     []opt{withToken(tok.secret), jsonBody(map[string]string{"old_password": strings.Repeat("aB3-", 1250), "new_password": "fresh-Otter-Dance-31"})},
			statuses: []int{400}, field: "old_password"},
		{name: "a 200-character token name", method: "POST", path: "/v1/auth/token",
			opts:     []opt{jsonBody(map[string]string{"username": a.username, "password": a.password, "name": strings.Repeat("n", 200)})},
			statuses: []int{400}, field: "name"},

		// Null bytes and invalid UTF-8 in every field.
		{name: "a null byte in a username at signup", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonBody(map[string]string{"username": s.name("nul\x00l"), "password": "ember-Lantern-4471"})}, statuses: []int{400}, field: "username"},
		{name: "invalid UTF-8 in a username at signup", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonText(`{"username":"bad` + "\xff\xfe" + `name","password":"ember-Lantern-4471"}`)}, statuses: []int{400}, field: "username"},
		{name: "a null byte in an email", method: "POST", path: "/v1/auth/signup",
			opts:     []opt{jsonBody(map[string]string{"username": s.name("mailnul"), "password": "ember-Lantern-4471", "email": "a\x00b@example.com"})},
			statuses: []int{400}, field: "email"},
		{name: "a null byte in a token name", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonBody(map[string]string{"username": a.username, "password": a.password, "name": "phone\x00"})}, statuses: []int{400}, field: "name"},
		{name: "a control character in a token name", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonBody(map[string]string{"username": a.username, "password": a.password, "name": "line\nbreak"})}, statuses: []int{400}, field: "name"},
		{name: "a null byte in a username at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonBody(map[string]string{"username": a.username + "\x00", "password": a.password})}, statuses: []int{401}},
		{name: "a null byte after the password at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{user(a.password + "\x00")}, statuses: []int{401}},
		{name: "a null byte before the password at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{user("\x00" + a.password)}, statuses: []int{401}},
		{name: "invalid UTF-8 in a form username", method: "POST", path: "/v1/auth/login",
			opts: []opt{rawBody("application/x-www-form-urlencoded", []byte("username=%FF%FE&password=ember-Lantern-4471"))}, statuses: []int{400}},
		{name: "invalid UTF-8 in a form password", method: "POST", path: "/v1/auth/login",
			opts: []opt{rawBody("application/x-www-form-urlencoded", []byte("username="+url.QueryEscape(a.username)+"&password=%FF%FE%00"))}, statuses: []int{400}},
		{name: "a null byte in a Basic username", method: "GET", path: "/v1/auth/me",
			opts: []opt{withBasic(a.username+"\x00", a.password)}, statuses: []int{401}},
		{name: "invalid UTF-8 in a Basic password", method: "GET", path: "/v1/auth/me",
			opts: []opt{withBasic(a.username, "\xff\xfe"+a.password)}, statuses: []int{401}},

		// Metacharacters that are not allowed where they could matter.
		{name: "an email that net/mail refuses", method: "POST", path: "/v1/auth/signup",
			opts:     []opt{jsonBody(map[string]string{"username": s.name("quoted"), "password": "ember-Lantern-4471", "email": `o'brien+"x"--@example.com`})},
			statuses: []int{400}, field: "email"},
		{name: "a SQL comment in a username", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonBody(map[string]string{"username": "x'--", "password": "ember-Lantern-4471"})}, statuses: []int{400}, field: "username"},
		{name: "a SQL injection as the username at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonBody(map[string]string{"username": "' OR '1'='1' -- ", "password": "' OR '1'='1' -- "})}, statuses: []int{401}},
		{name: "a Redis glob as the username at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonBody(map[string]string{"username": "*", "password": a.password})}, statuses: []int{401}},

		// Values of the wrong JSON type.
		{name: "a number as a username", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonText(`{"username":12345,"password":"ember-Lantern-4471"}`)}, statuses: []int{400}, field: "username"},
		{name: "an array as a password", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonText(`{"username":"arr","password":["ember-Lantern-4471"]}`)}, statuses: []int{400}, field: "password"},
		{name: "an object as an email", method: "POST", path: "/v1/auth/signup",
			opts: []opt{jsonText(`{"username":"obj","password":"ember-Lantern-4471","email":{"$ne":null}}`)}, statuses: []int{400}, field: "email"},
		{name: "a bool as a password at login", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonText(`{"username":"x","password":true}`)}, statuses: []int{400}, field: "password"},
		{name: "an object as a username at login", method: "POST", path: "/v1/auth/login",
			opts: []opt{jsonText(`{"username":{"$gt":""},"password":"x"}`)}, statuses: []int{400}, field: "username"},
		{name: "a number as a token name", method: "POST", path: "/v1/auth/token",
			opts: []opt{jsonText(`{"username":"x","password":"y","name":1e400}`)}, statuses: []int{400}, field: "name"},
		{name: "an array as an old password", method: "POST", path: "/v1/auth/password",
			opts: []opt{withToken(tok.secret), jsonText(`{"old_password":[],"new_password":"fresh-Otter-Dance-31"}`)}, statuses: []int{400}, field: "old_password"},
		{name: "null as a new password", method: "POST", path: "/v1/auth/password",
			opts: []opt{withToken(tok.secret), jsonText(`{"old_password":"x","new_password":null}`)}, statuses: []int{400}, field: "new_password"},

		// Many cookies. net/http keeps no cookie at all from a request with more than 3,000
		// (GODEBUG httpcookiemaxnum), so a session hidden among them is ignored: fail closed.
		{name: "10,000 cookies in one header", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("Cookie", manyCookies(10000, "c"))}, statuses: []int{401, 403}},
		{name: "10,000 cookies over the header limit", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("Cookie", manyCookies(10000, "cookie_number"))}, statuses: []int{431}, notProblem: true},
		{name: "10,000 cookie headers", method: "GET", path: "/v1/auth/me",
			opts: slices.Repeat([]opt{header("Cookie", "c=1")}, 10000), statuses: []int{431}, notProblem: true},
		{name: "10,000 cookies and a token", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("Cookie", manyCookies(10000, "c")), withToken(tok.secret)}, statuses: []int{200}},

		// Authorization repeated: no scheme defines what two headers mean.
		{name: "the same token twice", method: "GET", path: "/v1/auth/me",
			opts: []opt{withToken(tok.secret), withToken(tok.secret)}, statuses: []int{400}},
		{name: "a token and Basic", method: "GET", path: "/v1/auth/me",
			opts: []opt{withToken(tok.secret), withBasic(a.username, a.password)}, statuses: []int{400}},
		{name: "an empty Authorization and a token", method: "GET", path: "/v1/auth/me",
			opts: []opt{header("Authorization", ""), withToken(tok.secret)}, statuses: []int{400}},
		{name: "two Authorization headers at logout", method: "POST", path: "/v1/auth/logout",
			opts: []opt{withToken(tok.secret), withToken(tok.secret)}, statuses: []int{400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *response
			if tt.notProblem {
				var err error
				if r, err = s.sendUnchecked(tt.method, tt.path, tt.opts...); err != nil {
					t.Fatalf("%s %s: %v", tt.method, tt.path, err)
				}
			} else {
				r = s.do(t, tt.method, tt.path, tt.opts...)
			}
			if !slices.Contains(tt.statuses, r.status) {
				t.Fatalf("%s %s: status %d, want one of %v; body: %.300s", tt.method, tt.path, r.status, tt.statuses, r.body)
			}
			if tt.field != "" {
				r.fieldErrors(t, tt.field)
			}
		})
	}

	t.Run("hostile form tokens on the login and signup forms are refused", func(t *testing.T) {
		// The anonymous forms' CSRF token is a signature of the cookie's nonce (issue #14):
		// no made-up, malformed or oversized pair passes, none is a 500, none logs anyone in.
		nonce, token := s.loginFormToken(t)
		huge := strings.Repeat("A", 60<<10)
		for _, tc := range []struct{ name, cookieHeader, field string }{
			{"made-up pair", "formcsrf=a", "a"},
			{"empty cookie", "formcsrf=", token},
			{"two cookies, the forged one first", "formcsrf=a; formcsrf=" + nonce, token},
			{"quoted nonce, wrong field", `formcsrf="` + nonce + `"`, nonce},
			{"huge field", "formcsrf=" + nonce, huge},
			{"huge cookie", "formcsrf=" + huge[:4000], huge[:4000]},
			{"invalid UTF-8 field", "formcsrf=" + nonce, token[:40] + "\xff\xfe"},
			{"NUL in the field", "formcsrf=" + nonce, token + "\x00"},
			{"token in standard base64", "formcsrf=" + nonce, strings.NewReplacer("-", "+", "_", "/").Replace(token) + "="},
		} {
			for _, path := range []string{"/login", "/signup"} {
				r, err := s.sendUnchecked("POST", path, header("Cookie", tc.cookieHeader), header("Origin", s.base),
					formBody(url.Values{"username": {a.username}, "password": {a.password}, "csrfmiddlewaretoken": {tc.field}}))
				if err != nil {
					t.Fatalf("%s %s: %v", tc.name, path, err)
				}
				if r.status != http.StatusForbidden || r.cookie("sessionid") != nil {
					t.Errorf("%s %s: status %d, session cookie %v; want 403 and none", tc.name, path, r.status, r.cookie("sessionid"))
				}
			}
		}
	})

	t.Run("a password with a null byte is the whole password", func(t *testing.T) {
		// A store or hasher that treated passwords as C strings would cut them at the NUL.
		b := s.signup(t, "nulpass", "nul\x00Byte-Pass-8317")
		s.token(t, b)
		for _, pw := range []string{"nul", "nul\x00", "nul\x00Byte-Pass-831"} {
			s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": b.username, "password": pw})).
				expect(t, http.StatusUnauthorized)
		}
		s.me(t, withBasic(b.username, b.password))
	})

	t.Run("invalid UTF-8 in a JSON password is refused", func(t *testing.T) {
		// RFC 8259 §8.1: JSON text is UTF-8. The policy refuses a password that is not valid
		// UTF-8 (400 errors.password), and a login with one can only fail (401).
		name := s.name("utf8pass")
		signup := func(bad string) []byte {
			return []byte(`{"username":"` + name + `","password":"` + bad + `-Ember-Lantern-71"}`)
		}
		r := s.do(t, "POST", "/v1/auth/signup", rawBody("application/json", signup("\xff\xfe\xfd")))
		r.expect(t, http.StatusBadRequest)
		r.fieldErrors(t, "password")
	})

	t.Run("SQL and Lua metacharacters are stored and returned verbatim", func(t *testing.T) {
		const (
			email     = `o'brien+--/*x*/=1|{}~$%&!#^@example.com`
			tokenName = `'; DROP TABLE x; -- redis.call('FLUSHALL') ]] --[[`
			agent     = `"; DEL *; -- ' OR 1=1; redis.call("FLUSHALL") \x00`
		)
		pw := "ember-Lantern-4471"
		u := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
			"username": s.name("o_brien"), "password": pw, "email": email,
		})).expect(t, http.StatusCreated).object(t)
		if u["email"] != email {
			t.Errorf("signup email = %q, want %q", u["email"], email)
		}
		b := account{username: s.name("o_brien"), password: pw}
		issued := s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": b.username, "password": b.password, "name": tokenName,
		})).expect(t, http.StatusOK).object(t)
		if issued["name"] != tokenName {
			t.Errorf("issued token name = %q, want %q", issued["name"], tokenName)
		}
		secret, _ := issued["token"].(string)
		if got := s.me(t, withToken(secret))["email"]; got != email {
			t.Errorf("me email = %q, want %q", got, email)
		}
		list := s.do(t, "GET", "/v1/auth/tokens", withToken(secret)).expect(t, http.StatusOK).array(t)
		if len(list) != 1 || list[0]["name"] != tokenName {
			t.Errorf("tokens = %v, want one named %q", list, tokenName)
		}
		sess := s.login(t, b, header("User-Agent", agent))
		var agents []any
		for _, ss := range s.do(t, "GET", "/v1/auth/sessions", withSession(sess)).expect(t, http.StatusOK).array(t) {
			agents = append(agents, ss["user_agent"])
		}
		if !slices.Contains(agents, any(agent)) {
			t.Errorf("session user agents = %q, want %q among them", agents, agent)
		}
		// The underscore is a LIKE wildcard: a lookup built on LIKE would let "oXbrien" in.
		s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": s.name("oXbrien"), "password": pw,
		})).expect(t, http.StatusUnauthorized)
	})

	t.Run("duplicate JSON keys: the last one wins", func(t *testing.T) {
		quote := func(v string) string { b, _ := json.Marshal(v); return string(b) }
		s.do(t, "POST", "/v1/auth/token", jsonText(`{"username":"nobody","username":`+quote(a.username)+
			`,"password":"wrong","password":`+quote(a.password)+`}`)).expect(t, http.StatusOK)
		s.do(t, "POST", "/v1/auth/token", jsonText(`{"username":`+quote(a.username)+`,"username":"nobody","password":`+
			quote(a.password)+`}`)).expect(t, http.StatusUnauthorized)
		s.do(t, "POST", "/v1/auth/token", jsonText(`{"username":`+quote(a.username)+`,"password":`+
			quote(a.password)+`,"password":"wrong"}`)).expect(t, http.StatusUnauthorized)
		last := s.name("second")
		u := s.do(t, "POST", "/v1/auth/signup", jsonText(`{"username":`+quote(s.name("first"))+`,"username":`+quote(last)+
			`,"password":"ember-Lantern-4471"}`)).expect(t, http.StatusCreated).object(t)
		if u["username"] != last {
			t.Errorf("signup with two usernames created %q, want the last, %q", u["username"], last)
		}
		s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": s.name("first"), "password": "ember-Lantern-4471",
		})).expect(t, http.StatusUnauthorized)
	})

	t.Run("fields a client may not set are ignored at signup", func(t *testing.T) {
		name := s.name("climber")
		u := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]any{
			"username": name, "password": "ember-Lantern-4471",
			"id": 1, "is_staff": true, "is_superuser": true, "is_active": false,
			"date_joined": "1999-12-31T23:59:59Z", "password_hash": "x", "last_login": "2000-01-01T00:00:00Z",
		})).expect(t, http.StatusCreated).object(t)
		if got := keys(u); got != userKeys {
			t.Errorf("keys = %s, want %s", got, userKeys)
		}
		if id, _ := u["id"].(float64); id == 1 || id == a.id {
			t.Errorf("id = %v: the client chose the id", u["id"])
		}
		checkRecent(t, "date_joined", u["date_joined"])
		me := s.me(t, withBasic(name, "ember-Lantern-4471"))
		if me["id"] != u["id"] {
			t.Errorf("me id = %v, signup id = %v", me["id"], u["id"])
		}
	})

	t.Run("usernames that differ only after NFKC and case folding collide", func(t *testing.T) {
		for _, tc := range []struct {
			first    string
			variants []string
		}{
			// ß folds to ss; full-width letters and the ﬁ ligature fold under NFKC; the
			// Kelvin sign is K under NFKC.
			{"Straße", []string{"STRASSE", "strasse", "STRAẞE", fullWidth("strasse")}},
			{"ﬁnn", []string{"FINN", "finn", "Ｆｉｎｎ"}},
			{"kelvin", []string{"\u212Aelvin", "KELVIN"}},
			{"Σίσυφος", []string{"ΣΊΣΥΦΟΣ", "σίσυφοσ"}},
		} {
			s.signup(t, tc.first, "ember-Lantern-4471")
			for _, v := range tc.variants {
				msgs := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
					"username": s.name(v), "password": "ember-Lantern-4471",
				})).fieldErrors(t, "username")
				if !containsWord(msgs, "already exists") {
					t.Errorf("signup %q after %q: errors.username = %q, want the name taken", s.name(v), s.name(tc.first), msgs)
				}
			}
		}
	})

	t.Run("slow clients are cut off", func(t *testing.T) {
		// ReadHeaderTimeout is 5 s; 10 s bounds it with room for a loaded machine.
		const bound = 10 * time.Second
		for _, tc := range []struct {
			name string
			drip bool // keep sending a byte at a time, which must not extend the deadline
		}{{"a partial request line", false}, {"headers a byte at a time", true}} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				start := time.Now()
				if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: gatehouse\r\nX-Slow: "); err != nil {
					t.Fatal(err)
				}
				stop := make(chan struct{})
				defer close(stop)
				if tc.drip {
					go func() {
						for {
							select {
							case <-stop:
								return
							case <-time.After(200 * time.Millisecond):
							}
							if _, err := conn.Write([]byte("a")); err != nil {
								return
							}
						}
					}()
				}
				_ = conn.SetReadDeadline(start.Add(bound))
				got, err := io.ReadAll(conn)
				elapsed := time.Since(start)
				if errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("the connection was still open after %v", bound)
				}
				if bytes.HasPrefix(got, []byte("HTTP/1.1 200")) {
					t.Fatalf("an incomplete request was answered: %q", got)
				}
				t.Logf("closed after %v (read %q, %v)", elapsed.Round(time.Millisecond), got, err)
			})
		}
	})

	// None of the above disturbed the good credential or the server.
	s.me(t, withToken(tok.secret))
	s.do(t, "GET", "/healthz").expect(t, http.StatusOK)
}
