package ginhttp

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// The browser pages: server-rendered HTML forms over the same driving ports as the JSON API,
// for people who log in with a session. They work without JavaScript; one small script of
// our own adds a copy button, and passkeys, which only a script can use, come with one more
// (passkey.js). Templates and static files are embedded in the binary.
//
//go:embed web
var webFiles embed.FS

// contentSecurityPolicy allows nothing but Gatehouse's own stylesheet, script and form
// targets, and no framing (OWASP Clickjacking and XSS cheat sheets). No page has an inline
// script or style, so none needs 'unsafe-inline' or a hash. connect-src lets passkey.js call
// the API on the same origin, and nowhere else.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageTemplates holds one template set per page, each the layout plus the page's "main".
var pageTemplates = parsePages("login", "login_mfa", "signup", "account", "reset", "verify_email", "error", "emailchange")

func parsePages(names ...string) map[string]*template.Template {
	funcs := template.FuncMap{"when": when, "browser": BrowserName}
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		out[name] = template.Must(template.New(name).Funcs(funcs).
			ParseFS(webFiles, "web/layout.html", "web/"+name+".html"))
	}
	return out
}

// page is what a template renders. Form values are echoed back only for fields that are not
// secrets: a password is never written into a page.
type page struct {
	Title         string
	CSRF          string              // the token every form posts as csrfFormField
	Notice        string              // a confirmation from the previous step
	Error         string              // the verdict's detail when a form failed
	Fields        map[string][]string // per-field messages of the failed form
	Failed        string              // which form of the page failed (the account page has several)
	Next          string              // where a login continues, a local path
	Ticket        string              // the second step's login ticket, in hidden fields only: never in a URL
	Values        map[string]string   // non-secret values to refill, and a reset link's secret
	PasswordRules []string
	PasswordReset bool // reset is on: the login page offers it
	// EmailVerification is on: the account page says whether the address is verified and
	// offers a new link.
	EmailVerification bool
	EmailChange       bool // email change is on: the account page offers it
	Passkeys          bool // passkeys are on: the pages offer them, with passkey.js
	// Factors are the second factors the second step offers forms for.
	Factors []domain.FactorKind
	// PasskeyOptions are the second step's options for navigator.credentials.get (JSON), when
	// the account has a passkey; the template escapes them into a data attribute.
	PasskeyOptions string

	Account *accountView
}

// Errs returns the messages of field name.
func (p page) Errs(name string) []string { return p.Fields[name] }

// Value returns the refill value of field name.
func (p page) Value(name string) string { return p.Values[name] }

// Offers reports whether the second step offers the factor kind.
func (p page) Offers(kind domain.FactorKind) bool { return slices.Contains(p.Factors, kind) }

// passwordRules describes domain.ValidatePassword to people choosing a password; the rule
// itself is enforced only there.
var passwordRules = []string{
	"at least " + strconv.Itoa(domain.MinPasswordLength) + " characters",
	"not entirely numeric",
	"not too similar to your username or email address",
	"not a commonly used password",
}

