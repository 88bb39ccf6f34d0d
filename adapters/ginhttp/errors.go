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

// fail answers a request with the problem document for err. It is the one place where
// domain errors become HTTP statuses; handlers never pick a status for an error themselves.
func (s *Server) fail(c *gin.Context, err error) {
	var (
		verr      *domain.ValidationError
		csrf      *domain.CSRFError
		malformed *domain.MalformedCredentialsError
		limited   *domain.RateLimitedError
		bad       *badRequestError
	)
	switch {
	case errors.As(err, &bad):
		writeProblem(c, bad.status, bad.detail, bad.fields)
	case errors.As(err, &verr):
		writeProblem(c, http.StatusBadRequest, "Invalid input.", verr.Fields)
	case errors.Is(err, domain.ErrUsernameTaken):
		writeProblem(c, http.StatusBadRequest, "Invalid input.",
			map[string][]string{"username": {"A user with that username already exists."}})
	case errors.As(err, &csrf):
		writeProblem(c, http.StatusForbidden, csrf.Error(), nil)
	case errors.Is(err, domain.ErrNotAuthenticated):
		s.unauthorized(c, "Authentication credentials were not provided.", true)
	case errors.As(err, &malformed):
		s.unauthorized(c, malformed.Reason, false)
	case errors.Is(err, domain.ErrInvalidToken):
		s.unauthorized(c, "Invalid token.", false)
	case errors.Is(err, domain.ErrSessionBound):
		s.unauthorized(c, "Session ended: it was used from another client.", false)
	case errors.Is(err, domain.ErrInactiveUser):
		s.unauthorized(c, "User inactive or deleted.", false)
	case errors.Is(err, domain.ErrInvalidCredentials):
		s.unauthorized(c, "Invalid username or password.", false)
	case errors.Is(err, domain.ErrNotFound):
		writeProblem(c, http.StatusNotFound, "Not found.", nil)
	case errors.As(err, &limited):
		secs := int(math.Ceil(limited.RetryAfter.Seconds()))
		c.Header("Retry-After", strconv.Itoa(max(secs, 1)))
		writeProblem(c, http.StatusTooManyRequests,
			fmt.Sprintf("Request was throttled. Expected available in %d seconds.", max(secs, 1)), nil)
	case errors.Is(err, domain.ErrUnavailable):
		s.log.WarnContext(c.Request.Context(), "store unavailable", slog.String("error", err.Error()))
		c.Header("Retry-After", "1")
		writeProblem(c, http.StatusServiceUnavailable, "Service temporarily unavailable, try again later.", nil)
	default:
		s.log.ErrorContext(c.Request.Context(), "request failed", slog.String("error", err.Error()))
		writeProblem(c, http.StatusInternalServerError, "Internal server error.", nil)
	}
}

// unauthorized answers 401 with one challenge per enabled header scheme, in chain order, as
// RFC 9110 §11.6.1 requires: one WWW-Authenticate field each, or all in one field for routes
// that set oneChallengeFieldKey. With no header scheme enabled (session only) there is no
// challenge to offer, and a request without credentials gets 403, as in DRF.
func (s *Server) unauthorized(c *gin.Context, detail string, missing bool) {
	if len(s.challenges) == 0 && missing {
		writeProblem(c, http.StatusForbidden, detail, nil)
		return
	}
	if c.GetBool(oneChallengeFieldKey) {
		c.Header("WWW-Authenticate", strings.Join(s.challenges, ", "))
	} else {
		for _, ch := range s.challenges {
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
