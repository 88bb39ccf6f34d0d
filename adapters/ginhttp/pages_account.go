package ginhttp

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// accountView is what the account page shows. NewToken is set only in the response that
// created it: the secret is shown once.
type accountView struct {
	User     userView
	Sessions []sessionView
	Tokens   []TokenView
	NewToken *issuedTokenView
	MFA      mfaView
	Passkeys passkeysView // when passkeys are on (Config.Passkeys)
}

// authenticatePage runs the chain on the session cookie alone, with the CSRF token of the
// posted form. The pages are for session users: a browser's remembered Basic credentials
// would be sent by any cross-site form, so they never authenticate a page.
func (s *Server) authenticatePage(c *gin.Context) (ports.AuthResult, error) {
	creds := domain.RequestCredentials{Method: c.Request.Method, SessionSecret: s.sessionSecret(c),
		ClientIP: s.clientIP(c), UserAgent: c.GetHeader("User-Agent")}
	if domain.Unsafe(c.Request.Method) {
		creds.CSRFToken = formValue(c, csrfFormField)
	}
	res, err := s.auth.Authenticate(c.Request.Context(), creds)
	if res.ClearSessionCookie {
		s.clearSessionCookies(c)
	}
	return res, err
}

// sessionPrincipal reports who is logged in, if anyone, for pages open to all.
func (s *Server) sessionPrincipal(c *gin.Context) (domain.Principal, bool) {
	if s.sessionSecret(c) == "" {
		return domain.Principal{}, false
	}
	res, err := s.authenticatePage(c)
	return res.Principal, err == nil
}

// pageSession admits a logged-in user to the account page h, and sends anyone else to log in
// and come back.
func (s *Server) pageSession(h authedHandler) gin.HandlerFunc {
	return func(c *gin.Context) {
		res, err := s.authenticatePage(c)
		if err != nil {
			v := s.judge(c, err)
			if v.status == http.StatusUnauthorized {
				c.Redirect(http.StatusSeeOther, "/login?next=/account")
				return
			}
			s.showVerdict(c, v)
			return
		}
		h(c, res.Principal)
	}
}

func (s *Server) accountPage(c *gin.Context, pr domain.Principal) {
	s.showAccount(c, pr, http.StatusOK, page{Notice: notices[c.Query("done")]})
}

// showAccount renders the account page for pr, with p's messages. p.Account, when set,
// holds what this response alone shows (a token just created, a TOTP enrolment, recovery
// codes); the rest of the view is filled in here.
func (s *Server) showAccount(c *gin.Context, pr domain.Principal, status int, p page) {
	ctx := c.Request.Context()
	sessions, err := s.accounts.ListSessions(ctx, pr)
	if err != nil {
		s.failPage(c, err)
		return
	}
	tokens, err := s.accounts.ListTokens(ctx, pr)
	if err != nil {
		s.failPage(c, err)
		return
	}
	factors, err := s.accounts.Factors(ctx, pr)
	if err != nil {
		s.failPage(c, err)
		return
	}
	view := p.Account
	if view == nil {
		view = &accountView{}
	}
	view.User = viewUser(pr.User)
	view.MFA.On = slices.Contains(factors, domain.FactorTOTP)
	view.MFA.Passkey = slices.Contains(factors, domain.FactorPasskey)
	for _, ss := range sessions {
		view.Sessions = append(view.Sessions, viewSession(ss, pr))
	}
	for _, t := range tokens {
		view.Tokens = append(view.Tokens, ViewToken(t))
	}
	if s.cfg.Passkeys {
		if view.Passkeys, err = s.viewPasskeys(c, pr, p); err != nil {
			s.failPage(c, err)
			return
		}
	}
	p.Title, p.Account = "Your account", view
	p.CSRF = domain.CSRFToken(s.sessionSecret(c))
	s.render(c, status, "account", p)
}

// failAccountForm shows the account page again with the verdict on err at the form named
// failed.
func (s *Server) failAccountForm(c *gin.Context, pr domain.Principal, p page, failed string, err error) {
	v := s.judge(c, err)
	retryAfter(c, v)
	p.Error, p.Fields, p.Failed = v.detail, v.fields, failed
	s.showAccount(c, pr, v.status, p)
}

