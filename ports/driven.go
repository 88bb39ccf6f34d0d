// Package ports declares the interfaces between Gatehouse's use cases and the world: driven
// ports (stores, hashing, time, randomness) that adapters implement for the use cases, and
// driving ports (authentication, accounts) that the use cases implement for the HTTP adapter.
//
// Every store method returns domain.ErrNotFound for a missing or expired item and an error
// wrapping domain.ErrUnavailable when the backend cannot be reached or times out. Other
// errors are bugs. Stores are safe for concurrent use.
package ports

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// UserStore keeps accounts. A user's ID is never handed out again, not even after the user
// is deleted: credentials, caches and audit records name users by ID, and none of them may
// come to name a stranger who signs up later.
type UserStore interface {
	// CreateUser stores u, EmailVerified included, with a new ID and returns it. It returns
	// domain.ErrUsernameTaken when a user with the same domain.UsernameKey exists, also under
	// concurrent creation. Under domain.EmailUnique it returns domain.ErrEmailTaken when any
	// other user has the same domain.EmailKey, however that user got it (an import under
	// domain.EmailShared included); of any number of concurrent unique writes of one new
	// address (CreateUser, SetEmail) exactly one succeeds. An empty address never conflicts.
	// When both are taken it returns domain.ErrUsernameTaken, except that a concurrent write
	// may make either the first one found. Under domain.EmailShared the address is not checked.
	CreateUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error)
	// ImportUser stores u under u.ID as given, and otherwise as CreateUser does, for an
	// import that keeps the IDs another system gave its users (Django's auth_user.id): the
	// records of the application that name them then keep naming the same people. It returns
	// domain.ErrUserIDTaken when any user holds u.ID (telling a re-run of an import from a
	// clash is the caller's job), before domain.ErrUsernameTaken and domain.ErrEmailTaken,
	// which it returns as CreateUser does; of concurrent imports of one ID exactly one
	// succeeds. An imported ID is never handed out by CreateUser, also when the two race:
	// every ID CreateUser returns afterwards is above it. u.ID below 1 is a bug, refused
	// with an error that is not a domain error.
	//
	// A store cannot tell an ID that DeleteUser freed from one never used, so ImportUser
	// may give a deleted user's ID to someone else: run imports into a store that has not
	// handed out IDs of its own in the source's range, such as a fresh one.
	ImportUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error)
	// UserByID returns the user with id, or domain.ErrNotFound.
	UserByID(ctx context.Context, id domain.UserID) (domain.User, error)
	// UserByUsername returns the user whose domain.UsernameKey equals that of username, or
	// domain.ErrNotFound.
	UserByUsername(ctx context.Context, username string) (domain.User, error)
	// UsersByEmail returns every user whose domain.EmailKey equals that of email, in
	// ascending ID order; none is an empty slice, not domain.ErrNotFound. Addresses written
	// under domain.EmailShared may be shared: imported Django users may have one in common. An empty email finds no one.
	UsersByEmail(ctx context.Context, email string) ([]domain.User, error)
	// SetPasswordHash replaces the user's password hash with hash if it is still old, as one
	// atomic compare-and-set, and returns domain.ErrNotFound when the user is missing or the
	// stored hash is no longer old. It keeps a concurrent password change from being undone
	// by a hash upgrade that verified the previous password.
	SetPasswordHash(ctx context.Context, id domain.UserID, old, hash string) error
	// SetEmail replaces the user's address with email and marks it verified: it is called
	// only once the new address confirmed a link. It returns domain.ErrNotFound for a missing
	// user. Under domain.EmailUnique it returns domain.ErrEmailTaken when another user has
	// the same domain.EmailKey, race-safe against concurrent unique writes as CreateUser is;
	// the user's own address in another spelling (same key) is always allowed. The old
	// address is free for unique writes once SetEmail returns. An empty email clears the
	// address and the verified flag.
	SetEmail(ctx context.Context, id domain.UserID, email string, rule domain.EmailRule) error
	// MarkEmailVerified sets the user's EmailVerified flag if the user's current address has
	// the same domain.EmailKey as email, so that a link sent to an old address never verifies
	// a new one. Otherwise, for a missing user and for an empty email it returns
	// domain.ErrNotFound. Marking a verified address again succeeds.
	MarkEmailVerified(ctx context.Context, id domain.UserID, email string) error
	// SetActive sets the user's active flag, or returns domain.ErrNotFound.
	SetActive(ctx context.Context, id domain.UserID, active bool) error
	// DeleteUser removes the user with id, or returns domain.ErrNotFound. Once it returns,
	// UserByID and UserByUsername give domain.ErrNotFound, ListUsers and UsersByEmail omit
	// the user, and the username and the address may be taken by CreateUser again (with a
	// new ID), the address also under domain.EmailUnique. The user's sessions and
	// tokens live in other ports and are not touched: revoking them is the caller's job.
	DeleteUser(ctx context.Context, id domain.UserID) error
	// ListUsers returns up to limit users with IDs above after, in ascending ID order; a
	// short page means the end. Passing the last ID of a page as after gives the next one.
	ListUsers(ctx context.Context, after domain.UserID, limit int) ([]domain.User, error)
}

