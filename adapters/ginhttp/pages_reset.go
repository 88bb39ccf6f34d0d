package ginhttp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The password reset pages. The mail's link is /password/reset#token=…: the secret rides in
// the fragment, which no browser sends to a server, so it never reaches an access log or a
// proxy, and fragment.js moves it into the confirmation form's hidden field and removes it
// from the address (history.replaceState), so it stays out of the history too. Django
// instead puts the token in the session and redirects to a URL without it; here no request
// ever carries it in a URL, and the server keeps no state before the form is posted.

// resetPageTitle names both steps: the same address serves the request form and, read by
// script from the link, the confirmation form.
const resetPageTitle = "Reset your password"

// resetRoutes registers the reset pages under g, when reset is on.
func (s *Server) resetRoutes(g *gin.RouterGroup) {
	if !s.cfg.PasswordReset {
		return
	}
	r := g.Group("/password/reset", noReferrer)
	r.GET("", s.resetPage)
	r.POST("", s.pageForm, s.resetRequestSubmit)
	r.POST("/confirm", s.pageForm, s.resetConfirmSubmit)
}

// noReferrer overrides the pages' Referrer-Policy for the reset pages: whatever they link to
// or load learns nothing of them, should a link's secret ever get into their address (OWASP
// Forgot Password Cheat Sheet, "URL tokens"). Browsers then send "Origin: null" with the
// pages' own form posts; checkOrigin admits them by Sec-Fetch-Site: same-origin, which every
// current browser sends, and the forms' CSRF token still has to match.
func noReferrer(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Next()
}

// resetPage shows the request form, and the confirmation form to a browser that came from a
// link (fragment.js switches them).
func (s *Server) resetPage(c *gin.Context) {
	s.render(c, http.StatusOK, "reset", s.resetForm(c, nil))
}

func (s *Server) resetForm(c *gin.Context, values map[string]string) page {
	return page{Title: resetPageTitle, CSRF: s.formToken(c), PasswordRules: passwordRules,
		Notice: notices[c.Query("done")], Values: values}
}

// resetRequestSubmit asks for a link through the same use case as POST
// /v1/auth/password/reset, so with its throttles and its one answer: every accepted request
// leads to the same notice, whether or not an account matches. One field takes an address
// or a username; an "@" makes it an address (a username with an "@" resets by address).
func (s *Server) resetRequestSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	var verr domain.ValidationError
	account := form(c).str("account", true, &verr)
	in := ports.PasswordResetRequest{IP: s.clientIP(c), UserAgent: c.GetHeader("User-Agent")}
	if strings.Contains(account, "@") {
		in.Email = account
	} else {
		in.Username = account
	}
	p := s.resetForm(c, map[string]string{"account": account})
	err := verr.Err()
	if err == nil {
		err = s.accounts.RequestPasswordReset(c.Request.Context(), in)
	}
	if err != nil {
		s.failForm(c, "reset", p, "request", err)
		return
	}
	// A redirect, so that reloading the page sends no second mail.
	c.Redirect(http.StatusSeeOther, "/password/reset?done=reset-sent")
}

// resetConfirmSubmit sets the new password through the same use case as POST
// /v1/auth/password/reset/confirm, and sends the user to log in with it. A password the
// policy refuses leaves the link usable (see Accounts.ConfirmPasswordReset), so the form is
// shown again with the link's secret in its hidden field, as the browser posted it; a bad
// link shows why, with a way to ask for a new one.
func (s *Server) resetConfirmSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	f := form(c)
	var verr domain.ValidationError
	in := ports.PasswordResetConfirm{
		Token:       f.str("token", true, &verr),
		NewPassword: f.str("new_password", true, &verr),
		IP:          s.clientIP(c),
		UserAgent:   c.GetHeader("User-Agent"),
	}
	if again := f.str("new_password2", true, &verr); in.NewPassword != "" && again != "" && again != in.NewPassword {
		verr.Add("new_password2", "The two password fields didn't match.")
	}
	err := verr.Err()
	if err == nil {
		err = s.accounts.ConfirmPasswordReset(c.Request.Context(), in)
	}
	if err != nil {
		s.failForm(c, "reset", s.resetForm(c, map[string]string{"token": in.Token}), "confirm", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login?done=password-reset")
}
