package gatehousetest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/gatehouse"
	"github.com/gatehouse/gatehouse/gatehouse/gatehousetest"
)

// notes is a caller's route behind the kit's Middleware: it answers with the user.
func notes(k *gatehousetest.Kit) http.Handler {
	r := gin.New()
	r.Any("/notes", k.Middleware(), func(c *gin.Context) {
		p, _ := gatehouse.PrincipalFrom(c.Request.Context())
		c.String(http.StatusOK, "%s %s", p.Username, p.Method)
	})
	return r
}

func do(h http.Handler, method string, edit func(*http.Request)) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/notes", nil)
	if edit != nil {
		edit(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestKitCredentials(t *testing.T) {
	k := gatehousetest.New(t)
	h := notes(k)
	token := k.Token(t, "ada")
	session := k.Session(t, "ada") // the same user: created once
	k.CreateUser(t, "grace")
	tests := []struct {
		name   string
		method string
		edit   func(*http.Request)
		status int
		body   string
	}{
		{"none", "GET", nil, 401, ""},
		{"token", "GET", func(r *http.Request) { r.Header.Set("Authorization", "Token "+token) }, 200, "ada token"},
		{"session", "GET", session.AddTo, 200, "ada session"},
		{"session, POST with its CSRF token", "POST", session.AddTo, 200, "ada session"},
		{"session, POST without", "POST", func(r *http.Request) {
			for _, c := range session.Cookies {
				r.AddCookie(c)
			}
		}, 403, ""},
		{"a created user's password", "GET", func(r *http.Request) { r.SetBasicAuth("grace", gatehousetest.Password) }, 200, "grace basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, tt.method, tt.edit)
			if w.Code != tt.status || tt.status == 200 && w.Body.String() != tt.body {
				t.Errorf("%d %s, want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
		})
	}
}

// TestKitClock: the kit's clock decides expiry, so a test reaches a session's idle timeout
// and a token's lifetime without waiting.
func TestKitClock(t *testing.T) {
	k := gatehousetest.New(t, func(c *gatehouse.Config) { c.App.TokenTTL = time.Hour })
	if now := k.Clock.Now(); !now.Equal(gatehousetest.Start) {
		t.Fatalf("the clock starts at %v, want %v", now, gatehousetest.Start)
	}
	h := notes(k)
	token := k.Token(t, "ada")
	session := k.Session(t, "ada")
	withToken := func(r *http.Request) { r.Header.Set("Authorization", "Token "+token) }
	for _, step := range []struct {
		advance        time.Duration
		token, session int
	}{
		{0, 200, 200},
		{59 * time.Minute, 200, 200},
		{2 * time.Minute, 401, 200}, // past the token's hour
		{25 * time.Hour, 401, 401},  // past the session's idle day
	} {
		k.Clock.Advance(step.advance)
		if w := do(h, "GET", withToken); w.Code != step.token {
			t.Errorf("at %v: token %d, want %d", k.Clock.Now().Sub(gatehousetest.Start), w.Code, step.token)
		}
		if w := do(h, "GET", session.AddTo); w.Code != step.session {
			t.Errorf("at %v: session %d, want %d", k.Clock.Now().Sub(gatehousetest.Start), w.Code, step.session)
		}
	}
}

// TestKitCreatesManyUsers: signups from one test's one address are not throttled.
func TestKitCreatesManyUsers(t *testing.T) {
	k := gatehousetest.New(t)
	for i := range 30 {
		k.CreateUser(t, fmt.Sprintf("user%d", i))
	}
}
