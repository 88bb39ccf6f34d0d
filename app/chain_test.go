package app_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

const (
	S = domain.MethodSession
	T = domain.MethodToken
	B = domain.MethodBasic
)

// allOrders is every chain of one, two or three distinct methods.
var allOrders = [][]domain.AuthMethod{
	{S}, {T}, {B},
	{S, T}, {T, S}, {S, B}, {B, S}, {T, B}, {B, T},
	{S, T, B}, {S, B, T}, {T, S, B}, {T, B, S}, {B, S, T}, {B, T, S},
}

// ordersWith returns the orders that enable any of methods.
func ordersWith(methods ...domain.AuthMethod) [][]domain.AuthMethod {
	var out [][]domain.AuthMethod
	for _, o := range allOrders {
		if slices.ContainsFunc(methods, func(m domain.AuthMethod) bool { return slices.Contains(o, m) }) {
			out = append(out, o)
		}
	}
	return out
}

// ordersWithout returns the orders that enable none of methods.
func ordersWithout(methods ...domain.AuthMethod) [][]domain.AuthMethod {
	var out [][]domain.AuthMethod
	for _, o := range allOrders {
		if !slices.ContainsFunc(methods, func(m domain.AuthMethod) bool { return slices.Contains(o, m) }) {
			out = append(out, o)
		}
	}
	return out
}

