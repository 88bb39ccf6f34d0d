package ginhttp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The account page's passkey section (issue #16), over the same use cases as
// /v1/auth/passkeys: the list, and a form per passkey that removes it. Adding one needs the
// browser's navigator.credentials, so passkey.js does it through the JSON API, and the page
// only holds its form.

// failedPasskeyRemove names the remove forms of the section; page.Values["passkey"] says
// which one failed.
const failedPasskeyRemove = "passkey-remove"

// passkeyPageView is a passkey as the account page lists it.
type passkeyPageView struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero: never
	Failed     bool      // its remove form failed: the error shows at it
}

// passkeysView is the account page's passkey section.
type passkeysView struct {
	List []passkeyPageView
	// Alert is set when a remove form failed for a passkey the list no longer holds (two
	// tabs, one behind): the error shows at the top of the section.
	Alert bool
}

func (s *Server) passkeyAccountRoutes(acct *gin.RouterGroup) {
	acct.POST("/account/passkeys/:id/remove", s.pageSession(s.removePasskeySubmit))
}

// viewPasskeys lists pr's passkeys for the account page, marking the one whose remove form
// failed (p.Failed, p.Values["passkey"]).
func (s *Server) viewPasskeys(c *gin.Context, pr domain.Principal, p page) (passkeysView, error) {
	list, err := s.accounts.ListPasskeys(c.Request.Context(), pr)
	if err != nil {
		return passkeysView{}, err
	}
	var v passkeysView
	failed := ""
	if p.Failed == failedPasskeyRemove {
		failed = p.Value("passkey")
	}
	for _, k := range list {
		id := k.ID()
		v.List = append(v.List, passkeyPageView{ID: id, Name: k.Name, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt,
			Failed: failed != "" && id == failed})
	}
	v.Alert = p.Failed == failedPasskeyRemove
	for _, k := range v.List {
		v.Alert = v.Alert && !k.Failed
	}
	return v, nil
}

// removePasskeySubmit removes a passkey through the same use case as DELETE
// /v1/auth/passkeys/{id}, once the owner is proven: the password and one factor (a code, a
// recovery code, or the passkey's answer passkey.js put in the form). The use case revokes
// every other session and token; this browser stays logged in.
func (s *Server) removePasskeySubmit(c *gin.Context, pr domain.Principal) {
	id := c.Param("id")
	p := page{Values: map[string]string{"passkey": id}}
	var verr domain.ValidationError
	proof := s.pageFactorProof(c, form(c), true, &verr)
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, p, failedPasskeyRemove, err)
		return
	}
	if err := s.accounts.RemovePasskey(c.Request.Context(), pr, id, proof); err != nil {
		s.failAccountForm(c, pr, p, failedPasskeyRemove, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=passkey-removed")
}

// pageFactorProof reads the proof of the owner a page's form carries, as factorProof reads
// the API's: the password, a code or a recovery code, and the passkey assertion that
// passkey.js puts in the hidden "passkey" field, as JSON text, since a form has no objects.
func (s *Server) pageFactorProof(c *gin.Context, f fields, passwordRequired bool, verr *domain.ValidationError) ports.FactorProof {
	proof := ports.FactorProof{Password: f.str("password", passwordRequired, verr), Code: f.str("code", false, verr),
		RecoveryCode: f.str("recovery_code", false, verr), IP: s.clientIP(c)}
	if assertion := f.str("passkey", false, verr); assertion != "" {
		proof.Passkey = []byte(assertion)
	}
	return proof
}
