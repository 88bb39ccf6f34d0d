package contract

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

func tokenList(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	user, other, now := newUserID(), newUserID(), clock.Now()
	old := newToken(user, now.Add(-3*time.Minute), 0) // tokens without expiry are live too
	mid := newToken(user, now.Add(-2*time.Minute), 2*time.Hour)
	newest := newToken(user, now.Add(-time.Minute), 0)
	expired := newToken(user, now.Add(-30*time.Second), 30*time.Second-time.Microsecond)
	others := newToken(other, now.Add(-90*time.Second), 2*time.Hour)
	names := labels{old.ID: "old", mid.ID: "mid", newest.ID: "newest", expired.ID: "expired", others.ID: "other user's"}
	mustCreateTokens(t, s, mid, expired, old, others, newest)

	list := listTokens(t, s, user)
	want := []domain.Token{newest, mid, old}
	if got := names.of(tokenIDs(list)); !slices.Equal(got, names.of(tokenIDs(want))) {
		t.Fatalf("TokensByUser = %v, want %v", got, names.of(tokenIDs(want)))
	}
	for i := range want {
		if d := diffToken(list[i], want[i]); d != nil {
			t.Errorf("TokensByUser[%d] (%s): %s", i, names[want[i].ID], d)
		}
	}
}

func tokenListEmpty(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	mustCreateTokens(t, s, newToken(newUserID(), clock.Now(), time.Hour))
	if list := listTokens(t, s, newUserID()); len(list) != 0 {
		t.Errorf("TokensByUser lists %d tokens of a user without any, want none", len(list))
	}
}

func tokenRevoke(t *testing.T, f Factory) {
	tests := []struct {
		name       string
		byStranger bool // another user asks to revoke
		unknownID  bool // the id names no token
		revoked    bool
	}{
		{name: "own token", revoked: true},
		{name: "another user's token", byStranger: true},
		{name: "unknown id", unknownID: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := tokenStore(t, f)
			user, stranger := newUserID(), newUserID()
			target, kept := newToken(user, clock.Now(), time.Hour), newToken(user, clock.Now().Add(-time.Second), time.Hour)
			strangers := newToken(stranger, clock.Now(), time.Hour)
			mustCreateTokens(t, s, target, kept, strangers)
			by, id := user, target.ID
			if tt.byStranger {
				by = stranger
			}
			if tt.unknownID {
				id = newPublicID()
			}
			err := s.DeleteToken(t.Context(), by, id)
			switch {
			case tt.revoked && err != nil:
				t.Fatalf("DeleteToken error = %v", err)
			case tt.revoked:
				if err := s.DeleteToken(t.Context(), by, id); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("DeleteToken of a revoked token = %v, want domain.ErrNotFound", err)
				}
				checkTokenGone(t, s, target)
			case !errors.Is(err, domain.ErrNotFound):
				t.Errorf("DeleteToken = %v, want domain.ErrNotFound", err)
			default:
				checkToken(t, s, target)
			}
			checkToken(t, s, kept)
			checkToken(t, s, strangers)
		})
	}
}

func tokenRevokeAll(t *testing.T, f Factory) {
	tests := []struct {
		name   string
		except string // label of the token to spare
		n      int
		left   []string
	}{
		{"all", "", 3, []string{}},
		{"all but one", "t2", 2, []string{"t2"}},
		{"except an unknown id", "unknown", 3, []string{}},
		{"except another user's", "other user's", 3, []string{}},
		{"except an expired one", "expired", 3, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := tokenStore(t, f)
			user, other, now := newUserID(), newUserID(), clock.Now()
			t1 := newToken(user, now.Add(-3*time.Second), 0) // never expires
			t2 := newToken(user, now.Add(-2*time.Second), time.Hour)
			t3 := newToken(user, now.Add(-time.Second), 0)
			expired := newToken(user, now.Add(-2*time.Hour), time.Hour)
			others := newToken(other, now, 0)
			mustCreateTokens(t, s, t1, t2, t3, expired, others)
			names := labels{t1.ID: "t1", t2.ID: "t2", t3.ID: "t3", expired.ID: "expired", others.ID: "other user's"}
			ids := map[string]string{"": "", "unknown": newPublicID()}
			for id, name := range names {
				ids[name] = id
			}

			n, err := s.DeleteUserTokens(t.Context(), user, ids[tt.except])
			if err != nil || n != tt.n {
				t.Errorf("DeleteUserTokens(except %s) = %d, %v; want %d revoked (expired ones do not count)", tt.except, n, err, tt.n)
			}
			if got := names.of(tokenIDs(listTokens(t, s, user))); !slices.Equal(got, tt.left) {
				t.Errorf("left %v, want %v", got, tt.left)
			}
			checkToken(t, s, others)
			if again, err := s.DeleteUserTokens(t.Context(), user, ids[tt.except]); err != nil || again != 0 {
				t.Errorf("DeleteUserTokens again = %d, %v; want 0", again, err)
			}
		})
	}
	t.Run("user without tokens", func(t *testing.T) {
		s, clock := tokenStore(t, f)
		others := newToken(newUserID(), clock.Now(), time.Hour)
		mustCreateTokens(t, s, others)
		if n, err := s.DeleteUserTokens(t.Context(), newUserID(), ""); err != nil || n != 0 {
			t.Errorf("DeleteUserTokens = %d, %v; want 0", n, err)
		}
		checkToken(t, s, others)
	})
}

// tokenConcurrent creates 20 tokens of one user at once while 5 goroutines list them:
// every creation must succeed and every list must hold only those tokens, newest first. It is
// for the race detector and for stores with real connection pools.
func tokenConcurrent(t *testing.T, f Factory) {
	s, clock := tokenStore(t, f)
	const creators, listers = 20, 5
	user, now := newUserID(), clock.Now()
	tokens := make([]domain.Token, creators)
	known := map[string]bool{}
	for i := range tokens {
		tokens[i] = newToken(user, now.Add(time.Duration(i-creators)*time.Millisecond), time.Hour)
		known[tokens[i].ID] = true
	}
	race(creators+listers, func(i int) {
		if i < creators {
			if err := s.CreateToken(t.Context(), tokens[i]); err != nil {
				t.Errorf("CreateToken(#%d) error = %v", i, err)
			}
			return
		}
		for range 10 {
			list, err := s.TokensByUser(t.Context(), user)
			if err != nil {
				t.Errorf("TokensByUser error = %v", err)
				return
			}
			if len(list) > creators || !slices.IsSortedFunc(list, newestFirstToken) {
				t.Errorf("TokensByUser during creation = %d tokens created at %v, want at most %d, newest first", len(list), createdTokens(list), creators)
				return
			}
			for _, got := range list {
				if !known[got.ID] {
					t.Errorf("TokensByUser lists unknown token %s", got.ID)
					return
				}
			}
		}
	})
	list := listTokens(t, s, user)
	if len(list) != creators {
		t.Fatalf("TokensByUser lists %d tokens after %d concurrent creations, want %d", len(list), creators, creators)
	}
	want := slices.Clone(tokens)
	slices.Reverse(want)
	if !slices.Equal(tokenIDs(list), tokenIDs(want)) {
		t.Errorf("TokensByUser = created at %v, want created at %v", createdTokens(list), createdTokens(want))
	}
}

func newestFirstToken(a, b domain.Token) int { return b.CreatedAt.Compare(a.CreatedAt) }

func createdTokens(list []domain.Token) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.CreatedAt.Format("15:04:05.000000")
	}
	return out
}
