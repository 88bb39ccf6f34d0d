package app

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Chain is the authenticator chain, in the Django REST Framework model: methods are tried in
// order; a method whose credentials are absent passes to the next; the first whose credentials
// are present decides, and invalid credentials are refused at once rather than passed on, so
// a wrong token never falls through to a weaker method.
type Chain struct {
	methods  []domain.AuthMethod
	users    ports.UserStore
	owners   *UserCache // users of sessions and tokens; see UserCache for why it is safe
	sessions ports.SessionStore
	tokens   ports.TokenStore
	verifier *Verifier
	cache    *BasicCache
	clock    ports.Clock
	settings Settings
	mfa      SecondFactors
}

// NewChain returns the chain of methods over the given stores.
func NewChain(methods []domain.AuthMethod, users ports.UserStore, sessions ports.SessionStore,
	tokens ports.TokenStore, verifier *Verifier, cache *BasicCache, clock ports.Clock, settings Settings,
	mfa SecondFactors) *Chain {
	return &Chain{methods: methods, users: users, owners: NewUserCache(settings, users, clock), sessions: sessions, tokens: tokens,
		verifier: verifier, cache: cache, clock: clock, settings: settings, mfa: mfa}
}

// Methods returns the enabled methods in chain order.
func (c *Chain) Methods() []domain.AuthMethod { return c.methods }

// errAbsent tells the loop to try the next method.
var errAbsent = errors.New("credentials absent")

// Authenticate implements ports.Authenticator.
func (c *Chain) Authenticate(ctx context.Context, creds domain.RequestCredentials) (ports.AuthResult, error) {
	var res ports.AuthResult
	for _, m := range c.methods {
		var p domain.Principal
		var err error
		switch m {
		case domain.MethodSession:
			p, err = c.session(ctx, creds, &res)
		case domain.MethodToken:
			p, err = c.token(ctx, creds, &res)
		case domain.MethodBasic:
			p, err = c.basic(ctx, creds.Authorization, creds.ClientIP)
		}
		if errors.Is(err, errAbsent) {
			continue
		}
		res.Principal, res.Method = p, m
		return res, err
	}
	return res, domain.ErrNotAuthenticated
}

// session authenticates by the session cookie. An unknown or expired cookie counts as absent
// (the browser merely holds a stale cookie) and is marked for clearing.
func (c *Chain) session(ctx context.Context, creds domain.RequestCredentials, res *ports.AuthResult) (domain.Principal, error) {
	if creds.SessionSecret == "" {
		return domain.Principal{}, errAbsent
	}
	if !domain.ValidSessionSecret(creds.SessionSecret) {
		res.ClearSessionCookie = true
		return domain.Principal{}, errAbsent
	}
	s, err := c.sessions.SessionByHash(ctx, domain.HashSecret(creds.SessionSecret))
	if errors.Is(err, domain.ErrNotFound) {
		res.ClearSessionCookie = true
		return domain.Principal{}, errAbsent
	}
	if err != nil {
		return domain.Principal{}, err
	}
	user, err := c.activeUser(ctx, s.UserID)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		res.ClearSessionCookie = true
		return domain.Principal{}, errAbsent
	}
	if err != nil {
		return domain.Principal{}, err
	}
	if c.settings.Bind.Mismatch(s, creds.ClientIP, creds.UserAgent) {
		// A cookie replayed from elsewhere: end the session for everyone, not just this request.
		res.ClearSessionCookie = true
		if err := c.sessions.DeleteSession(ctx, s.UserID, s.ID); err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Principal{}, err
		}
		return domain.Principal{}, domain.ErrSessionBound
	}
	if err := checkCSRF(creds.Method, creds.SessionSecret, creds.CSRFToken); err != nil {
		return domain.Principal{}, err
	}
	now := c.clock.Now()
	if domain.TouchDue(s.LastSeenAt, now, c.settings.TouchInterval) {
		s.LastSeenAt, s.ExpiresAt = now, c.settings.Session.ExpiresAt(s.CreatedAt, now)
		if err := c.sessions.TouchSession(ctx, s.SecretHash, s.LastSeenAt, s.ExpiresAt); errors.Is(err, domain.ErrNotFound) {
			// Revoked between the lookup and now: the cookie is as stale as an unknown one.
			res.ClearSessionCookie = true
			return domain.Principal{}, errAbsent
		} else if err != nil {
			return domain.Principal{}, err
		}
	}
	return domain.Principal{User: user, Method: domain.MethodSession, Session: &s}, nil
}

