package ginhttp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Second factors (issue #16). A right password at /login or /token for an account with a
// factor answers 202 Accepted with a ticket (mfaRequiredView) instead of a session or token;
// POST /v1/auth/mfa/verify with the ticket and a code then answers as the first call would
// have. 202 and not 200, so a client that only looks at the status cannot take the answer
// for a login; not 401, since the password was right and must not be asked again.

func (s *Server) mfaRoutes(v1 *gin.RouterGroup) {
	v1.POST("/mfa/totp", s.authenticated(s.enrolTOTP))
	v1.POST("/mfa/totp/confirm", s.authenticated(s.confirmTOTP))
	v1.DELETE("/mfa/totp", s.authenticated(s.disableTOTP))
	v1.POST("/mfa/recovery-codes", s.authenticated(s.regenerateRecoveryCodes))
	v1.POST("/mfa/verify", s.verifySecondFactor)
	s.passkeyRoutes(v1)
}

// mfaRequiredView is the answer to a right password for an account with a second factor.
type mfaRequiredView struct {
	MFARequired bool                `json:"mfa_required"`
	Ticket      string              `json:"ticket"`
	Factors     []domain.FactorKind `json:"factors"`
	ExpiresIn   int                 `json:"expires_in"` // seconds
	// PasskeyOptions are for navigator.credentials.get, when the account has a passkey.
	PasskeyOptions json.RawMessage `json:"passkey_options,omitempty"`
}

// secondFactorRequired answers 202 with the ticket when err asks for a second factor, and
// reports whether it did.
func secondFactorRequired(c *gin.Context, err error) bool {
	var need *domain.SecondFactorRequiredError
	if !errors.As(err, &need) {
		return false
	}
	c.JSON(http.StatusAccepted, mfaRequiredView{MFARequired: true, Ticket: need.Ticket, Factors: need.Factors,
		ExpiresIn: int(domain.MFATicketTTL.Seconds()), PasskeyOptions: need.PasskeyOptions})
	return true
}

type totpEnrolmentView struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauth_uri"`
	QRCode string `json:"qr_code"` // a data: URL of a PNG image
}

func (s *Server) enrolTOTP(c *gin.Context, p domain.Principal) {
	en, err := s.accounts.EnrolTOTP(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store") // the secret is shown once
	c.JSON(http.StatusOK, totpEnrolmentView{Secret: en.Secret, URI: en.URI,
		QRCode: "data:image/png;base64," + base64.StdEncoding.EncodeToString(en.QRCodePNG)})
}

// recoveryCodesView shows new recovery codes; none when a confirmed factor kept the old ones.
type recoveryCodesView struct {
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

func (s *Server) confirmTOTP(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	code := f.str("code", true, &verr)
	proof := s.factorProof(c, f, false, &verr)
	// The code confirms the enrolment; it cannot prove the owner, whose TOTP is not on yet,
	// and would be checked first, before the recovery code or passkey that can.
	proof.Code = ""
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	codes, err := s.accounts.ConfirmTOTP(c.Request.Context(), p, code, proof)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, recoveryCodesView{RecoveryCodes: codes})
}

func (s *Server) regenerateRecoveryCodes(c *gin.Context, p domain.Principal) {
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
	codes, err := s.accounts.RegenerateRecoveryCodes(c.Request.Context(), p, proof)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, recoveryCodesView{RecoveryCodes: codes})
}

// codeFields reads "code" or "recovery_code": one of them is required.
func codeFields(f fields, verr *domain.ValidationError) (code, recovery string) {
	code = f.str("code", false, verr)
	recovery = f.str("recovery_code", false, verr)
	if code == "" && recovery == "" {
		verr.Add("code", "Give a code from your authenticator app, or a recovery code.")
	}
	return code, recovery
}

func (s *Server) disableTOTP(c *gin.Context, p domain.Principal) {
	f, err := readFields(c, false)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := s.factorProof(c, f, true, &verr)
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.accounts.DisableTOTP(c.Request.Context(), p, in); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// verifySecondFactor finishes a two-step login. A session login is checked for its origin
// as /login is (login CSRF); "cookie": true puts a token into the token cookie, as at /token.
func (s *Server) verifySecondFactor(c *gin.Context) {
	if err := s.checkOrigin(c, http.MethodPost); err != nil {
		s.fail(c, err)
		return
	}
	f, err := readFields(c, true)
	if err != nil {
		s.fail(c, err)
		return
	}
	var verr domain.ValidationError
	in := ports.SecondFactorLogin{Ticket: f.str("ticket", true, &verr), IP: s.clientIP(c),
		UserAgent: c.GetHeader("User-Agent"), PreviousSession: s.sessionSecret(c)}
	if in.Passkey = f.object("passkey", false, &verr); in.Passkey == nil {
		in.Code, in.RecoveryCode = codeFields(f, &verr)
	}
	inCookie := f.flag("cookie", &verr)
	if err := verr.Err(); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.accounts.VerifySecondFactor(c.Request.Context(), in)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.answerLogin(c, res, inCookie)
}
