package redisstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
)

// TestAnyFactorsSkipsStaleEntries: DeleteTOTP removes the factor's hash and then the user's
// entry in totp_users, on two Cluster slots. Should it stop in between, the entry names a
// user without a factor, and AnyFactors must not count it.
func TestAnyFactorsSkipsStaleEntries(t *testing.T) {
	c, rdb, prefix := openOnServer(t)
	factors := redisstore.NewFactorStore(c)

	if err := factors.PutTOTP(t.Context(), domain.TOTPFactor{UserID: 7, Sealed: []byte("s"), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	// Half a DeleteTOTP: the hash is gone, the entry is left.
	if err := rdb.Del(t.Context(), fmt.Sprintf("%s{u:%d}:totp", prefix, 7)).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.SCard(t.Context(), prefix+"totp_users").Result(); err != nil || n != 1 {
		t.Fatalf("totp_users holds %d entries (%v), want the stale one", n, err)
	}
	if any, err := factors.AnyFactors(t.Context()); err != nil || any {
		t.Errorf("AnyFactors with only a stale entry = %t, %v; want false", any, err)
	}
	if err := factors.PutTOTP(t.Context(), domain.TOTPFactor{UserID: 8, Sealed: []byte("s"), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if any, err := factors.AnyFactors(t.Context()); err != nil || !any {
		t.Errorf("AnyFactors with a stale entry and a factor = %t, %v; want true", any, err)
	}
}
