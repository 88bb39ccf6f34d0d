package proxy_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// appView is what the app behind nginx saw of a request: every value of each user header.
type appView struct {
	UserID     []string `json:"user_id"`
	Username   []string `json:"username"`
	AuthMethod []string `json:"auth_method"`
	AuthLevel  []string `json:"auth_level"`
	// Authorization must not reach the app: it holds a Basic password or a token secret.
	Authorization []string `json:"authorization"`
	Method        string   `json:"method"`
	Body          string   `json:"body"`
}

// startApp runs the app behind the proxy: it answers every request with what it saw, and
// counts the requests that reached it.
func startApp(t *testing.T) (addr string, hits *atomic.Int64) {
	hits = new(atomic.Int64)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(appView{
			UserID:        r.Header.Values("X-Gatehouse-User-Id"),
			Username:      r.Header.Values("X-Gatehouse-Username"),
			AuthMethod:    r.Header.Values("X-Gatehouse-Auth-Method"),
			AuthLevel:     r.Header.Values("X-Gatehouse-Auth-Level"),
			Authorization: r.Header.Values("Authorization"),
			Method:        r.Method,
			Body:          string(body),
		})
	}))
	t.Cleanup(app.Close)
	return strings.TrimPrefix(app.URL, "http://"), hits
}

// startGatehouse runs the gatehouse binary on the memory stores, trusting nginx (on
// loopback) to name the client, with a secret key so accounts can enrol a second factor.
func startGatehouse(t *testing.T) *testenv.Process {
	t.Helper()
	p := testenv.StartProcess(t, binary, testenv.Environ(map[string]string{
		"GATEHOUSE_ADDR":            "127.0.0.1:0",
		"GATEHOUSE_LOG_FORMAT":      "json",
		"GATEHOUSE_COOKIE_SECURE":   "false", // the test speaks plain HTTP
		"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.1",
		"GATEHOUSE_SECRET_KEY":      base64.StdEncoding.EncodeToString(make([]byte, domain.ServerKeyBytes)),
	}))
	t.Cleanup(func() { p.Check(t) })
	return p
}

// client sends requests through nginx.
type client struct {
	base string
	http *http.Client
}

// response is a response with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// opt shapes a request.
type opt func(*http.Request)

func header(name, value string) opt { return func(r *http.Request) { r.Header.Add(name, value) } }

func cookie(name, value string) opt {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: name, Value: value}) }
}

func (c *client) do(t *testing.T, method, path, body string, opts ...opt) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func (r response) expect(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body: %s", r.status, status, r.body)
	}
	return r
}

