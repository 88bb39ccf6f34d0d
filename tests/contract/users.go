package contract

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Password hashes as stores meet them: Gatehouse's own argon2id and Django's formats, full
// of '$', '+', '/' and '=' that a store must keep verbatim.
const (
	argon2Hash   = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Kf8Y1lZ7bm9mZ8vR1Y3oXw0p0dJ8nQe7mU6o3kVb8dA"
	pbkdf2Hash   = "pbkdf2_sha256$260000$anyfHeW8eb4GNByrpy9SOY$R5M3y32DY+zsaP5vpEEXOmI3uEnWoW5l6JEKK8coHU4="
	bcryptHash   = "bcrypt_sha256$$2b$12$aXxaUslXpq2O7INB/kVIO.jRcSjPuL2wJtZ1d4JLfxThI66Um71Ue"
	unusableHash = "!fLtjurQPsHW5SCHcjsXvAfZWyetCx7KPHc0ErB2a"
)

// RunUserStore runs the cases of ports.UserStore against f.Users.
func RunUserStore(t *testing.T, f Factory) {
	if f.Users == nil {
		t.Skipf("%s has no UserStore (Factory.Users is nil)", f.Name)
	}
	t.Run("create assigns an ID", func(t *testing.T) { userCreateAssignsID(t, f) })
	t.Run("fields round-trip", func(t *testing.T) { userFieldsRoundTrip(t, f) })
	t.Run("lookup ignores case and width", func(t *testing.T) { userLookupFolds(t, f) })
	t.Run("lookup matches no other name", func(t *testing.T) { userLookupExact(t, f) })
	t.Run("username taken in another case or width", func(t *testing.T) { userDuplicate(t, f) })
	t.Run("similar usernames are different users", func(t *testing.T) { userSimilarNames(t, f) })
	t.Run("not found", func(t *testing.T) { userNotFound(t, f) })
	t.Run("set password hash changes only the hash", func(t *testing.T) { userSetPasswordHash(t, f) })
	t.Run("set password hash of a missing user", func(t *testing.T) { userSetPasswordHashMissing(t, f) })
	t.Run("set password hash refuses a stale old hash", func(t *testing.T) { userSetPasswordHashStale(t, f) })
	t.Run("set active toggles only the flag", func(t *testing.T) { userSetActive(t, f) })
	t.Run("set active of a missing user", func(t *testing.T) { userSetActiveMissing(t, f) })
	t.Run("list pages through users in ID order", func(t *testing.T) { userList(t, f) })
	t.Run("concurrent creation of one username", func(t *testing.T) { userConcurrentSameName(t, f) })
	t.Run("concurrent creation of different usernames", func(t *testing.T) { userConcurrentDistinct(t, f) })
	t.Run("delete", func(t *testing.T) { runUserDelete(t, f) })
	t.Run("by email", func(t *testing.T) { runUsersByEmail(t, f) })
	t.Run("unique email", func(t *testing.T) { runUniqueEmail(t, f) })
	t.Run("import", func(t *testing.T) { runUserImport(t, f) })
}

// newUser returns a realistic user with username name.
func newUser(name string) domain.User {
	return domain.User{Username: name, Email: "someone@example.com", PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}
}

func mustCreateUser(t *testing.T, s ports.UserStore, u domain.User) domain.User {
	t.Helper()
	got, err := s.CreateUser(t.Context(), u, domain.EmailShared)
	if err != nil {
		t.Fatalf("CreateUser(%q) error = %v", u.Username, err)
	}
	return got
}

// checkUser fails unless s holds want under its id and its exact username.
func checkUser(t *testing.T, s ports.UserStore, want domain.User) {
	t.Helper()
	if got, err := s.UserByID(t.Context(), want.ID); err != nil {
		t.Errorf("UserByID(%d) error = %v", want.ID, err)
	} else if d := diffUser(got, want); d != nil {
		t.Errorf("UserByID(%d): %s", want.ID, d)
	}
	if got, err := s.UserByUsername(t.Context(), want.Username); err != nil {
		t.Errorf("UserByUsername(%q) error = %v", want.Username, err)
	} else if d := diffUser(got, want); d != nil {
		t.Errorf("UserByUsername(%q): %s", want.Username, d)
	}
}

