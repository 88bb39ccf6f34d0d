package app_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// shortSessions have an idle timeout of an hour and an absolute one of four, with the
// default touch interval of a minute.
func shortSessions() app.Settings {
	s := app.DefaultSettings()
	s.Session = domain.SessionPolicy{Idle: time.Hour, Absolute: 4 * time.Hour}
	return s
}

func TestChainTokenTouchIsCoalesced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.signUp("alice")
	tok := e.obtainToken("alice", password)
	if e.settings.TouchInterval != time.Minute {
		t.Fatalf("test assumes a touch interval of a minute, have %v", e.settings.TouchInterval)
	}
	steps := []struct {
		name     string
		advance  time.Duration
		wantLast time.Duration // since t0
	}{
		{"first use is written", 5 * time.Second, 5 * time.Second},
		{"30s later is not", 30 * time.Second, 5 * time.Second},
		{"just under the interval is not", 29*time.Second + 999*time.Millisecond, 5 * time.Second},
		{"after the interval is", 2 * time.Second, 66*time.Second + 999*time.Millisecond},
		{"again within the interval is not", 59 * time.Second, 66*time.Second + 999*time.Millisecond},
		{"hours later is", 3 * time.Hour, 3*time.Hour + 125*time.Second + 999*time.Millisecond},
	}
	for _, st := range steps {
		e.clock.Advance(st.advance)
		p := e.principal(tokenCreds(tok.Secret))
		want := t0.Add(st.wantLast)
		stored, err := e.tokens.TokenByHash(t.Context(), domain.HashSecret(tok.Secret))
		if err != nil {
			t.Fatalf("%s: TokenByHash: %v", st.name, err)
		}
		if !stored.LastUsedAt.Equal(want) {
			t.Errorf("%s: stored LastUsedAt = %v, want %v", st.name, stored.LastUsedAt, want)
		}
		if p.Token == nil || !p.Token.LastUsedAt.Equal(want) {
			t.Errorf("%s: principal token = %+v, want LastUsedAt %v", st.name, p.Token, want)
		}
		if !stored.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Errorf("%s: ExpiresAt moved from %v to %v; token lifetimes do not slide", st.name, tok.ExpiresAt, stored.ExpiresAt)
		}
	}
}

func TestChainSessionTouchSlidesExpiry(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, shortSessions())
	e.signUp("alice")
	s := e.login("alice", password)
	steps := []struct {
		name     string
		advance  time.Duration
		wantSeen time.Duration // since t0; the deadline is an hour later
	}{
		{"30s after login is not written", 30 * time.Second, 0},
		{"after the interval is", 31 * time.Second, 61 * time.Second},
		{"within the next interval is not", 40 * time.Second, 61 * time.Second},
		{"after the next interval is", 30 * time.Minute, 30*time.Minute + 101*time.Second},
	}
	for _, st := range steps {
		e.clock.Advance(st.advance)
		p := e.principal(sessionCreds(http.MethodGet, s.Secret, ""))
		wantSeen := t0.Add(st.wantSeen)
		wantExp := wantSeen.Add(time.Hour)
		stored, err := e.sessions.SessionByHash(t.Context(), domain.HashSecret(s.Secret))
		if err != nil {
			t.Fatalf("%s: SessionByHash: %v", st.name, err)
		}
		if !stored.LastSeenAt.Equal(wantSeen) || !stored.ExpiresAt.Equal(wantExp) {
			t.Errorf("%s: stored LastSeenAt, ExpiresAt = %v, %v; want %v, %v",
				st.name, stored.LastSeenAt, stored.ExpiresAt, wantSeen, wantExp)
		}
		if p.Session == nil || !p.Session.LastSeenAt.Equal(wantSeen) || !p.Session.ExpiresAt.Equal(wantExp) {
			t.Errorf("%s: principal session = %+v, want LastSeenAt %v, ExpiresAt %v", st.name, p.Session, wantSeen, wantExp)
		}
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		unused time.Duration
		alive  bool
	}{
		{"just before the idle deadline", time.Hour - time.Nanosecond, true},
		{"at the idle deadline", time.Hour, false},
		{"long after", 3 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnvWith(t, shortSessions())
			alice := e.signUp("alice")
			s := e.login("alice", password)
			e.clock.Advance(tt.unused)
			res, err := e.auth(sessionCreds(http.MethodGet, s.Secret, ""))
			list, _ := e.sessions.SessionsByUser(t.Context(), alice.ID)
			if tt.alive {
				if err != nil || res.Principal.Session == nil || res.ClearSessionCookie || len(list) != 1 {
					t.Fatalf("Authenticate: %v, clear %v, %d listed; want the session alive", err, res.ClearSessionCookie, len(list))
				}
				return
			}
			if !errors.Is(err, domain.ErrNotAuthenticated) || !res.ClearSessionCookie {
				t.Errorf("Authenticate: %v, clear %v; want ErrNotAuthenticated and the cookie cleared", err, res.ClearSessionCookie)
			}
			if len(list) != 0 {
				t.Errorf("SessionsByUser lists %d sessions, want 0", len(list))
			}
		})
	}
}

func TestSessionUsedRegularlyLivesUntilAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, shortSessions())
	e.signUp("alice")
	s := e.login("alice", password)
	step := e.settings.Session.Idle / 2
	absolute := t0.Add(e.settings.Session.Absolute)
	for e.clock.Now().Add(step).Before(absolute) {
		e.clock.Advance(step)
		res, err := e.auth(sessionCreds(http.MethodGet, s.Secret, ""))
		if err != nil {
			t.Fatalf("at +%v: Authenticate: %v, want the session alive", e.clock.Now().Sub(t0), err)
		}
		now := e.clock.Now()
		want := now.Add(e.settings.Session.Idle)
		if want.After(absolute) {
			want = absolute
		}
		if got := res.Principal.Session.ExpiresAt; !got.Equal(want) {
			t.Errorf("at +%v: ExpiresAt = %v, want %v", now.Sub(t0), got, want)
		}
	}
	e.clock.Advance(absolute.Sub(e.clock.Now())) // exactly at the absolute deadline
	res, err := e.auth(sessionCreds(http.MethodGet, s.Secret, ""))
	if !errors.Is(err, domain.ErrNotAuthenticated) || !res.ClearSessionCookie {
		t.Errorf("at the absolute deadline: Authenticate: %v, clear %v; want ErrNotAuthenticated and the cookie cleared",
			err, res.ClearSessionCookie)
	}
}
