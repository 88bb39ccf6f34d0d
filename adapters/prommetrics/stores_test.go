package prommetrics_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

type clock struct{}

func (clock) Now() time.Time { return time.Now() }

func storeLabels(port, backend, op string) map[string]string {
	return map[string]string{"port": port, "backend": backend, "op": op}
}

// TestUserStoreIsMeasured: every call is timed under its port, backend and operation, and
// the port's own answers (not found, username taken) are not errors.
func TestUserStoreIsMeasured(t *testing.T) {
	m := prommetrics.New()
	g := m.Gatherer()
	users := m.UserStore(memstore.NewUserStore(), "memory")
	ctx := t.Context()
	alice, err := users.CreateUser(ctx, domain.User{Username: "alice", PasswordHash: "h1", IsActive: true}, domain.EmailShared)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.CreateUser(ctx, domain.User{Username: "ALICE"}, domain.EmailShared); !errors.Is(err, domain.ErrUsernameTaken) {
		t.Fatalf("second alice: %v, want ErrUsernameTaken", err)
	}
	if got, err := users.UserByID(ctx, alice.ID); err != nil || got.Username != "alice" {
		t.Fatalf("UserByID through the decorator = %+v, %v", got, err)
	}
	if _, err := users.UserByUsername(ctx, "bob"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("UserByUsername(bob): %v, want ErrNotFound", err)
	}
	if err := users.SetPasswordHash(ctx, alice.ID, "h1", "h2"); err != nil {
		t.Fatal(err)
	}
	if got, err := users.ImportUser(ctx, domain.User{ID: 42, Username: "carol"}, domain.EmailShared); err != nil || got.ID != 42 {
		t.Fatalf("ImportUser through the decorator = %+v, %v", got, err)
	}
	if _, err := users.ImportUser(ctx, domain.User{ID: alice.ID, Username: "dave"}, domain.EmailShared); !errors.Is(err, domain.ErrUserIDTaken) {
		t.Fatalf("ImportUser of alice's ID: %v, want ErrUserIDTaken", err)
	}

	for op, calls := range map[string]float64{"create": 2, "import": 2, "by_id": 1, "by_username": 1, "set_password_hash": 1} {
		expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("users", "memory", op), calls)
		expect(t, g, "gatehouse_store_errors_total", storeLabels("users", "memory", op), 0)
	}
}

// downUsers is a user store whose backend is unreachable.
type downUsers struct{ ports.UserStore }

var errDown = fmt.Errorf("%w: connection refused", domain.ErrUnavailable)

func (downUsers) UserByUsername(context.Context, string) (domain.User, error) {
	return domain.User{}, errDown
}

func TestStoreErrorsAreCounted(t *testing.T) {
	m := prommetrics.New()
	users := m.UserStore(downUsers{memstore.NewUserStore()}, "mysql")
	for range 3 {
		if _, err := users.UserByUsername(t.Context(), "alice"); !errors.Is(err, errDown) {
			t.Fatalf("UserByUsername: %v, want the store's error unchanged", err)
		}
	}
	expect(t, m.Gatherer(), "gatehouse_store_errors_total", storeLabels("users", "mysql", "by_username"), 3)
	expect(t, m.Gatherer(), "gatehouse_store_call_duration_seconds", storeLabels("users", "mysql", "by_username"), 3)
}

// TestCredentialStoresAreMeasured runs each session, token and throttle operation once
// through its decorator over a memory store.
func TestCredentialStoresAreMeasured(t *testing.T) {
	m := prommetrics.New()
	g := m.Gatherer()
	ctx := t.Context()
	now := time.Now()
	sessions := m.SessionStore(memstore.NewSessionStore(clock{}), "redis")
	tokens := m.TokenStore(memstore.NewTokenStore(clock{}), "mysql")
	limiter := m.RateLimiter(memstore.NewRateLimiter(clock{}), "memory")

	sh, th := domain.HashSecret("gts_session"), domain.HashSecret("gth_token")
	s := domain.Session{ID: "s1", UserID: 1, SecretHash: sh, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	tok := domain.Token{ID: "t1", UserID: 1, SecretHash: th, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	steps := []struct {
		name string
		run  func() error
	}{
		{"session create", func() error { return sessions.CreateSession(ctx, s) }},
		{"session by hash", func() error { _, err := sessions.SessionByHash(ctx, sh); return err }},
		{"session touch", func() error { return sessions.TouchSession(ctx, sh, now, now.Add(time.Hour)) }},
		{"sessions by user", func() error { _, err := sessions.SessionsByUser(ctx, 1); return err }},
		{"session delete", func() error { return sessions.DeleteSession(ctx, 1, "s1") }},
		{"sessions delete user", func() error { _, err := sessions.DeleteUserSessions(ctx, 1, ""); return err }},
		{"token create", func() error { return tokens.CreateToken(ctx, tok) }},
		{"token by hash", func() error { _, err := tokens.TokenByHash(ctx, th); return err }},
		{"token touch", func() error { return tokens.TouchToken(ctx, th, now) }},
		{"tokens by user", func() error { _, err := tokens.TokensByUser(ctx, 1); return err }},
		{"token delete", func() error { return tokens.DeleteToken(ctx, 1, "t1") }},
		{"tokens delete user", func() error { _, err := tokens.DeleteUserTokens(ctx, 1, ""); return err }},
		{"throttle take", func() error { _, err := limiter.Take(ctx, "k", domain.Rate{Events: 5, Per: time.Minute}); return err }},
		{"throttle wait", func() error { _, err := limiter.Wait(ctx, "k", domain.Rate{Events: 5, Per: time.Minute}); return err }},
		{"throttle cancel", func() error { return limiter.Cancel(ctx, "k", domain.Rate{Events: 5, Per: time.Minute}) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	for _, op := range []string{"create", "by_hash", "touch", "by_user", "delete", "delete_user"} {
		expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("sessions", "redis", op), 1)
		expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("tokens", "mysql", op), 1)
	}
	expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("throttle", "memory", "take"), 1)
	expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("throttle", "memory", "wait"), 1)
	expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("throttle", "memory", "cancel"), 1)
}

// TestCodeStoreIsMeasured runs each code operation through its decorator; a consumed code
// consumed again is the port's answer, not an error.
func TestCodeStoreIsMeasured(t *testing.T) {
	m := prommetrics.New()
	g := m.Gatherer()
	ctx := t.Context()
	now := time.Now()
	codes := m.CodeStore(memstore.NewCodeStore(clock{}), "redis")
	c := domain.OneTimeCode{Purpose: domain.PurposePasswordReset, UserID: 1, Hash: domain.HashSecret("code"),
		Email: "a@example.org", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := codes.CreateCode(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, err := codes.ConsumeCode(ctx, c.Purpose, c.Hash); err != nil || got.Email != c.Email {
		t.Fatalf("ConsumeCode through the decorator = %+v, %v", got, err)
	}
	if _, err := codes.ConsumeCode(ctx, c.Purpose, c.Hash); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("second ConsumeCode: %v, want ErrNotFound", err)
	}
	if _, err := codes.DeleteUserCodes(ctx, 1, ""); err != nil {
		t.Fatal(err)
	}
	for op, calls := range map[string]float64{"create": 1, "consume": 2, "delete_user": 1} {
		expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("codes", "redis", op), calls)
		expect(t, g, "gatehouse_store_errors_total", storeLabels("codes", "redis", op), 0)
	}
}
