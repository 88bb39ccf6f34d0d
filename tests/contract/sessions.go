package contract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// RunSessionStore runs the cases of ports.SessionStore against f.Sessions.
func RunSessionStore(t *testing.T, f Factory) {
	if f.Sessions == nil {
		t.Skipf("%s has no SessionStore (Factory.Sessions is nil)", f.Name)
	}
	t.Run("fields round-trip", func(t *testing.T) { sessionRoundTrip(t, f) })
	t.Run("unknown secret hash", func(t *testing.T) { sessionUnknownHash(t, f) })
	t.Run("already expired", func(t *testing.T) { sessionAlreadyExpired(t, f) })
	t.Run("expiry at the exact deadline", func(t *testing.T) { sessionDeadline(t, f) })
	t.Run("touch slides the deadline", func(t *testing.T) { sessionTouch(t, f) })
	t.Run("touch of an unknown session", func(t *testing.T) { sessionTouchUnknown(t, f) })
	t.Run("list is the user's live sessions, newest first", func(t *testing.T) { sessionList(t, f) })
	t.Run("list of a user without sessions", func(t *testing.T) { sessionListEmpty(t, f) })
	t.Run("revoke", func(t *testing.T) { sessionRevoke(t, f) })
	t.Run("revoke all", func(t *testing.T) { sessionRevokeAll(t, f) })
	t.Run("concurrent create and list", func(t *testing.T) { sessionConcurrent(t, f) })
}

func sessionStore(t *testing.T, f Factory) (ports.SessionStore, *Clock) {
	clock := clockFor(f)
	return f.Sessions(t, clock), clock
}

// newSession returns a session of user created at created that expires ttl later.
func newSession(user domain.UserID, created time.Time, ttl time.Duration) domain.Session {
	return domain.Session{
		ID:         newPublicID(),
		UserID:     user,
		SecretHash: newSecretHash(),
		CreatedAt:  created,
		LastSeenAt: created,
		ExpiresAt:  created.Add(ttl),
		IP:         "192.0.2.1",
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
	}
}

func mustCreateSessions(t *testing.T, s ports.SessionStore, sessions ...domain.Session) {
	t.Helper()
	for _, sess := range sessions {
		if err := s.CreateSession(t.Context(), sess); err != nil {
			t.Fatalf("CreateSession(%s) error = %v", sess.ID, err)
		}
	}
}

// checkSession fails unless s finds want by its secret hash.
func checkSession(t *testing.T, s ports.SessionStore, want domain.Session) {
	t.Helper()
	got, err := s.SessionByHash(t.Context(), want.SecretHash)
	if err != nil {
		t.Errorf("SessionByHash(%s) error = %v, want session %s", want.SecretHash.Hex(), err, want.ID)
	} else if d := diffSession(got, want); d != nil {
		t.Errorf("SessionByHash(%s): %s", want.SecretHash.Hex(), d)
	}
}

// checkSessionGone fails unless every method treats sess as missing: not found, not listed,
// not touched, not revoked.
func checkSessionGone(t *testing.T, s ports.SessionStore, sess domain.Session) {
	t.Helper()
	ctx := t.Context()
	if got, err := s.SessionByHash(ctx, sess.SecretHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SessionByHash = session %s, %v; want domain.ErrNotFound", got.ID, err)
	}
	if list, err := s.SessionsByUser(ctx, sess.UserID); err != nil {
		t.Errorf("SessionsByUser error = %v", err)
	} else {
		for _, got := range list {
			if got.ID == sess.ID {
				t.Errorf("SessionsByUser lists session %s, want it left out", sess.ID)
			}
		}
	}
	if err := s.TouchSession(ctx, sess.SecretHash, sess.ExpiresAt, sess.ExpiresAt.Add(24*time.Hour)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchSession = %v, want domain.ErrNotFound", err)
	}
	if err := s.DeleteSession(ctx, sess.UserID, sess.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteSession = %v, want domain.ErrNotFound", err)
	}
	if got, err := s.SessionByHash(ctx, sess.SecretHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SessionByHash after TouchSession = session %s, %v; want domain.ErrNotFound: a touch must not revive", got.ID, err)
	}
}

// listSessions returns the user's sessions, failing the test on an error.
func listSessions(t *testing.T, s ports.SessionStore, user domain.UserID) []domain.Session {
	t.Helper()
	list, err := s.SessionsByUser(t.Context(), user)
	if err != nil {
		t.Fatalf("SessionsByUser(%d) error = %v", user, err)
	}
	return list
}

