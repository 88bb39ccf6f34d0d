package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/gatehouse/gatehousetest"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

func do(h http.Handler, method, body string, edit func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/notes", strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if edit != nil {
		edit(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// checkProblem checks that w is Gatehouse's problem document of status, with a detail.
func checkProblem(t *testing.T, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	var p struct {
		Status int
		Detail string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != status || p.Detail == "" ||
		w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s %s, want a problem document of %d with a detail", w.Header().Get("Content-Type"), w.Body, status)
	}
}

// TestNotesAnswers: the notes answer as Gatehouse's own routes do: 401 with the challenges
// in chain order without credentials, 200 and 201 with a token, 403 for a session's POST
// without its CSRF token.
func TestNotesAnswers(t *testing.T) {
	k := gatehousetest.New(t)
	h := newRouter(k.Gatehouse)
	token := "Token " + k.Token(t, "ada")
	session := k.Session(t, "ada")
	withToken := func(r *http.Request) { r.Header.Set("Authorization", token) }
	tests := []struct {
		name       string
		method     string
		body       string
		edit       func(*http.Request)
		status     int
		challenges []string
	}{
		{"no credentials", "GET", "", nil, 401, []string{`Token realm="gatehouse"`, `Basic realm="gatehouse"`}},
		{"no credentials, POST", "POST", `{"text":"x"}`, nil, 401, []string{`Token realm="gatehouse"`, `Basic realm="gatehouse"`}},
		{"a token", "GET", "", withToken, 200, nil},
		{"a token, POST", "POST", `{"text":"from a script"}`, withToken, 201, nil},
		{"a session", "GET", "", session.AddTo, 200, nil},
		{"a session, POST with its CSRF token", "POST", `{"text":"from a page"}`, session.AddTo, 201, nil},
		{"a session, POST without its CSRF token", "POST", `{"text":"forged"}`, func(r *http.Request) {
			for _, c := range session.Cookies {
				r.AddCookie(c)
			}
		}, 403, nil},
		{"Basic credentials", "GET", "", func(r *http.Request) { r.SetBasicAuth("ada", gatehousetest.Password) }, 200, nil},
		{"Basic credentials, a wrong password", "GET", "", func(r *http.Request) { r.SetBasicAuth("ada", "nope") }, 401,
			[]string{`Token realm="gatehouse"`, `Basic realm="gatehouse"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.method, tt.body, tt.edit)
			if w.Code != tt.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, tt.status)
			}
			if got := w.Header().Values("WWW-Authenticate"); !slices.Equal(got, tt.challenges) {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenges)
			}
			if tt.status >= 400 {
				checkProblem(t, w, tt.status)
			}
		})
	}
	var mine []note
	if w := do(h, "GET", "", withToken); json.Unmarshal(w.Body.Bytes(), &mine) != nil || len(mine) != 2 {
		t.Errorf("ada's notes: %s, want the two she wrote", w.Body)
	}
	if w := do(h, "GET", "", func(r *http.Request) { r.Header.Set("Authorization", "Token "+k.Token(t, "grace")) }); w.Body.String() != "[]" {
		t.Errorf("grace's notes: %s, want none: ada's are hers", w.Body)
	}
}

// TestNotesStoreDown: on Redis, configured as the command line does, the notes sign up and
// log in through the mounted API, and answer 503 with Retry-After while Redis answers
// nothing, as Gatehouse's own routes do.
func TestNotesStoreDown(t *testing.T) {
	redis := testenv.StartRedis(t)
	_, cfg, err := config([]string{"-store", "redis", "-redis-url", "redis://" + redis.Addr + "/0"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Redis.Timeout, cfg.Redis.RevokeTimeout = 300*time.Millisecond, 200*time.Millisecond
	g, err := gatehouse.New(t.Context(), cfg, gatehouse.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	h := newRouter(g)
	creds := fmt.Sprintf(`{"username":"ada","password":%q}`, gatehousetest.Password)
	var token string
	for _, path := range []string{"/auth/v1/auth/signup", "/auth/v1/auth/token"} {
		r := httptest.NewRequest("POST", path, strings.NewReader(creds))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code/100 != 2 {
			t.Fatalf("POST %s: %d %s", path, w.Code, w.Body)
		}
		var body struct{ Token string }
		if json.Unmarshal(w.Body.Bytes(), &body) == nil && body.Token != "" {
			token = body.Token
		}
	}
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Token "+token) }
	if w := do(h, "GET", "", withToken); w.Code != http.StatusOK {
		t.Fatalf("Redis up: %d %s", w.Code, w.Body)
	}
	redis.Pause(t)
	w := do(h, "GET", "", withToken)
	redis.Resume(t)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("Redis paused: %d %s, Retry-After %q; want 503 with Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	checkProblem(t, w, http.StatusServiceUnavailable)
}

func TestConfigRefusesAnUnknownStore(t *testing.T) {
	if _, _, err := config([]string{"-store", "postgres"}); err == nil {
		t.Error("-store postgres accepted")
	}
}
