package ginhttp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Passkeys (issue #16). Each ceremony is two calls: one returns the options for the
// browser's navigator.credentials (create or get), the other takes what the browser answered,
// as the JSON of its PublicKeyCredential, in "credential".

func (s *Server) passkeyRoutes(v1 *gin.RouterGroup) {
	v1.GET("/passkeys", s.authenticated(s.listPasskeys))
	v1.POST("/passkeys/options", s.authenticated(s.beginPasskeyRegistration))
	v1.POST("/passkeys", s.authenticated(s.finishPasskeyRegistration))
	v1.DELETE("/passkeys/:id", s.authenticated(s.removePasskey))
	v1.POST("/passkey/options", s.beginPasskeyLogin)
	v1.POST("/mfa/passkey/options", s.authenticated(s.beginFactorProof))
	v1.POST("/passkey/login", s.passkeyLogin(domain.MethodSession))
	v1.POST("/passkey/token", s.passkeyLogin(domain.MethodToken))
}

// PasskeyView is a passkey as the API lists it.
type PasskeyView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func viewPasskey(p domain.Passkey) PasskeyView {
	return PasskeyView{ID: p.ID(), Name: p.Name, CreatedAt: p.CreatedAt.UTC(), LastUsedAt: optionalTime(p.LastUsedAt)}
}

// answerOptions sends a ceremony's options as they are: they are JSON already.
func answerOptions(c *gin.Context, options []byte) {
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", options)
}

func (s *Server) listPasskeys(c *gin.Context, p domain.Principal) {
	list, err := s.accounts.ListPasskeys(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]PasskeyView, len(list))
	for i, k := range list {
		views[i] = viewPasskey(k)
	}
	c.JSON(http.StatusOK, views)
}

func (s *Server) beginPasskeyRegistration(c *gin.Context, p domain.Principal) {
	options, err := s.accounts.BeginPasskeyRegistration(c.Request.Context(), p, s.clientIP(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	answerOptions(c, options)
}

// passkeyAddedView is a new passkey, with recovery codes when it is the account's first
// second factor.
type passkeyAddedView struct {
	PasskeyView
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

func (s *Server) finishPasskeyRegistration(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.PasskeyRegistration{Name: f.str("name", true, &verr), Response: f.object("credential", true, &verr),
		Proof: s.factorProof(c, f, true, &verr)}
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	pk, codes, err := s.accounts.FinishPasskeyRegistration(c.Request.Context(), p, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, passkeyAddedView{PasskeyView: viewPasskey(pk), RecoveryCodes: codes})
}

func (s *Server) removePasskey(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	proof := s.factorProof(c, f, true, &verr)
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.RemovePasskey(c.Request.Context(), p, c.Param("id"), proof); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// factorProof reads the proof a change of second factors takes: the password (required
// when passwordRequired), and a code, a recovery code or a passkey assertion, which the use
// case demands of an account that has a factor.
func (s *Server) factorProof(c *gin.Context, f fields, passwordRequired bool, verr *domain.ValidationError) ports.FactorProof {
	return ports.FactorProof{Password: f.str("password", passwordRequired, verr), Code: f.str("code", false, verr),
		RecoveryCode: f.str("recovery_code", false, verr), Passkey: f.object("passkey", false, verr), IP: s.clientIP(c)}
}

// beginFactorProof starts a passkey ceremony whose assertion proves a change of factors.
func (s *Server) beginFactorProof(c *gin.Context, p domain.Principal) {
	options, err := s.accounts.BeginFactorProof(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	answerOptions(c, options)
}

func (s *Server) beginPasskeyLogin(c *gin.Context) {
	options, err := s.accounts.BeginPasskeyLogin(c.Request.Context(), s.clientIP(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	answerOptions(c, options)
}

// passkeyLogin finishes a login with a passkey alone, answering as /login (method session:
// cookies, origin checked against login CSRF) or /token (a token) would.
func (s *Server) passkeyLogin(method domain.AuthMethod) gin.HandlerFunc {
	return func(c *gin.Context) {
		if method == domain.MethodSession {
			if err := s.checkOrigin(c, http.MethodPost); err != nil {
				s.fail(c, err)
				return
			}
		}
		f, err := readFields(c, false)
		if err != nil {
			s.fail(c, err)
			return
		}
		var verr domain.ValidationError
		in := ports.PasskeyLogin{Response: f.object("credential", true, &verr), Method: method, IP: s.clientIP(c),
			UserAgent: c.GetHeader("User-Agent"), PreviousSession: s.sessionSecret(c)}
		var inCookie bool
		if method == domain.MethodToken {
			in.TokenName, inCookie = f.str("name", false, &verr), f.flag("cookie", &verr)
		}
		if err := verr.Err(); err != nil {
			s.fail(c, err)
			return
		}
		res, err := s.accounts.FinishPasskeyLogin(c.Request.Context(), in)
		if err != nil {
			s.fail(c, err)
			return
		}
		s.answerLogin(c, res, inCookie)
	}
}
