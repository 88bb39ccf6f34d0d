package app_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

func TestObtainTokenIssuesToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.signUp("alice")
	e.clock.Advance(time.Hour)
	now := e.clock.Now()

	tok := e.obtainToken("alice", password)

	if !strings.HasPrefix(tok.Secret, domain.TokenPrefix) || !domain.ValidTokenSecret(tok.Secret) {
		t.Errorf("secret %q: want prefix %q and a valid checksum", tok.Secret, domain.TokenPrefix)
	}
	if !domain.ValidPublicID(tok.ID) || strings.Contains(tok.Secret, tok.ID) {
		t.Errorf("id %q: want a public id unrelated to the secret", tok.ID)
	}
	if tok.UserID != alice.ID || tok.Name != domain.DefaultTokenName || !tok.CreatedAt.Equal(now) ||
		!tok.ExpiresAt.Equal(now.Add(e.settings.TokenTTL)) || !tok.LastUsedAt.IsZero() {
		t.Errorf("token = %+v, want user %d, name %q, created %v, expiring %v, never used",
			tok.Token, alice.ID, domain.DefaultTokenName, now, now.Add(e.settings.TokenTTL))
	}
	stored, err := e.tokens.TokenByHash(t.Context(), domain.HashSecret(tok.Secret))
	if err != nil {
		t.Fatalf("TokenByHash(HashSecret(secret)): %v", err)
	}
	if stored.ID != tok.ID || stored.UserID != alice.ID || stored.SecretHash != domain.HashSecret(tok.Secret) ||
		!stored.ExpiresAt.Equal(tok.ExpiresAt) {
		t.Errorf("stored token = %+v, want the issued one %+v", stored, tok.Token)
	}
}

func TestObtainTokenWithoutTTLNeverExpires(t *testing.T) {
	t.Parallel()
	s := app.DefaultSettings()
	s.TokenTTL = 0
	e := newEnvWith(t, s)
	e.signUp("alice")
	tok := e.obtainToken("alice", password)
	if !tok.ExpiresAt.IsZero() {
		t.Fatalf("ExpiresAt = %v, want zero", tok.ExpiresAt)
	}
	e.clock.Advance(10 * 365 * 24 * time.Hour)
	if p := e.principal(tokenCreds(tok.Secret)); p.Token == nil || p.Token.ID != tok.ID {
		t.Errorf("principal = %+v, want token %s ten years later", p, tok.ID)
	}
}

func TestObtainTokenName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"empty gets default", "", domain.DefaultTokenName, false},
		{"blank gets default", "   ", domain.DefaultTokenName, false},
		{"trimmed", "  laptop  ", "laptop", false},
		{"unicode", "Téléphone d'Ève", "Téléphone d'Ève", false},
		{"100 characters", strings.Repeat("é", 100), strings.Repeat("é", 100), false},
		{"101 characters", strings.Repeat("x", 101), "", true},
		{"control character", "lap\x00top", "", true},
		{"invalid UTF-8", "lap\xfftop", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.signUp("alice")
			tok, err := e.accounts.ObtainToken(t.Context(), ports.Login{Username: "alice", Password: password, TokenName: tt.in})
			if tt.wantErr {
				onlyField(t, err, "name")
				if list, _ := e.tokens.TokensByUser(t.Context(), alice.ID); len(list) != 0 {
					t.Errorf("tokens after a refused name = %d, want 0", len(list))
				}
				return
			}
			if err != nil {
				t.Fatalf("ObtainToken: %v", err)
			}
			if tok.Name != tt.want {
				t.Errorf("Name = %q, want %q", tok.Name, tt.want)
			}
			if stored, _ := e.tokens.TokenByHash(t.Context(), domain.HashSecret(tok.Secret)); stored.Name != tt.want {
				t.Errorf("stored Name = %q, want %q", stored.Name, tt.want)
			}
		})
	}
}

func TestObtainTokenRejectsBadCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, username, password string }{
		{"wrong password", "alice", "wrong-Password-000"},
		{"empty password", "alice", ""},
		{"unknown user", "mallory", password},
		{"invalid username", "bad name!", password},
		{"inactive user", "carol", password},
		{"over-long password", "alice", strings.Repeat("a", domain.MaxPasswordBytes+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.signUp("alice")
			carol := e.createUser("carol", e.hasher, false)
			_, err := e.accounts.ObtainToken(t.Context(), ports.Login{Username: tt.username, Password: tt.password})
			if !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("ObtainToken: %v, want ErrInvalidCredentials", err)
			}
			for _, id := range []domain.UserID{alice.ID, carol.ID} {
				if list, _ := e.tokens.TokensByUser(t.Context(), id); len(list) != 0 {
					t.Errorf("user %d has %d tokens, want 0", id, len(list))
				}
			}
		})
	}
}

func TestObtainTokenIssuesNewTokenPerCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.signUp("alice")
	first := e.obtainToken("alice", password)
	second := e.obtainToken("alice", password)
	if first.Secret == second.Secret || first.ID == second.ID {
		t.Fatalf("two calls gave secret %q id %q and secret %q id %q, want different ones",
			first.Secret, first.ID, second.Secret, second.ID)
	}
	for _, tok := range []domain.IssuedToken{first, second} {
		if p := e.principal(tokenCreds(tok.Secret)); p.Token == nil || p.Token.ID != tok.ID {
			t.Errorf("token %s does not authenticate as itself: %+v", tok.ID, p)
		}
	}
	if list, _ := e.tokens.TokensByUser(t.Context(), alice.ID); len(list) != 2 {
		t.Errorf("alice has %d tokens, want 2", len(list))
	}
}
