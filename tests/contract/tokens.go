package contract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// century is how far the suite looks ahead for a token without expiry.
const century = 100 * 365 * 24 * time.Hour

// RunTokenStore runs the cases of ports.TokenStore against f.Tokens.
func RunTokenStore(t *testing.T, f Factory) {
	if f.Tokens == nil {
		t.Skipf("%s has no TokenStore (Factory.Tokens is nil)", f.Name)
	}
	t.Run("fields round-trip", func(t *testing.T) { tokenRoundTrip(t, f) })
	t.Run("unknown secret hash", func(t *testing.T) { tokenUnknownHash(t, f) })
	t.Run("already expired", func(t *testing.T) { tokenAlreadyExpired(t, f) })
	t.Run("expiry at the exact deadline", func(t *testing.T) { tokenDeadline(t, f) })
	t.Run("without ExpiresAt never expires", func(t *testing.T) { tokenNeverExpires(t, f) })
	t.Run("touch records the last use", func(t *testing.T) { tokenTouch(t, f) })
	t.Run("touch of an unknown token", func(t *testing.T) { tokenTouchUnknown(t, f) })
	t.Run("list is the user's live tokens, newest first", func(t *testing.T) { tokenList(t, f) })
	t.Run("list of a user without tokens", func(t *testing.T) { tokenListEmpty(t, f) })
	t.Run("revoke", func(t *testing.T) { tokenRevoke(t, f) })
	t.Run("revoke all", func(t *testing.T) { tokenRevokeAll(t, f) })
	t.Run("concurrent create and list", func(t *testing.T) { tokenConcurrent(t, f) })
}

func tokenStore(t *testing.T, f Factory) (ports.TokenStore, *Clock) {
	clock := clockFor(f)
	return f.Tokens(t, clock), clock
}

// newToken returns an unused token of user created at created that expires ttl later, or
// never when ttl is 0.
func newToken(user domain.UserID, created time.Time, ttl time.Duration) domain.Token {
	tok := domain.Token{ID: newPublicID(), UserID: user, Name: "laptop", SecretHash: newSecretHash(), CreatedAt: created}
	if ttl != 0 {
		tok.ExpiresAt = created.Add(ttl)
	}
	return tok
}

func mustCreateTokens(t *testing.T, s ports.TokenStore, tokens ...domain.Token) {
	t.Helper()
	for _, tok := range tokens {
		if err := s.CreateToken(t.Context(), tok); err != nil {
			t.Fatalf("CreateToken(%s) error = %v", tok.ID, err)
		}
	}
}

// checkToken fails unless s finds want by its secret hash.
func checkToken(t *testing.T, s ports.TokenStore, want domain.Token) {
	t.Helper()
	got, err := s.TokenByHash(t.Context(), want.SecretHash)
	if err != nil {
		t.Errorf("TokenByHash(%s) error = %v, want token %s", want.SecretHash.Hex(), err, want.ID)
	} else if d := diffToken(got, want); d != nil {
		t.Errorf("TokenByHash(%s): %s", want.SecretHash.Hex(), d)
	}
}

// checkTokenGone fails unless every method treats tok as missing: not found, not listed,
// not touched, not revoked.
func checkTokenGone(t *testing.T, s ports.TokenStore, tok domain.Token) {
	t.Helper()
	ctx := t.Context()
	if got, err := s.TokenByHash(ctx, tok.SecretHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TokenByHash = token %s, %v; want domain.ErrNotFound", got.ID, err)
	}
	if list, err := s.TokensByUser(ctx, tok.UserID); err != nil {
		t.Errorf("TokensByUser error = %v", err)
	} else {
		for _, got := range list {
			if got.ID == tok.ID {
				t.Errorf("TokensByUser lists token %s, want it left out", tok.ID)
			}
		}
	}
	if err := s.TouchToken(ctx, tok.SecretHash, tok.CreatedAt.Add(time.Second)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchToken = %v, want domain.ErrNotFound", err)
	}
	if err := s.DeleteToken(ctx, tok.UserID, tok.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteToken = %v, want domain.ErrNotFound", err)
	}
}

// listTokens returns the user's tokens, failing the test on an error.
func listTokens(t *testing.T, s ports.TokenStore, user domain.UserID) []domain.Token {
	t.Helper()
	list, err := s.TokensByUser(t.Context(), user)
	if err != nil {
		t.Fatalf("TokensByUser(%d) error = %v", user, err)
	}
	return list
}

