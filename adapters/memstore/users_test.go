package memstore_test

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
)

func TestUserStoreCreateAndFind(t *testing.T) {
	s := memstore.NewUserStore()
	for i, name := range []string{"alice", "bob"} {
		in := domain.User{ID: 42, Username: name, Email: name + "@example.com", PasswordHash: "h", IsActive: true, DateJoined: t0}
		got, err := s.CreateUser(ctx, in, domain.EmailShared)
		if err != nil {
			t.Fatalf("CreateUser(%s): %v", name, err)
		}
		want := in
		want.ID = domain.UserID(i + 1)
		if got != want {
			t.Errorf("CreateUser(%s) = %+v, want %+v", name, got, want)
		}
		if u, err := s.UserByID(ctx, want.ID); err != nil || u != want {
			t.Errorf("UserByID(%d) = %+v, %v; want %+v", want.ID, u, err, want)
		}
		if u, err := s.UserByUsername(ctx, name); err != nil || u != want {
			t.Errorf("UserByUsername(%s) = %+v, %v; want %+v", name, u, err, want)
		}
	}
}

func TestUserStoreUsernameKey(t *testing.T) {
	tests := []struct {
		username string
		same     bool
	}{
		{"Alice", true},
		{"alice", true},
		{"ALICE", true},
		{"Ａｌｉｃｅ", true}, // full-width, folded by NFKC
		{"ａｌｉｃｅ", true},
		{"Alicia", false},
		{"Alice2", false},
	}
	for _, tt := range tests {
		t.Run(tt.username, func(t *testing.T) {
			s := memstore.NewUserStore()
			alice, err := s.CreateUser(ctx, domain.User{Username: "Alice"}, domain.EmailShared)
			if err != nil {
				t.Fatal(err)
			}
			u, err := s.UserByUsername(ctx, tt.username)
			switch {
			case tt.same && (err != nil || u != alice):
				t.Errorf("UserByUsername = %+v, %v; want %+v", u, err, alice)
			case !tt.same && !errors.Is(err, domain.ErrNotFound):
				t.Errorf("UserByUsername = %+v, %v; want ErrNotFound", u, err)
			}
			_, err = s.CreateUser(ctx, domain.User{Username: tt.username}, domain.EmailShared)
			switch {
			case tt.same && !errors.Is(err, domain.ErrUsernameTaken):
				t.Errorf("CreateUser = %v, want ErrUsernameTaken", err)
			case !tt.same && err != nil:
				t.Errorf("CreateUser = %v, want success", err)
			}
		})
	}
}

func TestUserStoreNotFound(t *testing.T) {
	s := memstore.NewUserStore()
	if _, err := s.CreateUser(ctx, domain.User{Username: "alice"}, domain.EmailShared); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UserByID(ctx, 0); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(0) = %v, want ErrNotFound", err)
	}
	if _, err := s.UserByID(ctx, 2); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(2) = %v, want ErrNotFound", err)
	}
	if _, err := s.UserByUsername(ctx, "bob"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByUsername(bob) = %v, want ErrNotFound", err)
	}
	if err := s.SetPasswordHash(ctx, 2, "", "h"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetPasswordHash(2) = %v, want ErrNotFound", err)
	}
}

func TestUserStoreSetPasswordHash(t *testing.T) {
	s := memstore.NewUserStore()
	u, err := s.CreateUser(ctx, domain.User{Username: "alice", PasswordHash: "old"}, domain.EmailShared)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPasswordHash(ctx, u.ID, "stale", "new"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetPasswordHash with a stale old hash = %v, want ErrNotFound", err)
	}
	if err := s.SetPasswordHash(ctx, u.ID, "old", "new"); err != nil {
		t.Fatal(err)
	}
	got, err := s.UserByUsername(ctx, "alice")
	if err != nil || got.PasswordHash != "new" {
		t.Errorf("after SetPasswordHash: %+v, %v; want PasswordHash new", got, err)
	}
	got.PasswordHash = "changed by caller"
	if again, _ := s.UserByID(ctx, u.ID); again.PasswordHash != "new" {
		t.Errorf("changing a returned user changed the store: %q", again.PasswordHash)
	}
}

func TestUserStoreConcurrentCreateSameUsername(t *testing.T) {
	s := memstore.NewUserStore()
	forms := []string{"carol", "Carol", "CAROL", "Ｃａｒｏｌ"}
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.CreateUser(ctx, domain.User{Username: forms[i%len(forms)]}, domain.EmailShared)
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, domain.ErrUsernameTaken):
			t.Errorf("CreateUser = %v, want nil or ErrUsernameTaken", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d creations succeeded, want 1", wins)
	}
}

func TestUserStoreConcurrentCreateDistinctIDs(t *testing.T) {
	s := memstore.NewUserStore()
	const n = 50
	var wg sync.WaitGroup
	got := make([]int, n)
	for i := range n {
		wg.Go(func() {
			u, err := s.CreateUser(ctx, domain.User{Username: fmt.Sprint("user", i)}, domain.EmailShared)
			if err != nil {
				t.Error(err)
			}
			got[i] = int(u.ID)
		})
	}
	wg.Wait()
	sort.Ints(got)
	for i, id := range got {
		if id != i+1 {
			t.Fatalf("ids = %v, want 1..%d", got, n)
		}
	}
}
