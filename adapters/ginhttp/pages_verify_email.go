package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// The email verification pages. The mail's link is /email/verify#token=…: as for reset links
// (see pages_reset.go) the secret rides in the fragment, and fragment.js moves it into the
// page's form and out of the address. The reader then presses a button to confirm, which
// posts the form: following the link alone verifies nothing, so a mail scanner that opens
// links, even one that runs scripts, cannot verify an address for its owner (django-allauth
// confirms by POST for the same reason, unless ACCOUNT_CONFIRM_EMAIL_ON_GET is set).

const verifyPageTitle = "Verify your email address"

// emailVerifyPageRoutes registers the verification page under g, and the account page's
// form that asks for a new link, when verification is on.
func (s *Server) emailVerifyPageRoutes(g *gin.RouterGroup) {
	if !s.cfg.EmailVerification {
		return
	}
	r := g.Group("/email/verify", noReferrer)
	r.GET("", s.verifyEmailPage)
	r.POST("", s.pageForm, s.verifyEmailSubmit)
	g.POST("/account/email/verify/resend", s.pageForm, s.pageSession(s.resendVerificationSubmit))
}

func (s *Server) verifyEmailPage(c *gin.Context) {
	s.render(c, http.StatusOK, "verify_email", page{Title: verifyPageTitle, CSRF: s.formToken(c),
		Notice: notices[c.Query("done")]})
}

// verifyEmailSubmit verifies through the same use case as POST /v1/auth/email/verify and
// shows the outcome; a link that cannot be used shows why, with the way to a new one.
func (s *Server) verifyEmailSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	var verr domain.ValidationError
	token := form(c).str("token", true, &verr)
	err := verr.Err()
	if err == nil {
		err = s.accounts.ConfirmEmail(c.Request.Context(), token)
	}
	if err != nil {
		s.failForm(c, "verify_email", page{Title: verifyPageTitle, CSRF: s.formToken(c)}, "verify", err)
		return
	}
	// A redirect, so that reloading the page posts nothing again.
	c.Redirect(http.StatusSeeOther, "/email/verify?done=email-verified")
}

// resendVerificationSubmit asks for a new link through the same use case as POST
// /v1/auth/email/verify/resend.
func (s *Server) resendVerificationSubmit(c *gin.Context, pr domain.Principal) {
	if err := s.accounts.ResendVerification(c.Request.Context(), pr); err != nil {
		s.failAccountForm(c, pr, page{}, "verify", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=verify-sent")
}
