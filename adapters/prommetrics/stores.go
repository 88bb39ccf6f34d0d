package prommetrics

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// op is the series of one store operation on one port and backend, looked up once at
// construction so a call costs two metric updates and no label hashing.
type op struct {
	duration prometheus.Observer
	errors   prometheus.Counter
}

func (m *Metrics) op(port, backend, name string) op {
	return op{
		duration: m.storeDuration.WithLabelValues(port, backend, name),
		errors:   m.storeErrors.WithLabelValues(port, backend, name),
	}
}

// done records a call that started at start. Answers the port defines — not found, and a
// username, address or user ID taken, a factor or passkey that exists, a full set of
// passkeys — are not failures.
func (o op) done(start time.Time, err error) {
	o.duration.Observe(time.Since(start).Seconds())
	if err != nil && !errors.Is(err, domain.ErrNotFound) && !errors.Is(err, domain.ErrUsernameTaken) &&
		!errors.Is(err, domain.ErrEmailTaken) && !errors.Is(err, domain.ErrUserIDTaken) &&
		!errors.Is(err, domain.ErrFactorExists) && !errors.Is(err, domain.ErrPasskeyExists) &&
		!errors.Is(err, domain.ErrTooManyPasskeys) {
		o.errors.Inc()
	}
}

// measure runs f as a call of o.
func measure[T any](o op, f func() (T, error)) (T, error) {
	start := time.Now()
	v, err := f()
	o.done(start, err)
	return v, err
}

// measureErr runs f, which returns only an error, as a call of o.
func measureErr(o op, f func() error) error {
	start := time.Now()
	err := f()
	o.done(start, err)
	return err
}

// UserStore is a ports.UserStore whose calls are timed and whose failures are counted.
type UserStore struct {
	next                                                                 ports.UserStore
	create, byID, byUsername, byEmail, setPWHash, setEmail, markVerified op
	importUser, setActive, deleteUser, listUsers                         op
}

var _ ports.UserStore = (*UserStore)(nil)

// UserStore returns next, measured as port "users" on the named backend.
func (m *Metrics) UserStore(next ports.UserStore, backend string) *UserStore {
	const port = "users"
	return &UserStore{next: next,
		create:       m.op(port, backend, "create"),
		importUser:   m.op(port, backend, "import"),
		byID:         m.op(port, backend, "by_id"),
		byUsername:   m.op(port, backend, "by_username"),
		byEmail:      m.op(port, backend, "by_email"),
		setPWHash:    m.op(port, backend, "set_password_hash"),
		setEmail:     m.op(port, backend, "set_email"),
		markVerified: m.op(port, backend, "mark_email_verified"),
		setActive:    m.op(port, backend, "set_active"),
		deleteUser:   m.op(port, backend, "delete"),
		listUsers:    m.op(port, backend, "list"),
	}
}

// CreateUser implements ports.UserStore.
func (s *UserStore) CreateUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	return measure(s.create, func() (domain.User, error) { return s.next.CreateUser(ctx, u, rule) })
}

// ImportUser implements ports.UserStore.
func (s *UserStore) ImportUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	return measure(s.importUser, func() (domain.User, error) { return s.next.ImportUser(ctx, u, rule) })
}

// UserByID implements ports.UserStore.
func (s *UserStore) UserByID(ctx context.Context, id domain.UserID) (domain.User, error) {
	return measure(s.byID, func() (domain.User, error) { return s.next.UserByID(ctx, id) })
}

// UserByUsername implements ports.UserStore.
func (s *UserStore) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	return measure(s.byUsername, func() (domain.User, error) { return s.next.UserByUsername(ctx, username) })
}

// UsersByEmail implements ports.UserStore.
func (s *UserStore) UsersByEmail(ctx context.Context, email string) ([]domain.User, error) {
	return measure(s.byEmail, func() ([]domain.User, error) { return s.next.UsersByEmail(ctx, email) })
}

// SetPasswordHash implements ports.UserStore.
func (s *UserStore) SetPasswordHash(ctx context.Context, id domain.UserID, old, hash string) error {
	return measureErr(s.setPWHash, func() error { return s.next.SetPasswordHash(ctx, id, old, hash) })
}

// SetEmail implements ports.UserStore.
func (s *UserStore) SetEmail(ctx context.Context, id domain.UserID, email string, rule domain.EmailRule) error {
	return measureErr(s.setEmail, func() error { return s.next.SetEmail(ctx, id, email, rule) })
}

