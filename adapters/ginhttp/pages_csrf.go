package ginhttp

import (
	"crypto/rand"
	"encoding/base64"
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

// pageForm guards and reads every form post of the pages. The Origin (or, without it, the
// Referer) must be the server's own or a trusted origin: browsers send Origin on every
// cross-site POST, and Referrer-Policy: same-origin keeps our own Referer whole (OWASP CSRF
// cheat sheet, "Verifying Origin With Standard Headers"). The body must be a form.
func (s *Server) pageForm(c *gin.Context) {
	if err := s.checkPageOrigin(c); err != nil {
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

func (s *Server) checkPageOrigin(c *gin.Context) error {
	if origin := c.GetHeader("Origin"); origin != "" {
		if !s.trustedOrigin(c, origin) {
			return &domain.CSRFError{Reason: "Origin checking failed - " + origin + " does not match any trusted origins."}
		}
		return nil
	}
	if ref := c.GetHeader("Referer"); ref != "" {
		u, err := url.Parse(ref)
		if err != nil || !s.trustedOrigin(c, u.Scheme+"://"+u.Host) {
			return &domain.CSRFError{Reason: "Referer checking failed - the form was not sent from this site."}
		}
	}
	return nil
}

// form returns the form that pageForm read.
func form(c *gin.Context) fields { return c.MustGet(formKey).(fields) }

// formValue returns a text field of the form, "" when absent or not UTF-8.
func formValue(c *gin.Context, name string) string {
	var verr domain.ValidationError
	return form(c).str(name, false, &verr)
}

// formToken returns the anonymous forms' CSRF token, setting a new one when the browser has
// none. It is a double-submit token (OWASP): a cross-site page can make the browser send the
// cookie but can neither read it nor set it (SameSite=Strict, HttpOnly, and __Host- with
// Config.HostPrefix), so it cannot fill in the hidden field.
func (s *Server) formToken(c *gin.Context) string {
	if ck, err := c.Request.Cookie(s.cookieName(formCSRFCookie)); err == nil && len(ck.Value) == 43 {
		if _, err := base64.RawURLEncoding.DecodeString(ck.Value); err == nil {
			return ck.Value
		}
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	s.setCookie(c, formCSRFCookie, token, 0, true, http.SameSiteStrictMode)
	return token
}

// checkFormToken compares the hidden field of an anonymous form with its cookie, in
// constant time.
func (s *Server) checkFormToken(c *gin.Context) error {
	expected := ""
	if ck, err := c.Request.Cookie(s.cookieName(formCSRFCookie)); err == nil {
		expected = ck.Value
	}
	got := formValue(c, csrfFormField)
	if expected == "" && got != "" {
		return &domain.CSRFError{Reason: "CSRF cookie not set."}
	}
	return domain.CheckCSRF(http.MethodPost, expected, got)
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
