package contract

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// century is how far the suite looks ahead for a token without expiry.
const century = 100 * 365 * 24 * time.Hour

// RunTokenStore runs the cases of ports.TokenStore against f.Tokens: those every managed
// credential kind shares (credentials.go), then tokens without expiry and a touch that
// leaves the deadline alone.
func RunTokenStore(t *testing.T, f Factory) {
	if f.Tokens == nil {
		t.Skipf("%s has no TokenStore (Factory.Tokens is nil)", f.Name)
	}
	k := tokenKind(f)
	runCredentialCases(t, f, k)
	t.Run("without ExpiresAt never expires", func(t *testing.T) { tokenNeverExpires(t, f, k) })
	t.Run("touch records the last use", func(t *testing.T) { tokenTouch(t, f, k) })
}

type tokenCredential = credentialKind[domain.Token, ports.TokenStore]

// tokenKind is the API token as a credential kind; a token may never expire.
func tokenKind(f Factory) tokenCredential {
	return tokenCredential{
		open:     func(t *testing.T, clock *Clock) ports.TokenStore { return f.Tokens(t, clock) },
		make:     newToken,
		noExpiry: true,
		variants: []variant[domain.Token]{
			{"never used, never expires", func(t *domain.Token) { t.ExpiresAt = time.Time{} }},
			{"used and expiring", func(t *domain.Token) {
				t.LastUsedAt, t.ExpiresAt = t.CreatedAt.Add(42*time.Minute+123456*time.Microsecond), t.CreatedAt.Add(90*24*time.Hour)
			}},
			{"default name", func(t *domain.Token) { t.Name = domain.DefaultTokenName }},
			{"second factor", func(t *domain.Token) { t.Level = domain.LevelSecondFactor }},
			{"no level reads as password", func(t *domain.Token) { t.Level = 0 }},
			{"second factor, never expires", func(t *domain.Token) {
				t.Level, t.ExpiresAt = domain.LevelSecondFactor, time.Time{}
			}},
			{"unicode name", func(t *domain.Token) { t.Name = "José’s 手机" }},
			{"longest name of four-byte characters", func(t *domain.Token) { t.Name = strings.Repeat("𠀋", domain.MaxTokenNameLength) }},
			{"quotes and script metacharacters", func(t *domain.Token) {
				t.Name = `x'y"z\ %s $1 [a-z]* -- ; DROP TABLE tokens; redis.call('FLUSHALL')`
			}},
		},
		hash:  func(t domain.Token) domain.SecretHash { return t.SecretHash },
		user:  func(t domain.Token) domain.UserID { return t.UserID },
		id:    func(t domain.Token) string { return t.ID },
		times: func(t domain.Token) []time.Time { return []time.Time{t.CreatedAt, t.LastUsedAt, t.ExpiresAt} },
		diff:  diffToken,

		create: ports.TokenStore.CreateToken,
		find: func(s ports.TokenStore, ctx context.Context, t domain.Token) (domain.Token, error) {
			return s.TokenByHash(ctx, t.SecretHash)
		},
		list:         ports.TokenStore.TokensByUser,
		revoke:       ports.TokenStore.DeleteToken,
		revokeAllBut: ports.TokenStore.DeleteUserTokens,
		touch: func(s ports.TokenStore, ctx context.Context, t domain.Token, at time.Time) error {
			return s.TouchToken(ctx, t.SecretHash, at)
		},
	}
}

// newToken returns an unused token of user with secret hash h created at created that
// expires ttl later, or never when ttl is 0.
func newToken(user domain.UserID, h domain.SecretHash, created time.Time, ttl time.Duration) domain.Token {
	tok := domain.Token{ID: newPublicID(), UserID: user, Name: "laptop", SecretHash: h, CreatedAt: created,
		Level: domain.LevelPassword}
	if ttl != 0 {
		tok.ExpiresAt = created.Add(ttl)
	}
	return tok
}

// tokenNeverExpires checks a token without ExpiresAt now and, where the clock can move, a
// century later.
func tokenNeverExpires(t *testing.T, f Factory, k tokenCredential) {
	s, clock := k.store(t, f)
	tok := newToken(newUserID(), newSecretHash(), clock.Now(), 0)
	k.mustCreate(t, s, tok)
	if f.ExactExpiry {
		clock.Advance(century)
	}
	k.check(t, s, tok)
	if list := k.mustList(t, s, tok.UserID); len(list) != 1 {
		t.Errorf("TokensByUser lists %d tokens, want 1", len(list))
	}
	if err := s.TouchToken(t.Context(), tok.SecretHash, clock.Now()); err != nil {
		t.Errorf("TouchToken error = %v", err)
	}
}

func tokenTouch(t *testing.T, f Factory, k tokenCredential) {
	s, clock := k.store(t, f)
	want := newToken(newUserID(), newSecretHash(), clock.Now(), 90*24*time.Hour)
	want.Level = domain.LevelSecondFactor // a touch rewrites the record: the level must stay
	k.mustCreate(t, s, want)
	for _, after := range []time.Duration{time.Minute, 3*time.Hour + 7*time.Microsecond} {
		want.LastUsedAt = want.CreatedAt.Add(after)
		if f.ExactExpiry {
			clock.Set(want.LastUsedAt)
		}
		if err := s.TouchToken(t.Context(), want.SecretHash, want.LastUsedAt); err != nil {
			t.Fatalf("TouchToken error = %v", err)
		}
		k.check(t, s, want) // LastUsedAt moved, ExpiresAt and the rest did not
	}
}
