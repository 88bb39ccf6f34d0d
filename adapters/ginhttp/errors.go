package ginhttp

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// verdict is how Gatehouse answers an error: status, detail, field messages, and the
// Retry-After seconds (0 for none). missing marks a 401 for absent credentials, which a
// chain without a header scheme answers 403. code, when set, goes into the problem document
// for clients to act on.
type verdict struct {
	status     int
	detail     string
	code       string
	fields     map[string][]string
	retryAfter int
	missing    bool
}

// emailUnverifiedDetail answers a login refused for an unverified address (domain.
// ErrEmailUnverified). The refusal mailed a new link unless the account's limit was spent,
// in which case one went out within the hour: either way the newest mail holds the link.
const emailUnverifiedDetail = "Verify your email address before you log in: we have sent you a link, follow the one in the newest mail."

// judge is the one place where domain errors become HTTP statuses; handlers never pick a
// status for an error themselves. The JSON API renders the verdict as a problem document
// (fail), the browser pages as an HTML page (failPage).
func (s *Server) judge(c *gin.Context, err error) verdict {
	var (
		verr      *domain.ValidationError
		csrf      *domain.CSRFError
		malformed *domain.MalformedCredentialsError
		limited   *domain.RateLimitedError
		bad       *badRequestError
	)
	switch {
	case errors.As(err, &bad):
		return verdict{status: bad.status, detail: bad.detail, fields: bad.fields}
	case errors.As(err, &verr):
		return verdict{status: http.StatusBadRequest, detail: "Invalid input.", fields: verr.Fields}
	case errors.Is(err, domain.ErrUsernameTaken):
		return verdict{status: http.StatusBadRequest, detail: "Invalid input.",
			fields: map[string][]string{"username": {"A user with that username already exists."}}}
	case errors.Is(err, domain.ErrEmailTaken):
		return verdict{status: http.StatusBadRequest, detail: "Invalid input.",
			fields: map[string][]string{"email": {"A user with that email address already exists."}}}
	case errors.As(err, &csrf):
		return verdict{status: http.StatusForbidden, detail: csrf.Error()}
	case errors.Is(err, domain.ErrEmailUnverified):
		// 403, not 401: the credentials were right, and asking for them again cannot help.
		return verdict{status: http.StatusForbidden, detail: emailUnverifiedDetail, code: "email_unverified"}
	case errors.As(err, new(*domain.SecondFactorRequiredError)):
		// The API answers it with a ticket (secondFactorRequired), the login page with its
		// second step (showSecondStep); only a use case that asks for the password again
		// without a step to follow gets here.
		return verdict{status: http.StatusForbidden, code: "mfa_required",
			detail: "This account has a second factor: log in with /v1/auth/login and /v1/auth/mfa/verify."}
	case errors.Is(err, domain.ErrBasicWithFactor):
		// 403, as for an unverified address: the password was right, and sending it again
		// by Basic cannot help; a token can.
		return verdict{status: http.StatusForbidden, code: "basic_with_factor",
			detail: "This account has a second factor, which Basic authentication cannot carry: obtain a token at /v1/auth/token and use it instead."}
	case errors.Is(err, domain.ErrAuthLevelTooLow):
		// 403, not 401: the credential is valid, and sending it again cannot help. RFC 9470
		// answers a step-up with 401, but a proxy sends every 401 to the login page, which
		// cannot give a user without a second factor a stronger session.
		return verdict{status: http.StatusForbidden, code: "auth_level_too_low",
			detail: "This resource needs a login with a second factor: log in again with your password and a code."}
	case errors.Is(err, domain.ErrNoServerKey):
		// A configuration the operator must change: 503 without Retry-After, as retrying
		// cannot help until then.
		return verdict{status: http.StatusServiceUnavailable, code: "no_server_key",
			detail: "Second factors are not available: the server has no secret key (GATEHOUSE_SECRET_KEY)."}
	case errors.Is(err, domain.ErrFactorExists):
		return verdict{status: http.StatusConflict, code: "factor_exists",
			detail: "Your account has an authenticator already: disable it before enrolling another."}
	case errors.Is(err, domain.ErrNoFactor):
		return verdict{status: http.StatusConflict, code: "no_factor", detail: "Your account has no authenticator."}
	case errors.Is(err, domain.ErrNoEmail):
		return verdict{status: http.StatusBadRequest, detail: "Your account has no email address to verify."}
	case errors.Is(err, domain.ErrEmailAlreadyVerified):
		return verdict{status: http.StatusBadRequest, detail: "Your email address is verified already."}
	case errors.Is(err, domain.ErrNotAuthenticated):
		return verdict{status: http.StatusUnauthorized, detail: "Authentication credentials were not provided.", missing: true}
	case errors.As(err, &malformed):
		return verdict{status: http.StatusUnauthorized, detail: malformed.Reason}
	case errors.Is(err, domain.ErrInvalidToken):
		return verdict{status: http.StatusUnauthorized, detail: "Invalid token."}
	case errors.Is(err, domain.ErrSessionBound):
		return verdict{status: http.StatusUnauthorized, detail: "Session ended: it was used from another client."}
	case errors.Is(err, domain.ErrInactiveUser):
		return verdict{status: http.StatusUnauthorized, detail: "User inactive or deleted."}
	case errors.Is(err, domain.ErrPasskeysOff):
		return verdict{status: http.StatusNotFound, code: "passkeys_off", detail: "Passkeys are not enabled on this server."}
	case errors.Is(err, domain.ErrTooManyPasskeys):
		return verdict{status: http.StatusConflict, code: "too_many_passkeys",
			detail: fmt.Sprintf("Your account has %d passkeys, as many as it may hold: remove one first.", domain.MaxPasskeys)}
	case errors.Is(err, domain.ErrPasskeyExists):
		return verdict{status: http.StatusConflict, code: "passkey_exists", detail: "This passkey is registered already."}
	case errors.Is(err, domain.ErrWrongPasskey):
		return verdict{status: http.StatusUnauthorized, detail: "The passkey could not be verified: try again."}
	case errors.Is(err, domain.ErrWrongSecondFactor):
		return verdict{status: http.StatusUnauthorized, detail: "Invalid code."}
	case errors.Is(err, domain.ErrInvalidCredentials):
		return verdict{status: http.StatusUnauthorized, detail: "Invalid username or password."}
	case errors.Is(err, domain.ErrNotFound):
		return verdict{status: http.StatusNotFound, detail: "Not found."}
	case errors.As(err, &limited):
		secs := max(int(math.Ceil(limited.RetryAfter.Seconds())), 1)
		return verdict{status: http.StatusTooManyRequests, retryAfter: secs,
			detail: fmt.Sprintf("Request was throttled. Expected available in %d seconds.", secs)}
	case errors.Is(err, domain.ErrUnavailable):
		s.log.WarnContext(c.Request.Context(), "store unavailable", slog.String("error", err.Error()))
		return verdict{status: http.StatusServiceUnavailable, retryAfter: 1,
			detail: "Service temporarily unavailable, try again later."}
	default:
		s.log.ErrorContext(c.Request.Context(), "request failed", slog.String("error", err.Error()))
		return verdict{status: http.StatusInternalServerError, detail: "Internal server error."}
	}
}

