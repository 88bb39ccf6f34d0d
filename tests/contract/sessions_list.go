package contract

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

func sessionList(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	user, other, now := newUserID(), newUserID(), clock.Now()
	old := newSession(user, now.Add(-3*time.Minute), 2*time.Hour)
	mid := newSession(user, now.Add(-2*time.Minute), 2*time.Hour)
	newest := newSession(user, now.Add(-time.Minute), 2*time.Hour)
	expired := newSession(user, now.Add(-30*time.Second), 30*time.Second-time.Microsecond)
	others := newSession(other, now.Add(-90*time.Second), 2*time.Hour)
	names := labels{old.ID: "old", mid.ID: "mid", newest.ID: "newest", expired.ID: "expired", others.ID: "other user's"}
	mustCreateSessions(t, s, mid, expired, old, others, newest)

	list := listSessions(t, s, user)
	want := []domain.Session{newest, mid, old}
	if got := names.of(sessionIDs(list)); !slices.Equal(got, names.of(sessionIDs(want))) {
		t.Fatalf("SessionsByUser = %v, want %v", got, names.of(sessionIDs(want)))
	}
	for i := range want {
		if d := diffSession(list[i], want[i]); d != nil {
			t.Errorf("SessionsByUser[%d] (%s): %s", i, names[want[i].ID], d)
		}
	}
}

func sessionListEmpty(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	mustCreateSessions(t, s, newSession(newUserID(), clock.Now(), time.Hour))
	if list := listSessions(t, s, newUserID()); len(list) != 0 {
		t.Errorf("SessionsByUser lists %d sessions of a user without any, want none", len(list))
	}
}

func sessionRevoke(t *testing.T, f Factory) {
	tests := []struct {
		name       string
		byStranger bool // another user asks to revoke
		unknownID  bool // the id names no session
		revoked    bool
	}{
		{name: "own session", revoked: true},
		{name: "another user's session", byStranger: true},
		{name: "unknown id", unknownID: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := sessionStore(t, f)
			user, stranger := newUserID(), newUserID()
			target, kept := newSession(user, clock.Now(), time.Hour), newSession(user, clock.Now().Add(-time.Second), time.Hour)
			strangers := newSession(stranger, clock.Now(), time.Hour)
			mustCreateSessions(t, s, target, kept, strangers)
			by, id := user, target.ID
			if tt.byStranger {
				by = stranger
			}
			if tt.unknownID {
				id = newPublicID()
			}
			err := s.DeleteSession(t.Context(), by, id)
			switch {
			case tt.revoked && err != nil:
				t.Fatalf("DeleteSession error = %v", err)
			case tt.revoked:
				if err := s.DeleteSession(t.Context(), by, id); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("DeleteSession of a revoked session = %v, want domain.ErrNotFound", err)
				}
				checkSessionGone(t, s, target)
			case !errors.Is(err, domain.ErrNotFound):
				t.Errorf("DeleteSession = %v, want domain.ErrNotFound", err)
			default:
				checkSession(t, s, target)
			}
			checkSession(t, s, kept)
			checkSession(t, s, strangers)
		})
	}
}

func sessionRevokeAll(t *testing.T, f Factory) {
	tests := []struct {
		name   string
		except string // label of the session to spare
		n      int
		left   []string
	}{
		{"all", "", 3, []string{}},
		{"all but one", "s2", 2, []string{"s2"}},
		{"except an unknown id", "unknown", 3, []string{}},
		{"except another user's", "other user's", 3, []string{}},
		{"except an expired one", "expired", 3, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := sessionStore(t, f)
			user, other, now := newUserID(), newUserID(), clock.Now()
			s1 := newSession(user, now.Add(-3*time.Second), time.Hour)
			s2 := newSession(user, now.Add(-2*time.Second), time.Hour)
			s3 := newSession(user, now.Add(-time.Second), time.Hour)
			expired := newSession(user, now.Add(-2*time.Hour), time.Hour)
			others := newSession(other, now, time.Hour)
			mustCreateSessions(t, s, s1, s2, s3, expired, others)
			names := labels{s1.ID: "s1", s2.ID: "s2", s3.ID: "s3", expired.ID: "expired", others.ID: "other user's"}
			ids := map[string]string{"": "", "unknown": newPublicID()}
			for id, name := range names {
				ids[name] = id
			}

			n, err := s.DeleteUserSessions(t.Context(), user, ids[tt.except])
			if err != nil || n != tt.n {
				t.Errorf("DeleteUserSessions(except %s) = %d, %v; want %d revoked (expired ones do not count)", tt.except, n, err, tt.n)
			}
			if got := names.of(sessionIDs(listSessions(t, s, user))); !slices.Equal(got, tt.left) {
				t.Errorf("left %v, want %v", got, tt.left)
			}
			checkSession(t, s, others)
			if again, err := s.DeleteUserSessions(t.Context(), user, ids[tt.except]); err != nil || again != 0 {
				t.Errorf("DeleteUserSessions again = %d, %v; want 0", again, err)
			}
		})
	}
	t.Run("user without sessions", func(t *testing.T) {
		s, clock := sessionStore(t, f)
		others := newSession(newUserID(), clock.Now(), time.Hour)
		mustCreateSessions(t, s, others)
		if n, err := s.DeleteUserSessions(t.Context(), newUserID(), ""); err != nil || n != 0 {
			t.Errorf("DeleteUserSessions = %d, %v; want 0", n, err)
		}
		checkSession(t, s, others)
	})
}

// sessionConcurrent creates 20 sessions of one user at once while 5 goroutines list them:
// every creation must succeed and every list must hold only those sessions, newest first. It is
// for the race detector and for stores with real connection pools.
func sessionConcurrent(t *testing.T, f Factory) {
	s, clock := sessionStore(t, f)
	const creators, listers = 20, 5
	user, now := newUserID(), clock.Now()
	sessions := make([]domain.Session, creators)
	known := map[string]bool{}
	for i := range sessions {
		sessions[i] = newSession(user, now.Add(time.Duration(i-creators)*time.Millisecond), time.Hour)
		known[sessions[i].ID] = true
	}
	race(creators+listers, func(i int) {
		if i < creators {
			if err := s.CreateSession(t.Context(), sessions[i]); err != nil {
				t.Errorf("CreateSession(#%d) error = %v", i, err)
			}
			return
		}
		for range 10 {
			list, err := s.SessionsByUser(t.Context(), user)
			if err != nil {
				t.Errorf("SessionsByUser error = %v", err)
				return
			}
			if len(list) > creators || !slices.IsSortedFunc(list, newestFirstSession) {
				t.Errorf("SessionsByUser during creation = %d sessions created at %v, want at most %d, newest first", len(list), createdSessions(list), creators)
				return
			}
			for _, got := range list {
				if !known[got.ID] {
					t.Errorf("SessionsByUser lists unknown session %s", got.ID)
					return
				}
			}
		}
	})
	list := listSessions(t, s, user)
	if len(list) != creators {
		t.Fatalf("SessionsByUser lists %d sessions after %d concurrent creations, want %d", len(list), creators, creators)
	}
	want := slices.Clone(sessions)
	slices.Reverse(want)
	if !slices.Equal(sessionIDs(list), sessionIDs(want)) {
		t.Errorf("SessionsByUser = created at %v, want created at %v", createdSessions(list), createdSessions(want))
	}
}

func newestFirstSession(a, b domain.Session) int { return b.CreatedAt.Compare(a.CreatedAt) }

func createdSessions(list []domain.Session) []string {
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.CreatedAt.Format("15:04:05.000000")
	}
	return out
}
