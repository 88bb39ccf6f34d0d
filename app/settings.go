// Package app holds Gatehouse's use cases and its authenticator chain. It depends only on
// ports and domain, so every backend and every transport drive the same rules.
package app

import (
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// Settings are the lifetimes and intervals the use cases apply.
type Settings struct {
	// TokenTTL is the lifetime of a new token; 0 means tokens never expire.
	TokenTTL time.Duration
	// Session holds the idle and absolute session timeouts.
	Session domain.SessionPolicy
	// TouchInterval is the least time between two writes of a credential's last-used time,
	// so an authenticated request normally costs a single store read.
	TouchInterval time.Duration
	// Bind ties sessions to the client's IP and/or User-Agent.
	Bind domain.SessionBinding
	// BasicCacheTTL is how long verified Basic credentials are remembered; 0 is off.
	BasicCacheTTL time.Duration
	// UserCacheTTL is how long the owner of a session or token is kept in process memory,
	// so authenticating costs one store read; 0 is off. See UserCache.
	UserCacheTTL time.Duration
	// ResetTTL is how long a password reset link stays valid.
	ResetTTL time.Duration
	// EmailChangeTTL is how long an email change confirmation link stays valid.
	EmailChangeTTL time.Duration
	// ResetFloor is the least time a password reset request takes, so that the work done
	// for an existing account (store writes, a mail queued) does not show in the answer's
	// timing; 0 pads nothing.
	ResetFloor time.Duration
	// VerifyTTL is how long an email verification link stays valid.
	VerifyTTL time.Duration
	// RequireVerifiedEmail refuses logins (every kind, see Verifier.Check) of accounts whose
	// address is not verified, and makes signups give an address. It needs mail.
	RequireVerifiedEmail bool
	// UniqueEmail makes signups, operators' creates and email changes refuse an address another user has
	// (domain.EmailUnique); imports may share one whatever it says.
	UniqueEmail bool
}

// emailRule is the rule that signups, operators' creates and email changes write under.
func (s Settings) emailRule() domain.EmailRule {
	if s.UniqueEmail {
		return domain.EmailUnique
	}
	return domain.EmailShared
}

// DefaultResetFloor pads password reset requests: well above the few store round trips an
// existing account costs (see the README's measurement), small enough to go unnoticed.
const DefaultResetFloor = 100 * time.Millisecond

// DefaultVerifyTTL is how long a verification link works: three days, as django-allauth's
// ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS. Proving one owns an address is worth less to a thief
// than a reset link, and people open such mails late.
const DefaultVerifyTTL = 72 * time.Hour

// DefaultUserCacheTTL is how long a server keeps the owner of a session or token in memory
// unless configured otherwise: a deactivation or deletion elsewhere shows within two seconds,
// and a burst of requests costs one user read. DefaultSettings leaves the cache off, so the
// use cases' tests see every write at once.
const DefaultUserCacheTTL = 2 * time.Second

// DefaultSettings are the defaults documented in the README: 30-day tokens, sessions idle out
// after 24 hours and end after 14 days, last-used times written at most once a minute,
// addresses unique.
func DefaultSettings() Settings {
	return Settings{
		TokenTTL:      30 * 24 * time.Hour,
		Session:       domain.SessionPolicy{Idle: 24 * time.Hour, Absolute: 14 * 24 * time.Hour},
		TouchInterval: time.Minute,
		ResetTTL:      30 * time.Minute,
		ResetFloor:    DefaultResetFloor,
		VerifyTTL:     DefaultVerifyTTL,
		UniqueEmail:   true,

		EmailChangeTTL: DefaultEmailChangeTTL,
	}
}
