package gatehouse_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// quiet keeps the tests' output to their failures.
var quiet = gatehouse.WithLogger(slog.New(slog.DiscardHandler))

// start assembles a Gatehouse on cfg and closes it when t ends.
func start(t *testing.T, cfg gatehouse.Config) *gatehouse.Gatehouse {
	t.Helper()
	g, err := gatehouse.New(t.Context(), cfg, quiet)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// do sends a request to h and returns the recorded answer. body, when set, is JSON.
func do(h http.Handler, method, path, body string, edit func(*http.Request)) *httptest.ResponseRecorder {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// user is a signed-up user with a token and a session.
type user struct {
	name, token string
	cookies     []*http.Cookie // the session's, and the CSRF cookie
	csrf        string
}

// signUp signs a user up through the API at h (the service, or a router Gatehouse is
// mounted on, under prefix), and obtains a token and a session.
func signUp(t *testing.T, h http.Handler, prefix, name string) user {
	t.Helper()
	creds := fmt.Sprintf(`{"username":%q,"password":"correct horse battery staple"}`, name)
	if w := do(h, "POST", prefix+"/v1/auth/signup", creds, nil); w.Code != http.StatusCreated {
		t.Fatalf("signup: %d %s", w.Code, w.Body)
	}
	u := user{name: name}
	w := do(h, "POST", prefix+"/v1/auth/token", creds, nil)
	var tok struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &tok); w.Code != http.StatusOK || err != nil || tok.Token == "" {
		t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	u.token = tok.Token
	w = do(h, "POST", prefix+"/v1/auth/login", creds, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	u.cookies = w.Result().Cookies()
	for _, c := range u.cookies {
		if c.Name == "csrftoken" {
			u.csrf = c.Value
		}
	}
	if len(u.cookies) != 2 || u.csrf == "" {
		t.Fatalf("login set cookies %v, want the session's and the CSRF token", u.cookies)
	}
	return u
}

// whoami answers with what PrincipalFrom gives a protected handler. It writes without
// WriteHeader, so that the status is net/http's implicit 200.
func whoami(w http.ResponseWriter, r *http.Request) {
	p, ok := gatehouse.PrincipalFrom(r.Context())
	if !ok {
		http.Error(w, "no principal", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%s %s level %d credential %t", p.Username, p.Method, p.Level, p.CredentialID != "")
}

// protections are the two ways a caller's handler is protected: the Gin middleware on the
// caller's route, and Protect around a net/http handler.
func protections(g *gatehouse.Gatehouse) map[string]http.Handler {
	r := gin.New()
	r.Any("/notes", g.Middleware(), gin.WrapF(whoami))
	return map[string]http.Handler{"Middleware": r, "Protect": g.Protect(http.HandlerFunc(whoami))}
}

func TestNewServesTheService(t *testing.T) {
	g := start(t, gatehouse.DefaultConfig())
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/login": 200, "/v1/auth/me": 401, "/nowhere": 404} {
		if w := do(g.Handler(), "GET", path, "", nil); w.Code != want {
			t.Errorf("GET %s: %d, want %d", path, w.Code, want)
		}
	}
	if g.AdminHandler() != nil {
		t.Error("AdminHandler without Config.AdminAddr is not nil")
	}
}

// TestProtectedAnswers: a handler behind Middleware or Protect gets the service's answers,
// and the principal when the chain accepts the request.
func TestProtectedAnswers(t *testing.T) {
	g := start(t, gatehouse.DefaultConfig())
	ada := signUp(t, g.Handler(), "", "ada")
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Token "+ada.token) }
	withSession := func(csrf string) func(*http.Request) {
		return func(r *http.Request) {
			for _, c := range ada.cookies {
				r.AddCookie(c)
			}
			if csrf != "" {
				r.Header.Set("X-CSRFToken", csrf)
			}
		}
	}
	tests := []struct {
		name       string
		method     string
		edit       func(*http.Request)
		status     int
		challenges []string
		body       string
	}{
		{"no credentials", "GET", nil, 401, []string{`Token realm="gatehouse"`, `Basic realm="gatehouse"`}, ""},
		{"an invalid token", "GET", func(r *http.Request) { r.Header.Set("Authorization", "Token nonsense") }, 401,
			[]string{`Token realm="gatehouse"`, `Basic realm="gatehouse"`}, ""},
		{"a token", "GET", withToken, 200, nil, "ada token level 1 credential true"},
		{"a token, POST without CSRF token", "POST", withToken, 200, nil, "ada token level 1 credential true"},
		{"Basic credentials", "GET", func(r *http.Request) { r.SetBasicAuth("ada", "correct horse battery staple") }, 200, nil,
			"ada basic level 1 credential false"},
		{"a session, GET", "GET", withSession(""), 200, nil, "ada session level 1 credential true"},
		{"a session, POST without CSRF token", "POST", withSession(""), 403, nil, ""},
		{"a session, POST with a wrong CSRF token", "POST", withSession(strings.Repeat("x", 64)), 403, nil, ""},
		{"a session, POST with its CSRF token", "POST", withSession(ada.csrf), 200, nil, "ada session level 1 credential true"},
		{"a session, POST from another site", "POST", func(r *http.Request) {
			withSession(ada.csrf)(r)
			r.Header.Set("Origin", "https://evil.example")
		}, 403, nil, ""},
	}
	for name, h := range protections(g) {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				w := do(h, tt.method, "/notes", "", tt.edit)
				if w.Code != tt.status {
					t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.status)
				}
				if got := w.Header().Values("WWW-Authenticate"); !slices.Equal(got, tt.challenges) {
					t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenges)
				}
				if tt.status == 200 {
					if got := w.Body.String(); got != tt.body {
						t.Errorf("body %q, want %q", got, tt.body)
					}
					return
				}
				checkProblem(t, w, tt.status)
			})
		}
	}
}

