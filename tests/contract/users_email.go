package contract

import (
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// runUsersByEmail checks UserStore.UsersByEmail: every user with the address, in ID order,
// found in another case or width, never a user with another address, none after deletion.
func runUsersByEmail(t *testing.T, f Factory) {
	t.Run("folds case and width of the whole address", func(t *testing.T) { userByEmailFolds(t, f) })
	t.Run("finds every user sharing an address", func(t *testing.T) { userByEmailShared(t, f) })
	t.Run("finds no one for another or an empty address", func(t *testing.T) { userByEmailNone(t, f) })
	t.Run("forgets a deleted user", func(t *testing.T) { userByEmailDeleted(t, f) })
}

// userWithEmail returns a user named name in ns with address email.
func userWithEmail(ns namespace, name, email string) domain.User {
	u := newUser(ns.name(name))
	u.Email = email
	return u
}

func userByEmailFolds(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, userWithEmail(ns, "alice", ns.name("Alice@example.com")))
	for _, lookup := range []string{ns.name("Alice@example.com"), ns.name("alice@EXAMPLE.com"),
		ns.name("ALICE@example.COM"), ns.name("Ａｌｉｃｅ@example.com")} {
		got, err := s.UsersByEmail(t.Context(), lookup)
		if err != nil {
			t.Fatalf("UsersByEmail(%q) error = %v", lookup, err)
		}
		if len(got) != 1 {
			t.Fatalf("UsersByEmail(%q) = %d users, want alice", lookup, len(got))
		}
		if d := diffUser(got[0], alice); d != nil {
			t.Errorf("UsersByEmail(%q): %s", lookup, d)
		}
	}
}

func userByEmailShared(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	shared := ns.name("shared@example.com")
	a := mustCreateUser(t, s, userWithEmail(ns, "a", shared))
	mustCreateUser(t, s, userWithEmail(ns, "other", ns.name("other@example.com")))
	b := mustCreateUser(t, s, userWithEmail(ns, "b", ns.name("SHARED@example.com")))
	got, err := s.UsersByEmail(t.Context(), shared)
	if err != nil {
		t.Fatalf("UsersByEmail error = %v", err)
	}
	if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
		t.Fatalf("UsersByEmail(%q) = %+v, want users %d and %d in that order", shared, got, a.ID, b.ID)
	}
}

func userByEmailNone(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	mustCreateUser(t, s, userWithEmail(ns, "alice", ns.name("alice@example.com")))
	mustCreateUser(t, s, userWithEmail(ns, "noaddress", ""))
	for _, lookup := range []string{ns.name("alice@example.org"), ns.name("alice@example.co"),
		ns.name("alice @example.com"), "", "%", ns.name("%@example.com")} {
		got, err := s.UsersByEmail(t.Context(), lookup)
		if err != nil || len(got) != 0 {
			t.Errorf("UsersByEmail(%q) = %+v, %v; want none", lookup, got, err)
		}
		if got == nil && err == nil {
			t.Errorf("UsersByEmail(%q) = nil, want an empty slice", lookup)
		}
	}
}

func userByEmailDeleted(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	email := ns.name("gone@example.com")
	u := mustCreateUser(t, s, userWithEmail(ns, "gone", email))
	if err := s.DeleteUser(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UsersByEmail(t.Context(), email); err != nil || len(got) != 0 {
		t.Fatalf("UsersByEmail after DeleteUser = %+v, %v; want none", got, err)
	}
	again := mustCreateUser(t, s, userWithEmail(ns, "gone", email))
	if got, err := s.UsersByEmail(t.Context(), email); err != nil || len(got) != 1 || got[0].ID != again.ID {
		t.Fatalf("UsersByEmail after signing up again = %+v, %v; want only user %d", got, err, again.ID)
	}
}