func orderName(o []domain.AuthMethod) string {
	parts := make([]string, len(o))
	for i, m := range o {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

// chainFixture is alice, signed up, with a token and a session from the use cases.
type chainFixture struct {
	*env
	alice   domain.User
	token   domain.IssuedToken
	session domain.IssuedSession
}

func newChainFixture(t *testing.T) *chainFixture {
	e := newEnv(t)
	f := &chainFixture{env: e, alice: e.signUp("alice")}
	f.token = e.obtainToken("alice", password)
	f.session = e.login("alice", password)
	return f
}

// with adds the Authorization header of other to c.
func with(c, other domain.RequestCredentials) domain.RequestCredentials {
	c.Authorization = other.Authorization
	return c
}

func header(method, value string) domain.RequestCredentials {
	return domain.RequestCredentials{Method: method, Authorization: domain.ParseAuthorization(value)}
}

// chainWant is the expected verdict: a method on success, else an error.
type chainWant struct {
	method    domain.AuthMethod // success by this method, as alice
	err       error             // errors.Is target
	csrf      bool              // a *domain.CSRFError
	malformed bool              // also a *domain.MalformedCredentialsError
	clear     bool              // ClearSessionCookie
}

type chainCase struct {
	name   string
	orders [][]domain.AuthMethod
	creds  func(t *testing.T, f *chainFixture) domain.RequestCredentials
	want   chainWant
}

func chainCases() []chainCase {
	validSession := func(method string) func(*testing.T, *chainFixture) domain.RequestCredentials {
		return func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
			return sessionCreds(method, f.session.Secret, f.session.CSRFToken)
		}
	}
	validToken := func(_ *testing.T, f *chainFixture) domain.RequestCredentials { return tokenCreds(f.token.Secret) }
	unknownSession := func(f *chainFixture) string { s, _ := f.draw(domain.SessionPrefix); return s }
	unknownToken := func(f *chainFixture) string { s, _ := f.draw(domain.TokenPrefix); return s }

	cases := []chainCase{
		{"no credentials", allOrders,
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return domain.RequestCredentials{Method: http.MethodGet}
			}, chainWant{err: domain.ErrNotAuthenticated}},
		{"no credentials on unsafe method", allOrders,
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return domain.RequestCredentials{Method: http.MethodPost}
			}, chainWant{err: domain.ErrNotAuthenticated}},

		// Token.
		{"valid token", ordersWith(T), validToken, chainWant{method: T}},
		{"valid bearer token", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return header(http.MethodPost, "Bearer "+f.token.Secret)
			}, chainWant{method: T}},
		{"valid token on unsafe method needs no CSRF token", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return header(http.MethodDelete, "Token "+f.token.Secret)
			}, chainWant{method: T}},
		{"token header with token disabled", ordersWithout(T), validToken, chainWant{err: domain.ErrNotAuthenticated}},
		{"unknown token", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials { return tokenCreds(unknownToken(f)) },
			chainWant{err: domain.ErrInvalidToken}},
		{"malformed token", ordersWith(T),
			func(*testing.T, *chainFixture) domain.RequestCredentials { return header(http.MethodGet, "Token abc") },
			chainWant{err: domain.ErrInvalidCredentials, malformed: true}},
		{"token with a typo", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				s := []byte(f.token.Secret)
				if s[10] == 'a' { // still base62, checksum now wrong
					s[10] = 'b'
				} else {
					s[10] = 'a'
				}
				return tokenCreds(string(s))
			}, chainWant{err: domain.ErrInvalidCredentials, malformed: true}},
		{"token of inactive user", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				carol := f.createUser("carol", f.hasher, false)
				return tokenCreds(f.plantToken(carol.ID))
			}, chainWant{err: domain.ErrInactiveUser}},
		{"token of deleted user", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return tokenCreds(f.plantToken(999))
			}, chainWant{err: domain.ErrInactiveUser}},
		{"revoked token", ordersWith(T),
			func(t *testing.T, f *chainFixture) domain.RequestCredentials {
				p := f.principal(tokenCreds(f.token.Secret))
				if err := f.accounts.RevokeToken(t.Context(), p, f.token.ID); err != nil {
					t.Fatalf("RevokeToken: %v", err)
				}
				return tokenCreds(f.token.Secret)
			}, chainWant{err: domain.ErrInvalidToken}},
		{"token just before expiry", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				f.clock.Advance(f.settings.TokenTTL - time.Nanosecond)
				return tokenCreds(f.token.Secret)
			}, chainWant{method: T}},
		{"expired token", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				f.clock.Advance(f.settings.TokenTTL)
				return tokenCreds(f.token.Secret)
			}, chainWant{err: domain.ErrInvalidToken}},
		{"long-expired token", ordersWith(T),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				f.clock.Advance(f.settings.TokenTTL + 24*time.Hour)
				return tokenCreds(f.token.Secret)
			}, chainWant{err: domain.ErrInvalidToken}},

		// Session.
		{"valid session on GET", ordersWith(S), validSession(http.MethodGet), chainWant{method: S}},
		{"valid session on GET without CSRF token", ordersWith(S),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return sessionCreds(http.MethodGet, f.session.Secret, "")
			}, chainWant{method: S}},
		{"session cookie with session disabled", ordersWithout(S), validSession(http.MethodGet),
			chainWant{err: domain.ErrNotAuthenticated}},
		{"session with CSRF token of another session", ordersWith(S),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				other := f.login("alice", password)
				return sessionCreds(http.MethodPost, f.session.Secret, other.CSRFToken)
			}, chainWant{csrf: true}},
		{"unknown session cookie", ordersWith(S),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return sessionCreds(http.MethodGet, unknownSession(f), "")
			}, chainWant{err: domain.ErrNotAuthenticated, clear: true}},
		{"unknown session cookie then valid token", [][]domain.AuthMethod{{S, T}, {S, B, T}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, unknownSession(f), ""), tokenCreds(f.token.Secret))
			}, chainWant{method: T, clear: true}},
		{"unknown session cookie then valid basic", [][]domain.AuthMethod{{S, B}, {S, T, B}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, unknownSession(f), ""), basicCreds("alice", password))
			}, chainWant{method: B, clear: true}},
		{"malformed session cookie", ordersWith(S),
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return sessionCreds(http.MethodGet, "not-a-session-id", "")
			}, chainWant{err: domain.ErrNotAuthenticated, clear: true}},
		{"token secret as session cookie", ordersWith(S),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return sessionCreds(http.MethodGet, f.token.Secret, "")
			}, chainWant{err: domain.ErrNotAuthenticated, clear: true}},
		{"malformed session cookie then valid token", [][]domain.AuthMethod{{S, T}, {S, B, T}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, "not-a-session-id", ""), tokenCreds(f.token.Secret))
			}, chainWant{method: T, clear: true}},
		{"expired session", ordersWith(S),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				f.clock.Advance(f.settings.Session.Idle)
				return sessionCreds(http.MethodGet, f.session.Secret, "")
			}, chainWant{err: domain.ErrNotAuthenticated, clear: true}},
		{"expired session then valid token", [][]domain.AuthMethod{{S, T}, {S, B, T}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				f.clock.Advance(f.settings.Session.Idle)
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), tokenCreds(f.token.Secret))
			}, chainWant{method: T, clear: true}},
		{"revoked session", ordersWith(S),
			func(t *testing.T, f *chainFixture) domain.RequestCredentials {
				p := f.principal(sessionCreds(http.MethodGet, f.session.Secret, ""))
				if err := f.accounts.Logout(t.Context(), p); err != nil {
					t.Fatalf("Logout: %v", err)
				}
				return sessionCreds(http.MethodGet, f.session.Secret, "")
			}, chainWant{err: domain.ErrNotAuthenticated, clear: true}},

		// Session and a header together: order decides.
		{"valid session then unknown token", [][]domain.AuthMethod{{S, T}, {S, T, B}, {S, B, T}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), tokenCreds(unknownToken(f)))
			}, chainWant{method: S}},
		{"unknown token then valid session", [][]domain.AuthMethod{{T, S}, {T, S, B}, {T, B, S}, {B, T, S}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), tokenCreds(unknownToken(f)))
			}, chainWant{err: domain.ErrInvalidToken}},
		{"valid session then malformed token", [][]domain.AuthMethod{{S, T}, {S, T, B}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), header(http.MethodGet, "Token abc"))
			}, chainWant{method: S}},
		{"malformed token then valid session", [][]domain.AuthMethod{{T, S}, {T, S, B}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), header(http.MethodGet, "Token abc"))
			}, chainWant{err: domain.ErrInvalidCredentials, malformed: true}},
		{"valid session then wrong basic", [][]domain.AuthMethod{{S, B}, {S, B, T}, {S, T, B}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), basicCreds("alice", "wrong-Password-000"))
			}, chainWant{method: S}},
		{"wrong basic then valid session", [][]domain.AuthMethod{{B, S}, {B, S, T}, {B, T, S}, {T, B, S}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), basicCreds("alice", "wrong-Password-000"))
			}, chainWant{err: domain.ErrInvalidCredentials}},
		{"valid token then valid session", [][]domain.AuthMethod{{T, S}, {T, B, S}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodPost, f.session.Secret, ""), tokenCreds(f.token.Secret))
			}, chainWant{method: T}},

		// Unknown or over-long Authorization headers.
		{"unknown scheme with a header method enabled", ordersWith(T, B),
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return header(http.MethodGet, "Digest username=alice")
			}, chainWant{err: domain.ErrInvalidCredentials, malformed: true}},
		{"unknown scheme with only session enabled", [][]domain.AuthMethod{{S}},
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return header(http.MethodGet, "Digest username=alice")
			}, chainWant{err: domain.ErrNotAuthenticated}},
		{"unknown scheme with valid session first", [][]domain.AuthMethod{{S}, {S, T}, {S, B, T}},
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				return with(sessionCreds(http.MethodGet, f.session.Secret, ""), header(http.MethodGet, "Digest username=alice"))
			}, chainWant{method: S}},
		{"over-long header", ordersWith(T, B),
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return header(http.MethodGet, "Token "+strings.Repeat("a", domain.MaxAuthorizationLength))
			}, chainWant{err: domain.ErrInvalidCredentials, malformed: true}},

		// Basic.
		{"basic correct", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials { return basicCreds("alice", password) },
			chainWant{method: B}},
		{"basic username in another case", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials { return basicCreds("ALICE", password) },
			chainWant{method: B}},
		{"basic on unsafe method needs no CSRF token", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				c := basicCreds("alice", password)
				c.Method = http.MethodPost
				return c
			}, chainWant{method: B}},
		{"basic header with basic disabled", ordersWithout(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials { return basicCreds("alice", password) },
			chainWant{err: domain.ErrNotAuthenticated}},
		{"basic wrong password", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return basicCreds("alice", "wrong-Password-000")
			}, chainWant{err: domain.ErrInvalidCredentials}},
		{"basic unknown user", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials { return basicCreds("mallory", password) },
			chainWant{err: domain.ErrInvalidCredentials}},
		{"basic inactive user", ordersWith(B),
			func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
				f.createUser("carol", f.hasher, false)
				return basicCreds("carol", password)
			}, chainWant{err: domain.ErrInvalidCredentials}},
		{"basic bad base64", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials { return header(http.MethodGet, "Basic !!!") },
			chainWant{err: domain.ErrInvalidCredentials, malformed: true}},
		{"basic without colon", ordersWith(B),
			func(*testing.T, *chainFixture) domain.RequestCredentials {
				return header(http.MethodGet, "Basic YWxpY2U=") // "alice"
			}, chainWant{err: domain.ErrInvalidCredentials, malformed: true}},
	}

	// CSRF, for every unsafe method.
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		cases = append(cases,
			chainCase{"session " + m + " without CSRF token", ordersWith(S),
				func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
					return sessionCreds(m, f.session.Secret, "")
				}, chainWant{csrf: true}},
			chainCase{"session " + m + " with wrong CSRF token", ordersWith(S),
				func(_ *testing.T, f *chainFixture) domain.RequestCredentials {
					return sessionCreds(m, f.session.Secret, f.session.CSRFToken[1:]+"x")
				}, chainWant{csrf: true}},
			chainCase{"session " + m + " with right CSRF token", ordersWith(S), validSession(m), chainWant{method: S}},
		)
	}
	return cases
}