// SessionStore keeps sessions by the hash of their secret. Lookups never return a session
// that has expired by the store's clock.
type SessionStore interface {
	CreateSession(ctx context.Context, s domain.Session) error
	// SessionByHash returns the live session with that secret hash, or domain.ErrNotFound.
	SessionByHash(ctx context.Context, h domain.SecretHash) (domain.Session, error)
	// TouchSession records use of the live session with secret hash h: it sets LastSeenAt
	// and slides ExpiresAt. A missing or expired session gives domain.ErrNotFound.
	TouchSession(ctx context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error
	// SessionsByUser lists the user's live sessions, newest first.
	SessionsByUser(ctx context.Context, user domain.UserID) ([]domain.Session, error)
	// DeleteSession revokes one session of user; domain.ErrNotFound when user has no live
	// session with that id (including one already revoked).
	DeleteSession(ctx context.Context, user domain.UserID, id string) error
	// DeleteUserSessions revokes every session of user except the one with id except (""
	// spares none) and reports how many it revoked.
	DeleteUserSessions(ctx context.Context, user domain.UserID, except string) (int, error)
}

// TokenStore keeps API tokens by the hash of their secret. Lookups never return a token that
// has expired by the store's clock.
type TokenStore interface {
	CreateToken(ctx context.Context, t domain.Token) error
	// TokenByHash returns the live token with that secret hash, or domain.ErrNotFound.
	TokenByHash(ctx context.Context, h domain.SecretHash) (domain.Token, error)
	// TouchToken sets LastUsedAt of the live token with secret hash h; a missing or expired
	// token gives domain.ErrNotFound.
	TouchToken(ctx context.Context, h domain.SecretHash, lastUsed time.Time) error
	// TokensByUser lists the user's live tokens, newest first.
	TokensByUser(ctx context.Context, user domain.UserID) ([]domain.Token, error)
	// DeleteToken revokes one token of user; domain.ErrNotFound when user has no live token
	// with that id (including one already revoked).
	DeleteToken(ctx context.Context, user domain.UserID, id string) error
	// DeleteUserTokens revokes every token of user except the one with id except ("" spares
	// none) and reports how many it revoked.
	DeleteUserTokens(ctx context.Context, user domain.UserID, except string) (int, error)
}

// CodeStore keeps one-time codes (domain.OneTimeCode) by the hash of their secret. A code is
// live until it is consumed, voided or expires by the store's clock; no method ever returns or
// counts a code that is not live. Errors other than domain.ErrNotFound are system errors
// (domain.ErrUnavailable when the backend cannot be reached) or bugs.
type CodeStore interface {
	// CreateCode stores c. Secret hashes are random, so a second code with a live code's
	// hash is a bug, which a store may refuse with an error that is not domain.ErrNotFound.
	CreateCode(ctx context.Context, c domain.OneTimeCode) error
	// ConsumeCode returns the live code with purpose and secret hash h and deletes it, in one
	// atomic step: of any number of concurrent calls for one code exactly one gets it. A
	// missing, expired, already consumed or voided code, and a code of another purpose, give
	// domain.ErrNotFound; a code of another purpose is left as it is.
	ConsumeCode(ctx context.Context, purpose domain.CodePurpose, h domain.SecretHash) (domain.OneTimeCode, error)
	// DeleteUserCodes voids every live code of user with purpose and reports how many it
	// voided: a new reset request, a password change or a login voids older reset links.
	// An empty purpose voids the user's codes of every purpose (account deletion).
	DeleteUserCodes(ctx context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error)
}

// FactorStore keeps users' TOTP factors (domain.TOTPFactor), one per user, its secret
// sealed by the caller; passkeys are in the PasskeyStore of the same backend. Factors are part of the account, so
// they live with the users (GATEHOUSE_USER_STORE); like sessions they name users by ID and do
// not need the user to exist in the store. A method finding no factor where it needs one
// returns domain.ErrNotFound; other errors are system errors (domain.ErrUnavailable) or bugs.
// Times come back in UTC; a store may keep no more than microseconds.
type FactorStore interface {
	// PutTOTP stores f as the TOTP factor of f.UserID, all fields as given, replacing an
	// unconfirmed one (a restarted enrolment). When the user has a confirmed factor it
	// returns domain.ErrFactorExists and changes nothing: a confirmed factor goes only by
	// DeleteTOTP.
	PutTOTP(ctx context.Context, f domain.TOTPFactor) error
	// TOTP returns the user's TOTP factor, confirmed or not, or domain.ErrNotFound.
	TOTP(ctx context.Context, user domain.UserID) (domain.TOTPFactor, error)
	// ConfirmTOTP marks the user's unconfirmed factor confirmed and sets its LastStep to
	// step (the step of the code that confirmed it), if its Sealed still equals sealed — the
	// secret the code was checked against — as one atomic compare-and-set: an enrolment
	// restarted meanwhile is never confirmed by a code of the one it replaced. It returns
	// domain.ErrNotFound when the user has no unconfirmed factor with that sealed secret.
	ConfirmTOTP(ctx context.Context, user domain.UserID, sealed []byte, step int64) error
	// UseTOTPStep records that a code of step was accepted at at: if step is greater than
	// the confirmed factor's LastStep, it sets LastStep to step and LastUsedAt to at and
	// returns true; otherwise it changes nothing and returns false. Compare and set are one
	// atomic step, so of any number of concurrent calls with one step exactly one returns
	// true: this is what makes a code single use (domain.CheckTOTP). A missing or
	// unconfirmed factor gives domain.ErrNotFound.
	UseTOTPStep(ctx context.Context, user domain.UserID, step int64, at time.Time) (bool, error)
	// Reseal replaces the factor's sealed secret old by new (the same secret sealed under
	// the current server key), as one atomic compare-and-set, keeping every other field. It
	// returns domain.ErrNotFound when the user has no factor or its Sealed is no longer old.
	Reseal(ctx context.Context, user domain.UserID, old, new []byte) error
	// DeleteTOTP removes the user's TOTP factor, confirmed or not, or returns
	// domain.ErrNotFound.
	DeleteTOTP(ctx context.Context, user domain.UserID) error
	// DeleteUserFactors removes every factor of user, TOTP and passkeys (account deletion);
	// none is not an error.
	DeleteUserFactors(ctx context.Context, user domain.UserID) error
	// AnyFactors reports whether any user has a TOTP factor, confirmed or not (passkeys hold
	// no sealed secret and do not count): serve refuses to
	// start without GATEHOUSE_SECRET_KEY when one does, as no sealed secret could be opened.
	// Once the last factor is deleted it reports false.
	AnyFactors(ctx context.Context) (bool, error)
}

// PasskeyStore keeps users' passkeys (domain.Passkey), up to domain.MaxPasskeys each. Like
// the TOTP factor they are part of the account and live with the users; a backend's
// FactorStore.DeleteUserFactors removes them too. Errors as FactorStore's.
type PasskeyStore interface {
	// AddPasskey stores p. It returns domain.ErrPasskeyExists when p.UserID has a passkey with
	// p.CredentialID already, and domain.ErrTooManyPasskeys when the user has
	// domain.MaxPasskeys, changing nothing; the check and the write are one atomic step.
	AddPasskey(ctx context.Context, p domain.Passkey) error
	// Passkeys returns the user's passkeys, oldest first; none is an empty list.
	Passkeys(ctx context.Context, user domain.UserID) ([]domain.Passkey, error)
	// UsePasskey replaces the Data of the user's passkey credentialID (its new signature
	// counter) and sets its LastUsedAt to at, or returns domain.ErrNotFound.
	UsePasskey(ctx context.Context, user domain.UserID, credentialID, data []byte, at time.Time) error
	// DeletePasskey removes the user's passkey credentialID, or returns domain.ErrNotFound.
	DeletePasskey(ctx context.Context, user domain.UserID, credentialID []byte) error
}

// PasswordHasher turns passwords into encoded hashes and checks them. Hashing is costly by
// design, so an implementation may make callers wait for capacity: it then returns an error
// wrapping domain.ErrUnavailable when ctx ends or the wait is too long.
type PasswordHasher interface {
	// Hash returns an encoded hash of password with a fresh salt.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded, and whether encoded should be replaced
	// by a new Hash because it was made with other parameters than the configured ones. A
	// malformed encoded hash is a non-match, not an error.
	Verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error)
}

