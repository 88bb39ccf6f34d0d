package contract

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// runUserImport runs the cases of UserStore.ImportUser: an imported user keeps the ID it is
// given, no two users ever share an ID, and CreateUser never hands an imported ID out.
// Stores may be shared between cases, so each case imports IDs above the one a fresh
// CreateUser returns: no earlier case holds those.
func runUserImport(t *testing.T, f Factory) {
	t.Run("import keeps the ID", func(t *testing.T) { userImportKeepsID(t, f) })
	t.Run("import of a taken ID", func(t *testing.T) { userImportIDTaken(t, f) })
	t.Run("import of a taken username", func(t *testing.T) { userImportNameTaken(t, f) })
	t.Run("import of an ID below 1", func(t *testing.T) { userImportBadID(t, f) })
	t.Run("concurrent imports of one ID", func(t *testing.T) { userConcurrentImport(t, f) })
	t.Run("concurrent imports and creations", func(t *testing.T) { userConcurrentImportCreate(t, f) })
}

// freeID returns an ID that no user of s holds and CreateUser has not handed out yet.
func freeID(t *testing.T, s ports.UserStore, ns namespace, gap domain.UserID) domain.UserID {
	t.Helper()
	return mustCreateUser(t, s, newUser(ns.name("probe"))).ID + gap
}

func userImportKeepsID(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	id := freeID(t, s, ns, 50)
	want := newUser(ns.name("Imported"))
	want.ID, want.Email, want.PasswordHash, want.IsActive = id, "imported@example.com", pbkdf2Hash, false
	got, err := s.ImportUser(t.Context(), want, domain.EmailShared)
	if err != nil {
		t.Fatalf("ImportUser(ID %d) error = %v", id, err)
	}
	if d := diffUser(got, want); d != nil {
		t.Errorf("ImportUser returned %s", d)
	}
	checkUser(t, s, want)
	next := mustCreateUser(t, s, newUser(ns.name("next")))
	if next.ID <= id {
		t.Errorf("CreateUser after importing ID %d assigned ID %d, want one above it", id, next.ID)
	}
	page, err := s.ListUsers(t.Context(), id-1, 10)
	if err != nil || len(page) != 2 || page[0].ID != id || page[1].ID != next.ID {
		t.Errorf("ListUsers(%d, 10) = %+v, %v; want the imported user, then ID %d", id-1, page, err, next.ID)
	}
}

func userImportIDTaken(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	tests := []struct{ name, username string }{
		{"by a user of another name", ns.name("mallory")},
		{"by a user of the same name", alice.Username},
		{"by a user of the same name in another case", ns.name("ALICE")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newUser(tt.username)
			u.ID, u.Email = alice.ID, "mallory@example.com"
			if got, err := s.ImportUser(t.Context(), u, domain.EmailUnique); !errors.Is(err, domain.ErrUserIDTaken) {
				t.Errorf("ImportUser(ID %d, %q) = %+v, %v; want domain.ErrUserIDTaken", alice.ID, tt.username, got, err)
			}
			checkUser(t, s, alice)
		})
	}
	if got, err := s.UserByUsername(t.Context(), ns.name("mallory")); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByUsername of a refused import = %+v, %v; want domain.ErrNotFound", got, err)
	}
}

func userImportNameTaken(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	id := alice.ID + 50
	u := newUser(ns.name("ALICE"))
	u.ID = id
	if got, err := s.ImportUser(t.Context(), u, domain.EmailShared); !errors.Is(err, domain.ErrUsernameTaken) {
		t.Errorf("ImportUser(%q) after %q = %+v, %v; want domain.ErrUsernameTaken", u.Username, alice.Username, got, err)
	}
	if got, err := s.UserByID(t.Context(), id); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByID(%d) of a refused import = %+v, %v; want domain.ErrNotFound", id, got, err)
	}
	checkUser(t, s, alice)
	// The ID is still free for an import of another name.
	u.Username = ns.name("bob")
	if _, err := s.ImportUser(t.Context(), u, domain.EmailShared); err != nil {
		t.Errorf("ImportUser(ID %d) after a refused import of it: %v", id, err)
	}
}

func userImportBadID(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	for _, id := range []domain.UserID{0, -1} {
		u := newUser(ns.name(fmt.Sprintf("bad%d", -id)))
		u.ID = id
		if got, err := s.ImportUser(t.Context(), u, domain.EmailShared); err == nil {
			t.Errorf("ImportUser(ID %d) = %+v, want an error", id, got)
		}
		if got, err := s.UserByUsername(t.Context(), u.Username); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UserByUsername(%q) after a refused import = %+v, %v; want domain.ErrNotFound", u.Username, got, err)
		}
	}
}

// userConcurrentImport imports one ID 50 times at once under different names: exactly one
// import wins and the store holds its user alone.
func userConcurrentImport(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	id := freeID(t, s, ns, 50)
	const n = 50
	errs := make([]error, n)
	name := func(i int) string { return ns.name(fmt.Sprintf("user%d", i)) }
	race(n, func(i int) {
		u := newUser(name(i))
		u.ID = id
		_, errs[i] = s.ImportUser(t.Context(), u, domain.EmailShared)
	})
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("imports of ID %d as %q and %q both succeeded", id, name(winner), name(i))
		case err == nil:
			winner = i
		case !errors.Is(err, domain.ErrUserIDTaken):
			t.Errorf("ImportUser(ID %d, %q) error = %v, want nil or domain.ErrUserIDTaken", id, name(i), err)
		}
	}
	if winner < 0 {
		t.Fatalf("none of %d concurrent imports of ID %d succeeded", n, id)
	}
	want := newUser(name(winner))
	want.ID = id
	checkUser(t, s, want)
	for i := range n {
		if _, err := s.UserByUsername(t.Context(), name(i)); i != winner && !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UserByUsername(%q) of a losing import = %v, want domain.ErrNotFound", name(i), err)
		}
	}
}

// userConcurrentImportCreate imports the next IDs CreateUser would hand out while as many
// creations run: an import either keeps its ID or finds it taken, and no two users end up
// with one ID.
func userConcurrentImportCreate(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	first := freeID(t, s, ns, 1)
	const n = 25
	users, errs := make([]domain.User, 2*n), make([]error, 2*n)
	name := func(i int) string { return ns.name(fmt.Sprintf("user%d", i)) }
	race(2*n, func(i int) {
		u := newUser(name(i))
		if i < n {
			u.ID = first + domain.UserID(i)
			users[i], errs[i] = s.ImportUser(t.Context(), u, domain.EmailShared)
			return
		}
		users[i], errs[i] = s.CreateUser(t.Context(), u, domain.EmailShared)
	})
	holders := map[domain.UserID]string{}
	for i, u := range users {
		switch {
		case i < n && errors.Is(errs[i], domain.ErrUserIDTaken):
			continue
		case errs[i] != nil:
			t.Errorf("%q: error = %v", name(i), errs[i])
			continue
		case i < n && u.ID != first+domain.UserID(i):
			t.Errorf("ImportUser(ID %d) stored ID %d", first+domain.UserID(i), u.ID)
		}
		if other, dup := holders[u.ID]; dup {
			t.Errorf("%q and %q were both given ID %d", other, name(i), u.ID)
		}
		holders[u.ID] = name(i)
		want := newUser(name(i))
		want.ID = u.ID
		checkUser(t, s, want)
	}
}