func TestChain(t *testing.T) {
	t.Parallel()
	for _, c := range chainCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if len(c.orders) == 0 {
				t.Fatal("case has no orders")
			}
			for _, order := range c.orders {
				t.Run(orderName(order), func(t *testing.T) {
					t.Parallel()
					f := newChainFixture(t)
					creds := c.creds(t, f)
					res, err := f.chain(order...).Authenticate(t.Context(), creds)
					checkVerdict(t, f, res.Principal, res.ClearSessionCookie, err, c.want)
					checkDecider(t, order, res, err)
				})
			}
		})
	}
}

// checkDecider checks that the result names the method that decided: the principal's on
// success, an enabled one on failure, and none when no credentials were found.
func checkDecider(t *testing.T, order []domain.AuthMethod, res ports.AuthResult, err error) {
	t.Helper()
	switch {
	case err == nil && res.Method != res.Principal.Method:
		t.Errorf("result Method = %q, want the principal's %q", res.Method, res.Principal.Method)
	case errors.Is(err, domain.ErrNotAuthenticated) && res.Method != "":
		t.Errorf("result Method = %q with no credentials, want none", res.Method)
	case err != nil && !errors.Is(err, domain.ErrNotAuthenticated) && !slices.Contains(order, res.Method):
		t.Errorf("result Method = %q after %v, want one of %v", res.Method, err, order)
	}
}

