package app_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

func TestLoginCreatesSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.signUp("alice")
	e.clock.Advance(time.Hour)
	now := e.clock.Now()
	ua := strings.Repeat("Mozilla/5.0 (X11; Linux x86_64) ", 20) // 640 bytes

	user, s, err := e.accounts.Login(t.Context(), ports.Login{
		Username: "ALICE", Password: password, IP: "203.0.113.7", UserAgent: ua,
	})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if user.ID != alice.ID || user.Username != "alice" {
		t.Errorf("user = %+v, want alice", user)
	}
	if !domain.ValidSessionSecret(s.Secret) || !domain.ValidPublicID(s.ID) {
		t.Errorf("secret %q, id %q: want a valid session secret and public id", s.Secret, s.ID)
	}
	if s.CSRFToken == "" || s.CSRFToken != domain.CSRFToken(s.Secret) {
		t.Errorf("CSRFToken = %q, want domain.CSRFToken(secret) = %q", s.CSRFToken, domain.CSRFToken(s.Secret))
	}
	wantUA := domain.TruncateUserAgent(ua)
	if len(wantUA) != domain.MaxUserAgentLength {
		t.Fatalf("test setup: truncated UA has %d bytes", len(wantUA))
	}
	stored, err := e.sessions.SessionByHash(t.Context(), domain.HashSecret(s.Secret))
	if err != nil {
		t.Fatalf("SessionByHash(HashSecret(secret)): %v", err)
	}
	for name, got := range map[string]domain.Session{"issued": s.Session, "stored": stored} {
		if got.ID != s.ID || got.UserID != alice.ID || got.IP != "203.0.113.7" || got.UserAgent != wantUA ||
			!got.CreatedAt.Equal(now) || !got.LastSeenAt.Equal(now) || !got.ExpiresAt.Equal(now.Add(e.settings.Session.Idle)) ||
			got.SecretHash != domain.HashSecret(s.Secret) {
			t.Errorf("%s session = %+v, want id %s of user %d from 203.0.113.7 with the truncated UA, created and seen %v, expiring %v",
				name, got, s.ID, alice.ID, now, now.Add(e.settings.Session.Idle))
		}
	}
}

func TestLoginSessionExpiresAtEarlierDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		idle, absolute time.Duration
		want           time.Duration
	}{
		{"idle first", 24 * time.Hour, 14 * 24 * time.Hour, 24 * time.Hour},
		{"absolute first", 10 * 24 * time.Hour, 2 * 24 * time.Hour, 2 * 24 * time.Hour},
		{"equal", time.Hour, time.Hour, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := app.DefaultSettings()
			s.Session = domain.SessionPolicy{Idle: tt.idle, Absolute: tt.absolute}
			e := newEnvWith(t, s)
			e.signUp("alice")
			sess := e.login("alice", password)
			if want := t0.Add(tt.want); !sess.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", sess.ExpiresAt, want)
			}
		})
	}
}

func TestLoginIssuesNewSessionEachTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("alice")
	a, b := e.login("alice", password), e.login("alice", password)
	if a.Secret == b.Secret || a.ID == b.ID || a.CSRFToken == b.CSRFToken {
		t.Fatalf("two logins gave the same secret, id or CSRF token: %+v, %+v", a, b)
	}
	if !e.sessionLive(a.Secret) || !e.sessionLive(b.Secret) {
		t.Error("logging in again without a previous session ended the first session")
	}
}

func TestLoginEndsPreviousSession(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		prevOwner string // who held the session the browser sends
	}{
		{"same user", "alice"},
		{"switching users", "bob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.signUp("alice")
			e.signUp("bob")
			old := e.login(tt.prevOwner, password)
			other := e.login(tt.prevOwner, password)
			_, s, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: password, PreviousSession: old.Secret})
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if e.sessionLive(old.Secret) {
				t.Error("the previous session is still live")
			}
			if !e.sessionLive(s.Secret) {
				t.Error("the new session is not live")
			}
			if !e.sessionLive(other.Secret) {
				t.Error("another session of the previous owner was ended too")
			}
		})
	}
}

func TestLoginIgnoresUnusablePreviousSession(t *testing.T) {
	t.Parallel()
	for _, prev := range []string{"garbage", "gts_unknown", "gth_not-a-session"} {
		t.Run(prev, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.signUp("alice")
			_, s, err := e.accounts.Login(t.Context(), ports.Login{Username: "alice", Password: password, PreviousSession: prev})
			if err != nil || !e.sessionLive(s.Secret) {
				t.Fatalf("Login with previous session %q: %v, live %v; want a live session", prev, err, e.sessionLive(s.Secret))
			}
		})
	}
}

func TestLoginRejectsBadCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, username, password string }{
		{"wrong password", "alice", "wrong-Password-000"},
		{"unknown user", "mallory", password},
		{"inactive user", "carol", password},
		{"over-long password", "alice", strings.Repeat("a", domain.MaxPasswordBytes+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.signUp("alice")
			carol := e.createUser("carol", e.hasher, false)
			_, _, err := e.accounts.Login(t.Context(), ports.Login{Username: tt.username, Password: tt.password})
			if !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("Login: %v, want ErrInvalidCredentials", err)
			}
			for _, id := range []domain.UserID{alice.ID, carol.ID} {
				if list, _ := e.sessions.SessionsByUser(t.Context(), id); len(list) != 0 {
					t.Errorf("user %d has %d sessions, want 0", id, len(list))
				}
			}
		})
	}
}

