package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// verificationSentDetail answers an accepted request for a new verification link, in the
// API's body and on the account page alike.
const verificationSentDetail = "A new verification link has been sent to your email address; older links no longer work."

// emailVerifyRoutes registers the email verification routes under v1 when the feature is on
// (it needs mail); without it they answer 404 as unknown paths do. Confirming needs no
// credentials: the link is the proof.
func (s *Server) emailVerifyRoutes(v1 *gin.RouterGroup) {
	if !s.cfg.EmailVerification {
		return
	}
	v1.POST("/email/verify", s.confirmEmail)
	v1.POST("/email/verify/resend", s.authenticated(s.resendVerification))
}

// confirmEmail answers POST /v1/auth/email/verify, {"token": ...}: 204 once the address the
// link was sent to is verified; 400 on "token" for any link that cannot be used.
func (s *Server) confirmEmail(c *gin.Context) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	token := f.str("token", true, &verr)
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.ConfirmEmail(c.Request.Context(), token); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// resendVerification answers POST /v1/auth/email/verify/resend: 202 once a new link is on
// its way to the caller's address; 400 when there is no address or it is verified already
// (nothing was sent, and the client should know), 429 past the account's limit.
func (s *Server) resendVerification(c *gin.Context, p domain.Principal) {
	if err := s.accounts.ResendVerification(c.Request.Context(), p); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"detail": verificationSentDetail})
}
