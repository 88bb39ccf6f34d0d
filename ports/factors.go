package ports

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// TOTPEnrolment is what starting a TOTP enrolment shows the user, once: the secret to type
// by hand, the otpauth:// URI, and that URI as a QR code in a PNG image.
type TOTPEnrolment struct {
	Secret    string
	URI       string
	QRCodePNG []byte
}

// FactorProof proves the account's owner before a change of second factors: the password
// again and, when the account has a factor, one of a current TOTP code, a recovery code or a
// passkey assertion (answering options from BeginFactorProof); the first given in that order
// is checked.
type FactorProof struct {
	Password     string
	Code         string
	RecoveryCode string
	Passkey      []byte
	IP           string // the client's address, for the login throttle
}

// SecondFactorLogin is the input of SecondFactors.VerifySecondFactor: the ticket the first
// step answered with and a TOTP code or a recovery code; IP, UserAgent and PreviousSession as
// in Login.
type SecondFactorLogin struct {
	Ticket       string
	Code         string
	RecoveryCode string
	// Passkey is a WebAuthn assertion (the JSON of a PublicKeyCredential) answering the
	// passkey options of the first step.
	Passkey         []byte
	IP              string
	UserAgent       string
	PreviousSession string
}

// LoginResult is how a two-step login ends, as its first step would have: a session (for
// Login) or a token (for ObtainToken); the other is nil.
type LoginResult struct {
	User    domain.User
	Session *domain.IssuedSession
	Token   *domain.IssuedToken
}

// SecondFactors are the use cases of second factors (issue #16). Errors are domain errors:
// domain.ErrNoServerKey when no GATEHOUSE_SECRET_KEY is configured, domain.ErrFactorExists,
// domain.ErrNoFactor, *domain.ValidationError for a wrong password ("password"), code
// ("code") or ticket ("ticket"), *domain.RateLimitedError, domain.ErrUnavailable.
//
// With a confirmed factor, Accounts.Login and Accounts.ObtainToken answer a right password
// with *domain.SecondFactorRequiredError instead of a session or token.
type SecondFactors interface {
	// Factors lists the kinds of second factor p's user can log in with; none is empty.
	Factors(ctx context.Context, p domain.Principal) ([]domain.FactorKind, error)
	// EnrolTOTP starts (or restarts) a TOTP enrolment: an unconfirmed factor is stored and its
	// secret shown. domain.ErrFactorExists when a confirmed one exists.
	EnrolTOTP(ctx context.Context, p domain.Principal) (TOTPEnrolment, error)
	// ConfirmTOTP activates the enrolment with a current code. For an account with no
	// factor yet it returns a new set of recovery codes, shown this once; an account with a
	// passkey must prove its owner (proof) and keeps its codes (nil).
	ConfirmTOTP(ctx context.Context, p domain.Principal, code string, proof FactorProof) ([]string, error)
	// RegenerateRecoveryCodes proves the owner and replaces the recovery codes.
	RegenerateRecoveryCodes(ctx context.Context, p domain.Principal, proof FactorProof) ([]string, error)
	// BeginFactorProof returns options for navigator.credentials.get by which p's user
	// proves a change of factors with a passkey (FactorProof.Passkey).
	BeginFactorProof(ctx context.Context, p domain.Principal) ([]byte, error)
	// DisableTOTP checks the password and a code, removes the factor and its recovery codes,
	// and revokes every other session and token of the user.
	DisableTOTP(ctx context.Context, p domain.Principal, in FactorProof) error
	// VerifySecondFactor completes a login the first step answered with a ticket. A wrong
	// code is domain.ErrInvalidCredentials; a used, expired or exhausted ticket a
	// *domain.ValidationError on "ticket".
	VerifySecondFactor(ctx context.Context, in SecondFactorLogin) (LoginResult, error)
}

// PasskeyCeremony is the first half of a WebAuthn ceremony: the options the browser passes to
// navigator.credentials.create or .get (JSON, {"publicKey": {...}}), and the state its second
// half needs, to be kept by the server under the ceremony's Challenge (base64url).
type PasskeyCeremony struct {
	Options   []byte
	Challenge string
	State     []byte
}

// PasskeyAssertion is what can be read from a passkey assertion before it is verified: the
// challenge it signed (which finds the ceremony), the account its user handle names (0 when
// the authenticator gave none) and the credential it claims to be.
type PasskeyAssertion struct {
	Challenge    string
	UserID       domain.UserID
	CredentialID []byte
}

