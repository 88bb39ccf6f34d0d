package memstore_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
)

// newSession returns a session of user created at created that expires ttl later.
func newSession(id string, user domain.UserID, created time.Time, ttl time.Duration) domain.Session {
	return domain.Session{
		ID:         id,
		UserID:     user,
		SecretHash: hashOf(id),
		CreatedAt:  created,
		LastSeenAt: created,
		ExpiresAt:  created.Add(ttl),
		IP:         "192.0.2.1",
		UserAgent:  "test/1.0",
	}
}

// sessionStore returns a store holding sessions, and its clock.
func sessionStore(t *testing.T, sessions ...domain.Session) (*memstore.SessionStore, *fakeClock) {
	t.Helper()
	clock := newClock()
	s := memstore.NewSessionStore(clock)
	for _, sess := range sessions {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatalf("CreateSession(%s): %v", sess.ID, err)
		}
	}
	return s, clock
}

func TestSessionStoreCreateAndFind(t *testing.T) {
	want := newSession("s1", 1, t0, time.Hour)
	s, _ := sessionStore(t, want)
	got, err := s.SessionByHash(ctx, want.SecretHash)
	if err != nil || got != want {
		t.Errorf("SessionByHash = %+v, %v; want %+v", got, err, want)
	}
	if _, err := s.SessionByHash(ctx, hashOf("unknown")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SessionByHash(unknown) = %v, want ErrNotFound", err)
	}
}

func TestSessionStoreRefusesLiveDuplicate(t *testing.T) {
	s, clock := sessionStore(t, newSession("s1", 1, t0, time.Hour))
	dupID := newSession("s1", 1, t0, time.Hour)
	dupID.SecretHash = hashOf("other")
	for _, dup := range []domain.Session{dupID, newSession("s1", 2, t0, time.Hour)} {
		if err := s.CreateSession(ctx, dup); err == nil || errors.Is(err, domain.ErrNotFound) {
			t.Errorf("CreateSession(duplicate) = %v, want a bug error", err)
		}
	}
	clock.Advance(time.Hour)
	again := newSession("s1", 2, clock.Now(), time.Hour)
	if err := s.CreateSession(ctx, again); err != nil {
		t.Fatalf("CreateSession over an expired session: %v", err)
	}
	if got, err := s.SessionByHash(ctx, again.SecretHash); err != nil || got != again {
		t.Errorf("SessionByHash = %+v, %v; want %+v", got, err, again)
	}
}

func TestSessionStoreExpiry(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		live    bool
	}{
		{"one nanosecond before ExpiresAt", time.Hour - time.Nanosecond, true},
		{"at ExpiresAt", time.Hour, false},
		{"after ExpiresAt", 2 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess := newSession("s1", 1, t0, time.Hour)
			s, clock := sessionStore(t, sess)
			clock.Advance(tt.advance)
			var want error // errors.Is(err, nil) means err == nil
			if !tt.live {
				want = domain.ErrNotFound
			}
			if _, err := s.SessionByHash(ctx, sess.SecretHash); !errors.Is(err, want) {
				t.Errorf("SessionByHash = %v, want %v", err, want)
			}
			if list, _ := s.SessionsByUser(ctx, 1); len(list) == 1 != tt.live {
				t.Errorf("SessionsByUser = %v, want live %t", sessionIDs(list), tt.live)
			}
			if err := s.TouchSession(ctx, hashOf("s1"), clock.Now(), clock.Now().Add(time.Hour)); !errors.Is(err, want) {
				t.Errorf("TouchSession = %v, want %v", err, want)
			}
			if err := s.DeleteSession(ctx, 1, "s1"); !errors.Is(err, want) {
				t.Errorf("DeleteSession = %v, want %v", err, want)
			}
		})
	}
}

func TestSessionStoreTouchSlidesExpiry(t *testing.T) {
	s, clock := sessionStore(t, newSession("s1", 1, t0, time.Hour))
	clock.Advance(30 * time.Minute)
	seen, expires := clock.Now(), clock.Now().Add(time.Hour)
	if err := s.TouchSession(ctx, hashOf("s1"), seen, expires); err != nil {
		t.Fatal(err)
	}
	clock.Advance(45 * time.Minute) // past the first deadline, before the second
	got, err := s.SessionByHash(ctx, hashOf("s1"))
	if err != nil {
		t.Fatalf("SessionByHash after touch: %v", err)
	}
	if !got.LastSeenAt.Equal(seen) || !got.ExpiresAt.Equal(expires) || !got.CreatedAt.Equal(t0) {
		t.Errorf("after touch: created %v, last seen %v, expires %v; want %v, %v, %v",
			got.CreatedAt, got.LastSeenAt, got.ExpiresAt, t0, seen, expires)
	}
	if err := s.TouchSession(ctx, hashOf("unknown"), seen, expires); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchSession(unknown) = %v, want ErrNotFound", err)
	}
}

