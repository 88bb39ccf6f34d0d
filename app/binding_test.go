package app_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TestBoundSessionEndsWhenUsedFromAnotherClient: with binding on, a session cookie replayed
// from another address or browser is refused with 401 and the session is destroyed.
func TestBoundSessionEndsWhenUsedFromAnotherClient(t *testing.T) {
	for _, tt := range []struct {
		name      string
		ip, agent string
	}{
		{"other address", "198.51.100.7", "Firefox"},
		{"other browser", "192.0.2.1", "curl/8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			settings := app.DefaultSettings()
			settings.Bind = domain.SessionBinding{IP: true, UserAgent: true}
			e := newEnvWith(t, settings)
			e.signUp("bound")
			_, s, err := e.accounts.Login(t.Context(), loginFrom("bound", "192.0.2.1", "Firefox"))
			if err != nil {
				t.Fatal(err)
			}
			creds := sessionCreds(http.MethodGet, s.Secret, "")
			creds.ClientIP, creds.UserAgent = "192.0.2.1", "Firefox"
			if _, err := e.auth(creds); err != nil {
				t.Fatalf("the client that logged in: %v", err)
			}
			creds.ClientIP, creds.UserAgent = tt.ip, tt.agent
			res, err := e.auth(creds)
			if !errors.Is(err, domain.ErrSessionBound) || !res.ClearSessionCookie {
				t.Fatalf("from %s: err = %v, clear = %v; want ErrSessionBound and the cookie cleared", tt.name, err, res.ClearSessionCookie)
			}
			if e.sessionLive(s.Secret) {
				t.Error("the session survived being used from another client")
			}
		})
	}
}

func loginFrom(username, ip, agent string) ports.Login {
	return ports.Login{Username: username, Password: password, IP: ip, UserAgent: agent}
}
