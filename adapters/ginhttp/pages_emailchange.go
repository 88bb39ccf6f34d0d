package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The email change pages: a form on the account page asks for the change, and the mail's
// link, /email/change#token=…, opens a page that confirms it. The secret rides in the
// fragment and fragment.js moves it into the confirmation form, as on the reset pages (see
// pages_reset.go): it reaches no server log, no Referer and no history.

const emailChangePageTitle = "Confirm your new email address"

// emailChangeRoutes registers the email change pages under g, when mail is on; the account
// page's form is registered under acct, which checks the session's CSRF token.
func (s *Server) emailChangePageRoutes(g, acct *gin.RouterGroup) {
	if !s.cfg.EmailChange {
		return
	}
	acct.POST("/account/email", s.pageSession(s.emailChangeSubmit))
	r := g.Group("/email/change", noReferrer)
	r.GET("", s.emailChangePage)
	r.POST("/confirm", s.pageForm, s.emailChangeConfirmSubmit)
}

// emailChangeSubmit asks for the change through the same use case as POST /v1/auth/email,
// with the password given again, and tells the user to look in the new inbox.
func (s *Server) emailChangeSubmit(c *gin.Context, pr domain.Principal) {
	f := form(c)
	var verr domain.ValidationError
	in := ports.EmailChangeRequest{
		Email:     f.str("email", true, &verr),
		Password:  f.str("password", true, &verr),
		IP:        s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"),
	}
	p := page{Values: map[string]string{"email": in.Email}}
	err := verr.Err()
	if err == nil {
		err = s.accounts.RequestEmailChange(c.Request.Context(), pr, in)
	}
	if err != nil {
		s.failAccountForm(c, pr, p, "email", err)
		return
	}
	// A redirect, so that reloading the page sends no second mail.
	c.Redirect(http.StatusSeeOther, "/account?done=email-change-sent")
}

// emailChangePage shows the confirmation form to a browser that came from a link
// (fragment.js shows it), and an explanation to anyone else.
func (s *Server) emailChangePage(c *gin.Context) {
	s.render(c, http.StatusOK, "emailchange", page{Title: emailChangePageTitle, CSRF: s.formToken(c)})
}

// emailChangeConfirmSubmit confirms through the same use case as POST
// /v1/auth/email/change/confirm and shows the new address. It needs no session: the link
// may be opened on any device. The answer is a page, not a redirect, so that the address
// shown comes from the use case rather than from a URL anyone could write.
func (s *Server) emailChangeConfirmSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.EmailChangeConfirm{Token: form(c).str("token", true, &verr), IP: s.clientIP(c), UserAgent: c.GetHeader("User-Agent")}
	err := verr.Err()
	var email string
	if err == nil {
		email, err = s.accounts.ConfirmEmailChange(c.Request.Context(), in)
	}
	p := page{Title: emailChangePageTitle, CSRF: s.formToken(c)}
	if err != nil {
		s.failForm(c, "emailchange", p, "confirm", err)
		return
	}
	p.Title, p.Values = "Email address changed", map[string]string{"changed": email}
	s.render(c, http.StatusOK, "emailchange", p)
}