// PasskeyCeremonies run the WebAuthn ceremonies: they build options and check the browser's
// answers (origin, relying party, challenge, signature, counter, user verification). They
// keep no state between the two halves: the caller keeps PasskeyCeremony.State. A response
// that cannot be parsed is a *domain.ValidationError on "credential"; one that parses but
// does not verify is domain.ErrWrongPasskey.
type PasskeyCeremonies interface {
	// BeginRegistration starts adding a discoverable, user-verifying passkey for user, whose
	// existing passkeys the authenticator is told to skip.
	BeginRegistration(user domain.User, existing []domain.Passkey) (PasskeyCeremony, error)
	// RegistrationChallenge reads the challenge a registration response answers.
	RegistrationChallenge(response []byte) (string, error)
	// FinishRegistration verifies response against state and returns the new passkey, with
	// UserID, CredentialID and Data set.
	FinishRegistration(user domain.User, state, response []byte) (domain.Passkey, error)
	// BeginLogin starts an assertion: for user's passkeys when user is given (a second
	// factor), or for any discoverable passkey when user is nil (a passkey login).
	BeginLogin(user *domain.User, passkeys []domain.Passkey) (PasskeyCeremony, error)
	// ReadAssertion reads an assertion response without verifying it.
	ReadAssertion(response []byte) (PasskeyAssertion, error)
	// FinishLogin verifies response against state as an assertion by one of user's
	// passkeys and returns that passkey with its Data updated (the new signature counter).
	// A counter that did not grow marks a cloned authenticator: domain.ErrWrongPasskey.
	FinishLogin(user domain.User, passkeys []domain.Passkey, state, response []byte) (domain.Passkey, error)
}

// PasskeyRegistration is the second half of adding a passkey: its name, the browser's
// answer to the options BeginPasskeyRegistration gave, and the proof of the account's owner
// that every change of second factors needs.
type PasskeyRegistration struct {
	Name     string
	Response []byte
	Proof    FactorProof
}

// PasskeyLogin is the second half of a login with a passkey alone: the browser's assertion,
// and what Login or ObtainToken would take besides the password: Method (session or token),
// TokenName, IP, UserAgent, PreviousSession.
type PasskeyLogin struct {
	Response        []byte
	Method          domain.AuthMethod
	TokenName       string
	IP              string
	UserAgent       string
	PreviousSession string
}

// Passkeys are the passkey use cases (issue #16). Errors are domain errors:
// domain.ErrPasskeysOff when GATEHOUSE_WEBAUTHN_RP_ID is empty, domain.ErrWrongPasskey for an
// assertion or registration that does not verify (or whose ceremony was used, expired or
// begun for another account), domain.ErrTooManyPasskeys, domain.ErrPasskeyExists,
// *domain.ValidationError for a malformed answer ("credential"), a bad name, a wrong password
// or code, *domain.RateLimitedError, domain.ErrUnavailable.
type Passkeys interface {
	// BeginPasskeyRegistration returns the options for navigator.credentials.create; each
	// call is charged to the client network's login limit (ip).
	BeginPasskeyRegistration(ctx context.Context, p domain.Principal, ip string) ([]byte, error)
	// FinishPasskeyRegistration stores the new passkey. When it is the account's first
	// second factor, it also returns a new set of recovery codes, shown this once.
	FinishPasskeyRegistration(ctx context.Context, p domain.Principal, in PasskeyRegistration) (domain.Passkey, []string, error)
	// ListPasskeys returns p's user's passkeys, oldest first.
	ListPasskeys(ctx context.Context, p domain.Principal) ([]domain.Passkey, error)
	// RemovePasskey removes the passkey named by id (domain.Passkey.ID) once the proof is
	// checked, and revokes every other session and token of the user; an unknown id is
	// domain.ErrNotFound.
	RemovePasskey(ctx context.Context, p domain.Principal, id string, proof FactorProof) error
	// BeginPasskeyLogin returns the options for navigator.credentials.get of a login with a
	// passkey alone (no username: the authenticator offers the passkeys it holds). Each call
	// is charged to the client network's login limit.
	BeginPasskeyLogin(ctx context.Context, ip string) ([]byte, error)
	// FinishPasskeyLogin verifies the assertion and logs in as Login or ObtainToken would.
	FinishPasskeyLogin(ctx context.Context, in PasskeyLogin) (LoginResult, error)
}
