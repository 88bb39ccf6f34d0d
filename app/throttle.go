package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Throttle holds the rates that slow brute force and signup floods. Failed logins are
// counted per (username, client IP), so one attacker cannot lock a user out from everywhere,
// and per client IP, so one address cannot try many users. A zero rate is off.
type Throttle struct {
	LoginUser domain.Rate
	LoginIP   domain.Rate
	SignupIP  domain.Rate
}

// DefaultThrottle is 5 failed logins a minute per user and address, 100 per address, and 20
// signups an hour per address.
func DefaultThrottle() Throttle {
	return Throttle{
		LoginUser: domain.Rate{Events: 5, Per: time.Minute},
		LoginIP:   domain.Rate{Events: 100, Per: time.Minute},
		SignupIP:  domain.Rate{Events: 20, Per: time.Hour},
	}
}

// throttleKey names a counter. Parts are hashed, so a hostile username cannot make a huge
// or oddly shaped key, and the store never holds the username or address in clear.
func throttleKey(kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return kind + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// loginKeys are the counters a failed login for username from ip adds to.
func loginKeys(t Throttle, username, ip string) []struct {
	key  string
	rate domain.Rate
} {
	return []struct {
		key  string
		rate domain.Rate
	}{
		{throttleKey("login-user", domain.UsernameKey(username), ip), t.LoginUser},
		{throttleKey("login-ip", ip), t.LoginIP},
	}
}

// loginWait reports how long logins for username from ip are held back, checking without
// recording, so a throttled request costs no password hash.
func loginWait(ctx context.Context, l ports.RateLimiter, t Throttle, username, ip string) error {
	for _, k := range loginKeys(t, username, ip) {
		if k.rate.Off() {
			continue
		}
		wait, err := l.Wait(ctx, k.key, k.rate)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &domain.RateLimitedError{RetryAfter: wait}
		}
	}
	return nil
}

// loginFailed counts a failed login. A success counts nothing and resets nothing, so a
// success from one address does not clear the failures of another.
func loginFailed(ctx context.Context, l ports.RateLimiter, t Throttle, username, ip string) error {
	for _, k := range loginKeys(t, username, ip) {
		if k.rate.Off() {
			continue
		}
		if _, err := l.Take(ctx, k.key, k.rate); err != nil {
			return err
		}
	}
	return nil
}
