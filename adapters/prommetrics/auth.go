package prommetrics

import (
	"context"
	"errors"
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Label values of gatehouse_auth_attempts_total.
const (
	methodNone         = "none"
	outcomeOK          = "ok"
	outcomeInvalid     = "invalid"
	outcomeAbsent      = "absent"
	outcomeThrottled   = "throttled"
	outcomeUnavailable = "unavailable"
	outcomeError       = "error"
)

// knownMethods are the method label values; anything else would be a bug, counted as "other".
var knownMethods = []string{string(domain.MethodSession), string(domain.MethodToken), string(domain.MethodBasic)}

func methodLabel(m domain.AuthMethod) string {
	if m == "" {
		return methodNone
	}
	if slices.Contains(knownMethods, string(m)) {
		return string(m)
	}
	return "other"
}

// authOutcome names an authentication verdict. A CSRF failure counts as invalid: the
// credentials were present and refused; so does a right password refused for an unverified
// address.
func authOutcome(err error) string {
	var limited *domain.RateLimitedError
	var csrf *domain.CSRFError
	switch {
	case err == nil:
		return outcomeOK
	case errors.Is(err, domain.ErrNotAuthenticated):
		return outcomeAbsent
	case errors.As(err, &limited):
		return outcomeThrottled
	case errors.Is(err, domain.ErrUnavailable):
		return outcomeUnavailable
	case errors.Is(err, domain.ErrInvalidCredentials), errors.As(err, &csrf), errors.Is(err, domain.ErrEmailUnverified):
		return outcomeInvalid
	}
	return outcomeError
}

// Authenticator counts the verdicts of the authenticator chain it wraps.
type Authenticator struct {
	next ports.Authenticator
	m    *Metrics
	// ok holds the series of the verdict nearly every request gets, by method, looked up
	// once: label hashing on every request was a sixth of Gatehouse's own time (issue #6).
	ok map[domain.AuthMethod]prometheus.Counter
}

var _ ports.Authenticator = (*Authenticator)(nil)

// Authenticator returns next, counted in gatehouse_auth_attempts_total.
func (m *Metrics) Authenticator(next ports.Authenticator) *Authenticator {
	a := &Authenticator{next: next, m: m, ok: map[domain.AuthMethod]prometheus.Counter{}}
	for _, method := range knownMethods {
		a.ok[domain.AuthMethod(method)] = m.authAttempts.WithLabelValues(method, outcomeOK)
	}
	return a
}

// Authenticate implements ports.Authenticator.
func (a *Authenticator) Authenticate(ctx context.Context, creds domain.RequestCredentials) (ports.AuthResult, error) {
	res, err := a.next.Authenticate(ctx, creds)
	if c, found := a.ok[res.Method]; found && err == nil {
		c.Inc()
	} else {
		a.m.authAttempts.WithLabelValues(methodLabel(res.Method), authOutcome(err)).Inc()
	}
	return res, err
}

// Methods implements ports.Authenticator.
func (a *Authenticator) Methods() []domain.AuthMethod { return a.next.Methods() }

// Auditor counts the audit events it passes on to the auditor it wraps: logins, signups,
// logouts, revocations, password changes and hash upgrades.
type Auditor struct {
	next ports.Auditor
	m    *Metrics
}

var _ ports.Auditor = (*Auditor)(nil)

// Auditor returns next, with its events counted.
func (m *Metrics) Auditor(next ports.Auditor) *Auditor { return &Auditor{next: next, m: m} }

// Audit implements ports.Auditor.
func (a *Auditor) Audit(ctx context.Context, rec domain.Audit) {
	a.m.count(rec)
	a.next.Audit(ctx, rec)
}

func (m *Metrics) count(rec domain.Audit) {
	switch rec.Event {
	case domain.AuditLogin:
		m.logins.WithLabelValues(methodLabel(rec.Method), "ok").Inc()
	case domain.AuditLoginFailed:
		m.logins.WithLabelValues(methodLabel(rec.Method), "failed").Inc()
	case domain.AuditLoginThrottled:
		m.logins.WithLabelValues(methodLabel(rec.Method), "throttled").Inc()
	case domain.AuditSignup:
		m.signups.Inc()
	case domain.AuditLogout:
		m.logouts.WithLabelValues("one").Inc()
	case domain.AuditLogoutAll:
		m.logouts.WithLabelValues("all").Inc()
	case domain.AuditTokenRevoked:
		m.revocations.WithLabelValues("token").Inc()
	case domain.AuditSessionRevoked:
		m.revocations.WithLabelValues("session").Inc()
	case domain.AuditPasswordChanged:
		m.pwChanges.Inc()
	case domain.AuditPasswordRehashed:
		m.hashUpgrades.Inc()
	}
}