// checkProblem checks that w is a problem document of status, with a detail.
func checkProblem(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	var p struct {
		Status int
		Detail string
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != status || p.Detail == "" {
		t.Errorf("problem document %s, want status %d and a detail", w.Body, status)
	}
}

// TestProtectedThrottled: a client throttled by the service is throttled at the caller's
// handlers too, with the same 429.
func TestProtectedThrottled(t *testing.T) {
	cfg := gatehouse.DefaultConfig()
	cfg.LoginTiming.Calibrate = false
	cfg.Throttle.LoginUser = domain.Rate{Events: 2, Per: time.Hour}
	g := start(t, cfg)
	signUp(t, g.Handler(), "", "ada")
	wrong := func(r *http.Request) { r.SetBasicAuth("ada", "wrong password") }
	for name, h := range protections(g) {
		t.Run(name, func(t *testing.T) {
			var w *httptest.ResponseRecorder
			for range 5 {
				if w = do(h, "GET", "/notes", "", wrong); w.Code == http.StatusTooManyRequests {
					break
				}
			}
			if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
				t.Fatalf("after wrong passwords: %d, Retry-After %q; want 429 with Retry-After", w.Code, w.Header().Get("Retry-After"))
			}
			checkProblem(t, w, http.StatusTooManyRequests)
		})
	}
}

// TestProtectedStoreDown: while the token store's Redis answers nothing, a token is
// answered 503 with Retry-After, as the service answers it; once Redis is back, 200.
func TestProtectedStoreDown(t *testing.T) {
	redis := testenv.StartRedis(t)
	cfg := gatehouse.DefaultConfig()
	cfg.Stores.Users, cfg.Stores.Tokens = "redis", "redis"
	cfg.Redis.URL = "redis://" + redis.Addr + "/0"
	cfg.Redis.Timeout, cfg.Redis.RevokeTimeout = 300*time.Millisecond, 200*time.Millisecond
	g := start(t, cfg)
	ada := signUp(t, g.Handler(), "", "ada")
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Token "+ada.token) }
	for name, h := range protections(g) {
		t.Run(name, func(t *testing.T) {
			redis.Pause(t)
			w := do(h, "GET", "/notes", "", withToken)
			redis.Resume(t)
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
				t.Fatalf("Redis paused: %d %s, Retry-After %q; want 503 with Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
			}
			checkProblem(t, w, http.StatusServiceUnavailable)
			if w := do(h, "GET", "/notes", "", withToken); w.Code != http.StatusOK {
				t.Errorf("Redis resumed: %d %s, want 200", w.Code, w.Body)
			}
		})
	}
}

