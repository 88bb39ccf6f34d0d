package memstore_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
)

// newToken returns a token of user created at created that expires ttl later, or never if
// ttl is 0.
func newToken(id string, user domain.UserID, created time.Time, ttl time.Duration) domain.Token {
	t := domain.Token{ID: id, UserID: user, Name: "laptop", SecretHash: hashOf(id), CreatedAt: created}
	if ttl != 0 {
		t.ExpiresAt = created.Add(ttl)
	}
	return t
}

// tokenStore returns a store holding tokens, and its clock.
func tokenStore(t *testing.T, tokens ...domain.Token) (*memstore.TokenStore, *fakeClock) {
	t.Helper()
	clock := newClock()
	s := memstore.NewTokenStore(clock)
	for _, tok := range tokens {
		if err := s.CreateToken(ctx, tok); err != nil {
			t.Fatalf("CreateToken(%s): %v", tok.ID, err)
		}
	}
	return s, clock
}

func TestTokenStoreCreateAndFind(t *testing.T) {
	want := newToken("t1", 1, t0, time.Hour)
	want.LastUsedAt = t0.Add(time.Second)
	s, _ := tokenStore(t, want)
	got, err := s.TokenByHash(ctx, want.SecretHash)
	if err != nil || got != want {
		t.Errorf("TokenByHash = %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.TokenByHash(ctx, hashOf("unknown")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TokenByHash(unknown) = %v, want ErrNotFound", err)
	}
}

func TestTokenStoreExpiry(t *testing.T) {
	tests := []struct {
		name    string
		ttl     time.Duration
		advance time.Duration
		live    bool
	}{
		{"one nanosecond before ExpiresAt", time.Hour, time.Hour - time.Nanosecond, true},
		{"at ExpiresAt", time.Hour, time.Hour, false},
		{"after ExpiresAt", time.Hour, 2 * time.Hour, false},
		{"zero ExpiresAt never expires", 0, 100 * 365 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := newToken("t1", 1, t0, tt.ttl)
			s, clock := tokenStore(t, tok)
			clock.Advance(tt.advance)
			var want error // errors.Is(err, nil) means err == nil
			if !tt.live {
				want = domain.ErrNotFound
			}
			if got, err := s.TokenByHash(ctx, tok.SecretHash); !errors.Is(err, want) || err == nil && got != tok {
				t.Errorf("TokenByHash = %+v, %v; want %v", got, err, want)
			}
			if list, _ := s.TokensByUser(ctx, 1); len(list) == 1 != tt.live {
				t.Errorf("TokensByUser = %v, want live %t", tokenIDs(list), tt.live)
			}
			if err := s.TouchToken(ctx, hashOf("t1"), clock.Now()); !errors.Is(err, want) {
				t.Errorf("TouchToken = %v, want %v", err, want)
			}
			if err := s.DeleteToken(ctx, 1, "t1"); !errors.Is(err, want) {
				t.Errorf("DeleteToken = %v, want %v", err, want)
			}
		})
	}
}

func TestTokenStoreTouch(t *testing.T) {
	s, clock := tokenStore(t, newToken("t1", 1, t0, time.Hour))
	if got, _ := s.TokenByHash(ctx, hashOf("t1")); !got.LastUsedAt.IsZero() {
		t.Errorf("LastUsedAt of an unused token = %v, want zero", got.LastUsedAt)
	}
	clock.Advance(time.Minute)
	used := clock.Now()
	if err := s.TouchToken(ctx, hashOf("t1"), used); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenByHash(ctx, hashOf("t1"))
	if err != nil || !got.LastUsedAt.Equal(used) || !got.ExpiresAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("after touch: %+v, %v; want LastUsedAt %v and ExpiresAt unchanged", got, err, used)
	}
	if err := s.TouchToken(ctx, hashOf("unknown"), used); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchToken(unknown) = %v, want ErrNotFound", err)
	}
}

func TestTokenStoreListNewestFirst(t *testing.T) {
	s, clock := tokenStore(t,
		newToken("old", 1, t0, 0),
		newToken("new", 1, t0.Add(2*time.Minute), 2*time.Hour),
		newToken("tie-b", 1, t0.Add(time.Minute), 2*time.Hour),
		newToken("tie-a", 1, t0.Add(time.Minute), 0),
		newToken("expired", 1, t0.Add(3*time.Minute), time.Minute),
		newToken("other", 2, t0.Add(time.Minute), 0),
	)
	clock.Advance(time.Hour)
	list, err := s.TokensByUser(ctx, 1)
	if want := []string{"new", "tie-a", "tie-b", "old"}; err != nil || !slices.Equal(tokenIDs(list), want) {
		t.Errorf("TokensByUser = %v, %v; want %v", tokenIDs(list), err, want)
	}
	list, err = s.TokensByUser(ctx, 3)
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("TokensByUser(no tokens) = %#v, %v; want an empty list", list, err)
	}
}

