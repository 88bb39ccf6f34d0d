package domain

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"
)

// AuthMethod names one authenticator of the chain.
type AuthMethod string

const (
	MethodSession AuthMethod = "session"
	MethodToken   AuthMethod = "token"
	MethodBasic   AuthMethod = "basic"
)

// ParseAuthMethods reads an ordered, comma-separated list of authenticators. "default" is
// DRF's default chain, session then basic.
func ParseAuthMethods(list string) ([]AuthMethod, error) {
	if strings.EqualFold(strings.TrimSpace(list), "default") {
		return []AuthMethod{MethodSession, MethodBasic}, nil
	}
	var methods []AuthMethod
	seen := map[AuthMethod]bool{}
	for _, part := range strings.Split(list, ",") {
		m := AuthMethod(strings.ToLower(strings.TrimSpace(part)))
		switch m {
		case MethodSession, MethodToken, MethodBasic:
		default:
			return nil, fmt.Errorf("unknown authenticator %q (want session, token, basic or default)", part)
		}
		if seen[m] {
			return nil, fmt.Errorf("authenticator %q listed twice", m)
		}
		seen[m] = true
		methods = append(methods, m)
	}
	return methods, nil
}

// MaxAuthorizationLength bounds the Authorization header. A Basic header with the longest
// allowed username and password fits well within it.
const MaxAuthorizationLength = 4096

// Scheme is what an Authorization header claims to carry.
type Scheme int

const (
	SchemeNone    Scheme = iota // no Authorization header
	SchemeToken                 // "Token <key>" (DRF) or "Bearer <key>" (RFC 6750)
	SchemeBasic                 // RFC 7617
	SchemeUnknown               // a header no authenticator understands
)

// Authorization is a parsed Authorization header. Err is set when the header is present but
// malformed; the authenticator of its scheme (or, for an unknown scheme, every header
// authenticator) rejects the request instead of passing it down the chain.
type Authorization struct {
	Scheme   Scheme
	Token    string
	Username string
	Password string
	Err      error
}

// ParseAuthorization parses an Authorization header value. It never fails: problems are
// reported in the result's Err.
func ParseAuthorization(header string) Authorization {
	if header == "" {
		return Authorization{Scheme: SchemeNone}
	}
	if len(header) > MaxAuthorizationLength {
		return Authorization{Scheme: SchemeUnknown, Err: &MalformedCredentialsError{Reason: "Invalid authorization header. Header too long."}}
	}
	name, rest, _ := strings.Cut(header, " ")
	rest = strings.Trim(rest, " ")
	// EqualFold rather than ToLower: no copy of the scheme name on every request.
	switch {
	case strings.EqualFold(name, "token"), strings.EqualFold(name, "bearer"):
		a := Authorization{Scheme: SchemeToken}
		switch {
		case rest == "":
			a.Err = &MalformedCredentialsError{Reason: "Invalid token header. No credentials provided."}
		case strings.ContainsAny(rest, " \t"):
			a.Err = &MalformedCredentialsError{Reason: "Invalid token header. Token string should not contain spaces."}
		case !ValidTokenSecret(rest):
			a.Err = &MalformedCredentialsError{Reason: "Invalid token."}
		default:
			a.Token = rest
		}
		return a
	case strings.EqualFold(name, "basic"):
		a := Authorization{Scheme: SchemeBasic}
		a.Username, a.Password, a.Err = DecodeBasic(rest)
		return a
	}
	return Authorization{Scheme: SchemeUnknown, Err: &MalformedCredentialsError{Reason: "Invalid authorization header. Unsupported scheme."}}
}

// DecodeBasic decodes the credentials of a Basic Authorization header (RFC 7617): base64 of
// UTF-8 "username:password". The username ends at the first colon, so the password may hold
// colons; the username may not hold control characters (RFC 7617 §2).
func DecodeBasic(payload string) (username, password string, err error) {
	if payload == "" {
		return "", "", &MalformedCredentialsError{Reason: "Invalid basic header. No credentials provided."}
	}
	raw, decErr := base64.StdEncoding.Strict().DecodeString(payload)
	if decErr != nil {
		return "", "", &MalformedCredentialsError{Reason: "Invalid basic header. Credentials not correctly base64 encoded."}
	}
	if !utf8.Valid(raw) {
		return "", "", &MalformedCredentialsError{Reason: "Invalid basic header. Credentials are not UTF-8."}
	}
	username, password, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", &MalformedCredentialsError{Reason: "Invalid basic header. Credentials not separated by a colon."}
	}
	if username == "" || strings.IndexFunc(username, isControl) >= 0 {
		return "", "", &MalformedCredentialsError{Reason: "Invalid basic header. Invalid username."}
	}
	return username, password, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// RequestCredentials is everything in a request that may authenticate it, extracted by the
// HTTP adapter and judged by the authenticator chain.
type RequestCredentials struct {
	Method        string // HTTP method, for the CSRF rule
	Authorization Authorization
	SessionSecret string // the sessionid cookie; empty when absent
	TokenCookie   string // the token cookie of browser apps; empty when absent
	CSRFToken     string // the X-CSRFToken header
	ClientIP      string // for throttling Basic failures and session binding
	UserAgent     string // for session binding
}

// Principal is an authenticated user and how they were authenticated. Session or Token is
// set for those methods, so logout knows what to revoke.
type Principal struct {
	User    User
	Method  AuthMethod
	Session *Session
	Token   *Token
	// TokenCookie is set when Token came in the token cookie rather than a header.
	TokenCookie bool
}

// Ambient reports whether the request carries a credential that a browser attaches on its own
// to whatever request any site's page makes: a session or token cookie, or the Basic
// credentials it remembers from a prompt. Only such requests can be forged cross-site in a
// user's name, so their unsafe methods must pass OriginPolicy. It looks at what is present,
// not at which credential the chain will use: a request that also carries a Token header is
// one no cross-site page can send (a browser adds that header only for a script, and only
// after a CORS preflight Gatehouse never grants), so judging it costs nothing legitimate. A
// Token header alone is never ambient.
func (c RequestCredentials) Ambient() bool {
	return c.SessionSecret != "" || c.TokenCookie != "" || c.Authorization.Scheme == SchemeBasic
}
