package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// me answers who the caller is, and which second factors the account has (kept in process
// memory as long as the caller's owner is: see Accounts.Factors).
func (s *Server) me(c *gin.Context, p domain.Principal) {
	factors, err := s.accounts.Factors(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeMe(c, viewMe(p, factors))
}

func (s *Server) listTokens(c *gin.Context, p domain.Principal) {
	tokens, err := s.accounts.ListTokens(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]TokenView, 0, len(tokens))
	for _, t := range tokens {
		views = append(views, ViewToken(t))
	}
	c.JSON(http.StatusOK, views)
}

func (s *Server) revokeToken(c *gin.Context, p domain.Principal) {
	if err := s.accounts.RevokeToken(c.Request.Context(), p, c.Param("id")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) listSessions(c *gin.Context, p domain.Principal) {
	sessions, err := s.accounts.ListSessions(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]sessionView, 0, len(sessions))
	for _, ss := range sessions {
		views = append(views, viewSession(ss, p))
	}
	c.JSON(http.StatusOK, views)
}

func (s *Server) revokeSession(c *gin.Context, p domain.Principal) {
	id := c.Param("id")
	if err := s.accounts.RevokeSession(c.Request.Context(), p, id); err != nil {
		s.fail(c, err)
		return
	}
	if p.Session != nil && p.Session.ID == id {
		s.clearSessionCookies(c)
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) changePassword(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.PasswordChange{
		Old:       f.str("old_password", true, &verr),
		New:       f.str("new_password", true, &verr),
		IP:        s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"),
	}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	rotated, err := s.accounts.ChangePassword(c.Request.Context(), p, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	if rotated != nil {
		s.setSessionCookies(c, *rotated)
	}
	c.Status(http.StatusNoContent)
}

// deleteAccount deletes the caller's account once the password in the body ({"password":
// ...}) checks out, and clears the cookies of the credential that authenticated the request,
// whose server side is gone with every other session and token.
func (s *Server) deleteAccount(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.AccountDeletion{Password: f.str("password", true, &verr), IP: s.clientIP(c)}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.DeleteAccount(c.Request.Context(), p, in); err != nil {
		s.fail(c, err)
		return
	}
	s.clearCredentialCookies(c, p)
	c.Status(http.StatusNoContent)
}
