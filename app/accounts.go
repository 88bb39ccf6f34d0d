package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Accounts implements ports.Accounts: signing up, logging in and out, and managing one's own
// tokens, sessions and password.
type Accounts struct {
	cache    *BasicCache
	audit    ports.Auditor
	limiter  ports.RateLimiter
	throttle Throttle
	users    ports.UserStore
	sessions ports.SessionStore
	tokens   ports.TokenStore
	hasher   ports.PasswordHasher
	verifier *Verifier
	clock    ports.Clock
	random   ports.Random
	settings Settings
	codes    ports.CodeStore
	mailer   ports.Mailer
	email    *EmailVerification // the verifier's: the links it sends to refused logins are these
	mfa      SecondFactors
	// factorKinds keeps which factors users have, for /me: a profile, which may be as stale
	// as a cached owner (UserCache). Logins and Basic read the factor store itself.
	factorKinds *ttlCache[domain.UserID, []domain.FactorKind]
}

// NewAccounts returns the account use cases over the given ports. With a mailer that is not
// Enabled (MailOff), password reset is off and no notice is mailed.
func NewAccounts(users ports.UserStore, sessions ports.SessionStore, tokens ports.TokenStore,
	hasher ports.PasswordHasher, verifier *Verifier, clock ports.Clock, random ports.Random,
	settings Settings, limiter ports.RateLimiter, throttle Throttle, audit ports.Auditor, cache *BasicCache,
	codes ports.CodeStore, mailer ports.Mailer, mfa SecondFactors) *Accounts {
	a := &Accounts{users: users, sessions: sessions, tokens: tokens, hasher: hasher,
		verifier: verifier, clock: clock, random: random, settings: settings,
		limiter: limiter, throttle: throttle, audit: audit, cache: cache, codes: codes, mailer: mailer,
		email: verifier.email, mfa: mfa}
	a.factorKinds = newTTLCache(a.loadFactorKinds, settings.UserCacheTTL, UserCacheSize, clock)
	return a
}

// SignUp creates an active user (see createUser). Signups are limited per client IP, so one address cannot mass-create accounts.
// A new user with an address is mailed a verification link (when mail is on); when verified
// addresses are required, an address must be given.
func (a *Accounts) SignUp(ctx context.Context, in ports.SignUp) (domain.User, error) {
	if a.email.required(domain.User{}) && strings.TrimSpace(in.Email) == "" {
		return domain.User{}, domain.NewValidationError("email", "This field is required.")
	}
	if _, err := reserve(ctx, a.limiter, a.throttle.signupLimits(in.IP)); err != nil {
		return domain.User{}, err
	}
	user, err := createUser(ctx, a.users, a.hasher, a.clock, a.settings.emailRule(), in.Username, in.Email, in.Password)
	if err == nil {
		a.audit.Audit(ctx, domain.Audit{Event: domain.AuditSignup, UserID: user.ID})
		a.email.signedUp(ctx, user)
	}
	return user, err
}

// createUser checks every field, reporting all problems at once, and stores an active user
// with an unverified address under rule. Signups and operators create users alike.
func createUser(ctx context.Context, users ports.UserStore, hasher ports.PasswordHasher, clock ports.Clock,
	rule domain.EmailRule, username, email, password string) (domain.User, error) {
	var verr domain.ValidationError
	username, err := domain.NormalizeUsername(username)
	collect(&verr, err)
	email, err = domain.NormalizeEmail(email)
	collect(&verr, err)
	collect(&verr, domain.ValidatePassword(password, username, email))
	if err := verr.Err(); err != nil {
		return domain.User{}, err
	}
	// A taken name is refused before the costly hash. CreateUser still decides races.
	switch _, err := users.UserByUsername(ctx, username); {
	case err == nil:
		return domain.User{}, domain.ErrUsernameTaken
	case !errors.Is(err, domain.ErrNotFound):
		return domain.User{}, err
	}
	if rule == domain.EmailUnique && email != "" {
		switch holders, err := users.UsersByEmail(ctx, email); {
		case err != nil:
			return domain.User{}, err
		case len(holders) > 0:
			return domain.User{}, domain.ErrEmailTaken
		}
	}
	hash, err := hasher.Hash(ctx, password)
	if err != nil {
		return domain.User{}, err
	}
	return users.CreateUser(ctx, domain.User{
		Username:     username,
		Email:        email,
		PasswordHash: hash,
		IsActive:     true,
		DateJoined:   clock.Now(),
	}, rule)
}

// collect merges a *domain.ValidationError into verr.
func collect(verr *domain.ValidationError, err error) {
	var v *domain.ValidationError
	if errors.As(err, &v) {
		for field, msgs := range v.Fields {
			for _, m := range msgs {
				verr.Add(field, m)
			}
		}
	}
}

