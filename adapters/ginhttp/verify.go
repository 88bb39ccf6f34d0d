package ginhttp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// The headers of forward authentication. A reverse proxy (nginx auth_request, Traefik
// ForwardAuth, Caddy forward_auth) sends a copy of each request's headers to GET
// /v1/auth/verify and, on a 200, copies the user headers into the request it passes on.
const (
	// originalMethodHeader is what nginx is told to send ($request_method), since its
	// subrequest is a GET whatever the original method was.
	originalMethodHeader = "X-Original-Method"
	// forwardedMethodHeader is what Traefik's ForwardAuth and Caddy's forward_auth send.
	forwardedMethodHeader = "X-Forwarded-Method"

	userIDHeader     = "X-Gatehouse-User-Id"
	usernameHeader   = "X-Gatehouse-Username"
	authMethodHeader = "X-Gatehouse-Auth-Method"
	// authLevelHeader is the credential's domain.AuthLevel, "1" or "2": an upstream that
	// demands a second factor for a route refuses a request whose level is below 2.
	authLevelHeader = "X-Gatehouse-Auth-Level"
)

// oneChallengeFieldKey makes a 401 carry its challenges in one WWW-Authenticate field,
// comma-separated (RFC 9110 §11.6.1 allows both forms). nginx before 1.23 passes on only the
// first WWW-Authenticate field of an auth_request subrequest, which would hide every
// challenge but the first.
const oneChallengeFieldKey = "gatehouse.oneChallengeField"

// verify answers a proxy's forward-authentication request: 200 with the user headers when the
// chain authenticates the original request, else the chain's refusal (401 with the
// challenges, 403, 503) exactly as any authenticated route gives it.
//
// CSRF is judged for the original request's method, which the proxy names in a header. A
// request that names none is treated as unsafe, so a cookie needs its CSRF token: a proxy
// that forwards no method fails visibly (403 on cookie requests without X-CSRFToken) instead
// of letting a forged cross-site POST through as if it were a GET. Callers of verify itself
// that are not proxies can send X-Original-Method: GET, or use GET /v1/auth/me.
//
// A proxy that protects a route with a second factor asks GET /v1/auth/verify?level=2: a
// credential below that level is refused with 403 (domain.ErrAuthLevelTooLow). The demand is
// in the address the proxy is configured with, which no client can change; nginx could not
// make it itself, since its if runs before auth_request has set any variable.
//
// The response carries nothing of the credential but the method's name and its level: no
// session or token id, which the upstream has no use for. Cookies that clear a stale session are set on the
// response, 200 or 401, for the proxy to pass on.
func (s *Server) verify(c *gin.Context) {
	method, err := originalMethod(c.Request.Header)
	if err != nil {
		s.fail(c, err)
		return
	}
	required, err := requiredLevel(c.Request.URL)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Set(oneChallengeFieldKey, true)
	p, ok := s.principalFor(c, method)
	if !ok {
		return
	}
	if p.Level() < required {
		s.fail(c, domain.ErrAuthLevelTooLow)
		return
	}
	h := c.Writer.Header()
	h.Set(userIDHeader, strconv.FormatInt(int64(p.User.ID), 10))
	h.Set(usernameHeader, headerSafe(p.User.Username))
	h.Set(authMethodHeader, string(p.Method))
	h.Set(authLevelHeader, strconv.Itoa(int(p.Level()))) // no allocation below 100
	c.Status(http.StatusOK)
}

// requiredLevel returns the level a proxy demands in u's level parameter, "1" or "2", or 0
// when it demands none. Anything else, or the parameter given twice, is a 400: a proxy
// configured with a typo must fail visibly rather than let every credential through.
func requiredLevel(u *url.URL) (domain.AuthLevel, error) {
	if u.RawQuery == "" {
		return 0, nil // most proxies ask nothing: no query to parse on every request
	}
	vs, ok := u.Query()["level"]
	if !ok {
		return 0, nil
	}
	if len(vs) == 1 {
		switch vs[0] {
		case "1":
			return domain.LevelPassword, nil
		case "2":
			return domain.LevelSecondFactor, nil
		}
	}
	return 0, &badRequestError{status: http.StatusBadRequest, detail: "Invalid level parameter: give it once, 1 or 2."}
}

// originalMethod returns the method of the request a proxy asks about, from
// X-Original-Method or X-Forwarded-Method, or "" when neither is sent; "" is not a safe
// method, so CSRF is required (domain.Unsafe). Every value sent must be a valid method
// (an RFC 9110 token) and all must agree: a client cannot add a second, safer-looking
// method to the one its proxy set.
func originalMethod(h http.Header) (string, error) {
	var method string
	for _, name := range []string{originalMethodHeader, forwardedMethodHeader} {
		for _, v := range h.Values(name) {
			if !isToken(v) {
				return "", &badRequestError{status: http.StatusBadRequest,
					detail: "Invalid " + name + " header: not an HTTP method."}
			}
			if method != "" && v != method {
				return "", &badRequestError{status: http.StatusBadRequest,
					detail: "Conflicting " + originalMethodHeader + " and " + forwardedMethodHeader + " headers."}
			}
			method = v
		}
	}
	return method, nil
}

// isToken reports whether s is an RFC 9110 §5.6.2 token, the syntax of a method.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		case ch < 0x80 && isTchar[ch]:
		default:
			return false
		}
	}
	return true
}

var isTchar = [0x80]bool{'!': true, '#': true, '$': true, '%': true, '&': true, '\'': true, '*': true,
	'+': true, '-': true, '.': true, '^': true, '_': true, '`': true, '|': true, '~': true}

// headerSafe percent-encodes the bytes of a username outside printable ASCII, and '%'
// itself. Usernames may hold any Unicode letter, and raw UTF-8 in a header value is obs-text
// that many servers read as Latin-1 (RFC 9110 §5.5). Sign-up never admits '%', so an ASCII
// username is sent as it is; encoding '%' anyway keeps the header unambiguous for a name
// that reached the store some other way (an imported table): "zo%C3%AB" must not arrive
// as "zoë".
func headerSafe(name string) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		if b := name[i]; b > 0x20 && b < 0x7f && b != '%' {
			out = append(out, b)
		} else {
			out = append(out, '%', hex[b>>4], hex[b&0xf])
		}
	}
	return string(out)
}
