package redisstore_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
)

// TestStaleUsernameClaimIsTakenOver: DeleteUser removes the user's hash and then its name
// claim, on two Cluster slots. Should it stop in between, the claim names an ID without a
// user; the name must still be free, for lookups and for signing up again.
func TestStaleUsernameClaimIsTakenOver(t *testing.T) {
	c, rdb, prefix := openOnServer(t)
	users := redisstore.NewUserStore(c)

	old, err := users.CreateUser(t.Context(), domain.User{Username: "Carol", PasswordHash: "h", IsActive: true}, domain.EmailShared)
	if err != nil {
		t.Fatal(err)
	}
	// Half a DeleteUser: the hash is gone, the claim is left.
	if err := rdb.Del(t.Context(), fmt.Sprintf("%s{u:%d}:user", prefix, old.ID)).Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := rdb.Exists(t.Context(), prefix+"username:"+domain.UsernameKey("Carol")).Result(); n != 1 {
		t.Fatal("the test no longer matches the key layout: no claim key found")
	}
	if _, err := users.UserByUsername(t.Context(), "carol"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByUsername behind a stale claim = %v, want domain.ErrNotFound", err)
	}
	again, err := users.CreateUser(t.Context(), domain.User{Username: "CAROL", PasswordHash: "h2", IsActive: true}, domain.EmailShared)
	if err != nil {
		t.Fatalf("CreateUser over a stale claim = %v, want success", err)
	}
	if got, err := users.UserByUsername(t.Context(), "carol"); err != nil || got.ID != again.ID {
		t.Errorf("UserByUsername = ID %d, %v; want the new user %d", got.ID, err, again.ID)
	}
	// The rest of the interrupted delete must not release the new owner's name.
	if err := users.DeleteUser(t.Context(), old.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteUser(old) = %v, want domain.ErrNotFound", err)
	}
	if _, err := users.CreateUser(t.Context(), domain.User{Username: "carol", PasswordHash: "h3", IsActive: true}, domain.EmailShared); !errors.Is(err, domain.ErrUsernameTaken) {
		t.Errorf("CreateUser while the new user holds the name = %v, want domain.ErrUsernameTaken", err)
	}
}