// token authenticates by "Authorization: Token <key>" or "Bearer <key>".
//
// Browser apps may keep the token in an HttpOnly cookie instead; it is read only when no
// Authorization header is present, and, being sent by the browser on its own, it needs the
// CSRF token on unsafe methods exactly like a session. A stale token cookie counts as absent
// and is marked for clearing, as a stale session cookie is.
func (c *Chain) token(ctx context.Context, creds domain.RequestCredentials, res *ports.AuthResult) (domain.Principal, error) {
	a := creds.Authorization
	secret, fromCookie := a.Token, false
	switch {
	case a.Scheme == domain.SchemeNone && creds.TokenCookie != "":
		secret, fromCookie = creds.TokenCookie, true
		if !domain.ValidTokenSecret(secret) {
			res.ClearTokenCookie = true
			return domain.Principal{}, errAbsent
		}
	case a.Scheme == domain.SchemeNone || a.Scheme == domain.SchemeBasic:
		return domain.Principal{}, errAbsent
	case a.Err != nil:
		return domain.Principal{}, a.Err
	}
	t, err := c.tokens.TokenByHash(ctx, domain.HashSecret(secret))
	if errors.Is(err, domain.ErrNotFound) && fromCookie {
		res.ClearTokenCookie = true
		return domain.Principal{}, errAbsent
	}
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Principal{}, domain.ErrInvalidToken
	}
	if err != nil {
		return domain.Principal{}, err
	}
	if fromCookie {
		if err := checkCSRF(creds.Method, secret, creds.CSRFToken); err != nil {
			return domain.Principal{}, err
		}
	}
	user, err := c.activeUser(ctx, t.UserID)
	if err != nil {
		return domain.Principal{}, err
	}
	now := c.clock.Now()
	if domain.TouchDue(t.LastUsedAt, now, c.settings.TouchInterval) {
		t.LastUsedAt = now
		if err := c.tokens.TouchToken(ctx, t.SecretHash, now); errors.Is(err, domain.ErrNotFound) {
			return domain.Principal{}, domain.ErrInvalidToken
		} else if err != nil {
			return domain.Principal{}, err
		}
	}
	return domain.Principal{User: user, Method: domain.MethodToken, Token: &t, TokenCookie: fromCookie}, nil
}

// basic authenticates by "Authorization: Basic ..." (RFC 7617), checking the password on
// every request as DRF's BasicAuthentication does.
func (c *Chain) basic(ctx context.Context, a domain.Authorization, ip string) (domain.Principal, error) {
	switch {
	case a.Scheme == domain.SchemeNone || a.Scheme == domain.SchemeToken:
		return domain.Principal{}, errAbsent
	case a.Err != nil:
		return domain.Principal{}, a.Err
	}
	if id, hash, ok := c.cache.lookup(a.Username, a.Password); ok {
		user, err := c.users.UserByID(ctx, id)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return domain.Principal{}, err
		}
		if err == nil && user.IsActive && user.PasswordHash == hash && c.verifier.admits(user) {
			return c.basicWithoutFactor(ctx, user)
		}
	}
	user, err := c.verifier.Check(ctx, a.Username, a.Password, ip, domain.MethodBasic)
	if err != nil {
		return domain.Principal{}, err
	}
	p, err := c.basicWithoutFactor(ctx, user)
	if err == nil {
		c.cache.put(a.Username, a.Password, user)
	}
	return p, err
}

// basicWithoutFactor admits user, whose Basic password is right, unless the account has a
// confirmed second factor: Basic sends the password alone with every request and has no
// room for a code, so it would let a stolen password past the factor. Such a user is
// refused with domain.ErrBasicWithFactor, which says to use a token; a token is obtained
// through the two-step login, so it carries the factor. The check runs for remembered
// credentials too: another instance may have confirmed a factor since they were cached.
func (c *Chain) basicWithoutFactor(ctx context.Context, user domain.User) (domain.Principal, error) {
	if f, err := readFactors(ctx, c.mfa, user.ID); err != nil {
		return domain.Principal{}, err
	} else if f.any() {
		return domain.Principal{}, domain.ErrBasicWithFactor
	}
	return domain.Principal{User: user, Method: domain.MethodBasic}, nil
}

// activeUser loads the owner of a credential; a deleted or inactive owner makes the
// credential invalid. The owner may come from the user cache (one store round trip per
// request instead of two): this relies on the invariant written on UserCache, that
// deactivating, deleting a user or changing its password revokes its credentials in the store.
func (c *Chain) activeUser(ctx context.Context, id domain.UserID) (domain.User, error) {
	user, err := c.owners.UserByID(ctx, id)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !user.IsActive {
		return domain.User{}, domain.ErrInactiveUser
	}
	return user, err
}

// checkCSRF checks the CSRF token of a cookie-authenticated request, deriving the expected
// one (an HMAC, ten allocations) only for the unsafe methods that need it.
func checkCSRF(method, secret, got string) error {
	if !domain.Unsafe(method) {
		return nil
	}
	return domain.CheckCSRF(method, domain.CSRFToken(secret), got)
}
