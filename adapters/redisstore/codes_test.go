package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
)

// TestCodeWithoutDataFromBefore: a code record written before codes had Data (four
// netstrings: user id, creation, purpose, email) is still consumed after the upgrade, whole
// and without Data.
func TestCodeWithoutDataFromBefore(t *testing.T) {
	c, rdb, prefix := openOnServer(t)
	codes := redisstore.NewCodeStore(c, clock{})
	ctx := context.Background()
	now := clock{}.Now()
	want := domain.OneTimeCode{Purpose: domain.PurposePasswordReset, UserID: 42, Hash: domain.HashSecret("old code"),
		Email: "zoë@example.org", CreatedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour)}
	pad := func(t time.Time) string { return fmt.Sprintf("%018s", micros(t)) }
	ns := func(s string) string { return fmt.Sprintf("%d:%s", len(s), s) }
	rec := pad(want.ExpiresAt) + " " + pad(time.Time{}) + " " +
		ns("42") + ns(micros(want.CreatedAt)) + ns(string(want.Purpose)) + ns(want.Email)
	if err := rdb.Set(ctx, prefix+"code:"+want.Hash.Hex(), rec, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	rdb.ZAdd(ctx, prefix+"{u:42}:codes", redis.Z{Score: float64(want.ExpiresAt.UnixMicro()),
		Member: string(want.Purpose) + ":" + want.Hash.Hex()})

	got, err := codes.ConsumeCode(ctx, want.Purpose, want.Hash)
	if err != nil {
		t.Fatalf("ConsumeCode = %v, want the code", err)
	}
	if got.UserID != want.UserID || got.Email != want.Email || got.Data != nil ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ConsumeCode = %+v, want %+v", got, want)
	}
	if n, err := rdb.Exists(ctx, prefix+"code:"+want.Hash.Hex()).Result(); err != nil || n != 0 {
		t.Errorf("the record is still there after ConsumeCode: %d, %v", n, err)
	}
}

// TestCodeOfNoUserIsNotIndexed: the ceremony of a passkey login belongs to no user yet; its
// code is kept and consumed like any other, but adds nothing to an index that every passkey
// login would write to.
func TestCodeOfNoUserIsNotIndexed(t *testing.T) {
	c, rdb, prefix := openOnServer(t)
	codes := redisstore.NewCodeStore(c, clock{})
	ctx := context.Background()
	now := clock{}.Now()
	code := domain.OneTimeCode{Purpose: domain.PurposePasskeyLogin, Hash: domain.HashSecret("challenge"),
		Data: []byte("state"), CreatedAt: now, ExpiresAt: now.Add(domain.PasskeyCeremonyTTL)}
	if err := codes.CreateCode(ctx, code); err != nil {
		t.Fatal(err)
	}
	if n, err := rdb.Exists(ctx, prefix+"{u:0}:codes").Result(); err != nil || n != 0 {
		t.Errorf("an index of user 0 exists: %d, %v", n, err)
	}
	got, err := codes.ConsumeCode(ctx, code.Purpose, code.Hash)
	if err != nil || string(got.Data) != "state" {
		t.Fatalf("ConsumeCode = %+v, %v", got, err)
	}
}
