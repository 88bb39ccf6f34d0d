package contract

import (
	"errors"
	"math"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// runUserDelete runs the cases of UserStore.DeleteUser. The rule they hold every store to: a
// deleted user is gone for every lookup and listing at once, its username is free again at
// once, and its ID is never handed out again (credentials and caches name users by ID).
func runUserDelete(t *testing.T, f Factory) {
	t.Run("delete removes the user and only it", func(t *testing.T) { userDelete(t, f) })
	t.Run("delete of a missing user", func(t *testing.T) { userDeleteMissing(t, f) })
	t.Run("deleted username can be created again with a new ID", func(t *testing.T) { userDeleteRecreate(t, f) })
	t.Run("list omits a deleted user", func(t *testing.T) { userDeleteList(t, f) })
	t.Run("concurrent deletes of one user", func(t *testing.T) { userConcurrentDelete(t, f) })
	t.Run("concurrent delete and creation of one username", func(t *testing.T) { userConcurrentDeleteCreate(t, f) })
}

// checkGone fails unless every lookup and change of u, by its ID and by each of spellings of
// its username, reports domain.ErrNotFound.
func checkGone(t *testing.T, s ports.UserStore, u domain.User, spellings ...string) {
	t.Helper()
	if got, err := s.UserByID(t.Context(), u.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(%d) of a deleted user = %+v, %v; want domain.ErrNotFound", u.ID, got, err)
	}
	for _, name := range append(spellings, u.Username) {
		if got, err := s.UserByUsername(t.Context(), name); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UserByUsername(%q) of a deleted user = %+v, %v; want domain.ErrNotFound", name, got, err)
		}
	}
	if err := s.SetActive(t.Context(), u.ID, true); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetActive of a deleted user = %v, want domain.ErrNotFound", err)
	}
	if err := s.SetPasswordHash(t.Context(), u.ID, u.PasswordHash, bcryptHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetPasswordHash of a deleted user = %v, want domain.ErrNotFound", err)
	}
	// Neither change may have brought the user back.
	if _, err := s.UserByID(t.Context(), u.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(%d) after changing a deleted user = %v, want domain.ErrNotFound", u.ID, err)
	}
}

func userDelete(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("Alice")))
	bob := mustCreateUser(t, s, newUser(ns.name("bob")))
	if err := s.DeleteUser(t.Context(), alice.ID); err != nil {
		t.Fatalf("DeleteUser(%d) error = %v", alice.ID, err)
	}
	checkGone(t, s, alice, ns.name("alice"), ns.name("ＡＬＩＣＥ"))
	checkUser(t, s, bob)
}

func userDeleteMissing(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	for _, id := range []domain.UserID{0, math.MaxInt64} {
		if err := s.DeleteUser(t.Context(), id); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("DeleteUser(%d) = %v, want domain.ErrNotFound", id, err)
		}
	}
	if err := s.DeleteUser(t.Context(), alice.ID); err != nil {
		t.Fatalf("DeleteUser(%d) error = %v", alice.ID, err)
	}
	if err := s.DeleteUser(t.Context(), alice.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteUser(%d) twice = %v, want domain.ErrNotFound", alice.ID, err)
	}
}

// userDeleteRecreate deletes the newest user, whose ID a careless store would hand out next,
// and signs its name up again in another spelling.
func userDeleteRecreate(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	old := mustCreateUser(t, s, newUser(ns.name("carol")))
	if err := s.DeleteUser(t.Context(), old.ID); err != nil {
		t.Fatalf("DeleteUser(%d) error = %v", old.ID, err)
	}
	again := newUser(ns.name("CAROL"))
	again.Email, again.PasswordHash = "new-carol@example.com", pbkdf2Hash
	got := mustCreateUser(t, s, again)
	if got.ID == old.ID {
		t.Fatalf("CreateUser after DeleteUser reused ID %d", old.ID)
	}
	again.ID = got.ID
	checkUser(t, s, again)
	if u, err := s.UserByUsername(t.Context(), ns.name("carol")); err != nil || u.ID != got.ID {
		t.Errorf("UserByUsername(old spelling) = ID %d, %v; want the new user, ID %d", u.ID, err, got.ID)
	}
	if _, err := s.UserByID(t.Context(), old.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(old ID %d) = %v, want domain.ErrNotFound", old.ID, err)
	}
	// Deleting the old ID again must not take the name from its new owner.
	if err := s.DeleteUser(t.Context(), old.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteUser(old ID) = %v, want domain.ErrNotFound", err)
	}
	checkUser(t, s, again)
	dup := newUser(ns.name("Carol"))
	if _, err := s.CreateUser(t.Context(), dup, domain.EmailShared); !errors.Is(err, domain.ErrUsernameTaken) {
		t.Errorf("CreateUser(%q) while the new user holds the name = %v, want domain.ErrUsernameTaken", dup.Username, err)
	}
}

