package app_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// t0 is where every fake clock starts.
var t0 = time.Date(2025, time.March, 14, 15, 9, 26, 0, time.UTC)

// Passwords that pass the policy for the usernames used here (alice, bob, carol).
const (
	password    = "plum-Orchard-7391"
	newPassword = "quartz-Meadow-5820"
)

// testParams are tiny argon2id parameters so every hash costs microseconds; weakerParams use
// less memory, standing for a hash made before the configuration was raised.
var (
	testParams   = passhash.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	weakerParams = passhash.Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
)

// testPHCPrefix starts every hash made with testParams.
const testPHCPrefix = "$argon2id$v=19$m=64,t=1,p=1$"

// fakeClock is a ports.Clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeRandom is a deterministic ports.Random: every Read writes a fixed pattern with the
// number of the call in its first eight bytes, so no two draws are alike.
type fakeRandom struct {
	mu sync.Mutex
	n  uint64
}

func (r *fakeRandom) Read(b []byte) error {
	r.mu.Lock()
	r.n++
	n := r.n
	r.mu.Unlock()
	for i := range b {
		b[i] = byte(i) ^ 0xa5
	}
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], n)
	copy(b, c[:])
	return nil
}

// env is the use cases wired to the real memory stores and argon2id hasher, with a fake
// clock and random source.
type env struct {
	t        *testing.T
	clock    *fakeClock
	random   *fakeRandom
	users    *memstore.UserStore
	sessions *memstore.SessionStore
	tokens   *memstore.TokenStore
	hasher   *passhash.Argon2id
	port     *passhash.Limiter // hasher as the use cases see it
	limiter  *memstore.RateLimiter
	audit    *auditLog
	cache    *app.BasicCache // off unless the env was made with a cache TTL
	verifier *app.Verifier
	accounts *app.Accounts
	settings app.Settings
	codes    *memstore.CodeStore
	mailer   *recordingMailer
	// mfa holds the user backend's factor and recovery-code stores, and one server key.
	mfa      app.SecondFactors
	factors  *memstore.FactorStore
	recovery *memstore.CodeStore
}

func newHasher(t *testing.T, p passhash.Params) *passhash.Argon2id {
	t.Helper()
	h, err := passhash.New(p)
	if err != nil {
		t.Fatalf("passhash.New(%+v): %v", p, err)
	}
	return h
}

func newEnv(t *testing.T) *env { return newEnvWith(t, app.DefaultSettings()) }

func newEnvWith(t *testing.T, settings app.Settings) *env {
	t.Helper()
	hasher := newHasher(t, testParams)
	clock := &fakeClock{now: t0}
	random := &fakeRandom{}
	users := memstore.NewUserStore()
	sessions := memstore.NewSessionStore(clock)
	tokens := memstore.NewTokenStore(clock)
	port := passhash.NewLimiter(hasher, passhash.Foreign{}, 4, time.Second)
	limiter := memstore.NewRateLimiter(clock)
	audit := &auditLog{}
	cache, err := app.NewBasicCache(app.Settings{}, random, clock)
	if err != nil {
		t.Fatal(err)
	}
	codes, mailer := memstore.NewCodeStore(clock), &recordingMailer{}
	email := app.NewEmailVerification(users, codes, mailer, random, clock, settings, limiter, app.Throttle{}, audit)
	verifier := app.NewVerifier(users, port, limiter, app.Throttle{}, audit, app.LoginTiming{}, nil, email)
	factors, recovery := memstore.NewFactorStore(), memstore.NewCodeStore(clock)
	mfa := app.SecondFactors{Factors: factors, Recovery: recovery, Keys: domain.NewServerKeys([domain.ServerKeyBytes]byte{1, 2, 3})}
	return &env{
		mfa:      mfa,
		factors:  factors,
		recovery: recovery,
		codes:    codes,
		mailer:   mailer,
		t:        t,
		clock:    clock,
		random:   random,
		users:    users,
		sessions: sessions,
		tokens:   tokens,
		hasher:   hasher,
		port:     port,
		limiter:  limiter,
		audit:    audit,
		cache:    cache,
		verifier: verifier,
		accounts: app.NewAccounts(users, sessions, tokens, port, verifier, clock, random, settings, limiter, app.Throttle{}, audit, cache, codes, mailer, mfa),
		settings: settings,
	}
}

// defaultOrder is the default chain, session then token then basic.
var defaultOrder = []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}

func (e *env) chain(methods ...domain.AuthMethod) *app.Chain {
	return app.NewChain(methods, e.users, e.sessions, e.tokens, e.verifier, e.cache, e.clock, e.settings, e.mfa)
}

// auth runs the default chain.
func (e *env) auth(creds domain.RequestCredentials) (ports.AuthResult, error) {
	return e.chain(defaultOrder...).Authenticate(e.t.Context(), creds)
}

// principal authenticates creds with the default chain, failing the test unless it succeeds.
func (e *env) principal(creds domain.RequestCredentials) domain.Principal {
	e.t.Helper()
	res, err := e.auth(creds)
	if err != nil {
		e.t.Fatalf("Authenticate: %v", err)
	}
	return res.Principal
}

func (e *env) signUp(username string) domain.User {
	e.t.Helper()
	u, err := e.accounts.SignUp(e.t.Context(), ports.SignUp{Username: username, Password: password})
	if err != nil {
		e.t.Fatalf("SignUp(%q): %v", username, err)
	}
	return u
}

func (e *env) obtainToken(username, pw string) domain.IssuedToken {
	e.t.Helper()
	tok, err := e.accounts.ObtainToken(e.t.Context(), ports.Login{Username: username, Password: pw})
	if err != nil {
		e.t.Fatalf("ObtainToken(%q): %v", username, err)
	}
	return tok
}

