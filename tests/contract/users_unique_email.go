package contract

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// runUniqueEmail checks EmailVerified, domain.EmailRule, SetEmail and MarkEmailVerified.
func runUniqueEmail(t *testing.T, f Factory) {
	t.Run("email verified round-trips", func(t *testing.T) { emailVerifiedRoundTrip(t, f) })
	t.Run("unique create refused in any spelling", func(t *testing.T) { emailUniqueRefused(t, f) })
	t.Run("username taken comes before email taken", func(t *testing.T) { emailUniqueNameFirst(t, f) })
	t.Run("shared create allowed", func(t *testing.T) { emailSharedAllowed(t, f) })
	t.Run("empty address never conflicts", func(t *testing.T) { emailEmptyNeverConflicts(t, f) })
	t.Run("delete frees the address", func(t *testing.T) { emailDeleteFrees(t, f) })
	t.Run("concurrent unique creates of one address", func(t *testing.T) { emailConcurrentCreates(t, f) })
	t.Run("set email verifies and frees the old address", func(t *testing.T) { emailSet(t, f) })
	t.Run("set email refused for a taken address", func(t *testing.T) { emailSetTaken(t, f) })
	t.Run("set email of a missing user", func(t *testing.T) { emailSetMissing(t, f) })
	t.Run("concurrent set email to one address", func(t *testing.T) { emailConcurrentSets(t, f) })
	t.Run("mark verified only for the current address", func(t *testing.T) { emailMarkVerified(t, f) })
}

// spellingsOf returns addresses in ns with one domain.EmailKey: case, width and domain case.
func spellingsOf(ns namespace) []string {
	return []string{ns.name("alice@example.com"), ns.name("Alice@Example.com"), ns.name("ALICE@EXAMPLE.COM"),
		ns.name("ａｌｉｃｅ@example.com"), ns.name("Ａｌｉｃｅ@example.com")}
}

func mustCreateUnique(t *testing.T, s ports.UserStore, u domain.User) domain.User {
	t.Helper()
	got, err := s.CreateUser(t.Context(), u, domain.EmailUnique)
	if err != nil {
		t.Fatalf("CreateUser(%q, %q, EmailUnique) error = %v", u.Username, u.Email, err)
	}
	return got
}

func wantEmailTaken(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, domain.ErrEmailTaken) {
		t.Errorf("%s error = %v, want domain.ErrEmailTaken", what, err)
	}
}

func emailVerifiedRoundTrip(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	for _, verified := range []bool{false, true} {
		for _, rule := range []domain.EmailRule{domain.EmailShared, domain.EmailUnique} {
			u := userWithEmail(ns, fmt.Sprintf("u%t%d", verified, rule), ns.name(fmt.Sprintf("%t%d@example.com", verified, rule)))
			u.EmailVerified = verified
			got, err := s.CreateUser(t.Context(), u, rule)
			if err != nil {
				t.Fatal(err)
			}
			if got.EmailVerified != verified {
				t.Errorf("CreateUser returned EmailVerified = %t, want %t", got.EmailVerified, verified)
			}
			u.ID = got.ID
			checkUser(t, s, u)
		}
	}
}

func emailUniqueRefused(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	spellings := spellingsOf(ns)
	// The first holder is shared-created, as an import: unique writes count it all the same.
	first := mustCreateUser(t, s, userWithEmail(ns, "first", spellings[0]))
	for i, email := range spellings {
		_, err := s.CreateUser(t.Context(), userWithEmail(ns, fmt.Sprint("other", i), email), domain.EmailUnique)
		wantEmailTaken(t, fmt.Sprintf("CreateUser(%q, EmailUnique) after %q", email, spellings[0]), err)
	}
	if got, err := s.UsersByEmail(t.Context(), spellings[0]); err != nil || len(got) != 1 || got[0].ID != first.ID {
		t.Errorf("UsersByEmail after refused creates = %+v, %v; want only the first user", got, err)
	}
	for i := range spellings {
		if _, err := s.UserByUsername(t.Context(), ns.name(fmt.Sprint("other", i))); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("refused user other%d: UserByUsername error = %v, want domain.ErrNotFound", i, err)
		}
	}
	// The refused names are free.
	mustCreateUnique(t, s, userWithEmail(ns, "other0", ns.name("different@example.com")))
	// Similar addresses are others.
	for _, email := range []string{ns.name("alice@example.org"), ns.name("alice2@example.com"), ns.name("alice@example.com.")} {
		mustCreateUnique(t, s, userWithEmail(ns, "sim"+email, email))
	}
}

func emailUniqueNameFirst(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	mustCreateUnique(t, s, userWithEmail(ns, "alice", ns.name("alice@example.com")))
	_, err := s.CreateUser(t.Context(), userWithEmail(ns, "ALICE", ns.name("Alice@example.com")), domain.EmailUnique)
	if !errors.Is(err, domain.ErrUsernameTaken) {
		t.Errorf("CreateUser with both taken error = %v, want domain.ErrUsernameTaken", err)
	}
}