// ObtainToken checks the password and issues a new token; each call makes another, one per
// device, unlike DRF's single token per user. For an account with a second factor it
// answers *domain.SecondFactorRequiredError instead (see challenge).
func (a *Accounts) ObtainToken(ctx context.Context, in ports.Login) (domain.IssuedToken, error) {
	name, err := domain.NormalizeTokenName(in.TokenName)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	user, err := a.verifier.Check(ctx, in.Username, in.Password, in.IP, domain.MethodToken)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	if err := a.challenge(ctx, user, domain.MFATicket{Method: domain.MethodToken, TokenName: name}); err != nil {
		return domain.IssuedToken{}, err
	}
	return a.finishToken(ctx, user, name, domain.LevelPassword)
}

// finishToken issues a token named name to user, whose password (and second factor, if it
// has one) was verified, at level: what that login proved, which the token keeps for its
// life. Every token is issued by a login that names its own level; none is minted from an
// existing session or token, so none inherits a level. Should such a route come, the
// principal's level is the one to give: a credential cannot prove more than the one it
// came from, and a token minted by a two-step session was backed by both factors.
func (a *Accounts) finishToken(ctx context.Context, user domain.User, name string, level domain.AuthLevel) (domain.IssuedToken, error) {
	it, err := issueToken(ctx, a.tokens, a.random, a.clock, a.settings.TokenTTL, user.ID, name, level)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	t := it.Token
	if err := a.confirm(ctx, user); err != nil {
		_ = a.tokens.DeleteToken(context.WithoutCancel(ctx), user.ID, t.ID)
		return domain.IssuedToken{}, err
	}
	a.voidResetLinks(ctx, user.ID)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditLogin, UserID: user.ID, Method: domain.MethodToken, ItemID: t.ID})
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditTokenCreated, UserID: user.ID, Method: domain.MethodToken, ItemID: t.ID})
	return it, nil
}

// issueToken stores a new token named name for user at level, with a fresh id and secret.
func issueToken(ctx context.Context, tokens ports.TokenStore, random ports.Random, clock ports.Clock,
	ttl time.Duration, user domain.UserID, name string, level domain.AuthLevel) (domain.IssuedToken, error) {
	secret, id, err := newSecret(random, domain.TokenPrefix)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	now := clock.Now()
	t := domain.Token{ID: id, UserID: user, Name: name, SecretHash: domain.HashSecret(secret), CreatedAt: now, Level: level}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	if err := tokens.CreateToken(ctx, t); err != nil {
		return domain.IssuedToken{}, err
	}
	return domain.IssuedToken{Token: t, Secret: secret}, nil
}

// Login checks the password and starts a session with a new id, so an id planted in the
// browser before login is never promoted to an authenticated one (session fixation). For an
// account with a second factor it answers *domain.SecondFactorRequiredError instead.
func (a *Accounts) Login(ctx context.Context, in ports.Login) (domain.User, domain.IssuedSession, error) {
	user, err := a.verifier.Check(ctx, in.Username, in.Password, in.IP, domain.MethodSession)
	if err != nil {
		return domain.User{}, domain.IssuedSession{}, err
	}
	if err := a.challenge(ctx, user, domain.MFATicket{Method: domain.MethodSession}); err != nil {
		return domain.User{}, domain.IssuedSession{}, err
	}
	is, err := a.finishSession(ctx, user, in, domain.LevelPassword)
	if err != nil {
		return domain.User{}, domain.IssuedSession{}, err
	}
	return user, is, nil
}

// finishSession starts a session for user, whose password (and second factor, if it has
// one) was verified, at level, what that login proved; it ends the browser's previous one.
func (a *Accounts) finishSession(ctx context.Context, user domain.User, in ports.Login, level domain.AuthLevel) (domain.IssuedSession, error) {
	is, err := a.startSession(ctx, user.ID, in.IP, in.UserAgent, level)
	if err != nil {
		return domain.IssuedSession{}, err
	}
	if err := a.confirm(ctx, user); err != nil {
		_ = a.sessions.DeleteSession(context.WithoutCancel(ctx), user.ID, is.ID)
		return domain.IssuedSession{}, err
	}
	a.endPrevious(ctx, in.PreviousSession)
	a.voidResetLinks(ctx, user.ID)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditLogin, UserID: user.ID, Method: domain.MethodSession, ItemID: is.ID})
	return is, nil
}

