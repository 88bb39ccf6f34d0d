package contract

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// RunSessionStore runs the cases of ports.SessionStore against f.Sessions: those every
// managed credential kind shares (credentials.go), then the sliding deadline.
func RunSessionStore(t *testing.T, f Factory) {
	if f.Sessions == nil {
		t.Skipf("%s has no SessionStore (Factory.Sessions is nil)", f.Name)
	}
	k := sessionKind(f)
	runCredentialCases(t, f, k)
	t.Run("touch slides the deadline", func(t *testing.T) { sessionTouch(t, f, k) })
}

type sessionCredential = credentialKind[domain.Session, ports.SessionStore]

// sessionKind is the session as a credential kind. Its touch slides the deadline a day on,
// as a request does.
func sessionKind(f Factory) sessionCredential {
	return sessionCredential{
		open: func(t *testing.T, clock *Clock) ports.SessionStore { return f.Sessions(t, clock) },
		make: newSession,
		variants: []variant[domain.Session]{
			{"IPv4", func(*domain.Session) {}},
			{"IPv6", func(s *domain.Session) { s.IP, s.UserAgent = "2001:db8::1", "curl/8.5.0" }},
			{"longest IPv6 text", func(s *domain.Session) {
				s.IP, s.UserAgent = "0000:0000:0000:0000:0000:ffff:192.168.100.228", "curl/8.5.0"
			}},
			{"no IP or user agent", func(s *domain.Session) { s.IP, s.UserAgent = "", "" }},
			{"unicode user agent", func(s *domain.Session) {
				s.IP, s.UserAgent = "198.51.100.7", "Mozilla/5.0 (iPhone; 中文; José’s 📱) Safari/605.1.15"
			}},
			{"quotes and script metacharacters", func(s *domain.Session) {
				s.IP, s.UserAgent = "203.0.113.9", `x'y"z\ %s %d $1 ${x} [a-z]* -- ; DROP TABLE sessions; redis.call('FLUSHALL')`
			}},
			{"longest user agent", func(s *domain.Session) { s.UserAgent = strings.Repeat("é", domain.MaxUserAgentLength/2) }},
			{"second factor", func(s *domain.Session) { s.Level = domain.LevelSecondFactor }},
			{"no level reads as password", func(s *domain.Session) { s.Level = 0 }},
			{"seen after creation", func(s *domain.Session) {
				s.UserAgent, s.LastSeenAt = "curl/8.5.0", s.CreatedAt.Add(17*time.Minute+123456*time.Microsecond)
			}},
		},
		hash:  func(s domain.Session) domain.SecretHash { return s.SecretHash },
		user:  func(s domain.Session) domain.UserID { return s.UserID },
		id:    func(s domain.Session) string { return s.ID },
		times: func(s domain.Session) []time.Time { return []time.Time{s.CreatedAt, s.LastSeenAt, s.ExpiresAt} },
		diff:  diffSession,

		create: ports.SessionStore.CreateSession,
		find: func(s ports.SessionStore, ctx context.Context, c domain.Session) (domain.Session, error) {
			return s.SessionByHash(ctx, c.SecretHash)
		},
		list:         ports.SessionStore.SessionsByUser,
		revoke:       ports.SessionStore.DeleteSession,
		revokeAllBut: ports.SessionStore.DeleteUserSessions,
		touch: func(s ports.SessionStore, ctx context.Context, c domain.Session, at time.Time) error {
			return s.TouchSession(ctx, c.SecretHash, at, at.Add(24*time.Hour))
		},
	}
}

// newSession returns a session of user with secret hash h created at created that expires
// ttl later.
func newSession(user domain.UserID, h domain.SecretHash, created time.Time, ttl time.Duration) domain.Session {
	return domain.Session{
		ID:         newPublicID(),
		UserID:     user,
		SecretHash: h,
		CreatedAt:  created,
		LastSeenAt: created,
		ExpiresAt:  created.Add(ttl),
		IP:         "192.0.2.1",
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
		Level:      domain.LevelPassword,
	}
}

func sessionTouch(t *testing.T, f Factory, k sessionCredential) {
	s, clock := k.store(t, f)
	orig := newSession(newUserID(), newSecretHash(), clock.Now(), time.Hour)
	orig.Level = domain.LevelSecondFactor // a touch rewrites the record: the level must stay
	k.mustCreate(t, s, orig)
	seen := orig.CreatedAt.Add(30 * time.Minute)
	if f.ExactExpiry {
		clock.Set(seen)
	}
	want := orig
	want.LastSeenAt, want.ExpiresAt = seen, seen.Add(time.Hour)
	if err := s.TouchSession(t.Context(), orig.SecretHash, want.LastSeenAt, want.ExpiresAt); err != nil {
		t.Fatalf("TouchSession error = %v", err)
	}
	k.check(t, s, want)
	if !f.ExactExpiry {
		return // the rest moves the clock past deadlines (see Factory.ExactExpiry)
	}
	clock.Set(orig.ExpiresAt.Add(15 * time.Minute))
	k.check(t, s, want) // past the old deadline, alive by the new one
	clock.Set(want.ExpiresAt)
	k.checkGone(t, s, want)
}
