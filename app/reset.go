package app

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// errResetLink is the one answer to a reset link that cannot be used: malformed, unknown,
// already used, voided or expired alike, so the answer tells nothing about which.
var errResetLink = domain.NewValidationError("token", "This reset link is invalid or has expired.")

// resetLinkPath is where a reset link leads. The secret rides in the fragment, which
// browsers never send to a server: it stays out of access logs and Referer headers, of
// Gatehouse and of any proxy in front (OWASP Forgot Password Cheat Sheet, "URL tokens").
// The page reads it with script and posts it with the new password to its own form, which
// calls ConfirmPasswordReset as /v1/auth/password/reset/confirm does.
const resetLinkPath = "/password/reset#token="

// RequestPasswordReset implements ports.Accounts. It follows the OWASP Forgot Password
// Cheat Sheet: the answer is the same whether or not an account matches (the caller sees
// nil), the request is throttled per client network and per target before any lookup, so
// unknown targets are throttled alike, and the request takes at least Settings.ResetFloor,
// so the store writes and the queued mail of an existing account do not show in its timing
// (Mailer.Send only enqueues). A request by address reaches every active account with that
// address, one mail each, as Django's PasswordResetForm does for users that share one.
//
// Each mail voids the account's older reset links: only the newest works.
func (a *Accounts) RequestPasswordReset(ctx context.Context, in ports.PasswordResetRequest) error {
	start := time.Now()
	defer padTo(ctx, start, a.settings.ResetFloor)
	if !a.mailer.Enabled() {
		return domain.ErrNotFound
	}
	target := "username:" + domain.UsernameKey(in.Username)
	if in.Email != "" {
		if _, err := domain.NormalizeEmail(in.Email); err != nil {
			return err
		}
		target = "email:" + domain.EmailKey(in.Email)
	}
	if _, err := reserve(ctx, a.limiter, a.throttle.resetLimits(in.IP, target)); err != nil {
		return err
	}
	users, err := a.resetTargets(ctx, in)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		// The same shape of work as for an account, so that the CPU time differs little
		// even before the floor: draw a secret and hash it.
		secret, _, err := newSecret(a.random, domain.ResetPrefix)
		_ = domain.HashSecret(secret)
		return err
	}
	for _, u := range users {
		if err := a.sendResetLink(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

// resetTargets returns the active accounts with a usable password and an address that in
// names.
func (a *Accounts) resetTargets(ctx context.Context, in ports.PasswordResetRequest) ([]domain.User, error) {
	var found []domain.User
	if in.Email != "" {
		users, err := a.users.UsersByEmail(ctx, in.Email)
		if err != nil {
			return nil, err
		}
		found = users
	} else {
		u, err := a.users.UserByUsername(ctx, in.Username)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			found = []domain.User{u}
		}
	}
	out := found[:0]
	for _, u := range found {
		if u.IsActive && u.Email != "" && u.HasUsablePassword() {
			out = append(out, u)
		}
	}
	return out, nil
}

// sendResetLink voids u's older reset links, stores a new one and mails it.
func (a *Accounts) sendResetLink(ctx context.Context, u domain.User) error {
	secret, err := newLink(ctx, a.codes, a.random, a.clock, resetLinks, u.ID, u.Email, a.settings.ResetTTL)
	if err != nil {
		return err
	}
	a.mailer.Send(ctx, domain.Mail{Kind: domain.MailPasswordReset, To: u.Email, Username: u.Username,
		Link: resetLinkPath + secret})
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasswordResetRequested, UserID: u.ID})
	return nil
}

// ConfirmPasswordReset implements ports.Accounts. The link is consumed first, atomically,
// so of two concurrent uses exactly one proceeds. A new password the policy refuses does
// not burn the link: the same code (same hash, same deadline) is stored again, so the user
// can retry from the same mail. Consuming first, rather than reading and consuming after
// the checks, keeps CodeStore to its three methods and never lets two requests validate one
// link at once; the policy needs the account's username and address, which only the code
// leads to.
//
// The password is then set as ChangePassword sets it: every session and token is revoked
// before and after the compare-and-set, the Basic cache forgets the user, the user's other
// reset links are voided, and a notice goes to the account's address.
func (a *Accounts) ConfirmPasswordReset(ctx context.Context, in ports.PasswordResetConfirm) error {
	if !a.mailer.Enabled() {
		return domain.ErrNotFound
	}
	code, err := consumeLink(ctx, a.codes, resetLinks, in.Token)
	if errors.Is(err, domain.ErrNotFound) {
		return errResetLink
	}
	if err != nil {
		return err
	}
	user, err := a.users.UserByID(ctx, code.UserID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !user.IsActive {
		return errResetLink
	}
	if err != nil {
		return a.restoreCode(ctx, code, err)
	}
	if err := validNewPassword(in.NewPassword, user); err != nil {
		return a.restoreCode(ctx, code, err)
	}
	hash, err := a.hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return a.restoreCode(ctx, code, err)
	}
	if err := a.replacePassword(ctx, user, hash, ""); errors.Is(err, domain.ErrNotFound) {
		return errResetLink // deleted, or the password changed meanwhile: this link is stale
	} else if err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasswordReset, UserID: user.ID})
	a.notifyPasswordChanged(ctx, user, in.IP, in.UserAgent)
	return nil
}

// restoreCode stores a consumed code again, unchanged, and returns err: the link keeps
// working until its own deadline. Should the store fail now, the link is lost and the user
// asks for a new one.
func (a *Accounts) restoreCode(ctx context.Context, code domain.OneTimeCode, err error) error {
	_ = a.codes.CreateCode(context.WithoutCancel(ctx), code)
	return err
}

// voidResetLinks voids the user's reset links, best effort: after a password change or a
// login, which prove the user knows the password, an older link is of no use to them but
// still of use to whoever reads their mail. A failure leaves links that expire on their own.
func (a *Accounts) voidResetLinks(ctx context.Context, user domain.UserID) {
	if a.mailer.Enabled() {
		_, _ = a.codes.DeleteUserCodes(context.WithoutCancel(ctx), user, domain.PurposePasswordReset)
	}
}

// notifyPasswordChanged mails the account's address that its password changed, with the
// time, client address and browser (OWASP ASVS V2.5: notify on credential changes).
func (a *Accounts) notifyPasswordChanged(ctx context.Context, u domain.User, ip, userAgent string) {
	if !a.mailer.Enabled() || u.Email == "" {
		return
	}
	a.mailer.Send(ctx, domain.Mail{Kind: domain.MailPasswordChanged, To: u.Email, Username: u.Username,
		At: a.clock.Now(), IP: ip, UserAgent: domain.TruncateUserAgent(userAgent)})
}
