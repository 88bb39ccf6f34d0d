package ginhttp

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The account page's two-factor section (issue #16), over the same use cases as
// /v1/auth/mfa/*: enrol a TOTP authenticator, confirm it with a code, get new recovery
// codes, turn it off. Secrets (the TOTP secret, recovery codes) appear only in the response
// that made them.

// mfaView is the account page's two-factor section: whether TOTP is on, and what one
// response shows once.
type mfaView struct {
	On bool
	// Passkey is set when the account has a passkey, a second factor too: without TOTP the
	// section says so and still offers new recovery codes.
	Passkey   bool
	Enrolment *totpEnrolmentPage
	// RecoveryCodes are new codes, one a line, set only in the response that made them.
	RecoveryCodes string
}

// totpEnrolmentPage is a started enrolment: the secret to type by hand and the QR code as a
// data: URL, which only the enrolment's response allows (enrolmentCSP).
type totpEnrolmentPage struct {
	Secret string
	QRCode template.URL
}

// enrolmentCSP is contentSecurityPolicy with data: images, for the one response that shows
// the enrolment's QR code inline. Serving the image from a URL instead would need the secret
// kept somewhere between two requests, or a second enrolment; an inline image keeps it in
// the one response that shows it anyway. data: images cannot run script, and every other
// page keeps the stricter policy.
var enrolmentCSP = strings.Replace(contentSecurityPolicy, "img-src 'self'", "img-src 'self' data:", 1)

// Which form of the two-factor section failed.
const (
	failedEnrol      = "mfa-enrol"
	failedConfirm    = "mfa-confirm"
	failedRecoveries = "mfa-recovery"
	failedDisable    = "mfa-disable"
)

func (s *Server) mfaAccountRoutes(acct *gin.RouterGroup) {
	acct.POST("/account/mfa/totp", s.pageSession(s.enrolTOTPSubmit))
	acct.POST("/account/mfa/totp/confirm", s.pageSession(s.confirmTOTPSubmit))
	acct.POST("/account/mfa/recovery-codes", s.pageSession(s.recoveryCodesSubmit))
	acct.POST("/account/mfa/totp/disable", s.pageSession(s.disableTOTPSubmit))
}

// enrolTOTPSubmit starts (or restarts) an enrolment and shows its secret and QR code with
// the form that confirms it.
func (s *Server) enrolTOTPSubmit(c *gin.Context, pr domain.Principal) {
	en, err := s.accounts.EnrolTOTP(c.Request.Context(), pr)
	if err != nil {
		s.failAccountForm(c, pr, page{}, failedEnrol, err)
		return
	}
	c.Header("Content-Security-Policy", enrolmentCSP)
	view := &accountView{MFA: mfaView{Enrolment: &totpEnrolmentPage{Secret: en.Secret,
		// The URL is made here from the PNG's bytes, so nothing in it comes from outside.
		QRCode: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRCodePNG))}}}
	s.showAccount(c, pr, http.StatusOK, page{Account: view})
}

// confirmTOTPSubmit activates the enrolment with a code and shows the recovery codes once. A
// wrong code shows the confirm form again without the secret, which was shown once: the
// enrolment waits, and the app that holds the secret gives the next code.
func (s *Server) confirmTOTPSubmit(c *gin.Context, pr domain.Principal) {
	var verr domain.ValidationError
	f := form(c)
	code := f.str("code", true, &verr)
	proof := s.pageFactorProof(c, f, false, &verr)
	// The code confirms the enrolment; it cannot prove the owner, whose TOTP is not on yet.
	proof.Code = ""
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, page{}, failedConfirm, err)
		return
	}
	codes, err := s.accounts.ConfirmTOTP(c.Request.Context(), pr, code, proof)
	if err != nil {
		s.failAccountForm(c, pr, page{}, failedConfirm, err)
		return
	}
	s.showRecoveryCodes(c, pr, codes)
}

// recoveryCodesSubmit replaces the recovery codes, once the password and a code (or an old
// recovery code) are given.
func (s *Server) recoveryCodesSubmit(c *gin.Context, pr domain.Principal) {
	var verr domain.ValidationError
	proof := s.pageFactorProof(c, form(c), true, &verr)
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, page{}, failedRecoveries, err)
		return
	}
	codes, err := s.accounts.RegenerateRecoveryCodes(c.Request.Context(), pr, proof)
	if err != nil {
		s.failAccountForm(c, pr, page{}, failedRecoveries, err)
		return
	}
	s.showRecoveryCodes(c, pr, codes)
}

func (s *Server) showRecoveryCodes(c *gin.Context, pr domain.Principal, codes []string) {
	s.showAccount(c, pr, http.StatusOK, page{Account: &accountView{MFA: mfaView{
		RecoveryCodes: strings.Join(codes, "\n")}}})
}

// disableTOTPSubmit turns TOTP off with the password and a code or a recovery code. The use
// case revokes every other session and token; this browser stays logged in.
func (s *Server) disableTOTPSubmit(c *gin.Context, pr domain.Principal) {
	var verr domain.ValidationError
	in := s.pageFactorProof(c, form(c), true, &verr)
	if err := verr.Err(); err != nil {
		s.failAccountForm(c, pr, page{}, failedDisable, err)
		return
	}
	if err := s.accounts.DisableTOTP(c.Request.Context(), pr, in); err != nil {
		s.failAccountForm(c, pr, page{}, failedDisable, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/account?done=mfa-off")
}

// tokenSecondStep finishes the two-step login of the token form, whose code came in the
// same post as the password, through the same use case as POST /v1/auth/mfa/verify. With
// no code the ticket is left to expire.
func (s *Server) tokenSecondStep(c *gin.Context, ticket string) (domain.IssuedToken, error) {
	var verr domain.ValidationError
	in := ports.SecondFactorLogin{Ticket: ticket, IP: s.clientIP(c), UserAgent: c.GetHeader("User-Agent")}
	in.Code, in.RecoveryCode = codeFields(form(c), &verr)
	if err := verr.Err(); err != nil {
		return domain.IssuedToken{}, err
	}
	res, err := s.accounts.VerifySecondFactor(c.Request.Context(), in)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	if res.Token == nil {
		return domain.IssuedToken{}, errors.New("the second step of a token login issued no token")
	}
	return *res.Token, nil
}
