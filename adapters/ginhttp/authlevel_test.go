package ginhttp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// levelAccounts lists one session and one token at the levels given.
type levelAccounts struct {
	fakeAccounts
	session, token domain.AuthLevel
}

func (a levelAccounts) ListSessions(context.Context, domain.Principal) ([]domain.Session, error) {
	return []domain.Session{{ID: "s", Level: a.session}}, nil
}

func (a levelAccounts) ListTokens(context.Context, domain.Principal) ([]domain.Token, error) {
	return []domain.Token{{ID: "t", Level: a.token}}, nil
}

// TestAuthLevelIsReported: the verify endpoint's X-Gatehouse-Auth-Level and /me's auth_level
// are the principal's level; a credential without one (stored before levels) is level 1.
func TestAuthLevelIsReported(t *testing.T) {
	tests := []struct {
		name string
		p    domain.Principal
		want string
	}{
		{"two-step session", domain.Principal{Method: domain.MethodSession,
			Session: &domain.Session{ID: "s", Level: domain.LevelSecondFactor}}, "2"},
		{"password session", domain.Principal{Method: domain.MethodSession,
			Session: &domain.Session{ID: "s", Level: domain.LevelPassword}}, "1"},
		{"two-step token", domain.Principal{Method: domain.MethodToken,
			Token: &domain.Token{ID: "t", Level: domain.LevelSecondFactor}}, "2"},
		{"token without a level", domain.Principal{Method: domain.MethodToken, Token: &domain.Token{ID: "t"}}, "1"},
		{"basic", domain.Principal{Method: domain.MethodBasic}, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.User = domain.User{ID: 7, Username: "alice"}
			srv := New(tokenAuth{p: tt.p}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest("GET", "/v1/auth/verify", nil)
			req.Header.Set("X-Original-Method", "GET")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if v := rec.Header().Values(authLevelHeader); rec.Code != 200 || len(v) != 1 || v[0] != tt.want {
				t.Errorf("verify: status %d, %s = %q; want 200 and %q", rec.Code, authLevelHeader, v, tt.want)
			}
			rec = do(srv, "GET", "/v1/auth/me")
			var me struct {
				AuthLevel json.Number `json:"auth_level"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &me); rec.Code != 200 || err != nil || string(me.AuthLevel) != tt.want {
				t.Errorf("/me: status %d, auth_level %q (%v); want %s in %s", rec.Code, me.AuthLevel, err, tt.want, rec.Body)
			}
		})
	}
}

// TestAuthLevelInLists: the session and token lists show each credential's level.
func TestAuthLevelInLists(t *testing.T) {
	p := domain.Principal{User: domain.User{ID: 7, Username: "alice"}, Method: domain.MethodToken, Token: &domain.Token{ID: "t"}}
	for _, tt := range []struct {
		name           string
		session, token domain.AuthLevel
		want           [2]int
	}{
		{"second factor", domain.LevelSecondFactor, domain.LevelSecondFactor, [2]int{2, 2}},
		{"password", domain.LevelPassword, domain.LevelPassword, [2]int{1, 1}},
		{"stored before levels", 0, 0, [2]int{1, 1}},
		{"mixed", domain.LevelPassword, domain.LevelSecondFactor, [2]int{1, 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := New(tokenAuth{p: p}, levelAccounts{session: tt.session, token: tt.token}, fakeReady{},
				Config{SessionCookieMaxAge: time.Hour}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			for i, path := range []string{"/v1/auth/sessions", "/v1/auth/tokens"} {
				rec := do(srv, "GET", path)
				var list []struct {
					AuthLevel *int `json:"auth_level"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list) != 1 ||
					list[0].AuthLevel == nil || *list[0].AuthLevel != tt.want[i] {
					t.Errorf("GET %s = %d %s (%v); want one item with auth_level %d", path, rec.Code, rec.Body, err, tt.want[i])
				}
			}
		})
	}
}

// TestVerifyDemandsALevel: GET /v1/auth/verify?level=N refuses a valid credential below N
// with 403 and its code, and a level parameter it cannot read with 400.
func TestVerifyDemandsALevel(t *testing.T) {
	password := domain.Principal{Method: domain.MethodToken, Token: &domain.Token{ID: "t", Level: domain.LevelPassword}}
	twoStep := domain.Principal{Method: domain.MethodToken, Token: &domain.Token{ID: "t", Level: domain.LevelSecondFactor}}
	legacy := domain.Principal{Method: domain.MethodToken, Token: &domain.Token{ID: "t"}}
	basic := domain.Principal{Method: domain.MethodBasic}
	tests := []struct {
		name   string
		query  string
		p      domain.Principal
		status int
		code   string
	}{
		{"no demand, level 1", "", password, 200, ""},
		{"level 1 demanded of level 1", "?level=1", password, 200, ""},
		{"level 2 demanded of level 2", "?level=2", twoStep, 200, ""},
		{"level 1 demanded of level 2", "?level=1", twoStep, 200, ""},
		{"level 2 demanded of level 1", "?level=2", password, 403, "auth_level_too_low"},
		{"level 2 demanded of a token stored before levels", "?level=2", legacy, 403, "auth_level_too_low"},
		{"level 2 demanded of Basic", "?level=2", basic, 403, "auth_level_too_low"},
		{"level 3", "?level=3", twoStep, 400, ""},
		{"level 0", "?level=0", twoStep, 400, ""},
		{"empty level", "?level=", twoStep, 400, ""},
		{"not a number", "?level=two", twoStep, 400, ""},
		{"given twice", "?level=2&level=1", twoStep, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.p.User = domain.User{ID: 7, Username: "alice"}
			srv := New(tokenAuth{p: tt.p}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour},
				slog.New(slog.NewTextHandler(io.Discard, nil)))
			req := httptest.NewRequest("GET", "/v1/auth/verify"+tt.query, nil)
			req.Header.Set("X-Original-Method", "GET")
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				if p := decodeProblem(t, rec); p.Code != tt.code {
					t.Errorf("problem code = %q, want %q", p.Code, tt.code)
				}
				if v := rec.Header().Get(userIDHeader); v != "" {
					t.Errorf("a refusal carries %s %q", userIDHeader, v)
				}
			}
		})
	}
	t.Run("no credentials is still 401", func(t *testing.T) {
		rec := do(newTestServer(fakeAuth{methods: allMethods, err: domain.ErrNotAuthenticated}, nil), "GET", "/v1/auth/verify?level=2")
		if rec.Code != 401 {
			t.Errorf("status = %d, want 401", rec.Code)
		}
	})
}
