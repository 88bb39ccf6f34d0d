package ginhttp

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The login page's second step (issue #16). A right password for an account with a second
// factor answers with the step's page instead of a session: the ticket rides in a hidden
// field of its forms, never in a URL, where it would reach history, logs and Referer
// headers. The step posts the ticket and a code to /login/mfa, which finishes the login
// through the same use case as POST /v1/auth/mfa/verify. A passkey, which only a script can
// use, is offered beside the forms: passkey.js posts the ticket and the assertion to
// /v1/auth/mfa/verify itself.

func (s *Server) mfaLoginRoutes(g *gin.RouterGroup) {
	// A stray GET (a reload after the step, a bookmark) has no ticket to show: start over.
	g.GET("/login/mfa", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/login") })
	g.POST("/login/mfa", s.pageForm, s.mfaLoginSubmit)
}

// Which of the second step's forms failed, for the page to show the message at it.
const (
	failedCode     = "code"
	failedRecovery = "recovery"
)

// secondStepPage is the second step's page for the ticket, continuing to next, with forms for
// factors.
func (s *Server) secondStepPage(c *gin.Context, ticket, next string, factors []domain.FactorKind) page {
	return page{Title: "Two-factor authentication", CSRF: s.formToken(c), Next: next, Ticket: ticket, Factors: factors}
}

// showSecondStep answers err with the second step's page when it asks for a second factor,
// and reports whether it did. The page offers the factors the account has; a passkey only
// when passkeys are on and the use case gave its options.
func (s *Server) showSecondStep(c *gin.Context, err error, next string) bool {
	var need *domain.SecondFactorRequiredError
	if !errors.As(err, &need) {
		return false
	}
	p := s.secondStepPage(c, need.Ticket, next, need.Factors)
	if s.cfg.Passkeys && len(need.PasskeyOptions) > 0 {
		p.PasskeyOptions = string(need.PasskeyOptions)
	}
	s.render(c, http.StatusOK, "login_mfa", p)
	return true
}

// stepFactors reads the factors the step's forms echo in their hidden "factors" field, so
// that the step shown again after a wrong code keeps the same forms. It only chooses which
// forms show: the use case alone decides what the ticket accepts, so a forged list can do
// no more than hide a form. A form without the field (a page from before it) gets the TOTP
// and recovery code forms. The passkey is not offered again: its options were the first
// page's, and a script that failed shows its own error without leaving the page.
func stepFactors(f fields) []domain.FactorKind {
	var verr domain.ValidationError
	var out []domain.FactorKind
	for _, k := range strings.Fields(f.str("factors", false, &verr)) {
		if kind := domain.FactorKind(k); (kind == domain.FactorTOTP || kind == domain.FactorRecoveryCode) && !slices.Contains(out, kind) {
			out = append(out, kind)
		}
	}
	if len(out) == 0 {
		return []domain.FactorKind{domain.FactorTOTP, domain.FactorRecoveryCode}
	}
	return out
}

// mfaLoginSubmit finishes a page login with the ticket and a TOTP code or a recovery code. A
// wrong code shows the step again with the API's words and status, the ticket still in its
// field: the use case keeps the ticket for domain.MFATicketAttempts wrong codes. A ticket it
// no longer takes (used, expired, worn out by wrong codes, or from a first step that was
// not a page's) sends the browser back to the login form with a notice.
func (s *Server) mfaLoginSubmit(c *gin.Context) {
	if err := s.checkFormToken(c); err != nil {
		s.failPage(c, err)
		return
	}
	f := form(c)
	next := localPath(formValue(c, "next"))
	var verr domain.ValidationError
	in := ports.SecondFactorLogin{Ticket: f.str("ticket", false, &verr), IP: s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"), PreviousSession: s.sessionSecret(c)}
	in.Code, in.RecoveryCode = codeFields(f, &verr)
	failed := failedCode
	if _, ok := f["recovery_code"]; ok {
		failed = failedRecovery
	}
	p := s.secondStepPage(c, in.Ticket, next, stepFactors(f))
	if err := verr.Err(); err != nil {
		s.failForm(c, "login_mfa", p, failed, err)
		return
	}
	res, err := s.accounts.VerifySecondFactor(c.Request.Context(), in)
	if deadTicket(err) {
		restartLogin(c, next)
		return
	}
	if err != nil {
		s.failForm(c, "login_mfa", p, failed, err)
		return
	}
	if res.Session == nil {
		// The ticket came from /v1/auth/token, and the use case issued a token, which a
		// page cannot hand over: the login must start again here.
		restartLogin(c, next)
		return
	}
	s.setSessionCookies(c, *res.Session)
	c.Redirect(http.StatusSeeOther, orAccount(next))
}

// deadTicket reports whether err refuses the ticket itself rather than the code.
func deadTicket(err error) bool {
	var verr *domain.ValidationError
	return errors.As(err, &verr) && len(verr.Fields["ticket"]) > 0
}

// restartLogin sends the browser back to the login form, keeping next.
func restartLogin(c *gin.Context, next string) {
	q := url.Values{"done": {"login-expired"}}
	if next != "" {
		q.Set("next", next)
	}
	c.Redirect(http.StatusSeeOther, "/login?"+q.Encode())
}
