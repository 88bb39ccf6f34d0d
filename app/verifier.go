package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Verifier is the one place passwords are checked: logins of every kind (token, session, page,
// Basic) and the current password asked for again before a sensitive change all go through
// it, so they share one throttle, one audit trail, one timing profile and one upgrade path.
type Verifier struct {
	users    ports.UserStore
	hasher   ports.PasswordHasher
	limiter  ports.RateLimiter
	throttle Throttle
	audit    ports.Auditor
	timing   failureFloor
	email    *EmailVerification // the rule on unverified addresses; nil: none

	mu    sync.Mutex
	dummy string // a hash of nothing, verified for unknown users
}

// NewVerifier returns a Verifier over users and hasher that charges attempts to limiter,
// records failures with audit, pads failures as timing says (measured by calibrator), and
// admits logins under email's rule on unverified addresses (nil: no rule).
func NewVerifier(users ports.UserStore, hasher ports.PasswordHasher, limiter ports.RateLimiter, throttle Throttle,
	audit ports.Auditor, timing LoginTiming, calibrator ports.HashCalibrator, email *EmailVerification) *Verifier {
	return &Verifier{users: users, hasher: hasher, limiter: limiter, throttle: throttle, audit: audit,
		timing: failureFloor{timing: timing, calibrator: calibrator}, email: email}
}

// CalibrateFloor starts measuring the failure floor in the background when LoginTiming asks
// for it, so that the first failed logins need not wait for the measurement (they are
// padded by a conservative second meanwhile). A server calls it once at start-up.
func (v *Verifier) CalibrateFloor() { v.timing.calibrate() }

// StopCalibration ends a measurement of the floor that is running and starts no other; the
// floor stays as it was (a failure is then padded by the fallback until one succeeded).
func (v *Verifier) StopCalibration() { v.timing.stop() }

// FailureFloor returns the least time a failed check takes now, and whether it is settled:
// fixed by configuration, or measured.
func (v *Verifier) FailureFloor() (time.Duration, bool) {
	f := &v.timing
	if !f.timing.Calibrate || f.calibrator == nil {
		return f.timing.Floor, true
	}
	if d := f.measured.Load(); d > 0 {
		return time.Duration(d), true
	}
	return max(f.timing.Floor, fallbackFloor), false
}

// attempt is one password check and the audit events that record its failure.
type attempt struct {
	username, password, ip string
	method                 domain.AuthMethod
	failed, throttled      domain.AuditEvent
}

// Check returns the active user with that username and password, or
// domain.ErrInvalidCredentials. An unknown username still costs one hash verification, so
// the response time does not reveal whether the account exists (OWASP Authentication Cheat
// Sheet), and every failure takes at least the LoginTiming floor, whatever hash the account
// has. A hash with outdated parameters is replaced after a successful check.
//
// Before any hashing the attempt is charged to the throttle's limits (see Throttle); over
// any of them Check returns *domain.RateLimitedError and no hash runs, however many attempts
// arrive at once. A success gives its charge back.
//
// Only once the password is found right does the rule on unverified addresses apply (see
// EmailVerification.admit): a refused account gets domain.ErrEmailUnverified, which tells
// what to do, while a wrong password gets the same answer and timing as ever. Every login
// (session, token, the login page, Basic) passes here, so none slips past the rule.
//
// method says which kind of login this is, for the audit record of a failure.
func (v *Verifier) Check(ctx context.Context, username, password, ip string, method domain.AuthMethod) (domain.User, error) {
	user, err := v.verify(ctx, attempt{username: username, password: password, ip: ip, method: method,
		failed: domain.AuditLoginFailed, throttled: domain.AuditLoginThrottled})
	if err != nil {
		return domain.User{}, err
	}
	if err := v.email.admit(ctx, user, method); err != nil {
		return domain.User{}, err
	}
	return user, nil
}

// admits reports whether user, whose password was checked before, may still log in under
// the rule on unverified addresses, without sending anything: for Basic credentials
// remembered by the BasicCache, which Check admitted when they were verified.
func (v *Verifier) admits(user domain.User) bool { return !v.email.required(user) }

// Reconfirm checks the current password of user, signed in by method from ip, before a
// change that needs it (a new password). It is a login attempt in all but its audit events:
// the same limits, so a stolen session cannot guess the password faster than a login could.
// A wrong password is domain.ErrInvalidCredentials; on success it returns the user as stored
// now.
func (v *Verifier) Reconfirm(ctx context.Context, user domain.User, password, ip string, method domain.AuthMethod) (domain.User, error) {
	got, err := v.verify(ctx, attempt{username: user.Username, password: password, ip: ip, method: method,
		failed: domain.AuditReauthFailed, throttled: domain.AuditReauthThrottled})
	if err == nil && got.ID != user.ID {
		return domain.User{}, domain.ErrInvalidCredentials // the name now belongs to another user
	}
	return got, err
}

func (v *Verifier) verify(ctx context.Context, a attempt) (domain.User, error) {
	known := v.knownNetwork(ctx, a.username, a.ip)
	res, err := reserve(ctx, v.limiter, v.throttle.loginLimits(a.username, a.ip, known))
	if err != nil {
		if isRateLimited(err) {
			v.audit.Audit(ctx, domain.Audit{Event: a.throttled, Method: a.method})
		}
		return domain.User{}, err
	}
	start := time.Now()
	user, err := v.check(ctx, a.username, a.password, a.method)
	switch {
	case errors.Is(err, domain.ErrInvalidCredentials):
		// The id goes to the audit record only: no user is returned on failure.
		v.audit.Audit(ctx, domain.Audit{Event: a.failed, UserID: user.ID, Method: a.method})
		v.timing.pad(ctx, start)
		return domain.User{}, err
	case err != nil:
		// A store or every hashing slot was unavailable: no password was judged, so the
		// attempt bought nothing and gives its charge back.
		res.cancel(ctx)
		return domain.User{}, err
	}
	res.cancel(ctx)
	if !known && !v.throttle.LoginAccount.Off() {
		// Best effort: without the marker the account limit still applies here.
		_, _ = v.limiter.Take(context.WithoutCancel(ctx), v.throttle.knownKey(a.username, a.ip), knownRate)
	}
	return user, nil
}

// knownNetwork reports whether ip's network logged in to username in the last 30 days. Only
// the account-wide limit asks, so with it off nothing is read; a store error counts as
// unknown, which keeps the limit.
func (v *Verifier) knownNetwork(ctx context.Context, username, ip string) bool {
	if v.throttle.LoginAccount.Off() {
		return false
	}
	wait, err := v.limiter.Wait(ctx, v.throttle.knownKey(username, ip), knownRate)
	return err == nil && wait > 0
}

func (v *Verifier) check(ctx context.Context, username, password string, method domain.AuthMethod) (domain.User, error) {
	if len(password) > domain.MaxPasswordBytes {
		// No stored password is this long, and hashing it would only cost us time.
		return domain.User{}, domain.ErrInvalidCredentials
	}
	user, err := v.lookup(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		dummy, err := v.dummyHash(ctx)
		if err != nil {
			return domain.User{}, err
		}
		if _, _, err := v.hasher.Verify(ctx, password, dummy); err != nil {
			return domain.User{}, err
		}
		return domain.User{}, domain.ErrInvalidCredentials
	}
	if err != nil {
		return domain.User{}, err
	}
	ok, rehash, err := v.hasher.Verify(ctx, password, user.PasswordHash)
	if err != nil {
		return domain.User{}, err
	}
	if !ok || !user.IsActive {
		return domain.User{ID: user.ID}, domain.ErrInvalidCredentials
	}
	if rehash {
		// Best effort: a failed upgrade is retried at the next login, and must not fail this
		// one. The compare-and-set loses to a password change made since the check.
		if hash, err := v.hasher.Hash(ctx, password); err == nil {
			if v.users.SetPasswordHash(ctx, user.ID, user.PasswordHash, hash) == nil {
				user.PasswordHash = hash
				v.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasswordRehashed, UserID: user.ID, Method: method})
			}
		}
	}
	return user, nil
}