func checkVerdict(t *testing.T, f *chainFixture, p domain.Principal, clear bool, err error, want chainWant) {
	t.Helper()
	if clear != want.clear {
		t.Errorf("ClearSessionCookie = %v, want %v", clear, want.clear)
	}
	switch {
	case want.method != "":
		if err != nil {
			t.Fatalf("Authenticate: %v, want success by %s", err, want.method)
		}
		if p.Method != want.method || p.User.ID != f.alice.ID || p.User.Username != "alice" {
			t.Fatalf("principal = %s as %q (id %d), want %s as alice (id %d)", p.Method, p.User.Username, p.User.ID, want.method, f.alice.ID)
		}
		switch want.method {
		case S:
			if p.Session == nil || p.Session.ID != f.session.ID || p.Token != nil {
				t.Errorf("principal Session = %v, Token = %v; want session %s and no token", p.Session, p.Token, f.session.ID)
			}
		case T:
			if p.Token == nil || p.Token.ID != f.token.ID || p.Session != nil {
				t.Errorf("principal Token = %v, Session = %v; want token %s and no session", p.Token, p.Session, f.token.ID)
			}
		case B:
			if p.Token != nil || p.Session != nil {
				t.Errorf("basic principal carries Token = %v, Session = %v; want neither", p.Token, p.Session)
			}
		}
	case want.csrf:
		csrfErr, ok := errors.AsType[*domain.CSRFError](err)
		if !ok {
			t.Fatalf("Authenticate: %v (%T), want *domain.CSRFError", err, err)
		}
		if !strings.HasPrefix(csrfErr.Error(), "CSRF Failed") {
			t.Errorf("CSRF error %q does not start with %q", csrfErr.Error(), "CSRF Failed")
		}
	default:
		if !errors.Is(err, want.err) {
			t.Fatalf("Authenticate: %v, want errors.Is %v", err, want.err)
		}
		if _, ok := errors.AsType[*domain.MalformedCredentialsError](err); ok != want.malformed {
			t.Errorf("Authenticate: %v is *domain.MalformedCredentialsError: %v, want %v", err, ok, want.malformed)
		}
		if want.err == domain.ErrNotAuthenticated && errors.Is(err, domain.ErrInvalidCredentials) {
			t.Errorf("Authenticate: %v is both not-authenticated and invalid", err)
		}
	}
	if want.method == "" && (p.Method != "" || p.User.ID != 0) {
		t.Errorf("failed authentication returned principal %+v", p)
	}
}

