package app

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// errVerifyLink is the one answer to a verification link that cannot be used: malformed,
// unknown, already used, voided, expired, or sent to an address the account no longer has.
var errVerifyLink = domain.NewValidationError("token", "This verification link is invalid or has expired.")

// verifyLinkPath is where a verification link leads. As for reset links (see resetLinkPath),
// the secret rides in the fragment, out of access logs and Referer headers; the page reads it
// with script and posts it to its own form, which calls ConfirmEmail.
const verifyLinkPath = "/email/verify#token="

// EmailVerification sends and follows the links that prove a user receives mail at their
// address, and holds the rule that may refuse logins until they do. The Verifier applies the
// rule (see Verifier.Check), so every kind of login meets it; Accounts sends the links. A nil
// *EmailVerification, or one whose mailer is off, sends nothing and requires nothing.
type EmailVerification struct {
	users    ports.UserStore
	codes    ports.CodeStore
	mailer   ports.Mailer
	random   ports.Random
	clock    ports.Clock
	settings Settings
	limiter  ports.RateLimiter
	throttle Throttle
	audit    ports.Auditor
}

// NewEmailVerification returns email verification over the given ports. Mails of every kind
// are charged to throttle.VerifyUser except the one a signup sends.
func NewEmailVerification(users ports.UserStore, codes ports.CodeStore, mailer ports.Mailer, random ports.Random,
	clock ports.Clock, settings Settings, limiter ports.RateLimiter, throttle Throttle, audit ports.Auditor) *EmailVerification {
	return &EmailVerification{users: users, codes: codes, mailer: mailer, random: random, clock: clock,
		settings: settings, limiter: limiter, throttle: throttle, audit: audit}
}

// on reports whether verification links can be sent: without mail the feature is off.
func (e *EmailVerification) on() bool { return e != nil && e.mailer.Enabled() }

// sendLink voids u's older verification links, stores a new one for u's address and mails it
// there.
func (e *EmailVerification) sendLink(ctx context.Context, u domain.User) error {
	secret, err := newLink(ctx, e.codes, e.random, e.clock, verifyLinks, u.ID, u.Email, e.settings.VerifyTTL)
	if err != nil {
		return err
	}
	e.mailer.Send(ctx, domain.Mail{Kind: domain.MailVerifyEmail, To: u.Email, Username: u.Username,
		Link: verifyLinkPath + secret})
	e.audit.Audit(ctx, domain.Audit{Event: domain.AuditVerificationSent, UserID: u.ID})
	return nil
}

// signedUp sends a new user's first link, unthrottled: the signup limit bounds signups. It is
// best effort, for the account exists either way: a failure leaves the user to ask again.
func (e *EmailVerification) signedUp(ctx context.Context, u domain.User) {
	if e.on() && u.Email != "" && !u.EmailVerified {
		_ = e.sendLink(context.WithoutCancel(ctx), u)
	}
}

// required reports whether u may not log in for want of a verified address. An account
// without an address has none verified: were it let in, clearing one's address would be a
// way around the rule.
func (e *EmailVerification) required(u domain.User) bool {
	return e != nil && e.settings.RequireVerifiedEmail && !u.EmailVerified
}

// admit applies the rule to u, whose password was just found right: nil, or
// domain.ErrEmailUnverified after a fresh link went to u's address — unless the account's
// verification throttle is spent, so that logging in again and again cannot flood the inbox.
// The refusal stands whatever became of the mail.
func (e *EmailVerification) admit(ctx context.Context, u domain.User, method domain.AuthMethod) error {
	if !e.required(u) {
		return nil
	}
	e.audit.Audit(ctx, domain.Audit{Event: domain.AuditLoginUnverified, UserID: u.ID, Method: method})
	if e.on() && u.Email != "" {
		if _, err := reserve(ctx, e.limiter, e.throttle.verifyLimits(u.ID)); err == nil {
			_ = e.sendLink(context.WithoutCancel(ctx), u)
		}
	}
	return domain.ErrEmailUnverified
}

// ConfirmEmail implements ports.Accounts: it marks the address the link went to verified.
// The link is consumed first, atomically, so of concurrent uses exactly one succeeds; it
// is used up even when the account's address changed since, for it can never verify
// another one.
func (a *Accounts) ConfirmEmail(ctx context.Context, token string) error {
	e := a.email
	if !e.on() {
		return domain.ErrNotFound
	}
	code, err := consumeLink(ctx, e.codes, verifyLinks, token)
	if errors.Is(err, domain.ErrNotFound) {
		return errVerifyLink
	}
	if err != nil {
		return err
	}
	// MarkEmailVerified compares the address with the account's own, in the store: a link
	// sent to an address the account has since left verifies nothing.
	if err := e.users.MarkEmailVerified(ctx, code.UserID, code.Email); errors.Is(err, domain.ErrNotFound) {
		return errVerifyLink
	} else if err != nil {
		return a.restoreCode(ctx, code, err)
	}
	e.audit.Audit(ctx, domain.Audit{Event: domain.AuditEmailVerified, UserID: code.UserID})
	return nil
}

// ResendVerification implements ports.Accounts: a new link to p's address, voiding the
// older ones, throttled per account.
func (a *Accounts) ResendVerification(ctx context.Context, p domain.Principal) error {
	e := a.email
	if !e.on() {
		return domain.ErrNotFound
	}
	// The store's view, not the principal's, which may come from the user cache.
	u, err := e.users.UserByID(ctx, p.User.ID)
	if err != nil {
		return err
	}
	switch {
	case u.Email == "":
		return domain.ErrNoEmail
	case u.EmailVerified:
		return domain.ErrEmailAlreadyVerified
	}
	if _, err := reserve(ctx, e.limiter, e.throttle.verifyLimits(u.ID)); err != nil {
		return err
	}
	return e.sendLink(ctx, u)
}