// dummyHash returns the hash verified for unknown users, made with the configured parameters
// on first use (so start-up does not pay for it) and made again if that first try failed.
func (v *Verifier) dummyHash(ctx context.Context) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.dummy == "" {
		h, err := v.hasher.Hash(ctx, "gatehouse timing equaliser")
		if err != nil {
			return "", err
		}
		v.dummy = h
	}
	return v.dummy, nil
}

func (v *Verifier) lookup(ctx context.Context, username string) (domain.User, error) {
	name, err := domain.NormalizeUsername(username)
	if err != nil {
		return domain.User{}, domain.ErrNotFound
	}
	return v.users.UserByUsername(ctx, name)
}

// reserveCode charges one second-factor code of user from ip to the login limits before it
// is checked, as a password is: a code is six digits, and only the limits keep a guesser
// from trying them all. The caller cancels the reservation when the code is right.
func (v *Verifier) reserveCode(ctx context.Context, user domain.User, ip string, method domain.AuthMethod) (reservation, error) {
	known := v.knownNetwork(ctx, user.Username, ip)
	res, err := reserve(ctx, v.limiter, v.throttle.loginLimits(user.Username, ip, known))
	if isRateLimited(err) {
		v.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFAThrottled, UserID: user.ID, Method: method})
	}
	return res, err
}