// MarkEmailVerified implements ports.UserStore.
func (s *UserStore) MarkEmailVerified(ctx context.Context, id domain.UserID, email string) error {
	return measureErr(s.markVerified, func() error { return s.next.MarkEmailVerified(ctx, id, email) })
}

// SetActive implements ports.UserStore.
func (s *UserStore) SetActive(ctx context.Context, id domain.UserID, active bool) error {
	return measureErr(s.setActive, func() error { return s.next.SetActive(ctx, id, active) })
}

// DeleteUser implements ports.UserStore.
func (s *UserStore) DeleteUser(ctx context.Context, id domain.UserID) error {
	return measureErr(s.deleteUser, func() error { return s.next.DeleteUser(ctx, id) })
}

// ListUsers implements ports.UserStore.
func (s *UserStore) ListUsers(ctx context.Context, after domain.UserID, limit int) ([]domain.User, error) {
	return measure(s.listUsers, func() ([]domain.User, error) { return s.next.ListUsers(ctx, after, limit) })
}

// managed is what a measured store of a managed credential kind (one its owner lists,
// touches and revokes by id: sessions, tokens) holds: the store it wraps and the series of
// the six operations every such port has, under the same op labels for every kind. A new
// kind's decorator embeds it and gives each of its port's methods one line.
type managed[S any] struct {
	next                                                S
	create, byHash, touch, byUser, deleteOne, deleteAll op
}

func newManaged[S any](m *Metrics, next S, port, backend string) managed[S] {
	return managed[S]{next: next,
		create:    m.op(port, backend, "create"),
		byHash:    m.op(port, backend, "by_hash"),
		touch:     m.op(port, backend, "touch"),
		byUser:    m.op(port, backend, "by_user"),
		deleteOne: m.op(port, backend, "delete"),
		deleteAll: m.op(port, backend, "delete_user"),
	}
}

// SessionStore is a ports.SessionStore whose calls are timed and whose failures are counted.
type SessionStore struct{ managed[ports.SessionStore] }

var _ ports.SessionStore = (*SessionStore)(nil)

// SessionStore returns next, measured as port "sessions" on the named backend.
func (m *Metrics) SessionStore(next ports.SessionStore, backend string) *SessionStore {
	return &SessionStore{newManaged(m, next, "sessions", backend)}
}

// CreateSession implements ports.SessionStore.
func (s *SessionStore) CreateSession(ctx context.Context, sess domain.Session) error {
	return measureErr(s.create, func() error { return s.next.CreateSession(ctx, sess) })
}

// SessionByHash implements ports.SessionStore.
func (s *SessionStore) SessionByHash(ctx context.Context, h domain.SecretHash) (domain.Session, error) {
	return measure(s.byHash, func() (domain.Session, error) { return s.next.SessionByHash(ctx, h) })
}

// TouchSession implements ports.SessionStore.
func (s *SessionStore) TouchSession(ctx context.Context, h domain.SecretHash, lastSeen, expiresAt time.Time) error {
	return measureErr(s.touch, func() error { return s.next.TouchSession(ctx, h, lastSeen, expiresAt) })
}

// SessionsByUser implements ports.SessionStore.
func (s *SessionStore) SessionsByUser(ctx context.Context, user domain.UserID) ([]domain.Session, error) {
	return measure(s.byUser, func() ([]domain.Session, error) { return s.next.SessionsByUser(ctx, user) })
}

// DeleteSession implements ports.SessionStore.
func (s *SessionStore) DeleteSession(ctx context.Context, user domain.UserID, id string) error {
	return measureErr(s.deleteOne, func() error { return s.next.DeleteSession(ctx, user, id) })
}

// DeleteUserSessions implements ports.SessionStore.
func (s *SessionStore) DeleteUserSessions(ctx context.Context, user domain.UserID, except string) (int, error) {
	return measure(s.deleteAll, func() (int, error) { return s.next.DeleteUserSessions(ctx, user, except) })
}

// TokenStore is a ports.TokenStore whose calls are timed and whose failures are counted.
type TokenStore struct{ managed[ports.TokenStore] }

var _ ports.TokenStore = (*TokenStore)(nil)

// TokenStore returns next, measured as port "tokens" on the named backend.
func (m *Metrics) TokenStore(next ports.TokenStore, backend string) *TokenStore {
	return &TokenStore{newManaged(m, next, "tokens", backend)}
}