func userCreateAssignsID(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	first := mustCreateUser(t, s, newUser(ns.name("alice")))
	second := mustCreateUser(t, s, newUser(ns.name("bob")))
	if first.ID == 0 || second.ID == 0 || first.ID == second.ID {
		t.Fatalf("CreateUser assigned IDs %d and %d, want two different non-zero IDs", first.ID, second.ID)
	}
	for _, u := range []domain.User{first, second} {
		want := newUser(u.Username)
		want.ID = u.ID
		if d := diffUser(u, want); d != nil {
			t.Errorf("CreateUser(%q) returned %s", u.Username, d)
		}
		checkUser(t, s, want)
	}
}

func userFieldsRoundTrip(t *testing.T, f Factory) {
	ns := newNamespace()
	leapDayEnd := time.Date(2024, 2, 29, 23, 59, 59, 999999000, time.UTC)
	tests := []struct {
		name string
		user domain.User
	}{
		{"active", domain.User{Username: ns.name("alice"), Email: "alice@example.com", PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}},
		{"inactive", domain.User{Username: ns.name("dormant"), Email: "dormant@example.com", PasswordHash: argon2Hash, IsActive: false, DateJoined: Start}},
		{"case kept", domain.User{Username: ns.name("MixedCase"), PasswordHash: pbkdf2Hash, IsActive: true, DateJoined: Start}},
		{"latin accent", domain.User{Username: ns.name("José"), Email: "josé@example.com", PasswordHash: bcryptHash, IsActive: true, DateJoined: Start}},
		{"cjk", domain.User{Username: ns.name("用户"), Email: "user@example.cn", PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}},
		{"four-byte letters", domain.User{Username: ns.name("𠀋𡈽"), PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}},
		{"150 two-byte characters", domain.User{Username: ns.long("é", domain.MaxUsernameLength), PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}},
		{"150 four-byte characters", domain.User{Username: ns.long("𠀋", domain.MaxUsernameLength), PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}},
		{"punctuation of usernames", domain.User{Username: ns.name("a.b@c+d-e_f"), PasswordHash: argon2Hash, IsActive: true, DateJoined: Start}},
		{"quote and wildcards in email", domain.User{Username: ns.name("obrien"), Email: "o'brien+%_*?[x]@example.com", PasswordHash: pbkdf2Hash, IsActive: true, DateJoined: Start}},
		{"no email, unusable password", domain.User{Username: ns.name("imported"), PasswordHash: unusableHash, IsActive: true, DateJoined: Start}},
		{"last microsecond of a leap day", domain.User{Username: ns.name("leap"), PasswordHash: argon2Hash, IsActive: true, DateJoined: leapDayEnd}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := f.Users(t)
			got := mustCreateUser(t, s, tt.user)
			want := tt.user
			want.ID = got.ID
			if d := diffUser(got, want); d != nil {
				t.Errorf("CreateUser returned %s", d)
			}
			checkUser(t, s, want)
		})
	}
}

func userLookupFolds(t *testing.T, f Factory) {
	tests := []struct{ name, lookup string }{
		{"same spelling", "Alice"},
		{"lower case", "alice"},
		{"upper case", "ALICE"},
		{"full width", "Ａｌｉｃｅ"},
		{"full-width upper case", "ＡＬＩＣＥ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ns := f.Users(t), newNamespace()
			alice := mustCreateUser(t, s, newUser(ns.name("Alice")))
			got, err := s.UserByUsername(t.Context(), ns.name(tt.lookup))
			if err != nil {
				t.Fatalf("UserByUsername(%q) error = %v, want %q", ns.name(tt.lookup), err, alice.Username)
			}
			if d := diffUser(got, alice); d != nil {
				t.Errorf("UserByUsername(%q): %s", ns.name(tt.lookup), d)
			}
		})
	}
}

