package ports

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// AuthResult is the authenticator chain's verdict. ClearSessionCookie is set, error or not,
// when the request carried a session cookie that no longer names a live session.
type AuthResult struct {
	Principal          domain.Principal
	ClearSessionCookie bool
	// ClearTokenCookie, likewise, when a token cookie names no live token.
	ClearTokenCookie bool
	// Method is the method whose credentials decided, set with an error too; empty when no
	// method found credentials. Metrics count attempts by it.
	Method domain.AuthMethod
}

// Authenticator decides who a request is, trying each enabled method in order: the first
// method whose credentials are present decides; absent credentials pass to the next.
type Authenticator interface {
	// Authenticate returns domain.ErrNotAuthenticated when no method found credentials,
	// domain.ErrInvalidCredentials (possibly as *domain.MalformedCredentialsError) when the
	// deciding credentials are wrong, *domain.CSRFError for a cookie-authenticated unsafe
	// request without its CSRF token, and domain.ErrUnavailable when a store is down.
	Authenticate(ctx context.Context, creds domain.RequestCredentials) (AuthResult, error)
	// Methods returns the enabled methods in chain order.
	Methods() []domain.AuthMethod
}

// SignUp is the input of Accounts.SignUp.
type SignUp struct {
	Username string
	Password string
	Email    string
	IP       string // the client's address, for the signup limit
}

// Login is the input of Accounts.Login and Accounts.ObtainToken. IP and UserAgent are
// recorded on sessions; TokenName labels a token. PreviousSession is the session cookie the
// browser sent with its login, if any: that session ends when the new one starts.
type Login struct {
	Username        string
	Password        string
	TokenName       string
	IP              string
	UserAgent       string
	PreviousSession string
}

// PasswordChange is the input of Accounts.ChangePassword.
type PasswordChange struct {
	Old string
	New string
	IP  string // the client's address, for the throttle the old password is checked under
	// UserAgent is the client's browser, named in the notice mail with IP.
	UserAgent string
}

// AccountDeletion is the input of Accounts.DeleteAccount.
type AccountDeletion struct {
	Password string
	IP       string // the client's address, for the throttle the password is checked under
}

// PasswordResetRequest is the input of Accounts.RequestPasswordReset: one of Email and
// Username names the account(s); IP is the client's address, for the throttle.
type PasswordResetRequest struct {
	Email     string
	Username  string
	IP        string
	UserAgent string
}

// PasswordResetConfirm is the input of Accounts.ConfirmPasswordReset: the secret of the
// link, the new password, and the client, named in the notice mail.
type PasswordResetConfirm struct {
	Token       string
	NewPassword string
	IP          string
	UserAgent   string
}

// Accounts holds the use cases behind the HTTP API. Errors are domain errors:
// *domain.ValidationError for bad input, domain.ErrInvalidCredentials for a failed login,
// domain.ErrNotFound for an id that is not the caller's, domain.ErrUnavailable for a store
// outage.
type Accounts interface {
	SignUp(ctx context.Context, in SignUp) (domain.User, error)
	ObtainToken(ctx context.Context, in Login) (domain.IssuedToken, error)
	Login(ctx context.Context, in Login) (domain.User, domain.IssuedSession, error)
	// Logout revokes the credential that authenticated p; nothing for Basic.
	Logout(ctx context.Context, p domain.Principal) error
	// LogoutAll revokes every session and token of p's user.
	LogoutAll(ctx context.Context, p domain.Principal) error
	ListTokens(ctx context.Context, p domain.Principal) ([]domain.Token, error)
	RevokeToken(ctx context.Context, p domain.Principal, id string) error
	ListSessions(ctx context.Context, p domain.Principal) ([]domain.Session, error)
	RevokeSession(ctx context.Context, p domain.Principal, id string) error
	// ChangePassword checks the old password, applies the policy to the new one, stores it,
	// and revokes every other session and token of the user. A session caller's session is
	// replaced: the new one is returned (nil for other callers).
	ChangePassword(ctx context.Context, p domain.Principal, in PasswordChange) (*domain.IssuedSession, error)
	// DeleteAccount checks the password and deletes p's user with every session and token,
	// at once on every instance. A wrong password is a *domain.ValidationError on
	// "password"; the username is free to sign up again afterwards.
	DeleteAccount(ctx context.Context, p domain.Principal, in AccountDeletion) error
	// RequestPasswordReset mails a single-use reset link to every active account that in
	// names. Its answer is the same whether or not an account matched: nil, or
	// *domain.RateLimitedError (also for unknown targets), or a store error.
	RequestPasswordReset(ctx context.Context, in PasswordResetRequest) error
	// ConfirmPasswordReset sets the password of the link's account and revokes every session
	// and token of it. A malformed, unknown, used or expired link is a *domain.ValidationError
	// on "token"; a refused password one on "new_password".
	ConfirmPasswordReset(ctx context.Context, in PasswordResetConfirm) error
	// ConfirmEmail marks verified the address an email verification link was sent to, and
	// uses the link up. A malformed, unknown, used, voided or expired link, or one sent to an
	// address the account no longer has, is a *domain.ValidationError on "token";
	// domain.ErrNotFound when mail is off.
	ConfirmEmail(ctx context.Context, token string) error
	// ResendVerification mails p's address a new verification link, voiding the older ones.
	// domain.ErrNoEmail when the account has no address, domain.ErrEmailAlreadyVerified when
	// it is verified, *domain.RateLimitedError past the account's limit, domain.ErrNotFound
	// when mail is off.
	ResendVerification(ctx context.Context, p domain.Principal) error
	EmailChanges
	SecondFactors
	Passkeys
}

