package gatehouse

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// Principal is the user a request was authenticated as, and how.
type Principal struct {
	UserID   int64
	Username string
	// Method is the authenticator of the chain that succeeded: "session", "token" or
	// "basic".
	Method string
	// CredentialID is the public id of the session or token (what the account's lists show
	// and revocation takes), or "" for Basic credentials.
	CredentialID string
	// Level is how strongly the user proved who they are at the login that issued the
	// credential: 1 for one factor (a password, a passkey, Basic credentials), 2 for a
	// password followed by a second factor.
	Level int
}

// principalKey is the context key of the request's Principal.
type principalKey struct{}

// PrincipalFrom returns the principal that Middleware or Protect authenticated the request
// as, from the request's context (in a Gin handler, c.Request.Context()). It reports false
// outside a protected handler.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

func withPrincipal(ctx context.Context, p domain.Principal) context.Context {
	out := Principal{UserID: int64(p.User.ID), Username: p.User.Username, Method: string(p.Method), Level: int(p.Level())}
	switch {
	case p.Session != nil:
		out.CredentialID = p.Session.ID
	case p.Token != nil:
		out.CredentialID = p.Token.ID
	}
	return context.WithValue(ctx, principalKey{}, out)
}
