package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// emailChangeSentDetail answers an accepted email change request, in the API's body and on
// the account page alike.
const emailChangeSentDetail = "A confirmation link was sent to the new address: the change applies once it is followed. " +
	"Check your new inbox."

var emailChangeSent = gin.H{"detail": emailChangeSentDetail}

// emailChangeRoutes registers the email change routes under v1, when mail is on.
func (s *Server) emailChangeRoutes(v1 *gin.RouterGroup) {
	if !s.cfg.EmailChange {
		return
	}
	v1.POST("/email", s.authenticated(s.requestEmailChange))
	v1.POST("/email/change/confirm", s.confirmEmailChange)
}

// requestEmailChange answers POST /v1/auth/email, {"email": ..., "password": ...}: 202 once
// the link went to the new address and the notice to the old one; 400 on "password" for a
// wrong password, on "email" for an address that is malformed, the account's own, or
// another account's; 429 when throttled.
func (s *Server) requestEmailChange(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.EmailChangeRequest{
		Email:     f.str("email", true, &verr),
		Password:  f.str("password", true, &verr),
		IP:        s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"),
	}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.RequestEmailChange(c.Request.Context(), p, in); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, emailChangeSent)
}

// confirmEmailChange answers POST /v1/auth/email/change/confirm, {"token": ...}: 204 once the
// link's address is the account's, verified. It needs no credentials: the link is the
// proof, and it is often opened on another device than the one that asked.
func (s *Server) confirmEmailChange(c *gin.Context) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.EmailChangeConfirm{Token: f.str("token", true, &verr), IP: s.clientIP(c), UserAgent: c.GetHeader("User-Agent")}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.accounts.ConfirmEmailChange(c.Request.Context(), in); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
