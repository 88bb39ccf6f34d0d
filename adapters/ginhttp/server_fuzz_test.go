package ginhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// fuzzAccounts judges the input of the use cases that read a body as the real ones do, with
// the domain's validators, but without stores: user "u" with password "p" logs in and every
// signup succeeds unless the username is "taken".
type fuzzAccounts struct {
	ports.Accounts
}

func (fuzzAccounts) SignUp(_ context.Context, in ports.SignUp) (domain.User, error) {
	var verr domain.ValidationError
	username, err := domain.NormalizeUsername(in.Username)
	mergeFields(&verr, err, "")
	email, err := domain.NormalizeEmail(in.Email)
	mergeFields(&verr, err, "")
	mergeFields(&verr, domain.ValidatePassword(in.Password, username, email), "")
	if err := verr.Err(); err != nil {
		return domain.User{}, err
	}
	if username == "taken" {
		return domain.User{}, domain.ErrUsernameTaken
	}
	return domain.User{ID: 7, Username: username, Email: email, IsActive: true, DateJoined: time.Unix(1e9, 0)}, nil
}

func (fuzzAccounts) ObtainToken(_ context.Context, in ports.Login) (domain.IssuedToken, error) {
	name, err := domain.NormalizeTokenName(in.TokenName)
	if err != nil {
		return domain.IssuedToken{}, err
	}
	if in.Username != "u" || in.Password != "p" {
		return domain.IssuedToken{}, domain.ErrInvalidCredentials
	}
	return domain.IssuedToken{Token: domain.Token{ID: "0123456789abcdef0123456789abcdef", Name: name}, Secret: "gth_fuzz"}, nil
}

func (fuzzAccounts) Login(_ context.Context, in ports.Login) (domain.User, domain.IssuedSession, error) {
	if in.Username != "u" || in.Password != "p" {
		return domain.User{}, domain.IssuedSession{}, domain.ErrInvalidCredentials
	}
	return domain.User{ID: 1, Username: "u", IsActive: true},
		domain.IssuedSession{Secret: "ghs_fuzz", CSRFToken: "csrf_fuzz"}, nil
}

func (fuzzAccounts) ChangePassword(_ context.Context, _ domain.Principal, in ports.PasswordChange) (*domain.IssuedSession, error) {
	if in.Old != "p" {
		return nil, domain.NewValidationError("old_password", "Your old password was entered incorrectly.")
	}
	var verr domain.ValidationError
	mergeFields(&verr, domain.ValidatePassword(in.New, "u", ""), "new_password")
	return nil, verr.Err()
}

// mergeFields adds the messages of a *domain.ValidationError to verr, under field if it is
// set and under their own fields otherwise.
func mergeFields(verr *domain.ValidationError, err error, field string) {
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return
	}
	for name, msgs := range v.Fields {
		if field != "" {
			name = field
		}
		for _, m := range msgs {
			verr.Add(name, m)
		}
	}
}

// fuzzRoutes are the routes that read a body, indexed by the fuzzer's route byte.
var fuzzRoutes = []string{"/v1/auth/signup", "/v1/auth/token", "/v1/auth/login", "/v1/auth/password"}

// FuzzRequestBodies sends arbitrary bodies of arbitrary media types, with or without a
// Content-Length, through the whole HTTP adapter: no answer is a 500, every refusal is a
// problem document, and JSON is never refused as an unsupported media type.
func FuzzRequestBodies(f *testing.F) {
	s := New(fakeAuth{methods: allMethods}, fuzzAccounts{}, fakeReady{},
		Config{SessionCookieMaxAge: time.Hour}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Fuzz(func(t *testing.T, route uint8, contentType string, body []byte, chunked bool) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if chunked {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)

		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("POST %s (%q, %d bytes): 500: %s", path, contentType, len(body), rec.Body)
		}
		if rec.Code >= 400 {
			decodeProblem(t, rec)
		}
		if mt, _, err := mime.ParseMediaType(contentType); err == nil && mt == "application/json" &&
			rec.Code == http.StatusUnsupportedMediaType {
			t.Fatalf("POST %s: JSON (%q) refused as an unsupported media type", path, contentType)
		}
		if len(body) > MaxBodyBytes && rec.Code < 400 {
			t.Fatalf("POST %s: %d-byte body accepted with status %d", path, len(body), rec.Code)
		}
		switch rec.Code {
		case http.StatusOK, http.StatusCreated:
			var v map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("POST %s: status %d with a body that is not a JSON object: %v: %s", path, rec.Code, err, rec.Body)
			}
		case http.StatusNoContent:
		default:
			if rec.Code < 400 {
				t.Fatalf("POST %s: unexpected status %d", path, rec.Code)
			}
		}
	})
}