func sessionRoundTrip(t *testing.T, f Factory) {
	tests := []struct {
		name      string
		ip, agent string
		seen      time.Duration // LastSeenAt after CreatedAt
	}{
		{"IPv4", "192.0.2.1", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", 0},
		{"IPv6", "2001:db8::1", "curl/8.5.0", 0},
		{"longest IPv6 text", "0000:0000:0000:0000:0000:ffff:192.168.100.228", "curl/8.5.0", 0},
		{"no IP or user agent", "", "", 0},
		{"unicode user agent", "198.51.100.7", "Mozilla/5.0 (iPhone; 中文; José’s 📱) Safari/605.1.15", 0},
		{"quotes and script metacharacters", "203.0.113.9", `x'y"z\ %s %d $1 ${x} [a-z]* -- ; DROP TABLE sessions; redis.call('FLUSHALL')`, 0},
		{"longest user agent", "192.0.2.1", strings.Repeat("é", domain.MaxUserAgentLength/2), 0},
		{"seen after creation", "192.0.2.1", "curl/8.5.0", 17*time.Minute + 123456*time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := sessionStore(t, f)
			want := newSession(newUserID(), clock.Now().Add(-time.Hour), 2*time.Hour)
			want.IP, want.UserAgent = tt.ip, tt.agent
			want.LastSeenAt = want.CreatedAt.Add(tt.seen)
			mustCreateSessions(t, s, want)
			checkSession(t, s, want)
			list := listSessions(t, s, want.UserID)
			if len(list) != 1 {
				t.Fatalf("SessionsByUser lists %d sessions, want 1", len(list))
			}
			if d := diffSession(list[0], want); d != nil {
				t.Errorf("SessionsByUser: %s", d)
			}
		})
	}
}

func sessionUnknownHash(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	mustCreateSessions(t, s, newSession(newUserID(), clock.Now(), time.Hour))
	if got, err := s.SessionByHash(t.Context(), newSecretHash()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SessionByHash(unknown) = session %s, %v; want domain.ErrNotFound", got.ID, err)
	}
}

// sessionAlreadyExpired creates a session whose deadline has passed by every clock, the
// store's and the server's, so it runs for every adapter.
func sessionAlreadyExpired(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	sess := newSession(newUserID(), clock.Now().Add(-2*time.Hour), time.Hour)
	mustCreateSessions(t, s, sess)
	checkSessionGone(t, s, sess)
}

func sessionDeadline(t *testing.T, f Factory) {
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
			s, clock := sessionStore(t, f)
			sess := newSession(newUserID(), clock.Now(), time.Hour)
			mustCreateSessions(t, s, sess)
			clock.Set(sess.ExpiresAt.Add(tt.at))
			if !tt.live {
				checkSessionGone(t, s, sess)
				return
			}
			checkSession(t, s, sess)
			if list := listSessions(t, s, sess.UserID); len(list) != 1 {
				t.Errorf("SessionsByUser lists %d sessions, want 1", len(list))
			}
			if err := s.TouchSession(t.Context(), sess.SecretHash, clock.Now(), sess.ExpiresAt); err != nil {
				t.Errorf("TouchSession error = %v", err)
			}
			if err := s.DeleteSession(t.Context(), sess.UserID, sess.ID); err != nil {
				t.Errorf("DeleteSession error = %v", err)
			}
		})
	}
}

func sessionTouch(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	orig := newSession(newUserID(), clock.Now(), time.Hour)
	mustCreateSessions(t, s, orig)
	seen := orig.CreatedAt.Add(30 * time.Minute)
	if f.ExactExpiry {
		clock.Set(seen)
	}
	want := orig
	want.LastSeenAt, want.ExpiresAt = seen, seen.Add(time.Hour)
	if err := s.TouchSession(t.Context(), orig.SecretHash, want.LastSeenAt, want.ExpiresAt); err != nil {
		t.Fatalf("TouchSession error = %v", err)
	}
	checkSession(t, s, want)
	if !f.ExactExpiry {
		return // the rest moves the clock past deadlines (see Factory.ExactExpiry)
	}
	clock.Set(orig.ExpiresAt.Add(15 * time.Minute))
	checkSession(t, s, want) // past the old deadline, alive by the new one
	clock.Set(want.ExpiresAt)
	checkSessionGone(t, s, want)
}

func sessionTouchUnknown(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	sess := newSession(newUserID(), clock.Now(), time.Hour)
	mustCreateSessions(t, s, sess)
	if err := s.TouchSession(t.Context(), newSecretHash(), clock.Now(), clock.Now().Add(time.Hour)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TouchSession(unknown) = %v, want domain.ErrNotFound", err)
	}
	checkSession(t, s, sess)
}