// startSession stores a new session for user at level with a fresh id and secret.
func (a *Accounts) startSession(ctx context.Context, user domain.UserID, ip, userAgent string, level domain.AuthLevel) (domain.IssuedSession, error) {
	secret, id, err := newSecret(a.random, domain.SessionPrefix)
	if err != nil {
		return domain.IssuedSession{}, err
	}
	now := a.clock.Now()
	s := domain.Session{
		ID:         id,
		UserID:     user,
		SecretHash: domain.HashSecret(secret),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  a.settings.Session.ExpiresAt(now, now),
		IP:         ip,
		UserAgent:  domain.TruncateUserAgent(userAgent),
		Level:      level,
	}
	if err := a.sessions.CreateSession(ctx, s); err != nil {
		return domain.IssuedSession{}, err
	}
	return domain.IssuedSession{Session: s, Secret: secret, CSRFToken: domain.CSRFToken(secret)}, nil
}

// confirm checks, after a credential was stored, that the user still exists, active, with
// the password hash that was verified. A password change, a deactivation or a deletion
// revokes every credential it can see after it changed the user; one stored by a login that
// verified the user just before the change is seen by either that revocation or this check,
// so no credential outlives the user as the login knew it. A deleted user is
// domain.ErrInvalidCredentials, as for a login that came a moment later.
func (a *Accounts) confirm(ctx context.Context, verified domain.User) error {
	now, err := a.users.UserByID(ctx, verified.ID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.ErrInvalidCredentials
	}
	if err != nil {
		return err
	}
	if now.PasswordHash != verified.PasswordHash || !now.IsActive {
		return domain.ErrInvalidCredentials
	}
	return nil
}

// endPrevious ends the session a browser held before logging in again, as Django's login()
// does, so switching users leaves no live session behind. It is best effort: the browser's
// cookie is replaced either way.
func (a *Accounts) endPrevious(ctx context.Context, secret string) {
	if !domain.ValidSessionSecret(secret) {
		return
	}
	if old, err := a.sessions.SessionByHash(ctx, domain.HashSecret(secret)); err == nil {
		_ = a.sessions.DeleteSession(ctx, old.UserID, old.ID)
	}
}

// Logout revokes the session or token that authenticated p. Basic authentication has nothing
// to revoke. Revoking what a concurrent request already revoked is not an error.
func (a *Accounts) Logout(ctx context.Context, p domain.Principal) error {
	var err error
	rec := domain.Audit{Event: domain.AuditLogout, UserID: p.User.ID, Method: p.Method}
	switch {
	case p.Session != nil:
		err, rec.ItemID = a.sessions.DeleteSession(ctx, p.User.ID, p.Session.ID), p.Session.ID
	case p.Token != nil:
		err, rec.ItemID = a.tokens.DeleteToken(ctx, p.User.ID, p.Token.ID), p.Token.ID
	}
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	a.audit.Audit(ctx, rec)
	return nil
}

// LogoutAll revokes every session and token of p's user.
func (a *Accounts) LogoutAll(ctx context.Context, p domain.Principal) error {
	a.cache.dropUser(p.User.ID)
	if err := revokeAllBut(ctx, a.sessions, a.tokens, p.User.ID, "", ""); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditLogoutAll, UserID: p.User.ID, Method: p.Method})
	return nil
}

// revokeAllBut revokes every session and token of user except the session and the token
// with the given ids ("" spares none). Accounts and Admin both revoke through it.
func revokeAllBut(ctx context.Context, sessions ports.SessionStore, tokens ports.TokenStore,
	user domain.UserID, session, token string) error {
	if _, err := sessions.DeleteUserSessions(ctx, user, session); err != nil {
		return err
	}
	_, err := tokens.DeleteUserTokens(ctx, user, token)
	return err
}

// ListTokens lists the caller's live tokens.
func (a *Accounts) ListTokens(ctx context.Context, p domain.Principal) ([]domain.Token, error) {
	return a.tokens.TokensByUser(ctx, p.User.ID)
}

// RevokeToken revokes one of the caller's tokens; another user's id is domain.ErrNotFound.
func (a *Accounts) RevokeToken(ctx context.Context, p domain.Principal, id string) error {
	if !domain.ValidPublicID(id) {
		return domain.ErrNotFound
	}
	if err := a.tokens.DeleteToken(ctx, p.User.ID, id); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditTokenRevoked, UserID: p.User.ID, Method: p.Method, ItemID: id})
	return nil
}

// ListSessions lists the caller's live sessions.
func (a *Accounts) ListSessions(ctx context.Context, p domain.Principal) ([]domain.Session, error) {
	return a.sessions.SessionsByUser(ctx, p.User.ID)
}

// RevokeSession revokes one of the caller's sessions; another user's id is domain.ErrNotFound.
func (a *Accounts) RevokeSession(ctx context.Context, p domain.Principal, id string) error {
	if !domain.ValidPublicID(id) {
		return domain.ErrNotFound
	}
	if err := a.sessions.DeleteSession(ctx, p.User.ID, id); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditSessionRevoked, UserID: p.User.ID, Method: p.Method, ItemID: id})
	return nil
}
