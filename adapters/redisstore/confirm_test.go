package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// stores are the stores of one client, on the master or read from its replica.
type stores struct {
	users    *redisstore.UserStore
	sessions *redisstore.SessionStore
	tokens   *redisstore.TokenStore
	codes    *redisstore.CodeStore
	factors  *redisstore.FactorStore
}

func openStores(t testing.TB, cfg redisstore.Config) stores {
	t.Helper()
	c, closeClient, err := redisstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeClient)
	return stores{users: redisstore.NewUserStore(c), sessions: redisstore.NewSessionStore(c, clock{}),
		tokens: redisstore.NewTokenStore(c, clock{}), codes: redisstore.NewCodeStore(c, clock{}),
		factors: redisstore.NewFactorStore(c)}
}

// TestRevocationsWaitForTheReplica: a revocation returns only once the replica holds it, so
// the replica a failover promotes can never bring the credential back. While the replica
// lags, the revocation fails with ErrUnavailable (a 503), and so does a retry, sent to
// another instance, that finds nothing left to delete on the master; once the replica
// answers, the retry succeeds and the replica holds the revocation the moment it returns.
func TestRevocationsWaitForTheReplica(t *testing.T) {
	master, replica := testenv.RedisReplicated(t)
	cfg := redisstore.Config{URL: "redis://" + master.Addr, Prefix: "confirm:", Timeout: 5 * time.Second,
		RevokeReplicas: 1, RevokeTimeout: 200 * time.Millisecond}
	s := openStores(t, cfg)
	// Another instance, whose connections have written nothing yet.
	other := openStores(t, cfg)
	cfg.URL = "redis://" + replica.Addr
	onReplica := openStores(t, cfg)
	replicaRaw := redis.NewClient(&redis.Options{Addr: replica.Addr})
	t.Cleanup(func() { _ = replicaRaw.Close() })
	ctx := context.Background()
	now := clock{}.Now()

	user := func(t *testing.T, name string) domain.User {
		u, err := s.users.CreateUser(ctx, domain.User{Username: name, Email: name + "@example.com",
			PasswordHash: "old", IsActive: true, DateJoined: now}, domain.EmailShared)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	session := func(t *testing.T, u domain.User, secret string) domain.SecretHash {
		h := domain.HashSecret(secret)
		if err := s.sessions.CreateSession(ctx, domain.Session{ID: secret, UserID: u.ID, SecretHash: h,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	token := func(t *testing.T, u domain.User, secret string) domain.SecretHash {
		h := domain.HashSecret(secret)
		if err := s.tokens.CreateToken(ctx, domain.Token{ID: secret, UserID: u.ID, Name: "t", SecretHash: h,
			CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	sessionGone := func(h domain.SecretHash) func() bool {
		return func() bool {
			_, err := onReplica.sessions.SessionByHash(ctx, h)
			return errors.Is(err, domain.ErrNotFound)
		}
	}
	tokenGone := func(h domain.SecretHash) func() bool {
		return func() bool { _, err := onReplica.tokens.TokenByHash(ctx, h); return errors.Is(err, domain.ErrNotFound) }
	}
	userIs := func(id domain.UserID, ok func(domain.User, error) bool) func() bool {
		return func() bool { return ok(onReplica.users.UserByID(ctx, id)) }
	}

	// What a second factor or a code leaves behind once used or removed.
	factor := func(t *testing.T, u domain.User) {
		if err := s.factors.PutTOTP(ctx, domain.TOTPFactor{UserID: u.ID, Sealed: []byte("sealed"),
			Confirmed: true, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	totpIs := func(id domain.UserID, ok func(domain.TOTPFactor, error) bool) func() bool {
		return func() bool { return ok(onReplica.factors.TOTP(ctx, id)) }
	}
	tests := []struct {
		name string
		// plant stores what revoke takes away, and returns revoke, by an instance's
		// stores, and the check, on the replica, that it is gone.
		plant func(t *testing.T) (revoke func(stores) error, revoked func() bool)
	}{
		{"logout", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "logout")
			h := session(t, u, "s1")
			return func(s stores) error { return s.sessions.DeleteSession(ctx, u.ID, "s1") }, sessionGone(h)
		}},
		{"every other session", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "sessions")
			a, b := session(t, u, "s1"), session(t, u, "s2")
			return func(s stores) error { _, err := s.sessions.DeleteUserSessions(ctx, u.ID, "keep"); return err },
				func() bool { return sessionGone(a)() && sessionGone(b)() }
		}},
		{"token revocation", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "token")
			h := token(t, u, "t1")
			return func(s stores) error { return s.tokens.DeleteToken(ctx, u.ID, "t1") }, tokenGone(h)
		}},
		{"every token", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "tokens")
			h := token(t, u, "t1")
			return func(s stores) error { _, err := s.tokens.DeleteUserTokens(ctx, u.ID, ""); return err }, tokenGone(h)
		}},
		{"password change", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "password")
			return func(s stores) error { return s.users.SetPasswordHash(ctx, u.ID, "old", "new") },
				userIs(u.ID, func(u domain.User, err error) bool { return err == nil && u.PasswordHash == "new" })
		}},
		{"deactivation", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "inactive")
			return func(s stores) error { return s.users.SetActive(ctx, u.ID, false) },
				userIs(u.ID, func(u domain.User, err error) bool { return err == nil && !u.IsActive })
		}},
		{"deletion", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "deleted")
			return func(s stores) error { return s.users.DeleteUser(ctx, u.ID) },
				userIs(u.ID, func(_ domain.User, err error) bool { return errors.Is(err, domain.ErrNotFound) })
		}},
		{"code use", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "code")
			h := domain.HashSecret("reset")
			if err := s.codes.CreateCode(ctx, domain.OneTimeCode{Purpose: domain.PurposePasswordReset,
				UserID: u.ID, Hash: h, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			return func(s stores) error { _, err := s.codes.ConsumeCode(ctx, domain.PurposePasswordReset, h); return err },
				func() bool { return replicaRaw.Exists(ctx, "confirm:code:"+h.Hex()).Val() == 0 }
		}},
		{"TOTP code use", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "totp")
			factor(t, u)
			return func(s stores) error { _, err := s.factors.UseTOTPStep(ctx, u.ID, 7, now); return err },
				totpIs(u.ID, func(f domain.TOTPFactor, err error) bool { return err == nil && f.LastStep == 7 })
		}},
		{"TOTP removal", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "untotp")
			factor(t, u)
			return func(s stores) error { return s.factors.DeleteTOTP(ctx, u.ID) },
				totpIs(u.ID, func(_ domain.TOTPFactor, err error) bool { return errors.Is(err, domain.ErrNotFound) })
		}},
		{"passkey removal", func(t *testing.T) (func(stores) error, func() bool) {
			u := user(t, "passkey")
			id := []byte("credential")
			if err := s.factors.AddPasskey(ctx, domain.Passkey{UserID: u.ID, CredentialID: id, Name: "key",
				CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			return func(s stores) error { return s.factors.DeletePasskey(ctx, u.ID, id) },
				func() bool { p, err := onReplica.factors.Passkeys(ctx, u.ID); return err == nil && len(p) == 0 }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			revoke, revoked := tt.plant(t)
			replica.Pause(t)
			paused := true
			defer func() {
				if paused {
					replica.Resume(t)
				}
			}()
			if err := revoke(s); !errors.Is(err, domain.ErrUnavailable) {
				t.Fatalf("with the replica stalled: err = %v, want ErrUnavailable", err)
			}
			if err := revoke(other); !errors.Is(err, domain.ErrUnavailable) {
				t.Fatalf("retry on another instance with the replica stalled: err = %v, want ErrUnavailable", err)
			}
			replica.Resume(t)
			paused = false
			// The first try may have done its work on the master: the retry then finds
			// nothing to do, which is ErrNotFound, or nil for a revoke-all. A replica
			// catching up on a busy machine may miss a deadline or two, as a client
			// retrying on 503 would see.
			err := revoke(other)
			for try := 0; errors.Is(err, domain.ErrUnavailable) && try < 50; try++ {
				err = revoke(other)
			}
			if err != nil && !errors.Is(err, domain.ErrNotFound) {
				t.Fatalf("retry with the replica back: err = %v", err)
			}
			if !revoked() {
				t.Error("the replica does not hold the revocation that returned")
			}
		})
	}
}

// BenchmarkRevoke measures a token revocation on a master with one replica, answered at once
// and confirmed by the replica: the latency a confirmed revocation adds.
func BenchmarkRevoke(b *testing.B) {
	master, _ := testenv.RedisReplicated(b)
	for _, replicas := range []int{0, 1} {
		b.Run(fmt.Sprintf("replicas=%d", replicas), func(b *testing.B) {
			s := openStores(b, redisstore.Config{URL: "redis://" + master.Addr, Prefix: "bench:",
				Timeout: 5 * time.Second, RevokeReplicas: replicas, RevokeTimeout: time.Second})
			ctx := context.Background()
			now := clock{}.Now()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				id := strconv.Itoa(i)
				if err := s.tokens.CreateToken(ctx, domain.Token{ID: id, UserID: 1, Name: "t",
					SecretHash: domain.HashSecret(id), CreatedAt: now}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := s.tokens.DeleteToken(ctx, 1, id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