// pageRoutes registers the browser pages when the chain accepts sessions, which is what the
// pages log people in with.
func (s *Server) pageRoutes(e *gin.Engine) {
	if !slices.Contains(s.auth.Methods(), domain.MethodSession) {
		return
	}
	static, _ := fs.Sub(webFiles, "web/static")
	e.StaticFileFS("/static/style.css", "style.css", http.FS(static))
	e.StaticFileFS("/static/copy.js", "copy.js", http.FS(static))
	e.StaticFileFS("/static/fragment.js", "fragment.js", http.FS(static))
	e.StaticFileFS("/static/passkey.js", "passkey.js", http.FS(static))

	g := e.Group("", pageHeaders)
	// The bare address is where people land who type the site's name: the account page,
	// which sends anyone not logged in to /login first. 303 like every other redirect of the
	// pages; HEAD too, since link checkers and uptime probes ask it.
	g.GET("/", home)
	g.HEAD("/", home)
	g.GET("/login", s.loginPage)
	g.POST("/login", s.pageForm, s.loginSubmit)
	s.mfaLoginRoutes(g)
	g.GET("/signup", s.signupPage)
	g.POST("/signup", s.pageForm, s.signupSubmit)
	s.resetRoutes(g)
	s.emailVerifyPageRoutes(g)

	g.GET("/account", s.pageSession(s.accountPage))
	acct := g.Group("", s.pageForm)
	acct.POST("/account/tokens", s.pageSession(s.createTokenSubmit))
	acct.POST("/account/tokens/:id/revoke", s.pageSession(s.revokeTokenSubmit))
	acct.POST("/account/sessions/:id/revoke", s.pageSession(s.revokeSessionSubmit))
	acct.POST("/account/password", s.pageSession(s.passwordSubmit))
	acct.POST("/account/delete", s.pageSession(s.deleteSubmit))
	acct.POST("/logout", s.pageSession(s.logoutSubmit))
	acct.POST("/logout/all", s.pageSession(s.logoutAllSubmit))
	s.emailChangePageRoutes(g, acct)
	s.mfaAccountRoutes(acct)
	s.passkeyAccountRoutes(acct)
}

func home(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/account") }

// pageHeaders sends the headers every page needs: the CSP, and framing and referrer limits
// for browsers that predate frame-ancestors.
func pageHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	c.Next()
}

// render writes the named page. It renders into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, p page) {
	p.PasswordReset = s.cfg.PasswordReset
	p.EmailVerification = s.cfg.EmailVerification
	p.EmailChange = s.cfg.EmailChange
	p.Passkeys = s.cfg.Passkeys
	var buf bytes.Buffer
	if err := pageTemplates[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.ErrorContext(c.Request.Context(), "rendering page", slog.String("page", name), slog.String("error", err.Error()))
		c.Abort()
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal server error.\n"))
		return
	}
	c.Abort()
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// failPage answers err with the error page, judged as the API judges it.
func (s *Server) failPage(c *gin.Context, err error) { s.showVerdict(c, s.judge(c, err)) }

func (s *Server) showVerdict(c *gin.Context, v verdict) {
	retryAfter(c, v)
	s.render(c, v.status, "error", page{Title: http.StatusText(v.status), Error: v.detail})
}

// failForm shows the page again with the verdict on err for the form named failed.
func (s *Server) failForm(c *gin.Context, name string, p page, failed string, err error) {
	v := s.judge(c, err)
	retryAfter(c, v)
	p.Error, p.Fields, p.Failed = v.detail, v.fields, failed
	s.render(c, v.status, name, p)
}

func retryAfter(c *gin.Context, v verdict) {
	if v.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(v.retryAfter))
	}
}

// notices are the confirmations a redirect can ask a page to show, by key, so that no text
// from the URL is ever shown.
var notices = map[string]string{
	"signed-up":         "Your account was created. Log in to continue.",
	"logged-out":        "You are logged out.",
	"logged-out-all":    "You are logged out everywhere: every session and token was revoked.",
	"password":          "Password changed. Your other sessions and tokens were revoked.",
	"token-revoked":     "The token was revoked.",
	"session-revoked":   "The session was revoked.",
	"deleted":           "Your account was deleted, with every session and token. The username is free again.",
	"reset-sent":        resetRequestedDetail,
	"password-reset":    "Your password was changed, and every session and token revoked. Log in with the new password.",
	"email-verified":    "Your email address is verified.",
	"verify-sent":       verificationSentDetail,
	"email-change-sent": emailChangeSentDetail,
	"login-expired":     "That login expired, was used, or had too many wrong codes. Log in again.",
	"mfa-off":           "Two-factor authentication is off. Your other sessions and tokens were revoked.",
	"passkey-added":     "The passkey was added.",
	"passkey-removed":   "The passkey was removed. Your other sessions and tokens were revoked.",
}

// when renders a time (or *time.Time, nil meaning never) in UTC to the minute.
func when(v any) string {
	switch t := v.(type) {
	case time.Time:
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if t == nil {
			return "never"
		}
		return when(*t)
	}
	return fmt.Sprint(v)
}
