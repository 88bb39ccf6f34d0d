package app_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestTokenCookie(t *testing.T) {
	e := newEnv(t)
	e.signUp("spa")
	tok := e.obtainToken("spa", password)
	other := e.obtainToken("spa", password)
	stale := e.plantToken(1)
	if err := e.accounts.Logout(t.Context(), e.principal(tokenCreds(stale))); err != nil {
		t.Fatal(err)
	}
	cookie := func(method, secret, csrf string) domain.RequestCredentials {
		return domain.RequestCredentials{Method: method, TokenCookie: secret, CSRFToken: csrf}
	}
	tests := []struct {
		name      string
		creds     domain.RequestCredentials
		wantID    string
		wantErr   error
		wantClear bool
	}{
		{"a safe request needs no CSRF token", cookie(http.MethodGet, tok.Secret, ""), tok.ID, nil, false},
		{"an unsafe one with it", cookie(http.MethodPost, tok.Secret, domain.CSRFToken(tok.Secret)), tok.ID, nil, false},
		{"an unsafe one without it", cookie(http.MethodPost, tok.Secret, ""), "", &domain.CSRFError{}, false},
		{"a revoked token's cookie counts as absent", cookie(http.MethodGet, stale, ""), "", domain.ErrNotAuthenticated, true},
		{"a malformed cookie counts as absent", cookie(http.MethodGet, "gth_nonsense", ""), "", domain.ErrNotAuthenticated, true},
		{"an Authorization header wins", func() domain.RequestCredentials {
			c := tokenCreds(other.Secret)
			c.TokenCookie = tok.Secret
			return c
		}(), other.ID, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.auth(tt.creds)
			var csrf *domain.CSRFError
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case errors.As(tt.wantErr, &csrf) && !errors.As(err, &csrf):
				t.Fatalf("err = %v, want a CSRF error", err)
			case tt.wantErr != nil && !errors.As(tt.wantErr, &csrf) && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if res.ClearTokenCookie != tt.wantClear {
				t.Errorf("ClearTokenCookie = %v, want %v", res.ClearTokenCookie, tt.wantClear)
			}
			if tt.wantID != "" && (res.Principal.Token == nil || res.Principal.Token.ID != tt.wantID) {
				t.Errorf("principal %+v, want token %s", res.Principal, tt.wantID)
			}
			if tt.wantID == tok.ID && !res.Principal.TokenCookie {
				t.Error("a cookie-borne token is not marked as such")
			}
		})
	}
}