func TestSessionStoreTouchDoesNotRevive(t *testing.T) {
	s, clock := sessionStore(t, newSession("s1", 1, t0, time.Hour))
	clock.Advance(time.Hour)
	if err := s.TouchSession(ctx, hashOf("s1"), clock.Now(), clock.Now().Add(time.Hour)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchSession(expired) = %v, want ErrNotFound", err)
	}
	if _, err := s.SessionByHash(ctx, hashOf("s1")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SessionByHash after touching an expired session = %v, want ErrNotFound", err)
	}
}

func TestSessionStoreListNewestFirst(t *testing.T) {
	s, clock := sessionStore(t,
		newSession("old", 1, t0, 2*time.Hour),
		newSession("new", 1, t0.Add(2*time.Minute), 2*time.Hour),
		newSession("tie-b", 1, t0.Add(time.Minute), 2*time.Hour),
		newSession("tie-a", 1, t0.Add(time.Minute), 2*time.Hour),
		newSession("expired", 1, t0.Add(3*time.Minute), time.Minute),
		newSession("other", 2, t0.Add(time.Minute), 2*time.Hour),
	)
	clock.Advance(time.Hour)
	list, err := s.SessionsByUser(ctx, 1)
	if want := []string{"new", "tie-a", "tie-b", "old"}; err != nil || !slices.Equal(sessionIDs(list), want) {
		t.Errorf("SessionsByUser = %v, %v; want %v", sessionIDs(list), err, want)
	}
	list, err = s.SessionsByUser(ctx, 3)
	if err != nil || list == nil || len(list) != 0 {
		t.Errorf("SessionsByUser(no sessions) = %#v, %v; want an empty list", list, err)
	}
}

func TestSessionStoreDelete(t *testing.T) {
	s, _ := sessionStore(t, newSession("s1", 1, t0, time.Hour), newSession("s2", 1, t0, time.Hour), newSession("x1", 2, t0, time.Hour))
	if err := s.DeleteSession(ctx, 1, "s1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if err := s.DeleteSession(ctx, 1, "s1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second DeleteSession = %v, want ErrNotFound", err)
	}
	if _, err := s.SessionByHash(ctx, hashOf("s1")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SessionByHash(deleted) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, 1, "x1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteSession(other user's) = %v, want ErrNotFound", err)
	}
	if _, err := s.SessionByHash(ctx, hashOf("x1")); err != nil {
		t.Errorf("other user's session gone after a refused delete: %v", err)
	}
	if list, _ := s.SessionsByUser(ctx, 1); !slices.Equal(sessionIDs(list), []string{"s2"}) {
		t.Errorf("SessionsByUser = %v, want [s2]", sessionIDs(list))
	}
}

func TestSessionStoreDeleteUserSessions(t *testing.T) {
	tests := []struct {
		name   string
		except string
		n      int
		left   []string
	}{
		{"all", "", 3, []string{}},
		{"all but one", "s2", 2, []string{"s2"}},
		{"except an unknown id", "nope", 3, []string{}},
		{"except another user's", "x1", 3, []string{}},
		{"except an expired one", "gone", 3, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := sessionStore(t,
				newSession("s1", 1, t0, time.Hour),
				newSession("s2", 1, t0.Add(time.Second), time.Hour),
				newSession("s3", 1, t0.Add(2*time.Second), time.Hour),
				newSession("gone", 1, t0, time.Minute),
				newSession("x1", 2, t0, time.Hour),
			)
			clock.Advance(time.Minute)
			n, err := s.DeleteUserSessions(ctx, 1, tt.except)
			if err != nil || n != tt.n {
				t.Errorf("DeleteUserSessions = %d, %v; want %d", n, err, tt.n)
			}
			if list, _ := s.SessionsByUser(ctx, 1); !slices.Equal(sessionIDs(list), tt.left) {
				t.Errorf("left %v, want %v", sessionIDs(list), tt.left)
			}
			if list, _ := s.SessionsByUser(ctx, 2); !slices.Equal(sessionIDs(list), []string{"x1"}) {
				t.Errorf("other user left %v, want [x1]", sessionIDs(list))
			}
		})
	}
}

func TestSessionStoreSweep(t *testing.T) {
	s, clock := sessionStore(t,
		newSession("short", 1, t0, time.Minute),
		newSession("short2", 2, t0, time.Minute),
		newSession("long", 1, t0, time.Hour),
	)
	if n := s.Sweep(); n != 0 {
		t.Errorf("Sweep before expiry = %d, want 0", n)
	}
	clock.Advance(time.Minute)
	if n := s.Sweep(); n != 2 {
		t.Errorf("Sweep = %d, want 2", n)
	}
	if n := s.Sweep(); n != 0 {
		t.Errorf("second Sweep = %d, want 0", n)
	}
	if _, err := s.SessionByHash(ctx, hashOf("long")); err != nil {
		t.Errorf("live session swept: %v", err)
	}
}