// entryPoints are the three ways a password is checked: all go through the Verifier.
var entryPoints = []struct {
	name  string
	check func(e *env, username, pw string) error
}{
	{"login", func(e *env, username, pw string) error {
		_, _, err := e.accounts.Login(e.t.Context(), ports.Login{Username: username, Password: pw})
		return err
	}},
	{"token", func(e *env, username, pw string) error {
		_, err := e.accounts.ObtainToken(e.t.Context(), ports.Login{Username: username, Password: pw})
		return err
	}},
	{"basic", func(e *env, username, pw string) error {
		creds := basicCreds(username, pw)
		creds.Method = http.MethodPost
		_, err := e.chain(domain.MethodBasic).Authenticate(e.t.Context(), creds)
		return err
	}},
}

func TestVerifierRehashesOutdatedHashOnSuccessfulLogin(t *testing.T) {
	t.Parallel()
	outdated := []struct {
		name   string
		params passhash.Params
	}{
		{"less memory", weakerParams},
		{"shorter salt", passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32}},
		{"shorter key", passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16}},
	}
	for _, ep := range entryPoints {
		for _, o := range outdated {
			t.Run(ep.name+"/"+o.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				old := newHasher(t, o.params)
				alice := e.createUser("alice", old, true)
				before := e.passwordHash(alice.ID)

				if err := ep.check(e, "alice", password); err != nil {
					t.Fatalf("%s: %v", ep.name, err)
				}
				after := e.passwordHash(alice.ID)
				if after == before || !strings.HasPrefix(after, testPHCPrefix) {
					t.Fatalf("stored hash %q -> %q, want a new hash with the current parameters", before, after)
				}
				if ok, rehash := e.hasher.Verify(password, after); !ok || rehash {
					t.Errorf("Verify(password, new hash) = %v, %v; want true, false", ok, rehash)
				}
				if n := rehashedEvents(e, alice.ID); n != 1 {
					t.Errorf("%d password_rehashed audit records for alice, want 1", n)
				}
			})
		}
	}
}

func TestVerifierKeepsHashWithCurrentParams(t *testing.T) {
	t.Parallel()
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.signUp("alice")
			before := e.passwordHash(alice.ID)
			if err := ep.check(e, "alice", password); err != nil {
				t.Fatalf("%s: %v", ep.name, err)
			}
			if after := e.passwordHash(alice.ID); after != before {
				t.Errorf("stored hash changed from %q to %q, want it kept", before, after)
			}
			if n := rehashedEvents(e, alice.ID); n != 0 {
				t.Errorf("%d password_rehashed audit records for a current hash, want 0", n)
			}
		})
	}
}

func TestVerifierKeepsHashOnFailedLogin(t *testing.T) {
	t.Parallel()
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice := e.createUser("alice", newHasher(t, weakerParams), true)
			before := e.passwordHash(alice.ID)
			if err := ep.check(e, "alice", "wrong-Password-000"); !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("%s with a wrong password: %v, want ErrInvalidCredentials", ep.name, err)
			}
			if after := e.passwordHash(alice.ID); after != before {
				t.Errorf("stored hash changed from %q to %q after a failed login", before, after)
			}
			if n := rehashedEvents(e, alice.ID); n != 0 {
				t.Errorf("%d password_rehashed audit records after a failed login, want 0", n)
			}
		})
	}
}

// recordingHasher is a real hasher that records the hashes Verify is asked to check.
type recordingHasher struct {
	ports.PasswordHasher
	mu       sync.Mutex
	verified []string
}

func (h *recordingHasher) Verify(ctx context.Context, pw, encoded string) (ok, rehash bool, err error) {
	h.mu.Lock()
	h.verified = append(h.verified, encoded)
	h.mu.Unlock()
	return h.PasswordHasher.Verify(ctx, pw, encoded)
}

// An unknown user costs one verification of a hash with the current parameters, like a wrong
// password, so response times do not reveal which accounts exist.
func TestVerifierSpendsOneHashVerificationOnEveryFailure(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, username, password string }{
		{"wrong password", "alice", "wrong-Password-000"},
		{"unknown user", "mallory", password},
		{"invalid username", "bad name!", password},
		{"inactive user", "carol", password},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.signUp("alice")
			e.createUser("carol", e.hasher, false)
			h := &recordingHasher{PasswordHasher: e.port}
			v := app.NewVerifier(e.users, h, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{}, nil, nil)
			if _, err := v.Check(t.Context(), tt.username, tt.password, "192.0.2.1", domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("Check: %v, want ErrInvalidCredentials", err)
			}
			if len(h.verified) != 1 || !strings.HasPrefix(h.verified[0], testPHCPrefix) {
				t.Errorf("verified %q, want one hash with the current parameters", h.verified)
			}
		})
	}
}

// rehashedEvents counts the password_rehashed audit records that name user.
func rehashedEvents(e *env, user domain.UserID) int {
	n := 0
	for _, a := range e.audit.since(0) {
		if a.Event == domain.AuditPasswordRehashed && a.UserID == user {
			n++
		}
	}
	return n
}
