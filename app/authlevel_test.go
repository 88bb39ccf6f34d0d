package app_test

import (
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TestLoginLevels: a credential carries the level of the login that issued it, 2 only after
// a second factor, and the chain's principal reads it back from the store.
func TestLoginLevels(t *testing.T) {
	tests := []struct {
		name  string
		login func(e *env) (issued domain.AuthLevel, creds domain.RequestCredentials)
		want  domain.AuthLevel
	}{
		{"password session", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			e.signUp("alice")
			s := e.login("alice", password)
			return s.Level, sessionCreds(http.MethodGet, s.Secret, "")
		}, domain.LevelPassword},
		{"password token", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			e.signUp("alice")
			tok := e.obtainToken("alice", password)
			return tok.Level, tokenCreds(tok.Secret)
		}, domain.LevelPassword},
		{"basic", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			e.signUp("alice")
			return domain.LevelPassword, basicCreds("alice", password)
		}, domain.LevelPassword},
		{"operator's token", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			e.signUp("alice")
			tok, err := e.admin().CreateToken(e.t.Context(), "alice", "ci")
			if err != nil {
				e.t.Fatal(err)
			}
			return tok.Level, tokenCreds(tok.Secret)
		}, domain.LevelPassword},
		{"two-step session with TOTP", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			secret, _ := e.enrol(e.signUp("alice"))
			res, err := e.verify(e.ticket("alice", false), e.code(secret, 0), "")
			if err != nil || res.Session == nil {
				e.t.Fatalf("verify = %+v, %v", res, err)
			}
			return res.Session.Level, sessionCreds(http.MethodGet, res.Session.Secret, "")
		}, domain.LevelSecondFactor},
		{"two-step token with TOTP", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			secret, _ := e.enrol(e.signUp("alice"))
			res, err := e.verify(e.ticket("alice", true), e.code(secret, 0), "")
			if err != nil || res.Token == nil {
				e.t.Fatalf("verify = %+v, %v", res, err)
			}
			return res.Token.Level, tokenCreds(res.Token.Secret)
		}, domain.LevelSecondFactor},
		{"two-step token with a recovery code", func(e *env) (domain.AuthLevel, domain.RequestCredentials) {
			_, codes := e.enrol(e.signUp("alice"))
			res, err := e.verify(e.ticket("alice", true), "", codes[0])
			if err != nil || res.Token == nil {
				e.t.Fatalf("verify = %+v, %v", res, err)
			}
			return res.Token.Level, tokenCreds(res.Token.Secret)
		}, domain.LevelSecondFactor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			issued, creds := tt.login(e)
			if issued != tt.want {
				t.Errorf("issued at level %d, want %d", issued, tt.want)
			}
			if got := e.principal(creds).Level(); got != tt.want {
				t.Errorf("the principal is at level %d, want %d", got, tt.want)
			}
		})
	}
}

// TestPasswordChangeKeepsTheSessionLevel: the session that replaces the caller's keeps the
// level its login proved.
func TestPasswordChangeKeepsTheSessionLevel(t *testing.T) {
	for _, twoStep := range []bool{false, true} {
		want := map[bool]domain.AuthLevel{false: domain.LevelPassword, true: domain.LevelSecondFactor}[twoStep]
		t.Run(map[bool]string{false: "password", true: "two-step"}[twoStep], func(t *testing.T) {
			e := newEnv(t)
			u := e.signUp("alice")
			var s domain.IssuedSession
			if twoStep {
				secret, _ := e.enrol(u)
				res, err := e.verify(e.ticket("alice", false), e.code(secret, 0), "")
				if err != nil || res.Session == nil {
					t.Fatalf("verify = %+v, %v", res, err)
				}
				s = *res.Session
			} else {
				s = e.login("alice", password)
			}
			p := e.principal(sessionCreds(http.MethodGet, s.Secret, ""))
			rotated, err := e.accounts.ChangePassword(t.Context(), p, ports.PasswordChange{Old: password, New: newPassword})
			if err != nil || rotated == nil {
				t.Fatalf("ChangePassword = %v, %v", rotated, err)
			}
			if got := e.principal(sessionCreds(http.MethodGet, rotated.Secret, "")).Level(); got != want {
				t.Errorf("replacement session at level %d, want %d", got, want)
			}
		})
	}
}
