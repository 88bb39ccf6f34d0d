package ginhttp

import (
	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// checkOrigin judges the request, as if its method were method, by the one cross-origin rule
// (domain.OriginPolicy, built from Config.TrustedOrigins and Config.CookieSecure). Every path
// that a forged cross-site request could reach calls it:
//
//   - principalFor (every authenticated API route, and verify for the original method), when
//     the request carries a credential the browser attaches by itself (RequestCredentials.Ambient);
//   - login, always: a forged login plants the attacker's session (login CSRF);
//   - pageForm, for every form of the pages.
//
// It runs before any credential is looked up or password hashed, so a refused request costs
// nothing and counts as no failed login.
func (s *Server) checkOrigin(c *gin.Context, method string) error {
	h := c.Request.Header
	return s.origins.Check(domain.CrossOriginRequest{Method: method, Host: c.Request.Host,
		Origin: h.Get("Origin"), Referer: h.Get("Referer"), FetchSite: h.Get("Sec-Fetch-Site")})
}