func userDeleteList(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	var mine []domain.User
	for _, n := range []string{"carol", "dave", "erin"} {
		mine = append(mine, mustCreateUser(t, s, newUser(ns.name(n))))
	}
	if err := s.DeleteUser(t.Context(), mine[1].ID); err != nil {
		t.Fatalf("DeleteUser error = %v", err)
	}
	got, err := s.ListUsers(t.Context(), mine[0].ID, 1)
	if err != nil || len(got) != 1 || got[0].ID != mine[2].ID {
		t.Errorf("ListUsers(after %d, 1) = %v, %v; want exactly %q, skipping the deleted %q", mine[0].ID, got, err, mine[2].Username, mine[1].Username)
	}
	got, err = s.ListUsers(t.Context(), mine[0].ID-1, 3)
	if err != nil {
		t.Fatalf("ListUsers error = %v", err)
	}
	for _, u := range got {
		if u.ID == mine[1].ID {
			t.Errorf("ListUsers returned the deleted user %q", u.Username)
		}
	}
}

func userConcurrentDelete(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	const n = 20
	errs := make([]error, n)
	race(n, func(i int) { errs[i] = s.DeleteUser(t.Context(), alice.ID) })
	deleted := 0
	for _, err := range errs {
		switch {
		case err == nil:
			deleted++
		case !errors.Is(err, domain.ErrNotFound):
			t.Errorf("DeleteUser error = %v, want nil or domain.ErrNotFound", err)
		}
	}
	if deleted != 1 {
		t.Errorf("%d of %d concurrent deletes of one user succeeded, want exactly 1", deleted, n)
	}
	checkGone(t, s, alice)
}

// userConcurrentDeleteCreate deletes a user while its name is signed up many times at once:
// creations before the delete find the name taken, and of those after it exactly one wins.
// Whatever the interleaving, at most one new user holds the name, and the name works.
func userConcurrentDeleteCreate(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	spellings := []string{"carol", "Carol", "CAROL", "Ｃａｒｏｌ"}
	old := mustCreateUser(t, s, newUser(ns.name("carol")))
	const n = 40
	users, errs := make([]domain.User, n), make([]error, n)
	var deleteErr error
	race(n+1, func(i int) {
		if i == n {
			deleteErr = s.DeleteUser(t.Context(), old.ID)
			return
		}
		users[i], errs[i] = s.CreateUser(t.Context(), newUser(ns.name(spellings[i%len(spellings)])), domain.EmailShared)
	})
	if deleteErr != nil {
		t.Fatalf("DeleteUser error = %v", deleteErr)
	}
	var winners []domain.User
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, users[i])
		case !errors.Is(err, domain.ErrUsernameTaken):
			t.Errorf("CreateUser error = %v, want nil or domain.ErrUsernameTaken", err)
		}
	}
	if len(winners) > 1 {
		t.Fatalf("%d concurrent creations of one username succeeded, want at most 1: %+v", len(winners), winners)
	}
	if _, err := s.UserByID(t.Context(), old.ID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(deleted %d) = %v, want domain.ErrNotFound", old.ID, err)
	}
	if len(winners) == 0 { // every creation ran before the delete: the name is free now
		winners = append(winners, mustCreateUser(t, s, newUser(ns.name("carol"))))
	}
	if winners[0].ID == old.ID {
		t.Errorf("the new owner of the name got the deleted ID %d", old.ID)
	}
	for _, spelling := range spellings {
		got, err := s.UserByUsername(t.Context(), ns.name(spelling))
		if err != nil || got.ID != winners[0].ID {
			t.Errorf("UserByUsername(%q) = ID %d, %v; want the new owner, ID %d", ns.name(spelling), got.ID, err, winners[0].ID)
		}
	}
}