// Readiness reports whether every configured backend answers.
type Readiness interface {
	// Ready pings every backend and returns the names of those that failed.
	Ready(ctx context.Context) (failed []string)
}

// NewUser is the input of Admin.CreateUser.
type NewUser struct {
	Username string
	Email    string
	Password string
}

// Admin holds the operator's use cases behind the command line, like Django's
// createsuperuser, changepassword and drf_create_token. Users are named by username. Errors
// are domain errors: domain.ErrNoSuchUser for an unknown user and domain.ErrNoSuchToken for
// an unknown token of a known one (both domain.ErrNotFound), *domain.ValidationError
// for bad input, domain.ErrUsernameTaken, domain.ErrUnavailable for a store outage.
type Admin interface {
	// CreateUser applies the signup rules, without the signup throttle.
	CreateUser(ctx context.Context, in NewUser) (domain.User, error)
	// ListUsers pages through users in ID order (see UserStore.ListUsers).
	ListUsers(ctx context.Context, after domain.UserID, limit int) ([]domain.User, error)
	// SetPassword applies the password rules, stores the new password and revokes every
	// session and token of the user.
	SetPassword(ctx context.Context, username, password string) error
	// SetActive activates or deactivates a user. Deactivating revokes every session and
	// token of the user at once, on every instance.
	SetActive(ctx context.Context, username string, active bool) error
	// DeleteUser deletes the user with every session and token, at once on every instance.
	// The username is free to sign up again afterwards.
	DeleteUser(ctx context.Context, username string) error
	// VerifyEmail marks the user's current address verified, vouched for by the operator;
	// domain.ErrNoEmail when the user has none.
	VerifyEmail(ctx context.Context, username string) error
	// CreateToken issues a token for the user; the secret is in the result only.
	CreateToken(ctx context.Context, username, name string) (domain.IssuedToken, error)
	// ListTokens lists the user's live tokens, newest first.
	ListTokens(ctx context.Context, username string) ([]domain.Token, error)
	// RevokeToken revokes one token of the user by its public id.
	RevokeToken(ctx context.Context, username, id string) error
	// ListSessions lists the user's live sessions, newest first.
	ListSessions(ctx context.Context, username string) ([]domain.Session, error)
	// RevokeSessions ends every session of the user and reports how many there were.
	RevokeSessions(ctx context.Context, username string) (int, error)
	// SetEmail gives the user a new address at once, verified, under the address rule of
	// signups (domain.ErrEmailTaken); "" removes the address.
	SetEmail(ctx context.Context, username, email string) error
	// Factors lists the kinds of second factor the user logs in with (empty: none) and
	// whether a TOTP enrolment is pending.
	Factors(ctx context.Context, username string) (kinds []domain.FactorKind, pending bool, err error)
	// ResetFactors removes the user's second factors and recovery codes.
	ResetFactors(ctx context.Context, username string) error
}