// TestMount: the API mounted under a prefix of the caller's router signs up and logs in,
// and its session authenticates the caller's own routes.
func TestMount(t *testing.T) {
	g := start(t, gatehouse.DefaultConfig())
	r := gin.New()
	g.Mount(r.Group("/auth"))
	r.GET("/notes", g.Middleware(), gin.WrapF(whoami))
	ada := signUp(t, r, "/auth", "ada")
	w := do(r, "GET", "/auth/v1/auth/me", "", func(r *http.Request) { r.Header.Set("Authorization", "Token "+ada.token) })
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"username":"ada"`) {
		t.Errorf("GET /auth/v1/auth/me: %d %s", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" || w.Header().Get("X-Request-Id") == "" {
		t.Errorf("mounted route without the service's middleware: headers %v", w.Header())
	}
	for _, c := range ada.cookies {
		if c.Path != "/" {
			t.Errorf("cookie %s has Path %q: the caller's routes would not get it", c.Name, c.Path)
		}
	}
	w = do(r, "GET", "/notes", "", func(r *http.Request) {
		for _, c := range ada.cookies {
			r.AddCookie(c)
		}
	})
	if w.Code != http.StatusOK || w.Body.String() != "ada session level 1 credential true" {
		t.Errorf("GET /notes with the mounted login's session: %d %s", w.Code, w.Body)
	}
	for _, path := range []string{"/auth/login", "/auth/healthz", "/v1/auth/me"} {
		if w := do(r, "GET", path, "", nil); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404: Mount serves the API only, under its prefix", path, w.Code)
		}
	}
}

func TestPrincipalFromOutsideAProtectedHandler(t *testing.T) {
	if p, ok := gatehouse.PrincipalFrom(t.Context()); ok {
		t.Errorf("PrincipalFrom of a bare context = %+v, true", p)
	}
}

// TestCloseReleases: Close closes the stores, so the service is no longer ready, and a
// second Close is harmless.
func TestCloseReleases(t *testing.T) {
	redis := testenv.StartRedis(t)
	cfg := gatehouse.DefaultConfig()
	cfg.Stores.Sessions = "redis"
	cfg.Redis.URL = "redis://" + redis.Addr + "/0"
	g, err := gatehouse.New(t.Context(), cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if w := do(g.Handler(), "GET", "/readyz", "", nil); w.Code != http.StatusOK {
		t.Fatalf("GET /readyz before Close: %d", w.Code)
	}
	if err := g.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if w := do(g.Handler(), "GET", "/readyz", "", nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz after Close: %d, want 503: the Redis client is still open", w.Code)
	}
	if err := g.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestNewRefusesWeakHashing: argon2id parameters below the OWASP floor stop New, as they
// stop the command; only the test kit may use them.
func TestNewRefusesWeakHashing(t *testing.T) {
	cfg := gatehouse.DefaultConfig()
	cfg.Argon2.Memory, cfg.Argon2.Time = 64, 1
	g, err := gatehouse.New(t.Context(), cfg, quiet)
	if !errors.Is(err, passhash.ErrBelowFloor) {
		t.Errorf("New with 64 KiB, one pass = %v, want ErrBelowFloor", err)
	}
	if g != nil {
		_ = g.Close()
	}
}

// TestProtectKeepsTheHandlersAnswer: what the protected handler answers reaches the client
// as it wrote it, a status without a body included (Gin must not fill it in).
func TestProtectKeepsTheHandlersAnswer(t *testing.T) {
	g := start(t, gatehouse.DefaultConfig())
	u := signUp(t, g.Handler(), "", "ada")
	tests := []struct {
		name   string
		handle http.HandlerFunc
		status int
		body   string
	}{
		{"status only", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) }, 404, ""},
		{"no content", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }, 204, ""},
		{"body only", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hi") }, 200, "hi"},
		{"nothing", func(http.ResponseWriter, *http.Request) {}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(g.Protect(tt.handle), "GET", "/notes", "", func(r *http.Request) { r.Header.Set("Authorization", "Token "+u.token) })
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("%d %q, want %d %q", w.Code, w.Body, tt.status, tt.body)
			}
		})
	}
}