func emailSharedAllowed(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	spellings := spellingsOf(ns)
	a := mustCreateUnique(t, s, userWithEmail(ns, "a", spellings[0]))
	b := mustCreateUser(t, s, userWithEmail(ns, "b", spellings[1]))
	c := mustCreateUser(t, s, userWithEmail(ns, "c", spellings[3]))
	got, err := s.UsersByEmail(t.Context(), spellings[2])
	if err != nil || len(got) != 3 || got[0].ID != a.ID || got[1].ID != b.ID || got[2].ID != c.ID {
		t.Fatalf("UsersByEmail = %+v, %v; want a, b and c", got, err)
	}
	// Deleting one sharer does not free an address others still hold.
	if err := s.DeleteUser(t.Context(), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateUser(t.Context(), userWithEmail(ns, "d", spellings[4]), domain.EmailUnique)
	wantEmailTaken(t, "CreateUser(EmailUnique) while two imports share the address", err)
}

func emailEmptyNeverConflicts(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	for i := range 3 {
		mustCreateUnique(t, s, userWithEmail(ns, fmt.Sprint("empty", i), ""))
	}
	u := mustCreateUnique(t, s, userWithEmail(ns, "hasone", ns.name("x@example.com")))
	if err := s.SetEmail(t.Context(), u.ID, "", domain.EmailUnique); err != nil {
		t.Fatalf("SetEmail to empty error = %v", err)
	}
	want := userWithEmail(ns, "hasone", "")
	want.ID = u.ID
	checkUser(t, s, want)
	mustCreateUnique(t, s, userWithEmail(ns, "after", ns.name("x@example.com")))
}

func emailDeleteFrees(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	u := mustCreateUnique(t, s, userWithEmail(ns, "gone", ns.name("gone@example.com")))
	if err := s.DeleteUser(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	mustCreateUnique(t, s, userWithEmail(ns, "next", ns.name("GONE@example.com")))
}

// emailConcurrentCreates signs one address up 50 times at once under different names and
// in several spellings: exactly one may win.
func emailConcurrentCreates(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	spellings := spellingsOf(ns)
	const n = 50
	users, errs := make([]domain.User, n), make([]error, n)
	race(n, func(i int) {
		users[i], errs[i] = s.CreateUser(t.Context(), userWithEmail(ns, fmt.Sprint("racer", i), spellings[i%len(spellings)]), domain.EmailUnique)
	})
	var winners []domain.User
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, users[i])
		case !errors.Is(err, domain.ErrEmailTaken):
			t.Errorf("CreateUser(racer%d) error = %v, want nil or domain.ErrEmailTaken", i, err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d concurrent unique creations of one address succeeded, want exactly 1", len(winners), n)
	}
	if got, err := s.UsersByEmail(t.Context(), spellings[0]); err != nil || len(got) != 1 || got[0].ID != winners[0].ID {
		t.Errorf("UsersByEmail = %+v, %v; want only the winner %d", got, err, winners[0].ID)
	}
}

func emailSet(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	u := mustCreateUnique(t, s, userWithEmail(ns, "mover", ns.name("old@example.com")))
	if err := s.SetEmail(t.Context(), u.ID, ns.name("New@example.com"), domain.EmailUnique); err != nil {
		t.Fatalf("SetEmail error = %v", err)
	}
	want := userWithEmail(ns, "mover", ns.name("New@example.com"))
	want.ID, want.EmailVerified = u.ID, true
	checkUser(t, s, want)
	if got, err := s.UsersByEmail(t.Context(), ns.name("old@example.com")); err != nil || len(got) != 0 {
		t.Errorf("UsersByEmail(old) = %+v, %v; want none", got, err)
	}
	if got, err := s.UsersByEmail(t.Context(), ns.name("new@example.com")); err != nil || len(got) != 1 || got[0].ID != u.ID {
		t.Errorf("UsersByEmail(new) = %+v, %v; want the mover", got, err)
	}
	// The old address is free, the new one taken.
	mustCreateUnique(t, s, userWithEmail(ns, "heir", ns.name("OLD@example.com")))
	_, err := s.CreateUser(t.Context(), userWithEmail(ns, "late", ns.name("new@example.com")), domain.EmailUnique)
	wantEmailTaken(t, "CreateUser of the new address", err)
	// The own address in another spelling is allowed, even while imports share it.
	mustCreateUser(t, s, userWithEmail(ns, "importer", ns.name("NEW@example.com")))
	if err := s.SetEmail(t.Context(), u.ID, ns.name("ｎｅｗ@example.com"), domain.EmailUnique); err != nil {
		t.Fatalf("SetEmail to the own address in another spelling error = %v", err)
	}
	want.Email = ns.name("ｎｅｗ@example.com")
	checkUser(t, s, want)
}

func emailSetTaken(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	mustCreateUser(t, s, userWithEmail(ns, "holder", ns.name("held@example.com")))
	u := mustCreateUnique(t, s, userWithEmail(ns, "mover", ns.name("mine@example.com")))
	err := s.SetEmail(t.Context(), u.ID, ns.name("Held@example.com"), domain.EmailUnique)
	wantEmailTaken(t, "SetEmail(EmailUnique) to a shared-created holder's address", err)
	want := userWithEmail(ns, "mover", ns.name("mine@example.com"))
	want.ID = u.ID
	checkUser(t, s, want)
	if err := s.SetEmail(t.Context(), u.ID, ns.name("Held@example.com"), domain.EmailShared); err != nil {
		t.Fatalf("SetEmail(EmailShared) error = %v", err)
	}
	if got, err := s.UsersByEmail(t.Context(), ns.name("held@example.com")); err != nil || len(got) != 2 {
		t.Errorf("UsersByEmail after a shared SetEmail = %+v, %v; want two users", got, err)
	}
	mustCreateUnique(t, s, userWithEmail(ns, "heir", ns.name("mine@example.com")))
}

func emailSetMissing(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	u := mustCreateUnique(t, s, userWithEmail(ns, "gone", ns.name("gone@example.com")))
	if err := s.DeleteUser(t.Context(), u.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []domain.UserID{0, u.ID, u.ID + 1_000_000} {
		if err := s.SetEmail(t.Context(), id, ns.name("new@example.com"), domain.EmailUnique); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("SetEmail(%d) error = %v, want domain.ErrNotFound", id, err)
		}
		if err := s.MarkEmailVerified(t.Context(), id, ns.name("gone@example.com")); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("MarkEmailVerified(%d) error = %v, want domain.ErrNotFound", id, err)
		}
	}
	// A refused SetEmail of a missing user claims nothing.
	mustCreateUnique(t, s, userWithEmail(ns, "next", ns.name("new@example.com")))
}

