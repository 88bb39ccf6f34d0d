package prommetrics_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// verdict is an authenticator that answers with a fixed result: the chain's verdicts
// without building a chain.
type verdict struct {
	res ports.AuthResult
	err error
}

func (v verdict) Authenticate(context.Context, domain.RequestCredentials) (ports.AuthResult, error) {
	return v.res, v.err
}

func (verdict) Methods() []domain.AuthMethod { return []domain.AuthMethod{domain.MethodToken} }

func TestAuthenticatorCountsAttempts(t *testing.T) {
	decided := func(m domain.AuthMethod) ports.AuthResult { return ports.AuthResult{Method: m} }
	tests := []struct {
		name            string
		res             ports.AuthResult
		err             error
		method, outcome string
	}{
		{"token ok", decided(domain.MethodToken), nil, "token", "ok"},
		{"no credentials", ports.AuthResult{}, domain.ErrNotAuthenticated, "none", "absent"},
		{"unknown token", decided(domain.MethodToken), domain.ErrInvalidToken, "token", "invalid"},
		{"malformed basic", decided(domain.MethodBasic), &domain.MalformedCredentialsError{Reason: "bad base64"}, "basic", "invalid"},
		{"session without CSRF", decided(domain.MethodSession), &domain.CSRFError{Reason: "missing"}, "session", "invalid"},
		{"basic throttled", decided(domain.MethodBasic), &domain.RateLimitedError{RetryAfter: time.Minute}, "basic", "throttled"},
		{"store down", decided(domain.MethodSession), fmt.Errorf("%w: timeout", domain.ErrUnavailable), "session", "unavailable"},
		{"a bug", decided(domain.MethodToken), errors.New("nil map"), "token", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := prommetrics.New()
			a := m.Authenticator(verdict{tt.res, tt.err})
			for range 2 {
				res, err := a.Authenticate(t.Context(), domain.RequestCredentials{})
				if err != tt.err || res != tt.res {
					t.Fatalf("Authenticate = %+v, %v; want the wrapped verdict %+v, %v", res, err, tt.res, tt.err)
				}
			}
			expect(t, m.Gatherer(), "gatehouse_auth_attempts_total", map[string]string{"method": tt.method, "outcome": tt.outcome}, 2)
			if got := a.Methods(); !slices.Equal(got, []domain.AuthMethod{domain.MethodToken}) {
				t.Errorf("Methods = %v, want the wrapped chain's", got)
			}
		})
	}
}

// auditLog records the events passed on to it.
type auditLog struct{ events []domain.Audit }

func (l *auditLog) Audit(_ context.Context, a domain.Audit) { l.events = append(l.events, a) }

func TestAuditorCountsEvents(t *testing.T) {
	m := prommetrics.New()
	next := &auditLog{}
	a := m.Auditor(next)
	events := []domain.Audit{
		{Event: domain.AuditSignup, UserID: 1},
		{Event: domain.AuditLogin, UserID: 1, Method: domain.MethodSession},
		{Event: domain.AuditLogin, UserID: 1, Method: domain.MethodToken},
		{Event: domain.AuditTokenCreated, UserID: 1, Method: domain.MethodToken, ItemID: "t1"},
		{Event: domain.AuditLoginFailed, Method: domain.MethodToken},
		{Event: domain.AuditLoginFailed, UserID: 1, Method: domain.MethodBasic},
		{Event: domain.AuditLoginThrottled, Method: domain.MethodSession},
		{Event: domain.AuditLogout, UserID: 1, Method: domain.MethodSession},
		{Event: domain.AuditLogoutAll, UserID: 1, Method: domain.MethodToken},
		{Event: domain.AuditTokenRevoked, UserID: 1, ItemID: "t1"},
		{Event: domain.AuditSessionRevoked, UserID: 1, ItemID: "s1"},
		{Event: domain.AuditSessionRevoked, UserID: 1, ItemID: "s2"},
		{Event: domain.AuditPasswordChanged, UserID: 1},
		{Event: domain.AuditPasswordRehashed, UserID: 1, Method: domain.MethodBasic},
	}
	for _, e := range events {
		a.Audit(t.Context(), e)
	}
	if !slices.Equal(next.events, events) {
		t.Errorf("wrapped auditor got %v, want every event in order", next.events)
	}
	g := m.Gatherer()
	login := func(method, outcome string) map[string]string {
		return map[string]string{"method": method, "outcome": outcome}
	}
	expect(t, g, "gatehouse_signups_total", nil, 1)
	expect(t, g, "gatehouse_logins_total", login("session", "ok"), 1)
	expect(t, g, "gatehouse_logins_total", login("token", "ok"), 1)
	expect(t, g, "gatehouse_logins_total", login("token", "failed"), 1)
	expect(t, g, "gatehouse_logins_total", login("basic", "failed"), 1)
	expect(t, g, "gatehouse_logins_total", login("session", "throttled"), 1)
	expect(t, g, "gatehouse_logins_total", login("basic", "throttled"), 0)
	expect(t, g, "gatehouse_logouts_total", map[string]string{"scope": "one"}, 1)
	expect(t, g, "gatehouse_logouts_total", map[string]string{"scope": "all"}, 1)
	expect(t, g, "gatehouse_revocations_total", map[string]string{"kind": "token"}, 1)
	expect(t, g, "gatehouse_revocations_total", map[string]string{"kind": "session"}, 2)
	expect(t, g, "gatehouse_password_changes_total", nil, 1)
	expect(t, g, "gatehouse_password_hash_upgrades_total", nil, 1)
}
