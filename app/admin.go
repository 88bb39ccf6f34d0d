package app

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Admin implements ports.Admin: what an operator does from the command line. It applies the
// same rules as the HTTP use cases; only the signup throttle, which guards against strangers,
// does not apply to the operator.
type Admin struct {
	users    ports.UserStore
	sessions ports.SessionStore
	tokens   ports.TokenStore
	codes    ports.CodeStore
	hasher   ports.PasswordHasher
	clock    ports.Clock
	random   ports.Random
	settings Settings
	audit    ports.Auditor
	mfa      SecondFactors
}

// NewAdmin returns the operator's use cases over the given ports.
func NewAdmin(users ports.UserStore, sessions ports.SessionStore, tokens ports.TokenStore, codes ports.CodeStore,
	hasher ports.PasswordHasher, clock ports.Clock, random ports.Random, settings Settings, audit ports.Auditor,
	mfa SecondFactors) *Admin {
	return &Admin{users: users, sessions: sessions, tokens: tokens, codes: codes, hasher: hasher,
		clock: clock, random: random, settings: settings, audit: audit, mfa: mfa}
}

// maxUserPage bounds one page of ListUsers.
const maxUserPage = 1000

// CreateUser implements ports.Admin.
func (a *Admin) CreateUser(ctx context.Context, in ports.NewUser) (domain.User, error) {
	u, err := createUser(ctx, a.users, a.hasher, a.clock, a.settings.emailRule(), in.Username, in.Email, in.Password)
	if err == nil {
		a.audit.Audit(ctx, domain.Audit{Event: domain.AuditUserCreated, UserID: u.ID})
	}
	return u, err
}

// ListUsers implements ports.Admin.
func (a *Admin) ListUsers(ctx context.Context, after domain.UserID, limit int) ([]domain.User, error) {
	return a.users.ListUsers(ctx, after, min(max(limit, 1), maxUserPage))
}

// SetPassword implements ports.Admin, replacing the password as a user's own change does
// (replacePassword), every session and token included.
func (a *Admin) SetPassword(ctx context.Context, username, password string) error {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	if err := domain.ValidatePassword(password, u.Username, u.Email); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	if err := replacePassword(ctx, a.users, a.sessions, a.tokens, a.codes, u, hash, ""); errors.Is(err, domain.ErrNotFound) {
		return errConcurrentChange
	} else if err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasswordChanged, UserID: u.ID})
	return nil
}

// errConcurrentChange reports that the password changed between reading and writing it.
var errConcurrentChange = domain.NewValidationError("password", "The password changed meanwhile; try again.")

// SetActive implements ports.Admin. The flag is set before the revocation: a login racing
// the deactivation either stored its credential before the revocation, which removes it, or
// re-reads the user after storing it (Accounts.confirm) and sees the flag. The credential
// chains rely on this: a deactivated user holds no session or token.
func (a *Admin) SetActive(ctx context.Context, username string, active bool) error {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	if err := a.users.SetActive(ctx, u.ID, active); err != nil {
		return err
	}
	event := domain.AuditUserActivated
	if !active {
		event = domain.AuditUserDeactivated
		if err := a.revokeAll(ctx, u.ID); err != nil {
			return err
		}
	}
	a.audit.Audit(ctx, domain.Audit{Event: event, UserID: u.ID})
	return nil
}

// VerifyEmail implements ports.Admin: the operator vouches for the user's current address,
// as following a link would. A user without an address is domain.ErrNoEmail.
func (a *Admin) VerifyEmail(ctx context.Context, username string) error {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	if u.Email == "" {
		return domain.ErrNoEmail
	}
	// The address as read: should it change meanwhile, the new one is not vouched for.
	if err := a.users.MarkEmailVerified(ctx, u.ID, u.Email); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditEmailVerified, UserID: u.ID})
	return nil
}

// CreateToken implements ports.Admin.
func (a *Admin) CreateToken(ctx context.Context, username, name string) (domain.IssuedToken, error) {
	name, err := domain.NormalizeTokenName(name)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	if !u.IsActive {
		return domain.IssuedToken{}, domain.ErrInactiveUser
	}
	// An operator's token proves no factor of the user's: it gets the lowest level.
	it, err := issueToken(ctx, a.tokens, a.random, a.clock, a.settings.TokenTTL, u.ID, name, domain.LevelPassword)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	// As a login does (Accounts.confirm): a deletion or deactivation that landed since the
	// read above revoked what it saw, so the token stored after it must go too.
	if now, err := a.users.UserByID(ctx, u.ID); err != nil || !now.IsActive {
		_ = a.tokens.DeleteToken(context.WithoutCancel(ctx), u.ID, it.Token.ID)
		if err != nil {
			return domain.IssuedToken{}, err
		}
		return domain.IssuedToken{}, domain.ErrInactiveUser
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditTokenCreated, UserID: u.ID, ItemID: it.Token.ID})
	return it, nil
}

// ListTokens implements ports.Admin.
func (a *Admin) ListTokens(ctx context.Context, username string) ([]domain.Token, error) {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return nil, err
	}
	return a.tokens.TokensByUser(ctx, u.ID)
}

// RevokeToken implements ports.Admin.
func (a *Admin) RevokeToken(ctx context.Context, username, id string) error {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	if !domain.ValidPublicID(id) {
		return domain.ErrNoSuchToken
	}
	if err := a.tokens.DeleteToken(ctx, u.ID, id); errors.Is(err, domain.ErrNotFound) {
		return domain.ErrNoSuchToken
	} else if err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditTokenRevoked, UserID: u.ID, ItemID: id})
	return nil
}

// ListSessions implements ports.Admin.
func (a *Admin) ListSessions(ctx context.Context, username string) ([]domain.Session, error) {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return nil, err
	}
	return a.sessions.SessionsByUser(ctx, u.ID)
}

// RevokeSessions implements ports.Admin.
func (a *Admin) RevokeSessions(ctx context.Context, username string) (int, error) {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return 0, err
	}
	n, err := a.sessions.DeleteUserSessions(ctx, u.ID, "")
	if err != nil {
		return 0, err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditLogoutAll, UserID: u.ID})
	return n, nil
}

// userNamed returns the user an operator named, or domain.ErrNoSuchUser.
func (a *Admin) userNamed(ctx context.Context, username string) (domain.User, error) {
	u, err := a.users.UserByUsername(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.User{}, domain.ErrNoSuchUser
	}
	return u, err
}

func (a *Admin) revokeAll(ctx context.Context, user domain.UserID) error {
	// Operators act outside any request; a cancelled command must not stop half way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	return revokeAllBut(ctx, a.sessions, a.tokens, user, "", "")
}