// CreateToken implements ports.TokenStore.
func (s *TokenStore) CreateToken(ctx context.Context, t domain.Token) error {
	return measureErr(s.create, func() error { return s.next.CreateToken(ctx, t) })
}

// TokenByHash implements ports.TokenStore.
func (s *TokenStore) TokenByHash(ctx context.Context, h domain.SecretHash) (domain.Token, error) {
	return measure(s.byHash, func() (domain.Token, error) { return s.next.TokenByHash(ctx, h) })
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(ctx context.Context, h domain.SecretHash, lastUsed time.Time) error {
	return measureErr(s.touch, func() error { return s.next.TouchToken(ctx, h, lastUsed) })
}

// TokensByUser implements ports.TokenStore.
func (s *TokenStore) TokensByUser(ctx context.Context, user domain.UserID) ([]domain.Token, error) {
	return measure(s.byUser, func() ([]domain.Token, error) { return s.next.TokensByUser(ctx, user) })
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(ctx context.Context, user domain.UserID, id string) error {
	return measureErr(s.deleteOne, func() error { return s.next.DeleteToken(ctx, user, id) })
}

// DeleteUserTokens implements ports.TokenStore.
func (s *TokenStore) DeleteUserTokens(ctx context.Context, user domain.UserID, except string) (int, error) {
	return measure(s.deleteAll, func() (int, error) { return s.next.DeleteUserTokens(ctx, user, except) })
}

// CodeStore is a ports.CodeStore whose calls are timed and whose failures are counted.
type CodeStore struct {
	next                        ports.CodeStore
	create, consume, deleteUser op
}

var _ ports.CodeStore = (*CodeStore)(nil)

// CodeStore returns next, measured as port "codes" on the named backend.
func (m *Metrics) CodeStore(next ports.CodeStore, backend string) *CodeStore {
	const port = "codes"
	return &CodeStore{next: next,
		create:     m.op(port, backend, "create"),
		consume:    m.op(port, backend, "consume"),
		deleteUser: m.op(port, backend, "delete_user"),
	}
}

// CreateCode implements ports.CodeStore.
func (s *CodeStore) CreateCode(ctx context.Context, c domain.OneTimeCode) error {
	return measureErr(s.create, func() error { return s.next.CreateCode(ctx, c) })
}

// ConsumeCode implements ports.CodeStore.
func (s *CodeStore) ConsumeCode(ctx context.Context, purpose domain.CodePurpose, h domain.SecretHash) (domain.OneTimeCode, error) {
	return measure(s.consume, func() (domain.OneTimeCode, error) { return s.next.ConsumeCode(ctx, purpose, h) })
}

// DeleteUserCodes implements ports.CodeStore.
func (s *CodeStore) DeleteUserCodes(ctx context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error) {
	return measure(s.deleteUser, func() (int, error) { return s.next.DeleteUserCodes(ctx, user, purpose) })
}

// RateLimiter is a ports.RateLimiter whose calls are timed and whose failures are counted.
type RateLimiter struct {
	next               ports.RateLimiter
	wait, take, cancel op
}

var _ ports.RateLimiter = (*RateLimiter)(nil)

// RateLimiter returns next, measured as port "throttle" on the named backend.
func (m *Metrics) RateLimiter(next ports.RateLimiter, backend string) *RateLimiter {
	const port = "throttle"
	return &RateLimiter{next: next, wait: m.op(port, backend, "wait"), take: m.op(port, backend, "take"),
		cancel: m.op(port, backend, "cancel")}
}

// Wait implements ports.RateLimiter.
func (l *RateLimiter) Wait(ctx context.Context, key string, rate domain.Rate) (time.Duration, error) {
	return measure(l.wait, func() (time.Duration, error) { return l.next.Wait(ctx, key, rate) })
}

// Take implements ports.RateLimiter.
func (l *RateLimiter) Take(ctx context.Context, key string, rate domain.Rate) (time.Duration, error) {
	return measure(l.take, func() (time.Duration, error) { return l.next.Take(ctx, key, rate) })
}

// Cancel implements ports.RateLimiter.
func (l *RateLimiter) Cancel(ctx context.Context, key string, rate domain.Rate) error {
	return measureErr(l.cancel, func() error { return l.next.Cancel(ctx, key, rate) })
}
