package ginhttp

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

func (s *Server) signup(c *gin.Context) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.SignUp{
		Username: f.str("username", true, &verr),
		Password: f.str("password", true, &verr),
		Email:    f.str("email", false, &verr),
		IP:       s.clientIP(c),
	}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	user, err := s.accounts.SignUp(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewUser(user))
}

// loginInput reads the username and password of a login and who sends it.
func (s *Server) loginInput(c *gin.Context, f fields, verr *domain.ValidationError) ports.Login {
	return ports.Login{
		Username:  f.str("username", true, verr),
		Password:  f.str("password", true, verr),
		IP:        s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"),
	}
}

// obtainToken issues a token. With "cookie": true the token goes into an HttpOnly cookie
// instead of the body, for browser apps that must keep it from scripts.
func (s *Server) obtainToken(c *gin.Context) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := s.loginInput(c, f, &verr)
	in.TokenName = f.str("name", false, &verr)
	inCookie := f.flag("cookie", &verr)
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	t, err := s.accounts.ObtainToken(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	view := issuedTokenView{Token: t.Secret, ID: t.ID, Name: t.Name, ExpiresAt: optionalTime(t.ExpiresAt)}
	if inCookie {
		s.setTokenCookie(c, t)
		view.Token = ""
	}
	c.JSON(http.StatusOK, view)
}

func (s *Server) login(c *gin.Context) {
	if origin := c.GetHeader("Origin"); origin != "" && !s.trustedOrigin(c, origin) {
		// Login CSRF: a cross-site form must not log the victim's browser into the
		// attacker's account. Browsers send Origin on every cross-site POST.
		s.fail(c, &domain.CSRFError{Reason: "Origin checking failed - " + origin + " does not match any trusted origins."})
		return
	}
	f, err := readFields(c, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := s.loginInput(c, f, &verr)
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	in.PreviousSession = s.sessionSecret(c)
	user, session, err := s.accounts.Login(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSessionCookies(c, session)
	c.JSON(http.StatusOK, viewUser(user))
}

// trustedOrigin reports whether origin is the server's own (by the Host the request was
// sent to) or one of the configured trusted origins.
func (s *Server) trustedOrigin(c *gin.Context, origin string) bool {
	if origin == "http://"+c.Request.Host || origin == "https://"+c.Request.Host {
		return true
	}
	return slices.Contains(s.cfg.TrustedOrigins, origin)
}

func (s *Server) logout(c *gin.Context, p domain.Principal) {
	if err := s.accounts.Logout(c.Request.Context(), p); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCredentialCookies(c, p)
	c.Status(http.StatusNoContent)
}

// clearCredentialCookies clears the cookies of the credential that authenticated p.
func (s *Server) clearCredentialCookies(c *gin.Context, p domain.Principal) {
	if p.Session != nil {
		s.clearSessionCookies(c)
	}
	if p.TokenCookie {
		s.clearTokenCookie(c)
	}
}

func (s *Server) logoutAll(c *gin.Context, p domain.Principal) {
	if err := s.accounts.LogoutAll(c.Request.Context(), p); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCredentialCookies(c, p)
	c.Status(http.StatusNoContent)
}
