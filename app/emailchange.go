package app

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// errChangeLink is the one answer to an email change link that cannot be used: malformed,
// unknown, already used, voided or expired alike.
var errChangeLink = domain.NewValidationError("token", "This email change link is invalid or has expired.")

// errSameEmail refuses a change to the address the account already has.
var errSameEmail = domain.NewValidationError("email", "This is already your email address.")

// errNoEmail refuses a change to no address: the change needs a new inbox to confirm it.
var errNoEmail = domain.NewValidationError("email", "This field may not be blank.")

// emailChangeLinkPath is where an email change link leads. As with a reset link, the secret
// rides in the fragment, which browsers never send to a server (see resetLinkPath).
const emailChangeLinkPath = "/email/change#token="

// DefaultEmailChangeTTL is how long an email change link stays valid: a day, as long as a
// new inbox may take to be looked at, and django-allauth's default for its confirmations
// is longer still.
const DefaultEmailChangeTTL = 24 * time.Hour

// RequestEmailChange implements ports.EmailChanges. The password is checked as a login is
// (Verifier.Reconfirm, like DeleteAccount): a stolen session alone cannot move the account
// to its thief's inbox, nor guess the password faster than a login could. The request is
// charged beforehand to the password reset's limits, per client network and per target
// address: both mail an inbox the caller names, and the per-address limit bounds what one
// inbox receives from either. A request that sends nothing gives its charge back.
//
// Under domain.EmailUnique an address another account has is refused at once, after the
// password, so only the account's owner learns it; SetEmail decides races at confirmation.
// The new address gets a single-use link (the older ones are voided) and the current one a
// notice with the time, client address and browser of the request (OWASP ASVS V2.5: notify
// on credential changes).
func (a *Accounts) RequestEmailChange(ctx context.Context, p domain.Principal, in ports.EmailChangeRequest) error {
	if !a.mailer.Enabled() {
		return domain.ErrNotFound
	}
	email, err := domain.NormalizeEmail(in.Email)
	if err != nil {
		return err
	}
	if email == "" {
		return errNoEmail
	}
	res, err := reserve(ctx, a.limiter, a.throttle.resetLimits(in.IP, "email:"+domain.EmailKey(email)))
	if err != nil {
		return err
	}
	user, err := a.checkEmailChange(ctx, p, in.Password, in.IP, email)
	if err != nil {
		res.cancel(ctx)
		return err
	}
	secret, err := newLink(ctx, a.codes, a.random, a.clock, changeLinks, user.ID, email, a.settings.EmailChangeTTL)
	if err != nil {
		return err
	}
	a.mailer.Send(ctx, domain.Mail{Kind: domain.MailEmailChangeConfirm, To: email, Username: user.Username,
		Link: emailChangeLinkPath + secret, NewEmail: email})
	a.notifyEmail(ctx, domain.MailEmailChangeNotice, user, email, in.IP, in.UserAgent)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditEmailChangeRequested, UserID: user.ID, Method: p.Method})
	return nil
}

// checkEmailChange returns p's user as stored now once password checks out and email may
// become its address.
func (a *Accounts) checkEmailChange(ctx context.Context, p domain.Principal, password, ip, email string) (domain.User, error) {
	user, err := a.verifier.Reconfirm(ctx, p.User, password, ip, p.Method)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		return domain.User{}, errWrongPassword
	}
	if err != nil {
		return domain.User{}, err
	}
	if email == user.Email {
		return domain.User{}, errSameEmail
	}
	if a.settings.emailRule() == domain.EmailUnique {
		holders, err := a.users.UsersByEmail(ctx, email)
		if err != nil {
			return domain.User{}, err
		}
		for _, h := range holders {
			if h.ID != user.ID { // the own address in another spelling is no conflict
				return domain.User{}, domain.ErrEmailTaken
			}
		}
	}
	return user, nil
}

// ConfirmEmailChange implements ports.EmailChanges. The link is consumed first, atomically,
// so of any number of concurrent uses exactly one proceeds. The address is then set, marked
// verified (the link reached it), under the address rule of signups: an address another
// account took since the request is refused, and the link is spent.
//
// Afterwards the user's other links are voided, best effort: other change links, and the
// verification and reset links, which were sent to the old address and would otherwise let
// its reader verify it or take the account back by a reset. The old address gets a last
// notice.
func (a *Accounts) ConfirmEmailChange(ctx context.Context, in ports.EmailChangeConfirm) (string, error) {
	if !a.mailer.Enabled() {
		return "", domain.ErrNotFound
	}
	code, err := consumeLink(ctx, a.codes, changeLinks, in.Token)
	if errors.Is(err, domain.ErrNotFound) {
		return "", errChangeLink
	}
	if err != nil {
		return "", err
	}
	user, err := a.users.UserByID(ctx, code.UserID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !user.IsActive {
		return "", errChangeLink
	}
	if err != nil {
		return "", a.restoreCode(ctx, code, err)
	}
	switch err := a.users.SetEmail(ctx, user.ID, code.Email, a.settings.emailRule()); {
	case errors.Is(err, domain.ErrNotFound):
		return "", errChangeLink // deleted meanwhile
	case errors.Is(err, domain.ErrEmailTaken):
		return "", err
	case err != nil:
		return "", a.restoreCode(ctx, code, err)
	}
	voidLinks(ctx, a.codes, user.ID, domain.PurposeEmailChange, domain.PurposeVerifyEmail, domain.PurposePasswordReset)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditEmailChanged, UserID: user.ID})
	if user.Email != code.Email {
		a.notifyEmail(ctx, domain.MailEmailChanged, user, code.Email, in.IP, in.UserAgent)
	}
	return code.Email, nil
}

// SetEmail implements ports.Admin: the operator's change applies at once, with no link, and
// the address counts as verified, as the operator vouches for it. As after a confirmed
// change, the links mailed to the old address are voided.
func (a *Admin) SetEmail(ctx context.Context, username, email string) error {
	email, err := domain.NormalizeEmail(email)
	if err != nil {
		return err
	}
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	if err := a.users.SetEmail(ctx, u.ID, email, a.settings.emailRule()); err != nil {
		return err
	}
	voidLinks(ctx, a.codes, u.ID, domain.PurposeEmailChange, domain.PurposeVerifyEmail, domain.PurposePasswordReset)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditEmailChanged, UserID: u.ID})
	return nil
}

// notifyEmail mails u's current address, if any, a notice of kind about a change to
// newEmail made from ip with userAgent.
func (a *Accounts) notifyEmail(ctx context.Context, kind domain.MailKind, u domain.User, newEmail, ip, userAgent string) {
	if u.Email == "" {
		return
	}
	a.mailer.Send(ctx, domain.Mail{Kind: kind, To: u.Email, Username: u.Username, NewEmail: newEmail,
		At: a.clock.Now(), IP: ip, UserAgent: domain.TruncateUserAgent(userAgent)})
}

// voidLinks voids user's links of the given purposes, best effort: a failure leaves links
// that expire on their own, and the change they follow has been made.
func voidLinks(ctx context.Context, codes ports.CodeStore, user domain.UserID, purposes ...domain.CodePurpose) {
	ctx = context.WithoutCancel(ctx)
	for _, p := range purposes {
		_, _ = codes.DeleteUserCodes(ctx, user, p)
	}
}