func (r response) setCookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestNginxForwardAuthentication(t *testing.T) {
	nginx := testenv.Command(t, "nginx")
	appAddr, hits := startApp(t)
	gh := startGatehouse(t)
	c := &client{
		base: startNginx(t, nginx, strings.TrimPrefix(gh.Base(), "http://"), appAddr),
		http: &http.Client{Timeout: 30 * time.Second},
	}

	// Gatehouse's own API is reached through nginx too, as a browser on the app's origin would.
	const username, password = "alice", "correct horse battery"
	c.do(t, "POST", "/v1/auth/signup", `{"username":"alice","password":"correct horse battery"}`).expect(t, 201)
	var issued struct{ Token string }
	if err := json.Unmarshal(c.do(t, "POST", "/v1/auth/token", `{"username":"alice","password":"correct horse battery"}`).expect(t, 200).body, &issued); err != nil {
		t.Fatal(err)
	}
	login := c.do(t, "POST", "/v1/auth/login", `{"username":"alice","password":"correct horse battery"}`).expect(t, 200)
	var me struct{ ID json.Number }
	if err := json.Unmarshal(login.body, &me); err != nil {
		t.Fatal(err)
	}
	userID := me.ID.String()
	sessionCk, csrfCk := login.setCookie("sessionid"), login.setCookie("csrftoken")
	if sessionCk == nil || csrfCk == nil {
		t.Fatalf("login set no session cookies: %v", login.header)
	}
	token := header("Authorization", "Token "+issued.Token)
	session := func(r *http.Request) { cookie("sessionid", sessionCk.Value)(r); cookie("csrftoken", csrfCk.Value)(r) }
	csrf := header("X-CSRFToken", csrfCk.Value)
	basic := func(pw string) opt {
		return header("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(username+":"+pw)))
	}
	spoof := func(r *http.Request) {
		r.Header.Set("X-Gatehouse-User-Id", "999")
		r.Header.Set("X-Gatehouse-Username", "root")
		r.Header.Set("X-Gatehouse-Auth-Method", "basic")
	}

	t.Run("credentials reach the app as user headers", func(t *testing.T) {
		for _, tt := range []struct {
			name, method, body string
			opts               []opt
			want               string // auth method the app sees
		}{
			{"token GET", "GET", "", []opt{token}, "token"},
			{"token POST needs no CSRF token", "POST", `{"a":1}`, []opt{token}, "token"},
			{"Basic", "GET", "", []opt{basic(password)}, "basic"},
			{"session GET needs no CSRF token", "GET", "", []opt{session}, "session"},
			{"session POST with the CSRF token", "POST", `{"a":1}`, []opt{session, csrf}, "session"},
			{"session DELETE with the CSRF token", "DELETE", "", []opt{session, csrf}, "session"},
			{"headers a client sends are replaced", "GET", "", []opt{token, spoof}, "token"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := c.do(t, tt.method, "/app/resource?x=1", tt.body, tt.opts...).expect(t, 200)
				var seen appView
				if err := json.Unmarshal(res.body, &seen); err != nil {
					t.Fatalf("not the app's answer: %v: %s", err, res.body)
				}
				want := appView{UserID: []string{userID}, Username: []string{username},
					AuthMethod: []string{tt.want}, Method: tt.method, Body: tt.body}
				if !slices.Equal(seen.UserID, want.UserID) || !slices.Equal(seen.Username, want.Username) ||
					!slices.Equal(seen.AuthMethod, want.AuthMethod) || seen.Method != want.Method || seen.Body != want.Body ||
					len(seen.Authorization) != 0 {
					t.Errorf("app saw %+v, want %+v", seen, want)
				}
			})
		}
	})

	t.Run("refusals never reach the app", func(t *testing.T) {
		for _, tt := range []struct {
			name, method string
			opts         []opt
			status       int
		}{
			{"no credentials", "GET", nil, 401},
			{"only forged user headers", "GET", []opt{spoof}, 401},
			{"wrong Basic password", "GET", []opt{basic("wrong password")}, 401},
			{"unknown token", "GET", []opt{header("Authorization", "Token gth_unknown")}, 401},
			{"session POST without the CSRF token", "POST", []opt{session}, 403},
			{"session POST with a wrong CSRF token", "POST", []opt{session, header("X-CSRFToken", "wrong")}, 403},
			// nginx overwrites X-Original-Method with the real method.
			{"session POST claiming to be a GET", "POST", []opt{session, header("X-Original-Method", "GET")}, 403},
			// A second, disagreeing method header is refused (400, which nginx answers as 500).
			{"session POST with X-Forwarded-Method GET", "POST", []opt{session, header("X-Forwarded-Method", "GET")}, 500},
			// A browser sends remembered Basic credentials with a cross-site form, and says so.
			{"cross-site Basic POST", "POST", []opt{basic(password), header("Sec-Fetch-Site", "cross-site")}, 403},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := hits.Load()
				res := c.do(t, tt.method, "/app/resource", "", tt.opts...).expect(t, tt.status)
				if hits.Load() != before {
					t.Errorf("the app was reached")
				}
				if tt.status == 401 {
					checkChallenges(t, res)
				}
			})
		}
	})

	t.Run("after logout the credentials are refused", func(t *testing.T) {
		c.do(t, "POST", "/v1/auth/logout", "", token).expect(t, 204)
		c.do(t, "POST", "/v1/auth/logout", "", session, csrf).expect(t, 204)
		before := hits.Load()
		checkChallenges(t, c.do(t, "GET", "/app/resource", "", token).expect(t, 401))
		res := c.do(t, "GET", "/app/resource", "", session).expect(t, 401)
		checkChallenges(t, res)
		if ck := res.setCookie("sessionid"); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("the stale session cookie is not cleared: Set-Cookie %q", res.header.Values("Set-Cookie"))
		}
		if hits.Load() != before {
			t.Errorf("the app was reached")
		}
		// Basic has nothing to revoke.
		c.do(t, "GET", "/app/resource", "", basic(password)).expect(t, 200)
	})
}

// checkChallenges fails t unless a 401 from nginx carries all of Gatehouse's challenges, in
// chain order, whether in one WWW-Authenticate field or several.
func checkChallenges(t *testing.T, res response) {
	t.Helper()
	got := res.header.Values("WWW-Authenticate")
	const want = `Token realm="gatehouse", Basic realm="gatehouse"`
	if strings.Join(got, ", ") != want {
		t.Errorf("WWW-Authenticate %q, want %q", got, want)
	}
}
