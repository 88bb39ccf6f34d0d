// Package gatehousetest is a test kit for code that depends on Gatehouse: a fully wired
// Gatehouse on the memory stores, on a clock the test moves, with argon2id parameters cheap
// enough for unit tests, and helpers that create a user and log them in in one call.
//
// Cheap hashing is allowed here only: gatehouse.New refuses parameters below the OWASP
// floor, and the option that lifts the refusal is out of reach of every other package.
package gatehousetest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/gatehouse/internal/options"
)

// Password is the password of every user the Kit creates. It passes the password policy.
const Password = "correct horse battery staple"

// Kit is a Gatehouse for one test, and the clock it runs on.
type Kit struct {
	*gatehouse.Gatehouse
	Clock *Clock

	mu    sync.Mutex
	users map[string]bool // created by the Kit
}

// New returns a Kit for t, closed when t ends. Its Gatehouse runs gatehouse.DefaultConfig on
// the memory stores with these changes, which configure may change further: argon2id at
// 64 KiB and one pass (far below the floor), no padding of failed logins, and no limit on
// signups, which all come from one address in tests.
func New(t testing.TB, configure ...func(*gatehouse.Config)) *Kit {
	t.Helper()
	cfg := gatehouse.DefaultConfig()
	cfg.Argon2 = passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	cfg.LoginTiming = app.LoginTiming{}
	cfg.Throttle.SignupIP.Events = 0
	for _, c := range configure {
		c(&cfg)
	}
	clock := NewClock(Start)
	belowFloor := gatehouse.Option(func(o *options.Options) { o.BelowFloor = true })
	g, err := gatehouse.New(t.Context(), cfg, gatehouse.WithClock(clock), belowFloor,
		gatehouse.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("gatehousetest: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return &Kit{Gatehouse: g, Clock: clock, users: map[string]bool{}}
}

// CreateUser signs username up, with Password, through the API.
func (k *Kit) CreateUser(t testing.TB, username string) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	k.createUser(t, username)
}

func (k *Kit) createUser(t testing.TB, username string) {
	t.Helper()
	if w := k.post(credentials(username), "/v1/auth/signup"); w.Code != http.StatusCreated {
		t.Fatalf("gatehousetest: signing %q up: %d %s", username, w.Code, w.Body)
	}
	k.users[username] = true
}

// ensureUser creates username unless the Kit has.
func (k *Kit) ensureUser(t testing.TB, username string) {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.users[username] {
		k.createUser(t, username)
	}
}

// Token returns a new token of username, for an Authorization: Token header, creating the
// user first unless the Kit has.
func (k *Kit) Token(t testing.TB, username string) string {
	t.Helper()
	k.ensureUser(t, username)
	w := k.post(credentials(username), "/v1/auth/token")
	var body struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &body); w.Code != http.StatusOK || err != nil || body.Token == "" {
		t.Fatalf("gatehousetest: a token for %q: %d %s", username, w.Code, w.Body)
	}
	return body.Token
}

// Session is a logged-in browser's session: its cookies, and the CSRF token its scripts
// echo in X-CSRFToken on unsafe requests.
type Session struct {
	Cookies   []*http.Cookie
	CSRFToken string
}

// AddTo puts the session's cookies on r and, for an unsafe method, its CSRF token.
func (s Session) AddTo(r *http.Request) {
	for _, c := range s.Cookies {
		r.AddCookie(c)
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
	default:
		r.Header.Set("X-CSRFToken", s.CSRFToken)
	}
}

// Session logs username in and returns the new session, creating the user first unless
// the Kit has.
func (k *Kit) Session(t testing.TB, username string) Session {
	t.Helper()
	k.ensureUser(t, username)
	w := k.post(credentials(username), "/v1/auth/login")
	if w.Code != http.StatusOK {
		t.Fatalf("gatehousetest: logging %q in: %d %s", username, w.Code, w.Body)
	}
	var s Session
	for _, c := range w.Result().Cookies() {
		s.Cookies = append(s.Cookies, c)
		if strings.HasSuffix(c.Name, "csrftoken") {
			s.CSRFToken = c.Value
		}
	}
	if len(s.Cookies) == 0 || s.CSRFToken == "" {
		t.Fatalf("gatehousetest: the login of %q set no session", username)
	}
	return s
}

func credentials(username string) string {
	return fmt.Sprintf(`{"username":%q,"password":%q}`, username, Password)
}

// post sends body, JSON, to the service's path.
func (k *Kit) post(body, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	k.Handler().ServeHTTP(w, r)
	return w
}
