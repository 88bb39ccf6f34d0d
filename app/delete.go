package app

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// errWrongPassword is the answer to an account deletion whose password is wrong.
var errWrongPassword = domain.NewValidationError("password", "Your password was entered incorrectly. Please enter it again.")

// DeleteAccount deletes the caller's account, with every session and token, once the
// password is given again. The password is checked as a login is (Verifier.Reconfirm):
// throttled with the logins of the account, audited, and timed alike, so a stolen session
// or token cannot delete the account, nor guess the password faster than a login could.
// Basic callers give it twice, in the header and in the body, as a re-check of intent.
func (a *Accounts) DeleteAccount(ctx context.Context, p domain.Principal, in ports.AccountDeletion) error {
	user, err := a.verifier.Reconfirm(ctx, p.User, in.Password, in.IP, p.Method)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		return errWrongPassword
	}
	if err != nil {
		return err
	}
	deleted, err := deleteUser(ctx, a.users, a.sessions, a.tokens, a.codes, user.ID)
	a.cache.dropUser(user.ID)
	if err == nil {
		err = forgetFactors(ctx, a.mfa, user.ID)
	}
	if err != nil {
		return err
	}
	if deleted {
		a.audit.Audit(ctx, domain.Audit{Event: domain.AuditUserDeleted, UserID: user.ID, Method: p.Method})
	}
	return nil
}

// DeleteUser implements ports.Admin.
func (a *Admin) DeleteUser(ctx context.Context, username string) error {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	deleted, err := deleteUser(ctx, a.users, a.sessions, a.tokens, a.codes, u.ID)
	if err == nil {
		err = forgetFactors(ctx, a.mfa, u.ID)
	}
	if err != nil {
		return err
	}
	if !deleted {
		return domain.ErrNotFound // deleted meanwhile by someone else
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditUserDeleted, UserID: u.ID})
	return nil
}

// deleteUser removes user and every credential of it, and reports whether this call removed
// the user (false: it was already gone, and its credentials are revoked again all the same).
//
// The order makes the deletion take effect at once on every instance, although instances
// keep users in process memory (UserCache): credentials are always read from the shared
// stores, so what must never exist is a live credential of a deleted user.
//
//  1. Revoke every session and token. A credential that outlived the user could otherwise
//     still be honoured, for a UserCache TTL, by an instance that holds the user in memory.
//  2. Delete the user. From here a login fails its password check, and a login that checked
//     the password before stores its credential, then re-reads its user (Accounts.confirm),
//     finds none and withdraws the credential.
//  3. Revoke again: a credential stored by such a login between 1 and 2 has passed its
//     re-read already, and is removed here. A login's re-read comes after its store, so every
//     credential is stored before 3 (and removed by it) or re-read after 2 (and withdrawn).
//  4. Void every mailed link. None could be used any more (each use reads its user), but
//     they hold the address, which a deleted account should not leave behind.
//
// Once the password is confirmed the work goes on if the client goes away: a deletion left
// half way would be safe (every step revokes) but confusing.
func deleteUser(ctx context.Context, users ports.UserStore, sessions ports.SessionStore, tokens ports.TokenStore,
	codes ports.CodeStore, user domain.UserID) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := revokeAllBut(ctx, sessions, tokens, user, "", ""); err != nil {
		return false, err
	}
	err := users.DeleteUser(ctx, user)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return false, err
	}
	if err := revokeAllBut(ctx, sessions, tokens, user, "", ""); err != nil {
		return false, err
	}
	if _, err := codes.DeleteUserCodes(ctx, user, ""); err != nil {
		return false, err
	}
	return err == nil, nil
}