// createTokenSubmit issues a named token through the same use case as POST /v1/auth/token.
// It asks for the password again: a token outlives the session, so whoever only holds an
// unattended browser should not be able to mint one. With a second factor it asks for a
// code too, and finishes the two steps in one post (tokenSecondStep).
func (s *Server) createTokenSubmit(c *gin.Context, pr domain.Principal) {
	var verr domain.ValidationError
	in := ports.Login{
		Username:  pr.User.Username,
		Password:  form(c).str("password", true, &verr),
		TokenName: formValue(c, "name"),
		IP:        s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"),
	}
	p := page{Values: map[string]string{"name": in.TokenName}}
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, p, "token", err)
		return
	}
	t, err := s.accounts.ObtainToken(c.Request.Context(), in)
	var need *domain.SecondFactorRequiredError
	if errors.As(err, &need) {
		t, err = s.tokenSecondStep(c, need.Ticket)
	}
	if err != nil {
		s.failAccountForm(c, pr, p, "token", err)
		return
	}
	s.showAccount(c, pr, http.StatusOK, page{Account: &accountView{NewToken: &issuedTokenView{Token: t.Secret,
		ID: t.ID, Name: t.Name, ExpiresAt: optionalTime(t.ExpiresAt)}}})
}

func (s *Server) revokeTokenSubmit(c *gin.Context, pr domain.Principal) {
	if err := s.accounts.RevokeToken(c.Request.Context(), pr, c.Param("id")); err != nil {
		s.failPage(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=token-revoked")
}

func (s *Server) revokeSessionSubmit(c *gin.Context, p domain.Principal) {
	id := c.Param("id")
	if err := s.accounts.RevokeSession(c.Request.Context(), p, id); err != nil {
		s.failPage(c, err)
		return
	}
	if p.Session != nil && p.Session.ID == id {
		s.clearSessionCookies(c)
		c.Redirect(http.StatusSeeOther, "/login?done=logged-out")
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=session-revoked")
}

// passwordSubmit changes the password through the same use case as POST /v1/auth/password;
// this browser's session is replaced and every other credential revoked.
func (s *Server) passwordSubmit(c *gin.Context, pr domain.Principal) {
	f := form(c)
	var verr domain.ValidationError
	in := ports.PasswordChange{
		Old: f.str("old_password", true, &verr),
		New: f.str("new_password", true, &verr),
		IP:  s.clientIP(c),
	}
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, page{}, "password", err)
		return
	}
	rotated, err := s.accounts.ChangePassword(c.Request.Context(), pr, in)
	if err != nil {
		s.failAccountForm(c, pr, page{}, "password", err)
		return
	}
	if rotated != nil {
		s.setSessionCookies(c, *rotated)
	}
	c.Redirect(http.StatusSeeOther, "/account?done=password")
}

// deleteSubmit deletes the account through the same use case as DELETE /v1/auth/me, once
// the password is given again, and logs this browser out.
func (s *Server) deleteSubmit(c *gin.Context, pr domain.Principal) {
	var verr domain.ValidationError
	in := ports.AccountDeletion{Password: form(c).str("password", true, &verr), IP: s.clientIP(c)}
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, page{}, "delete", err)
		return
	}
	if err := s.accounts.DeleteAccount(c.Request.Context(), pr, in); err != nil {
		s.failAccountForm(c, pr, page{}, "delete", err)
		return
	}
	s.clearSessionCookies(c)
	c.Redirect(http.StatusSeeOther, "/login?done=deleted")
}

func (s *Server) logoutSubmit(c *gin.Context, pr domain.Principal) {
	if err := s.accounts.Logout(c.Request.Context(), pr); err != nil {
		s.failPage(c, err)
		return
	}
	s.clearSessionCookies(c)
	c.Redirect(http.StatusSeeOther, "/login?done=logged-out")
}

func (s *Server) logoutAllSubmit(c *gin.Context, pr domain.Principal) {
	if err := s.accounts.LogoutAll(c.Request.Context(), pr); err != nil {
		s.failPage(c, err)
		return
	}
	s.clearSessionCookies(c)
	c.Redirect(http.StatusSeeOther, "/login?done=logged-out-all")
}