// fail answers an API request with the problem document for err.
func (s *Server) fail(c *gin.Context, err error) {
	v := s.judge(c, err)
	if v.retryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(v.retryAfter))
	}
	if v.status == http.StatusUnauthorized {
		s.unauthorized(c, v.detail, v.missing)
		return
	}
	writeCodedProblem(c, v.status, v.detail, v.code, v.fields)
}

// unauthorized answers 401 with one challenge per enabled header scheme, in chain order, as
// RFC 9110 §11.6.1 requires: one WWW-Authenticate field each, or all in one field for routes
// that set oneChallengeFieldKey. With no header scheme enabled (session only) there is no
// challenge to offer, and a request without credentials gets 403, as in DRF.
//
// A script's fetch (Sec-Fetch-Mode: cors, what fetch and XMLHttpRequest send) gets no Basic
// challenge: browsers answer one by opening a password dialog over the page, or, headless,
// by stalling the fetch, so an app could not even ask GET /v1/auth/me whether it is logged
// in. The fetch is answered as if basic were not in the chain; a page that navigates to
// an API route still gets the dialog.
func (s *Server) unauthorized(c *gin.Context, detail string, missing bool) {
	challenges := s.challenges
	if c.Request.Header.Get("Sec-Fetch-Mode") == "cors" {
		challenges = s.fetchChallenges
	}
	if len(challenges) == 0 && missing {
		writeProblem(c, http.StatusForbidden, detail, nil)
		return
	}
	if c.GetBool(oneChallengeFieldKey) {
		if len(challenges) > 0 {
			c.Header("WWW-Authenticate", strings.Join(challenges, ", "))
		}
	} else {
		for _, ch := range challenges {
			c.Writer.Header().Add("WWW-Authenticate", ch)
		}
	}
	writeProblem(c, http.StatusUnauthorized, detail, nil)
}

// badRequestError is an HTTP-level input problem (size, media type, syntax) found before any
// use case runs.
type badRequestError struct {
	status int
	detail string
	fields map[string][]string
}

func (e *badRequestError) Error() string { return e.detail }