// emailConcurrentSets moves 20 users to one address at once while 20 creations race for it:
// exactly one write wins.
func emailConcurrentSets(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	const n = 20
	movers := make([]domain.User, n)
	for i := range movers {
		movers[i] = mustCreateUnique(t, s, userWithEmail(ns, fmt.Sprint("mover", i), ns.name(fmt.Sprint("mover", i, "@example.com"))))
	}
	spellings := spellingsOf(ns)
	errs := make([]error, 2*n)
	race(2*n, func(i int) {
		email := spellings[i%len(spellings)]
		if i < n {
			errs[i] = s.SetEmail(t.Context(), movers[i].ID, email, domain.EmailUnique)
			return
		}
		_, errs[i] = s.CreateUser(t.Context(), userWithEmail(ns, fmt.Sprint("racer", i), email), domain.EmailUnique)
	})
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, domain.ErrEmailTaken):
			t.Errorf("write %d error = %v, want nil or domain.ErrEmailTaken", i, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent unique writes of one address succeeded, want exactly 1", wins, 2*n)
	}
	if got, err := s.UsersByEmail(t.Context(), spellings[0]); err != nil || len(got) != 1 {
		t.Errorf("UsersByEmail = %+v, %v; want the one winner", got, err)
	}
	// The losing movers kept their address, unverified.
	for i, m := range movers {
		if errs[i] != nil {
			checkUser(t, s, m)
		}
	}
}

func emailMarkVerified(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	u := mustCreateUnique(t, s, userWithEmail(ns, "alice", ns.name("alice@example.com")))
	for _, email := range []string{ns.name("alice@example.org"), "", ns.name("alice@example.co")} {
		if err := s.MarkEmailVerified(t.Context(), u.ID, email); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("MarkEmailVerified(%q) error = %v, want domain.ErrNotFound", email, err)
		}
	}
	checkUser(t, s, u) // still unverified
	// Idempotent, and in any spelling of the current address.
	for range 2 {
		if err := s.MarkEmailVerified(t.Context(), u.ID, ns.name("ＡＬＩＣＥ@example.com")); err != nil {
			t.Fatalf("MarkEmailVerified(current address) error = %v", err)
		}
	}
	u.EmailVerified = true
	checkUser(t, s, u)
	// A link to the old address does not verify the new one.
	if err := s.SetEmail(t.Context(), u.ID, ns.name("bob@example.com"), domain.EmailUnique); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEmail(t.Context(), u.ID, "", domain.EmailUnique); err != nil {
		t.Fatal(err)
	}
	if err := s.SetEmail(t.Context(), u.ID, ns.name("carol@example.com"), domain.EmailShared); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkEmailVerified(t.Context(), u.ID, ns.name("alice@example.com")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("MarkEmailVerified(old address) error = %v, want domain.ErrNotFound", err)
	}
}
