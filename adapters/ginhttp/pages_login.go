package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// loginPage shows the login form; someone already logged in goes straight on.
func (s *Server) loginPage(c *gin.Context) {
	next := localPath(c.Query("next"))
	if _, ok := s.sessionPrincipal(c); ok {
		c.Redirect(http.StatusSeeOther, orAccount(next))
		return
	}
	s.render(c, http.StatusOK, "login", page{Title: "Log in", CSRF: s.formToken(c), Next: next,
		Notice: notices[c.Query("done")]})
}

// loginSubmit logs in through the same use case as POST /v1/auth/login. A failure shows the
// form again with the API's words and status: one message for a wrong password and an
// unknown user, 429 with the wait when throttled. An account with a second factor goes on
// to the second step (showSecondStep).
func (s *Server) loginSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	next := localPath(formValue(c, "next"))
	p := page{Title: "Log in", CSRF: s.formToken(c), Next: next,
		Values: map[string]string{"username": formValue(c, "username")}}
	var verr domain.ValidationError
	in := s.loginInput(c, form(c), &verr)
	if err := verr.Err(); err != nil {
		s.failForm(c, "login", p, "login", err)
		return
	}
	in.PreviousSession = s.sessionSecret(c)
	_, session, err := s.accounts.Login(c.Request.Context(), in)
	if s.showSecondStep(c, err, next) {
		return
	}
	if err != nil {
		s.failForm(c, "login", p, "login", err)
		return
	}
	s.setSessionCookies(c, session)
	c.Redirect(http.StatusSeeOther, orAccount(next))
}

func orAccount(next string) string {
	if next == "" {
		return "/account"
	}
	return next
}

func (s *Server) signupPage(c *gin.Context) {
	s.render(c, http.StatusOK, "signup", page{Title: "Sign up", CSRF: s.formToken(c), PasswordRules: passwordRules})
}

// signupSubmit signs up through the same use case as POST /v1/auth/signup and sends the new
// user to log in.
func (s *Server) signupSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	f := form(c)
	var verr domain.ValidationError
	in := ports.SignUp{
		Username: f.str("username", true, &verr),
		Password: f.str("password", true, &verr),
		Email:    f.str("email", false, &verr),
		IP:       s.clientIP(c),
	}
	p := page{Title: "Sign up", CSRF: s.formToken(c), PasswordRules: passwordRules,
		Values: map[string]string{"username": in.Username, "email": in.Email}}
	if err := verr.Err(); err != nil {
		s.failForm(c, "signup", p, "signup", err)
		return
	}
	if _, err := s.accounts.SignUp(c.Request.Context(), in); err != nil {
		s.failForm(c, "signup", p, "signup", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?done=signed-up")
}