func tokenRoundTrip(t *testing.T, f Factory) {
	tests := []struct {
		name      string
		tokenName string
		used, ttl time.Duration // LastUsedAt after CreatedAt (0: never used); lifetime (0: none)
	}{
		{"never used, never expires", "laptop", 0, 0},
		{"used and expiring", "laptop", 42*time.Minute + 123456*time.Microsecond, 90 * 24 * time.Hour},
		{"default name", domain.DefaultTokenName, 0, 0},
		{"unicode name", "José’s 手机", 0, 2 * time.Hour},
		{"longest name of four-byte characters", strings.Repeat("𠀋", domain.MaxTokenNameLength), 0, 0},
		{"quotes and script metacharacters", `x'y"z\ %s $1 [a-z]* -- ; DROP TABLE tokens; redis.call('FLUSHALL')`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := tokenStore(t, f)
			want := newToken(newUserID(), clock.Now().Add(-time.Hour), tt.ttl)
			want.Name = tt.tokenName
			if tt.used != 0 {
				want.LastUsedAt = want.CreatedAt.Add(tt.used)
			}
			mustCreateTokens(t, s, want)
			checkToken(t, s, want)
			list := listTokens(t, s, want.UserID)
			if len(list) != 1 {
				t.Fatalf("TokensByUser lists %d tokens, want 1", len(list))
			}
			if d := diffToken(list[0], want); d != nil {
				t.Errorf("TokensByUser: %s", d)
			}
		})
	}
}

func tokenUnknownHash(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	mustCreateTokens(t, s, newToken(newUserID(), clock.Now(), 0))
	if got, err := s.TokenByHash(t.Context(), newSecretHash()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TokenByHash(unknown) = token %s, %v; want domain.ErrNotFound", got.ID, err)
	}
}

// tokenAlreadyExpired creates a token whose deadline has passed by every clock, the store's
// and the server's, so it runs for every adapter.
func tokenAlreadyExpired(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	tok := newToken(newUserID(), clock.Now().Add(-2*time.Hour), time.Hour)
	mustCreateTokens(t, s, tok)
	checkTokenGone(t, s, tok)
}

func tokenDeadline(t *testing.T, f Factory) {
	skipUnlessExact(t, f)
	tests := []struct {
		name string
		at   time.Duration // clock relative to ExpiresAt
		live bool
	}{
		{"one microsecond before ExpiresAt", -time.Microsecond, true},
		{"at ExpiresAt", 0, false},
		{"an hour after ExpiresAt", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := tokenStore(t, f)
			tok := newToken(newUserID(), clock.Now(), time.Hour)
			mustCreateTokens(t, s, tok)
			clock.Set(tok.ExpiresAt.Add(tt.at))
			if !tt.live {
				checkTokenGone(t, s, tok)
				return
			}
			checkToken(t, s, tok)
			if list := listTokens(t, s, tok.UserID); len(list) != 1 {
				t.Errorf("TokensByUser lists %d tokens, want 1", len(list))
			}
			if err := s.TouchToken(t.Context(), tok.SecretHash, clock.Now()); err != nil {
				t.Errorf("TouchToken error = %v", err)
			}
			if err := s.DeleteToken(t.Context(), tok.UserID, tok.ID); err != nil {
				t.Errorf("DeleteToken error = %v", err)
			}
		})
	}
}

// tokenNeverExpires checks a token without ExpiresAt now and, where the clock can move, a
// century later.
func tokenNeverExpires(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	tok := newToken(newUserID(), clock.Now(), 0)
	mustCreateTokens(t, s, tok)
	if f.ExactExpiry {
		clock.Advance(century)
	}
	checkToken(t, s, tok)
	if list := listTokens(t, s, tok.UserID); len(list) != 1 {
		t.Errorf("TokensByUser lists %d tokens, want 1", len(list))
	}
	if err := s.TouchToken(t.Context(), tok.SecretHash, clock.Now()); err != nil {
		t.Errorf("TouchToken error = %v", err)
	}
}

func tokenTouch(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	want := newToken(newUserID(), clock.Now(), 90*24*time.Hour)
	mustCreateTokens(t, s, want)
	for _, after := range []time.Duration{time.Minute, 3*time.Hour + 7*time.Microsecond} {
		want.LastUsedAt = want.CreatedAt.Add(after)
		if f.ExactExpiry {
			clock.Set(want.LastUsedAt)
		}
		if err := s.TouchToken(t.Context(), want.SecretHash, want.LastUsedAt); err != nil {
			t.Fatalf("TouchToken error = %v", err)
		}
		checkToken(t, s, want) // LastUsedAt moved, ExpiresAt and the rest did not
	}
}

func tokenTouchUnknown(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	tok := newToken(newUserID(), clock.Now(), 0)
	mustCreateTokens(t, s, tok)
	if err := s.TouchToken(t.Context(), newSecretHash(), clock.Now()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchToken(unknown) = %v, want domain.ErrNotFound", err)
	}
	checkToken(t, s, tok)
}