// credentialRecorder is an authenticator that records what the adapter extracted. It
// accepts a well-formed session secret or a parsed header, refuses a malformed header, and
// asks to clear a session cookie that is not a session secret.
type credentialRecorder struct {
	mu    sync.Mutex
	calls int
	got   domain.RequestCredentials
}

func (r *credentialRecorder) Authenticate(_ context.Context, creds domain.RequestCredentials) (ports.AuthResult, error) {
	r.mu.Lock()
	r.calls++
	r.got = creds
	r.mu.Unlock()
	user := domain.User{ID: 1, Username: "u", IsActive: true}
	switch {
	case creds.Authorization.Err != nil:
		return ports.AuthResult{}, creds.Authorization.Err
	case creds.Authorization.Scheme != domain.SchemeNone:
		return ports.AuthResult{Principal: domain.Principal{User: user, Method: domain.MethodToken}}, nil
	case creds.SessionSecret == "":
		return ports.AuthResult{}, domain.ErrNotAuthenticated
	case !domain.ValidSessionSecret(creds.SessionSecret):
		return ports.AuthResult{ClearSessionCookie: true}, domain.ErrNotAuthenticated
	}
	return ports.AuthResult{Principal: domain.Principal{User: user, Method: domain.MethodSession,
		Session: &domain.Session{ID: "0123456789abcdef0123456789abcdef", UserID: 1}}}, nil
}

func (r *credentialRecorder) Methods() []domain.AuthMethod { return allMethods }

func (r *credentialRecorder) take() (int, domain.RequestCredentials) {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls, got := r.calls, r.got
	r.calls, r.got = 0, domain.RequestCredentials{}
	return calls, got
}

// FuzzCookieHeader sends an arbitrary Cookie header, a second one naming sessionid, and an
// arbitrary Authorization header through the authentication path: no answer is a 500, the
// authenticator is asked once, the session secret it sees is a plain cookie value, and the
// header it sees is the domain's own parse of the one sent.
func FuzzCookieHeader(f *testing.F) {
	auth := &credentialRecorder{}
	s := New(auth, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Fuzz(func(t *testing.T, cookieHeader, sessionID, authorization string) {
		req := httptest.NewRequest("GET", "/v1/auth/me", nil)
		if cookieHeader != "" {
			req.Header.Add("Cookie", cookieHeader)
		}
		if sessionID != "" {
			req.Header.Add("Cookie", "sessionid="+sessionID)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		calls, got := auth.take()

		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("Cookie %q, sessionid %q: 500: %s", cookieHeader, sessionID, rec.Body)
		}
		if rec.Code >= 400 {
			decodeProblem(t, rec)
		}
		if calls != 1 {
			t.Fatalf("authenticator called %d times, want once", calls)
		}
		for i := 0; i < len(got.SessionSecret); i++ {
			if b := got.SessionSecret[i]; b < 0x20 || b >= 0x7f || b == '"' || b == ';' || b == '\\' {
				t.Fatalf("session secret %q holds byte %#x, which no cookie value may", got.SessionSecret, b)
			}
		}
		plain := sessionID != "" && strings.Trim(sessionID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
		if cookieHeader == "" && plain && got.SessionSecret != sessionID {
			t.Fatalf("sessionid=%q reached the authenticator as %q", sessionID, got.SessionSecret)
		}
		want := domain.ParseAuthorization(authorization)
		if a := got.Authorization; a.Scheme != want.Scheme || a.Token != want.Token ||
			a.Username != want.Username || a.Password != want.Password || (a.Err == nil) != (want.Err == nil) {
			t.Fatalf("Authorization %q reached the authenticator as %+v, want %+v", authorization, a, want)
		}
		if got.SessionSecret != "" && !domain.ValidSessionSecret(got.SessionSecret) &&
			got.Authorization.Scheme == domain.SchemeNone && !clearsSession(rec) {
			t.Fatalf("a dead session cookie was not cleared: Set-Cookie %q", rec.Header().Values("Set-Cookie"))
		}
	})
}

// clearsSession reports whether the response deletes the sessionid cookie.
func clearsSession(rec *httptest.ResponseRecorder) bool {
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value == "" && c.MaxAge < 0 {
			return true
		}
	}
	return false
}