// A session whose owner was deactivated after login never authenticates; like any session
// cookie that names no usable session it is treated as stale.
func TestChainRefusesSessionOfInactiveUser(t *testing.T) {
	t.Parallel()
	for _, order := range ordersWith(S) {
		t.Run(orderName(order), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			carol := e.createUser("carol", e.hasher, false)
			secret := e.plantSession(carol.ID)
			res, err := e.chain(order...).Authenticate(t.Context(), sessionCreds(http.MethodGet, secret, ""))
			if err == nil || !errors.Is(err, domain.ErrNotAuthenticated) && !errors.Is(err, domain.ErrInvalidCredentials) {
				t.Fatalf("Authenticate: %v, want ErrNotAuthenticated or ErrInvalidCredentials", err)
			}
			if res.Principal.User.ID != 0 {
				t.Errorf("principal = %+v, want none", res.Principal)
			}
		})
	}
}

func TestChainMethodsInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, order := range allOrders {
		if got := e.chain(order...).Methods(); !slices.Equal(got, order) {
			t.Errorf("Methods() = %v, want %v", got, order)
		}
	}
}

func TestChainIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	f := newChainFixture(t)
	chain := f.chain(defaultOrder...)
	creds := []domain.RequestCredentials{
		tokenCreds(f.token.Secret),
		sessionCreds(http.MethodPost, f.session.Secret, f.session.CSRFToken),
		basicCreds("alice", password),
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				if g == 0 {
					f.clock.Advance(10 * time.Second) // crosses the touch interval now and then
				}
				c := creds[(g+i)%len(creds)]
				if _, err := chain.Authenticate(t.Context(), c); err != nil {
					t.Errorf("Authenticate: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