// userLookupExact checks that lookups compare domain.UsernameKey for equality, not by a
// database collation (which may ignore accents or trailing spaces) or a LIKE pattern.
func userLookupExact(t *testing.T, f Factory) {
	tests := []struct{ name, stored, lookup string }{
		{"longer name", "alice", "alicia"},
		{"prefix", "alice", "alic"},
		{"trailing space", "alice", "alice "},
		{"accent", "José", "Jose"},
		{"no accent", "Jose", "José"},
		{"sharp s is not one s", "straße", "strase"},
		{"underscore is not a wildcard", "abc", "a_c"},
		{"percent is not a wildcard", "alice", "al%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ns := f.Users(t), newNamespace()
			mustCreateUser(t, s, newUser(ns.name(tt.stored)))
			lookup := ns.name(tt.lookup)
			if got, err := s.UserByUsername(t.Context(), lookup); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("UserByUsername(%q) = %q, %v; want domain.ErrNotFound (stored %q)", lookup, got.Username, err, ns.name(tt.stored))
			}
		})
	}
}

func userDuplicate(t *testing.T, f Factory) {
	tests := []struct{ name, stored, again string }{
		{"same spelling", "Alice", "Alice"},
		{"lower case", "Alice", "alice"},
		{"upper case", "Alice", "ALICE"},
		{"full width", "Alice", "Ａｌｉｃｅ"},
		{"full-width lower case", "Alice", "ａｌｉｃｅ"},
		{"sharp s and double s", "straße", "STRASSE"},
		{"decomposed accent", "José", "JOSE\u0301"},
		{"ligature", "file", "ﬁle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ns := f.Users(t), newNamespace()
			first := mustCreateUser(t, s, newUser(ns.name(tt.stored)))
			dup := newUser(ns.name(tt.again))
			dup.Email, dup.PasswordHash = "intruder@example.com", pbkdf2Hash
			if got, err := s.CreateUser(t.Context(), dup, domain.EmailShared); !errors.Is(err, domain.ErrUsernameTaken) {
				t.Errorf("CreateUser(%q) after %q = %+v, %v; want domain.ErrUsernameTaken", dup.Username, first.Username, got, err)
			}
			checkUser(t, s, first)
		})
	}
}

func userSimilarNames(t *testing.T, f Factory) {
	tests := []struct{ name, a, b string }{
		{"accent", "José", "Jose"},
		{"sharp s and one s", "straße", "strase"},
		{"underscore and a letter", "a_c", "abc"},
		{"digit appended", "alice", "alice2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ns := f.Users(t), newNamespace()
			a := mustCreateUser(t, s, newUser(ns.name(tt.a)))
			b := mustCreateUser(t, s, newUser(ns.name(tt.b)))
			if a.ID == b.ID {
				t.Fatalf("%q and %q got one ID %d", a.Username, b.Username, a.ID)
			}
			checkUser(t, s, a)
			checkUser(t, s, b)
		})
	}
}

func userNotFound(t *testing.T, f Factory) {
	tests := []struct {
		name   string
		lookup func(ctx context.Context, s ports.UserStore, ns namespace) (domain.User, error)
	}{
		{"by ID 0", func(ctx context.Context, s ports.UserStore, _ namespace) (domain.User, error) {
			return s.UserByID(ctx, 0)
		}},
		{"by an ID never assigned", func(ctx context.Context, s ports.UserStore, _ namespace) (domain.User, error) {
			return s.UserByID(ctx, math.MaxInt64)
		}},
		{"by username", func(ctx context.Context, s ports.UserStore, ns namespace) (domain.User, error) {
			return s.UserByUsername(ctx, ns.name("nobody"))
		}},
		{"by empty username", func(ctx context.Context, s ports.UserStore, _ namespace) (domain.User, error) {
			return s.UserByUsername(ctx, "")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ns := f.Users(t), newNamespace()
			mustCreateUser(t, s, newUser(ns.name("somebody")))
			if got, err := tt.lookup(t.Context(), s, ns); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("lookup = %+v, %v; want domain.ErrNotFound", got, err)
			}
		})
	}
}

