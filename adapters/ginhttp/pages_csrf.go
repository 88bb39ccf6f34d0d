package ginhttp

import (
	"crypto/rand"
	"mime"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// Forms carry their CSRF token in a hidden field named as Django names it.
const csrfFormField = "csrfmiddlewaretoken"

// formCSRFCookie holds the CSRF token of the forms shown before login (login, signup). It is
// its own cookie, not csrftoken, whose value is derived from the session and read by API
// clients' scripts.
const formCSRFCookie = "formcsrf"

const formKey = "gatehouse.form"

// pageForm guards and reads every form post of the pages: it must pass the origin rule
// (checkOrigin), and its body must be a form.
func (s *Server) pageForm(c *gin.Context) {
	if err := s.checkOrigin(c, http.MethodPost); err != nil {
		s.failPage(c, err)
		return
	}
	mediaType, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mediaType != "application/x-www-form-urlencoded" {
		s.failPage(c, &badRequestError{status: http.StatusUnsupportedMediaType, detail: "Send the form from its page."})
		return
	}
	f, err := readFields(c, true)
	if err != nil {
		s.failPage(c, err)
		return
	}
	c.Set(formKey, f)
	c.Next()
}

// form returns the form that pageForm read.
func form(c *gin.Context) fields { return c.MustGet(formKey).(fields) }

// formValue returns a text field of the form, "" when absent or not UTF-8.
func formValue(c *gin.Context, name string) string {
	var verr domain.ValidationError
	return form(c).str(name, false, &verr)
}

// formToken returns the anonymous forms' CSRF token (domain.ServerKeys.FormToken): the
// signature of the browser's formcsrf nonce, which it sets when the browser has none. The
// cookie is HttpOnly and SameSite=Strict, and __Host- with Config.HostPrefix, so no other
// site can read or plant it.
func (s *Server) formToken(c *gin.Context) string {
	nonce := s.formNonce(c)
	if !domain.ValidFormNonce(nonce) {
		var b [domain.SecretBytes]byte
		_, _ = rand.Read(b[:])
		nonce = domain.NewFormNonce(b)
		s.setCookie(c, formCSRFCookie, nonce, 0, true, http.SameSiteStrictMode)
	}
	return s.keys.FormToken(nonce)
}

// checkFormToken verifies the hidden field of an anonymous form against its cookie's nonce.
func (s *Server) checkFormToken(c *gin.Context) error {
	return s.keys.CheckFormToken(s.formNonce(c), formValue(c, csrfFormField))
}

// formNonce returns the formcsrf cookie's value, or "".
func (s *Server) formNonce(c *gin.Context) string {
	if ck, err := c.Request.Cookie(s.cookieName(formCSRFCookie)); err == nil {
		return ck.Value
	}
	return ""
}

// localPath returns next when it is a path on this site, and "" otherwise, so that a login
// link can never send anyone elsewhere (an open redirect, OWASP Unvalidated Redirects cheat
// sheet). Browsers read "//host", "/\host" and paths with tabs or newlines stripped as
// other hosts, so only a single leading slash followed by printable ASCII without
// backslashes passes.
func localPath(next string) string {
	if len(next) == 0 || len(next) > 2048 || next[0] != '/' {
		return ""
	}
	if len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if ch := next[i]; ch <= ' ' || ch >= 0x7f || ch == '\\' {
			return ""
		}
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return next
}
