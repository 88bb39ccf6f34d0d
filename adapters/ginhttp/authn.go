package ginhttp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// Cookie and header names are Django's, so DRF clients keep working unchanged. With
// Config.HostPrefix the cookies are named __Host-sessionid and __Host-csrftoken: browsers then
// accept them only with Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or
// overwrite them (RFC 6265bis §4.1.3.2).
const (
	sessionCookie = "sessionid"
	csrfCookie    = "csrftoken"
	csrfHeader    = "X-Csrftoken" // X-CSRFToken in canonical form, looked up without a copy
	hostPrefix    = "__Host-"
)

// authedHandler answers a request the chain has authenticated, as principal p.
type authedHandler func(c *gin.Context, p domain.Principal)

// authenticated runs the authenticator chain on the request and hands the principal to h, or
// answers with the chain's refusal. The principal travels as an argument rather than in the
// gin.Context's key map: the compiler checks every handler gets one, and the map is not
// allocated on every authenticated request (issue #6).
func (s *Server) authenticated(h authedHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p, ok := s.principalFor(c, c.Request.Method); ok {
			h(c, p)
		}
	}
}

// principalFor runs the authenticator chain on the request's credentials, judging CSRF for
// method, and clears the cookies of a stale credential. When the chain refuses, it answers
// the request and reports false.
func (s *Server) principalFor(c *gin.Context, method string) (domain.Principal, bool) {
	creds, ok := s.credentials(c)
	if !ok {
		writeProblem(c, http.StatusBadRequest, "Multiple Authorization headers.", nil)
		return domain.Principal{}, false
	}
	creds.Method = method
	if creds.Ambient() {
		if err := s.checkOrigin(c, method); err != nil {
			s.fail(c, err)
			return domain.Principal{}, false
		}
	}
	res, err := s.auth.Authenticate(c.Request.Context(), creds)
	if res.ClearSessionCookie {
		s.clearSessionCookies(c)
	}
	if res.ClearTokenCookie {
		s.clearTokenCookie(c)
	}
	if err != nil {
		s.fail(c, err)
		return domain.Principal{}, false
	}
	return res.Principal, true
}

// credentials extracts what may authenticate the request. It reports false for a request
// with several Authorization headers, which no scheme defines a meaning for.
func (s *Server) credentials(c *gin.Context) (domain.RequestCredentials, bool) {
	auth := c.Request.Header.Values("Authorization")
	if len(auth) > 1 {
		return domain.RequestCredentials{}, false
	}
	ip := domain.RequestFrom(c.Request.Context()).ClientIP // worked out once by accessLog
	if ip == "" {
		ip = s.clientIP(c)
	}
	creds := domain.RequestCredentials{Method: c.Request.Method, CSRFToken: c.Request.Header.Get(csrfHeader),
		ClientIP: ip, UserAgent: c.Request.Header.Get("User-Agent")}
	if len(auth) == 1 {
		creds.Authorization = domain.ParseAuthorization(auth[0])
	}
	creds.SessionSecret, creds.TokenCookie = s.credentialCookies(c.Request)
	return creds, true
}

// credentialCookies returns the values of the session and token cookies, parsing the Cookie
// header once for both. Like Request.Cookie, it takes the first cookie of each name.
func (s *Server) credentialCookies(r *http.Request) (session, token string) {
	if len(r.Header["Cookie"]) == 0 {
		return "", ""
	}
	sessionName, tokenName := s.cookieName(sessionCookie), s.cookieName(s.cfg.TokenCookieName)
	var haveSession, haveToken bool
	for _, ck := range r.Cookies() {
		if !haveSession && ck.Name == sessionName {
			session, haveSession = ck.Value, true
		}
		if !haveToken && ck.Name == tokenName {
			token, haveToken = ck.Value, true
		}
	}
	return session, token
}

// sessionSecret returns the session cookie's value, or "".
func (s *Server) sessionSecret(c *gin.Context) string {
	session, _ := s.credentialCookies(c.Request)
	return session
}

func (s *Server) cookieName(name string) string {
	if s.cfg.HostPrefix {
		return hostPrefix + name
	}
	return name
}

// setSessionCookies sends a new session. The session cookie is HttpOnly so scripts cannot
// steal it; the CSRF cookie is readable by scripts, which echo it in X-CSRFToken (Django's
// double-submit scheme). SameSite=Lax keeps both off cross-site subrequests.
func (s *Server) setSessionCookies(c *gin.Context, is domain.IssuedSession) {
	maxAge := int(s.cfg.SessionCookieMaxAge.Seconds())
	s.cookie(c, sessionCookie, is.Secret, maxAge, true)
	s.cookie(c, csrfCookie, is.CSRFToken, maxAge, false)
}

func (s *Server) clearSessionCookies(c *gin.Context) {
	s.cookie(c, sessionCookie, "", -1, true)
	s.cookie(c, csrfCookie, "", -1, false)
}

// setTokenCookie hands a browser app its token in an HttpOnly cookie, out of reach of any
// script (and so of XSS), with SameSite=Strict and the CSRF cookie its scripts echo back.
func (s *Server) setTokenCookie(c *gin.Context, t domain.IssuedToken) {
	maxAge := 0 // a token that never expires lasts the browser session
	if !t.ExpiresAt.IsZero() {
		maxAge = max(1, int(time.Until(t.ExpiresAt).Seconds()))
	}
	s.setCookie(c, s.cfg.TokenCookieName, t.Secret, maxAge, true, http.SameSiteStrictMode)
	s.cookie(c, csrfCookie, domain.CSRFToken(t.Secret), maxAge, false)
}

func (s *Server) clearTokenCookie(c *gin.Context) {
	s.setCookie(c, s.cfg.TokenCookieName, "", -1, true, http.SameSiteStrictMode)
	s.cookie(c, csrfCookie, "", -1, false)
}

func (s *Server) cookie(c *gin.Context, name, value string, maxAge int, httpOnly bool) {
	s.setCookie(c, name, value, maxAge, httpOnly, http.SameSiteLaxMode)
}

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int, httpOnly bool, sameSite http.SameSite) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name:     s.cookieName(name),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: httpOnly,
		Secure:   s.cfg.CookieSecure,
		SameSite: sameSite,
	})
}