// HashCalibrator measures how long the slowest failed verification a PasswordHasher admits
// takes, over every hash family it accepts, on this machine. Failed password checks are
// padded to that time, so their duration does not tell which kind of hash (if any) the
// account has. It returns an error when it cannot measure: ctx ended, or no hashing capacity
// came free in time (domain.ErrUnavailable).
type HashCalibrator interface {
	Calibrate(ctx context.Context) (time.Duration, error)
}

// RateLimiter counts events per key under a rate, so limits such as failed logins per user
// hold across requests (and, with a shared backend, across instances). Keys are opaque and
// short; a rate that is Off never limits. Implementations judge time by their clock, so a
// limit is exact under a fake one.
//
// A limit that guards expensive work (a password hash) is taken before the work, never
// checked before and recorded after it: between the two, any number of parallel requests
// would see the same room. Take, then Cancel what the work turned out not to need.
type RateLimiter interface {
	// Wait reports how long key must wait before another event under rate is allowed; 0
	// means now. It records nothing, so it can answer "was key taken in the last period?"
	// but must never gate work that the limit guards: use Take.
	Wait(ctx context.Context, key string, rate domain.Rate) (time.Duration, error)
	// Take records one event for key if rate allows it now and returns 0; otherwise it
	// records nothing and returns how long to wait. Check and record are one atomic step.
	Take(ctx context.Context, key string, rate domain.Rate) (time.Duration, error)
	// Cancel gives back one event that Take recorded for key under the same rate, as
	// golang.org/x/time/rate's Reservation.Cancel does: the key is left as if the event had
	// not been taken. A key with nothing outstanding (absent, or idle long enough to be
	// forgotten) is left as it is, so a late or repeated Cancel never makes room beyond a
	// fresh key's burst.
	Cancel(ctx context.Context, key string, rate domain.Rate) error
}

// Auditor records audit events. It must not fail the operation it records: an
// implementation that cannot write reports the problem its own way.
type Auditor interface {
	Audit(ctx context.Context, a domain.Audit)
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// Random fills b with cryptographically secure random bytes.
type Random interface {
	Read(b []byte) error
}

// Pinger is a backend that can say whether it is reachable, for the readiness probe.
type Pinger interface {
	Name() string
	Ping(ctx context.Context) error
}
