package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

func TestOpenRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		cfg  redisstore.Config
		want string
	}{
		{"no address", redisstore.Config{}, "GATEHOUSE_REDIS_URL or GATEHOUSE_REDIS_ADDRS"},
		{"bad URL", redisstore.Config{URL: "http://user:hunter2@x"}, "not a valid"},
		{"braces in prefix", redisstore.Config{URL: "redis://127.0.0.1:6379", Prefix: "a{b}"}, "prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := redisstore.Open(context.Background(), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q echoes a password", err)
			}
		})
	}
}

func TestOpenFailsOnUnreachableServer(t *testing.T) {
	_, _, err := redisstore.Open(context.Background(), redisstore.Config{URL: "redis://127.0.0.1:1/0", Timeout: time.Second})
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
}

// TestOutageIsUnavailable: once the connection is gone every store call reports
// ErrUnavailable, which the HTTP adapter answers with 503.
func TestOutageIsUnavailable(t *testing.T) {
	url := testenv.RedisURL(t)
	c, closeClient, err := redisstore.Open(context.Background(), redisstore.Config{
		URL: url, Prefix: testenv.RedisPrefix(t, url, nil), Timeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	users := redisstore.NewUserStore(c)
	tokens := redisstore.NewTokenStore(c, clock{})
	factors := redisstore.NewFactorStore(c)
	closeClient()
	checkPasskeysUnavailable(t, factors)
	if _, err := users.UserByUsername(context.Background(), "alice"); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("UserByUsername err = %v, want ErrUnavailable", err)
	}
	if _, err := tokens.TokenByHash(context.Background(), domain.HashSecret("x")); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("TokenByHash err = %v, want ErrUnavailable", err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, domain.ErrUnavailable) {
		t.Errorf("Ping err = %v, want ErrUnavailable", err)
	}
}

type clock struct{}

func (clock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// openOnServer opens a client on a fresh key prefix of the test server, and a plain client on
// the same server to look at and plant raw keys under that prefix.
func openOnServer(t *testing.T) (c *redisstore.Client, raw *redis.Client, prefix string) {
	t.Helper()
	url := testenv.RedisURL(t)
	prefix = testenv.RedisPrefix(t, url, nil)
	c, closeClient, err := redisstore.Open(context.Background(), redisstore.Config{URL: url, Prefix: prefix, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeClient)
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	raw = redis.NewClient(opts)
	t.Cleanup(func() { _ = raw.Close() })
	return c, raw, prefix
}

// checkPasskeysUnavailable fails unless every passkey call, and the deletion of a user's
// factors, reports ErrUnavailable: never ErrNotFound, ErrPasskeyExists or
// ErrTooManyPasskeys, which would tell the caller something about the account.
func checkPasskeysUnavailable(t *testing.T, s *redisstore.FactorStore) {
	t.Helper()
	ctx := context.Background()
	id := []byte("credential")
	for name, call := range map[string]func() error{
		"AddPasskey": func() error {
			return s.AddPasskey(ctx, domain.Passkey{UserID: 1, CredentialID: id, Name: "key", CreatedAt: time.Now()})
		},
		"Passkeys":          func() error { _, err := s.Passkeys(ctx, 1); return err },
		"UsePasskey":        func() error { return s.UsePasskey(ctx, 1, id, nil, time.Now()) },
		"DeletePasskey":     func() error { return s.DeletePasskey(ctx, 1, id) },
		"DeleteUserFactors": func() error { return s.DeleteUserFactors(ctx, 1) },
	} {
		if err := call(); !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("%s err = %v, want ErrUnavailable", name, err)
		}
	}
}
