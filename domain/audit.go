package domain

import "context"

// AuditEvent names something an operator may need to answer for later: who signed up,
// logged in or failed to, revoked what, changed a password.
type AuditEvent string

const (
	AuditSignup          AuditEvent = "signup"
	AuditLogin           AuditEvent = "login"
	AuditLoginFailed     AuditEvent = "login_failed"
	AuditLoginThrottled  AuditEvent = "login_throttled"
	AuditLogout          AuditEvent = "logout"
	AuditLogoutAll       AuditEvent = "logout_all"
	AuditTokenCreated    AuditEvent = "token_created"
	AuditTokenRevoked    AuditEvent = "token_revoked"
	AuditSessionRevoked  AuditEvent = "session_revoked"
	AuditPasswordChanged AuditEvent = "password_changed"
	// AuditReauthFailed and AuditReauthThrottled record a signed-in user's current password,
	// asked for again before a sensitive change, given wrong or held back by the throttle.
	AuditReauthFailed    AuditEvent = "reauth_failed"
	AuditReauthThrottled AuditEvent = "reauth_throttled"
	AuditUserCreated     AuditEvent = "user_created"
	AuditUserActivated   AuditEvent = "user_activated"
	AuditUserDeactivated AuditEvent = "user_deactivated"
	// AuditUserDeleted records an account deleted by its owner or by an operator, with every
	// session and token it held.
	AuditUserDeleted AuditEvent = "user_deleted"
	// AuditPasswordRehashed records a stored hash replaced at login by one made with the
	// current parameters: an outdated argon2id or an imported (Django) hash upgraded.
	AuditPasswordRehashed AuditEvent = "password_rehashed"
	// AuditPasswordResetRequested records a reset link sent to an account's address; a
	// request that matched no account is not recorded (there is no user to name).
	AuditPasswordResetRequested AuditEvent = "password_reset_requested"
	// AuditPasswordReset records a password set through a reset link.
	AuditPasswordReset AuditEvent = "password_reset"
	// AuditVerificationSent records an email verification link sent to an account's address
	// (after a signup, on request, or after a login refused for an unverified address).
	AuditVerificationSent AuditEvent = "email_verification_sent"
	// AuditEmailVerified records an address marked verified: through a link, or by an
	// operator (Method "").
	AuditEmailVerified AuditEvent = "email_verified"
	// AuditLoginUnverified records a login with the right password refused because
	// verified addresses are required and the account's is not.
	AuditLoginUnverified AuditEvent = "login_unverified"
)

// Audit is one audit record. It never holds a secret: credentials appear by public id only.
// The request's id and client address come with the context (see WithRequest).
type Audit struct {
	Event  AuditEvent
	UserID UserID     // 0 when no user is known (a failed login for an unknown name)
	Method AuthMethod // how the actor authenticated, or is logging in; "" for an operator
	ItemID string     // the public id of the token or session concerned, if any
}

// Request identifies the request a use case serves, for audit records.
type Request struct {
	ID       string
	ClientIP string
}

type requestKey struct{}

// WithRequest returns ctx carrying r, so records made deep in a use case can be tied to the
// request's access log line and client.
func WithRequest(ctx context.Context, r Request) context.Context {
	return &requestContext{Context: ctx, r: r}
}

// requestContext carries a Request in one allocation where context.WithValue takes two (the
// context and the boxed Request): one is made for every HTTP request.
type requestContext struct {
	context.Context
	r Request
}

func (c *requestContext) Value(key any) any {
	if key == (requestKey{}) {
		return &c.r
	}
	return c.Context.Value(key)
}

// RequestFrom returns the request carried by ctx, or the zero Request.
func RequestFrom(ctx context.Context) Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		return *r
	}
	return Request{}
}

// Second factors (issue #16).
const (
	// AuditMFAEnrolled records a TOTP factor confirmed, with a new set of recovery codes.
	AuditMFAEnrolled AuditEvent = "mfa_enrolled"
	// AuditMFADisabled records a factor removed by its owner or reset by an operator.
	AuditMFADisabled AuditEvent = "mfa_disabled"
	// AuditMFAFailed records a wrong second-factor code.
	AuditMFAFailed AuditEvent = "mfa_failed"
	// AuditPasskeyAdded and AuditPasskeyRemoved record a passkey registered or removed by
	// its owner; AuditPasskeyFailed an assertion that did not verify.
	AuditPasskeyAdded   AuditEvent = "passkey_added"
	AuditPasskeyRemoved AuditEvent = "passkey_removed"
	AuditPasskeyFailed  AuditEvent = "passkey_failed"
	// AuditMFAThrottled records a second-factor code held back by the login throttle.
	AuditMFAThrottled AuditEvent = "mfa_throttled"
	// AuditMFARecoveryUsed records a recovery code spent.
	AuditMFARecoveryUsed AuditEvent = "mfa_recovery_used"
	// AuditMFARecoveryRegenerated records a new set of recovery codes, voiding the old one.
	AuditMFARecoveryRegenerated AuditEvent = "mfa_recovery_regenerated"
	// AuditMFAChallenged records a right password answered with a ticket for the second factor.
	AuditMFAChallenged AuditEvent = "mfa_challenged"
)
