package app

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// errWrongOldPassword is the answer to a password change whose old password is wrong.
var errWrongOldPassword = domain.NewValidationError("old_password", "Your old password was entered incorrectly. Please enter it again.")

// ChangePassword replaces the caller's password and revokes every other session and token,
// so whoever learned the old password loses access. A caller's token stays valid. A caller's
// session is replaced by a new one, returned, since an id that was valid before a privilege
// change should not stay valid after it (OWASP Session Management Cheat Sheet). Basic callers
// keep nothing: the old password in their header no longer works.
//
// The old password is checked as a login is (Verifier.Reconfirm): throttled together with
// the logins of the same account, audited, and timed alike.
func (a *Accounts) ChangePassword(ctx context.Context, p domain.Principal, in ports.PasswordChange) (*domain.IssuedSession, error) {
	user, err := a.verifier.Reconfirm(ctx, p.User, in.Old, in.IP, p.Method)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		return nil, errWrongOldPassword
	}
	if err != nil {
		return nil, err
	}
	if err := validNewPassword(in.New, user); err != nil {
		return nil, err
	}
	hash, err := a.hasher.Hash(ctx, in.New)
	if err != nil {
		return nil, err
	}
	var keepToken string
	if p.Token != nil {
		keepToken = p.Token.ID
	}
	if err := a.replacePassword(ctx, user, hash, keepToken); errors.Is(err, domain.ErrNotFound) {
		return nil, errWrongOldPassword // changed since we verified the old one
	} else if err != nil {
		return nil, err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasswordChanged, UserID: user.ID, Method: p.Method})
	a.notifyPasswordChanged(ctx, user, in.IP, in.UserAgent)
	if p.Session == nil {
		return nil, nil
	}
	// The replacement keeps the session's level: the browser that proved a second factor at
	// login is the one that just proved the password again.
	is, err := a.startSession(ctx, user.ID, p.Session.IP, p.Session.UserAgent, p.Session.Level.Effective())
	if err != nil {
		return nil, err
	}
	// The new session comes after the last revocation, so it is confirmed as a login's is:
	// a deletion or deactivation that landed meanwhile must not leave it behind.
	user.PasswordHash = hash
	if err := a.confirm(ctx, user); err != nil {
		_ = a.sessions.DeleteSession(context.WithoutCancel(ctx), user.ID, is.ID)
		return nil, err
	}
	return &is, nil
}

// validNewPassword applies the password rules to a new password for u, reporting a failure
// under the field new_password.
func validNewPassword(password string, u domain.User) error {
	err := domain.ValidatePassword(password, u.Username, u.Email)
	var verr *domain.ValidationError
	if !errors.As(err, &verr) {
		return err
	}
	return &domain.ValidationError{Fields: map[string][]string{"new_password": verr.Fields["password"]}}
}

// replacePassword sets u's password hash to hash (see replacePassword) and makes the Basic
// cache forget u.
func (a *Accounts) replacePassword(ctx context.Context, u domain.User, hash, keepToken string) error {
	err := replacePassword(ctx, a.users, a.sessions, a.tokens, a.codes, u, hash, keepToken)
	if err == nil {
		a.cache.dropUser(u.ID)
	}
	return err
}

// replacePassword sets u's password hash to hash, by compare-and-set against the hash u
// was read with, and revokes every session and token of u but keepToken: the one way a
// password is replaced, by its owner, by a reset link or by an operator. It revokes before
// the change as well as after it: should the change or the second revocation fail, no
// credential made with the old password is left behind a new one. Then u's reset and email
// change links are voided: a change of address asked for with the old password is cancelled
// by the new one, as the notice of the request promises. domain.ErrNotFound means u was
// deleted or its password changed since it was read.
func replacePassword(ctx context.Context, users ports.UserStore, sessions ports.SessionStore, tokens ports.TokenStore,
	codes ports.CodeStore, u domain.User, hash, keepToken string) error {
	if err := revokeAllBut(ctx, sessions, tokens, u.ID, "", keepToken); err != nil {
		return err
	}
	if err := users.SetPasswordHash(ctx, u.ID, u.PasswordHash, hash); err != nil {
		return err
	}
	if err := revokeAllBut(ctx, sessions, tokens, u.ID, "", keepToken); err != nil {
		return err
	}
	voidLinks(ctx, codes, u.ID, domain.PurposePasswordReset, domain.PurposeEmailChange)
	return nil
}
