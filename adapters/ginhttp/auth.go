package ginhttp

import (
	"net/http"

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
	if secondFactorRequired(c, err) {
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerToken(c, t, inCookie)
}

// answerToken answers a token login, at /token or at its second step: the secret in the body,
// or in the HttpOnly token cookie with the CSRF token in the body instead.
func (s *Server) answerToken(c *gin.Context, t domain.IssuedToken, inCookie bool) {
	view := issuedTokenView{Token: t.Secret, ID: t.ID, Name: t.Name, ExpiresAt: optionalTime(t.ExpiresAt)}
	if inCookie {
		s.setTokenCookie(c, t)
		view.Token, view.CSRFToken = "", domain.CSRFToken(t.Secret)
	}
	c.JSON(http.StatusOK, view)
}

func (s *Server) login(c *gin.Context) {
	// Login CSRF: a cross-site form must not log the victim's browser into the attacker's
	// account.
	if err := s.checkOrigin(c, http.MethodPost); err != nil {
		s.fail(c, err)
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
	if secondFactorRequired(c, err) {
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerSession(c, user, session)
}

// answerLogin answers a login that ended in two steps or with a passkey, as /token or /login
// would have: whichever of a token and a session res holds.
func (s *Server) answerLogin(c *gin.Context, res ports.LoginResult, inCookie bool) {
	if res.Token != nil {
		s.answerToken(c, *res.Token, inCookie)
		return
	}
	s.answerSession(c, res.User, *res.Session)
}

// answerSession answers a session login, at /login or at its second step: the cookies, and
// the user with the CSRF token a script on another origin cannot read from its cookie.
func (s *Server) answerSession(c *gin.Context, user domain.User, session domain.IssuedSession) {
	s.setSessionCookies(c, session)
	c.JSON(http.StatusOK, loginView{userView: viewUser(user), CSRFToken: session.CSRFToken})
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
