package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// resetRequestedDetail is the one answer to an accepted reset request, whether or not an
// account matched (OWASP Forgot Password Cheat Sheet: the same response in every case), in
// the API's body and on the page alike.
const resetRequestedDetail = "If an account matches, a password reset link has been sent to its email address."

var resetRequested = gin.H{"detail": resetRequestedDetail}

// requestPasswordReset answers POST /v1/auth/password/reset, {"email": ...} or
// {"username": ...}: 202 with resetRequested, or 429 when throttled, for known and unknown
// targets alike.
func (s *Server) requestPasswordReset(c *gin.Context) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	_, hasEmail := f["email"]
	_, hasName := f["username"]
	in := ports.PasswordResetRequest{IP: s.clientIP(c), UserAgent: c.GetHeader("User-Agent")}
	switch {
	case hasEmail && hasName:
		verr.Add("non_field_errors", "Give an email address or a username, not both.")
	case hasName:
		in.Username = f.str("username", true, &verr)
	default:
		in.Email = f.str("email", true, &verr)
	}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.RequestPasswordReset(c.Request.Context(), in); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, resetRequested)
}

// confirmPasswordReset answers POST /v1/auth/password/reset/confirm, {"token": ...,
// "new_password": ...}: 204 once the password is set and every session and token revoked.
func (s *Server) confirmPasswordReset(c *gin.Context) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.PasswordResetConfirm{
		Token:       f.str("token", true, &verr),
		NewPassword: f.str("new_password", true, &verr),
		IP:          s.clientIP(c),
		UserAgent:   c.GetHeader("User-Agent"),
	}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.ConfirmPasswordReset(c.Request.Context(), in); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