func (e *env) login(username, pw string) domain.IssuedSession {
	e.t.Helper()
	_, s, err := e.accounts.Login(e.t.Context(), ports.Login{Username: username, Password: pw})
	if err != nil {
		e.t.Fatalf("Login(%q): %v", username, err)
	}
	return s
}

// createUser stores a user directly, bypassing SignUp, with a hash made by hasher.
func (e *env) createUser(username string, hasher *passhash.Argon2id, active bool) domain.User {
	e.t.Helper()
	hash, err := hasher.Hash(password)
	if err != nil {
		e.t.Fatalf("Hash: %v", err)
	}
	u, err := e.users.CreateUser(e.t.Context(), domain.User{
		Username: username, PasswordHash: hash, IsActive: active, DateJoined: e.clock.Now(),
	}, domain.EmailShared)
	if err != nil {
		e.t.Fatalf("CreateUser(%q): %v", username, err)
	}
	return u
}

func (e *env) passwordHash(id domain.UserID) string {
	e.t.Helper()
	u, err := e.users.UserByID(e.t.Context(), id)
	if err != nil {
		e.t.Fatalf("UserByID(%d): %v", id, err)
	}
	return u.PasswordHash
}

// draw returns a new secret with prefix and a new public id, as the use cases draw them.
func (e *env) draw(prefix string) (secret, id string) {
	var s [domain.SecretBytes]byte
	var i [domain.PublicIDBytes]byte
	_ = e.random.Read(s[:])
	_ = e.random.Read(i[:])
	return domain.EncodeSecret(prefix, s), domain.NewPublicID(i)
}

// plantToken stores a live token for user directly, for owners that could not obtain one
// through the use cases (inactive users).
func (e *env) plantToken(user domain.UserID) string {
	e.t.Helper()
	secret, id := e.draw(domain.TokenPrefix)
	now := e.clock.Now()
	err := e.tokens.CreateToken(e.t.Context(), domain.Token{
		ID: id, UserID: user, Name: "planted", SecretHash: domain.HashSecret(secret),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour),
	})
	if err != nil {
		e.t.Fatalf("CreateToken: %v", err)
	}
	return secret
}

// plantSession stores a live session for user directly.
func (e *env) plantSession(user domain.UserID) string {
	e.t.Helper()
	secret, id := e.draw(domain.SessionPrefix)
	now := e.clock.Now()
	err := e.sessions.CreateSession(e.t.Context(), domain.Session{
		ID: id, UserID: user, SecretHash: domain.HashSecret(secret),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour),
	})
	if err != nil {
		e.t.Fatalf("CreateSession: %v", err)
	}
	return secret
}

// tokenLive reports whether the store still holds a live token with that secret.
func (e *env) tokenLive(secret string) bool {
	e.t.Helper()
	_, err := e.tokens.TokenByHash(e.t.Context(), domain.HashSecret(secret))
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		e.t.Fatalf("TokenByHash: %v", err)
	}
	return err == nil
}

// sessionLive reports whether the store still holds a live session with that secret.
func (e *env) sessionLive(secret string) bool {
	e.t.Helper()
	_, err := e.sessions.SessionByHash(e.t.Context(), domain.HashSecret(secret))
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		e.t.Fatalf("SessionByHash: %v", err)
	}
	return err == nil
}

// Credentials as the HTTP adapter extracts them.

func tokenCreds(secret string) domain.RequestCredentials {
	return domain.RequestCredentials{Method: http.MethodGet, Authorization: domain.ParseAuthorization("Token " + secret)}
}

func sessionCreds(method, secret, csrf string) domain.RequestCredentials {
	return domain.RequestCredentials{Method: method, SessionSecret: secret, CSRFToken: csrf}
}

func basicCreds(username, pw string) domain.RequestCredentials {
	header := "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+pw))
	return domain.RequestCredentials{Method: http.MethodGet, Authorization: domain.ParseAuthorization(header)}
}

// validationFields returns the fields of err, failing the test unless it is a
// *domain.ValidationError.
func validationFields(t *testing.T, err error) map[string][]string {
	t.Helper()
	verr, ok := errors.AsType[*domain.ValidationError](err)
	if !ok {
		t.Fatalf("error = %v (%T), want *domain.ValidationError", err, err)
	}
	return verr.Fields
}

// onlyField fails the test unless err is a *domain.ValidationError with messages under
// field and no other.
func onlyField(t *testing.T, err error, field string) {
	t.Helper()
	fields := validationFields(t, err)
	if len(fields) != 1 || len(fields[field]) == 0 {
		t.Fatalf("fields = %q, want messages under %q only", fields, field)
	}
}

func tokenIDs(list []domain.Token) []string {
	out := []string{}
	for _, t := range list {
		out = append(out, t.ID)
	}
	return out
}

func sessionIDs(list []domain.Session) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, s.ID)
	}
	return out
}

// auditLog records audit events.
type auditLog struct {
	mu     sync.Mutex
	events []domain.Audit
}

func (l *auditLog) Audit(_ context.Context, a domain.Audit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, a)
}

// since returns the events recorded since mark (a previous len).
func (l *auditLog) since(mark int) []domain.Audit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]domain.Audit(nil), l.events[mark:]...)
}

func (l *auditLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

// recordingMailer is a ports.Mailer that keeps what it is given; off when off is set.
type recordingMailer struct {
	mu   sync.Mutex
	off  bool
	sent []domain.Mail
}

func (m *recordingMailer) Enabled() bool { return !m.off }

func (m *recordingMailer) Send(_ context.Context, mail domain.Mail) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
}

// take returns the mails sent so far and forgets them.
func (m *recordingMailer) take() []domain.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.sent
	m.sent = nil
	return out
}