func userSetPasswordHash(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	bob := mustCreateUser(t, s, newUser(ns.name("bob")))
	if err := s.SetPasswordHash(t.Context(), alice.ID, alice.PasswordHash, bcryptHash); err != nil {
		t.Fatalf("SetPasswordHash(%d) error = %v", alice.ID, err)
	}
	alice.PasswordHash = bcryptHash
	checkUser(t, s, alice)
	checkUser(t, s, bob)
}

func userSetPasswordHashMissing(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	if err := s.SetPasswordHash(t.Context(), math.MaxInt64, alice.PasswordHash, bcryptHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetPasswordHash(missing) = %v, want domain.ErrNotFound", err)
	}
	checkUser(t, s, alice)
}

// userSetPasswordHashStale: a hash upgrade that verified an old password must not undo a
// password change that landed in between.
func userSetPasswordHashStale(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	changed := alice.PasswordHash + "-changed"
	if err := s.SetPasswordHash(t.Context(), alice.ID, alice.PasswordHash, changed); err != nil {
		t.Fatalf("SetPasswordHash = %v", err)
	}
	if err := s.SetPasswordHash(t.Context(), alice.ID, alice.PasswordHash, bcryptHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetPasswordHash(stale old hash) = %v, want domain.ErrNotFound", err)
	}
	alice.PasswordHash = changed
	checkUser(t, s, alice)
}

func userSetActive(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	alice := mustCreateUser(t, s, newUser(ns.name("alice")))
	bob := mustCreateUser(t, s, newUser(ns.name("bob")))
	for _, active := range []bool{false, false, true, true} { // repeats must succeed too
		if err := s.SetActive(t.Context(), alice.ID, active); err != nil {
			t.Fatalf("SetActive(%d, %v) error = %v", alice.ID, active, err)
		}
		alice.IsActive = active
		checkUser(t, s, alice)
	}
	checkUser(t, s, bob)
}

func userSetActiveMissing(t *testing.T, f Factory) {
	s := f.Users(t)
	if err := s.SetActive(t.Context(), math.MaxInt64, false); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetActive(missing) = %v, want domain.ErrNotFound", err)
	}
	if _, err := s.UserByID(t.Context(), math.MaxInt64); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("SetActive(missing) created a user: UserByID = %v", err)
	}
}

// userList pages through the whole store (other cases share it) with a small page size and
// checks that the users created here come back once each, in ID order.
func userList(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	var mine []domain.User
	for _, n := range []string{"carol", "dave", "erin"} {
		mine = append(mine, mustCreateUser(t, s, newUser(ns.name(n))))
	}
	if err := s.SetActive(t.Context(), mine[1].ID, false); err != nil {
		t.Fatal(err)
	}
	mine[1].IsActive = false
	seen := map[domain.UserID]domain.User{}
	var after domain.UserID
	for page := 0; ; page++ {
		if page > 10000 {
			t.Fatal("ListUsers never returned a short page")
		}
		got, err := s.ListUsers(t.Context(), after, 2)
		if err != nil {
			t.Fatalf("ListUsers(%d, 2) error = %v", after, err)
		}
		if len(got) > 2 {
			t.Fatalf("ListUsers(%d, 2) returned %d users", after, len(got))
		}
		for _, u := range got {
			if u.ID <= after {
				t.Fatalf("ListUsers(%d) returned ID %d out of order", after, u.ID)
			}
			if _, dup := seen[u.ID]; dup {
				t.Fatalf("ListUsers returned ID %d twice", u.ID)
			}
			seen[u.ID], after = u, u.ID
		}
		if len(got) < 2 {
			break
		}
	}
	for _, want := range mine {
		got, ok := seen[want.ID]
		if !ok {
			t.Errorf("ListUsers never returned %q (ID %d)", want.Username, want.ID)
		} else if d := diffUser(got, want); d != nil {
			t.Errorf("ListUsers: %s", d)
		}
	}
	if got, err := s.ListUsers(t.Context(), mine[2].ID-1, 1); err != nil || len(got) != 1 || got[0].ID != mine[2].ID {
		t.Errorf("ListUsers(after %d, 1) = %v, %v; want exactly %q", mine[2].ID-1, got, err, mine[2].Username)
	}
}
