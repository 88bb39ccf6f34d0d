package ginhttp

import (
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// The JSON shapes of the API. Times are RFC 3339 in UTC; a credential's secret appears only
// in the response that creates it.

type userView struct {
	ID            domain.UserID `json:"id"`
	Username      string        `json:"username"`
	Email         string        `json:"email"`
	EmailVerified bool          `json:"email_verified"`
	DateJoined    time.Time     `json:"date_joined"`
}

func viewUser(u domain.User) userView {
	return userView{ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified,
		DateJoined: u.DateJoined.UTC()}
}

// loginView answers a session login: the user, and the session's CSRF token, which a page on
// another origin (Config.CORSOrigins) cannot read from the csrftoken cookie, since cookies
// belong to the server's host. The token is derived from the session id and reveals nothing
// about it (domain.CSRFToken); the response is readable only by this origin and listed ones.
type loginView struct {
	userView
	CSRFToken string `json:"csrf_token"`
}

type authView struct {
	Method    domain.AuthMethod `json:"method"`
	SessionID string            `json:"session_id,omitempty"`
	TokenID   string            `json:"token_id,omitempty"`
}

type meView struct {
	userView
	Auth authView `json:"auth"`
	// AuthLevel is the level of the login behind the request's credential (Principal.Level).
	AuthLevel domain.AuthLevel `json:"auth_level"`
	// Factors are the kinds of second factor the user logs in with; empty for none.
	Factors []domain.FactorKind `json:"factors"`
}

func viewMe(p domain.Principal, factors []domain.FactorKind) meView {
	v := meView{userView: viewUser(p.User), Auth: authView{Method: p.Method}, AuthLevel: p.Level(), Factors: factors}
	if p.Session != nil {
		v.Auth.SessionID = p.Session.ID
	}
	if p.Token != nil {
		v.Auth.TokenID = p.Token.ID
	}
	return v
}

type issuedTokenView struct {
	Token     string     `json:"token,omitempty"`      // empty when the token went into a cookie
	CSRFToken string     `json:"csrf_token,omitempty"` // when it went into a cookie, as loginView's
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// TokenView is a token as the API lists it (GET /v1/auth/tokens) and the command line's
// token list --json prints it: never its secret or the secret's hash; times never set are null.
type TokenView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	// AuthLevel is the level of the login that issued the token.
	AuthLevel domain.AuthLevel `json:"auth_level"`
}

// ViewToken is t as TokenView shows it.
func ViewToken(t domain.Token) TokenView {
	return TokenView{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt.UTC(),
		LastUsedAt: optionalTime(t.LastUsedAt), ExpiresAt: optionalTime(t.ExpiresAt), AuthLevel: t.Level.Effective()}
}

type sessionView struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	// AuthLevel is the level of the login that started the session.
	AuthLevel domain.AuthLevel `json:"auth_level"`
	Current   bool             `json:"current"`
}

func viewSession(s domain.Session, p domain.Principal) sessionView {
	return sessionView{ID: s.ID, CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC(),
		ExpiresAt: s.ExpiresAt.UTC(), IP: s.IP, UserAgent: s.UserAgent, AuthLevel: s.Level.Effective(),
		Current: p.Session != nil && p.Session.ID == s.ID}
}

// optionalTime renders a zero time ("never") as null.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}