func TestTokenStoreDelete(t *testing.T) {
	s, _ := tokenStore(t, newToken("t1", 1, t0, 0), newToken("t2", 1, t0, 0), newToken("x1", 2, t0, 0))
	if err := s.DeleteToken(ctx, 1, "t1"); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if err := s.DeleteToken(ctx, 1, "t1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second DeleteToken = %v, want ErrNotFound", err)
	}
	if _, err := s.TokenByHash(ctx, hashOf("t1")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TokenByHash(deleted) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteToken(ctx, 1, "x1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteToken(other user's) = %v, want ErrNotFound", err)
	}
	if _, err := s.TokenByHash(ctx, hashOf("x1")); err != nil {
		t.Errorf("other user's token gone after a refused delete: %v", err)
	}
	if list, _ := s.TokensByUser(ctx, 1); !slices.Equal(tokenIDs(list), []string{"t2"}) {
		t.Errorf("TokensByUser = %v, want [t2]", tokenIDs(list))
	}
}

func TestTokenStoreDeleteUserTokens(t *testing.T) {
	tests := []struct {
		name   string
		except string
		n      int
		left   []string
	}{
		{"all", "", 3, []string{}},
		{"all but one", "t2", 2, []string{"t2"}},
		{"except an unknown id", "nope", 3, []string{}},
		{"except another user's", "x1", 3, []string{}},
		{"except an expired one", "gone", 3, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := tokenStore(t,
				newToken("t1", 1, t0, 0),
				newToken("t2", 1, t0.Add(time.Second), time.Hour),
				newToken("t3", 1, t0.Add(2*time.Second), 0),
				newToken("gone", 1, t0, time.Minute),
				newToken("x1", 2, t0, 0),
			)
			clock.Advance(time.Minute)
			n, err := s.DeleteUserTokens(ctx, 1, tt.except)
			if err != nil || n != tt.n {
				t.Errorf("DeleteUserTokens = %d, %v; want %d", n, err, tt.n)
			}
			if list, _ := s.TokensByUser(ctx, 1); !slices.Equal(tokenIDs(list), tt.left) {
				t.Errorf("left %v, want %v", tokenIDs(list), tt.left)
			}
			if list, _ := s.TokensByUser(ctx, 2); !slices.Equal(tokenIDs(list), []string{"x1"}) {
				t.Errorf("other user left %v, want [x1]", tokenIDs(list))
			}
		})
	}
}

func TestTokenStoreSweep(t *testing.T) {
	s, clock := tokenStore(t,
		newToken("short", 1, t0, time.Minute),
		newToken("short2", 2, t0, time.Minute),
		newToken("long", 1, t0, time.Hour),
		newToken("forever", 1, t0, 0),
	)
	clock.Advance(time.Minute)
	if n := s.Sweep(); n != 2 {
		t.Errorf("Sweep = %d, want 2", n)
	}
	if n := s.Sweep(); n != 0 {
		t.Errorf("second Sweep = %d, want 0", n)
	}
	clock.Advance(100 * 365 * 24 * time.Hour)
	if n := s.Sweep(); n != 1 {
		t.Errorf("Sweep a century later = %d, want 1", n)
	}
	if _, err := s.TokenByHash(ctx, hashOf("forever")); err != nil {
		t.Errorf("token without expiry swept: %v", err)
	}
}

// TestTokenStoreConcurrentUse is for the race detector: every operation at once.
func TestTokenStoreConcurrentUse(t *testing.T) {
	s, clock := tokenStore(t)
	var wg sync.WaitGroup
	for g := range 8 {
		user := domain.UserID(g%3 + 1)
		wg.Go(func() {
			for i := range 50 {
				id := fmt.Sprintf("g%d-%d", g, i)
				if err := s.CreateToken(ctx, newToken(id, user, clock.Now(), time.Duration(i%5)*time.Millisecond)); err != nil {
					t.Error(err)
					return
				}
				_, _ = s.TokenByHash(ctx, hashOf(id))
				_ = s.TouchToken(ctx, hashOf(id), clock.Now())
				_, _ = s.TokensByUser(ctx, user)
				clock.Advance(time.Millisecond)
				switch i % 10 {
				case 3:
					_ = s.DeleteToken(ctx, user, id)
				case 9:
					_, _ = s.DeleteUserTokens(ctx, user, id)
				case 7:
					s.Sweep()
				}
			}
		})
	}
	wg.Wait()
}
