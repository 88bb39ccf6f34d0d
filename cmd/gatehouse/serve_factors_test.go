package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// TestServeRefusesFactorsWithoutKey: a user store in Redis that holds a factor, and no
// GATEHOUSE_SECRET_KEY: serve stops before listening and says why.
func TestServeRefusesFactorsWithoutKey(t *testing.T) {
	url := testenv.RedisURL(t)
	prefix := testenv.RedisPrefix(t, url, nil)
	c, closeClient, err := redisstore.Open(t.Context(), redisstore.Config{URL: url, Prefix: prefix, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer closeClient()
	err = redisstore.NewFactorStore(c).PutTOTP(t.Context(), domain.TOTPFactor{UserID: 1, Sealed: []byte("s"), CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	// Should serve start after all, the deadline stops it and the test fails on its exit code.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var out, errOut strings.Builder
	env := map[string]string{"GATEHOUSE_USER_STORE": "redis", "GATEHOUSE_REDIS_URL": url, "GATEHOUSE_REDIS_PREFIX": prefix,
		"GATEHOUSE_ADDR": "127.0.0.1:0"}
	code := execute(ctx, []string{"serve"}, environOf(env), &typist{Reader: strings.NewReader("")}, &out, &errOut)
	if code != exitFailure || !strings.Contains(errOut.String(), "GATEHOUSE_SECRET_KEY is not set") ||
		strings.Contains(out.String(), "listening") {
		t.Errorf("serve: exit %d, stdout %q, stderr %q; want exit %d naming GATEHOUSE_SECRET_KEY, before listening",
			code, out.String(), errOut.String(), exitFailure)
	}
}
