package app_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

func TestSignUpCreatesActiveUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		username, email         string
		wantUsername, wantEmail string
	}{
		{"plain", "alice", "", "alice", ""},
		{"username NFKC-normalised", "Ａｌｉｃｅ", "", "Alice", ""},
		{"username case kept", "AliceB", "", "AliceB", ""},
		{"email domain lower-cased", "alice", "Alice.Smith@EXAMPLE.Com", "alice", "Alice.Smith@example.com"},
		{"email trimmed", "alice", "  bob@Example.org ", "alice", "bob@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.clock.Advance(90 * time.Minute)
			u, err := e.accounts.SignUp(t.Context(), ports.SignUp{Username: tt.username, Password: password, Email: tt.email})
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if u.ID == 0 || u.Username != tt.wantUsername || u.Email != tt.wantEmail || !u.IsActive ||
				!u.DateJoined.Equal(e.clock.Now()) {
				t.Errorf("user = {ID:%d Username:%q Email:%q IsActive:%v DateJoined:%v}, want {ID:>0 Username:%q Email:%q IsActive:true DateJoined:%v}",
					u.ID, u.Username, u.Email, u.IsActive, u.DateJoined, tt.wantUsername, tt.wantEmail, e.clock.Now())
			}
			stored, err := e.users.UserByUsername(t.Context(), tt.wantUsername)
			if err != nil {
				t.Fatalf("UserByUsername(%q): %v", tt.wantUsername, err)
			}
			if stored.ID != u.ID || stored.Username != tt.wantUsername || stored.Email != tt.wantEmail {
				t.Errorf("stored = %+v, want the returned user", stored)
			}
			if stored.PasswordHash == password {
				t.Fatal("the password is stored in clear")
			}
			if ok, rehash := e.hasher.Verify(password, stored.PasswordHash); !ok || rehash {
				t.Errorf("Verify(password, stored hash) = %v, %v; want true, false", ok, rehash)
			}
		})
	}
}

func TestSignUpReportsEveryFieldErrorAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.accounts.SignUp(t.Context(), ports.SignUp{Username: "bad name!", Email: "not-an-email", Password: "123"})
	fields := validationFields(t, err)
	names := make([]string, 0, len(fields))
	for name, msgs := range fields {
		if len(msgs) == 0 {
			t.Errorf("field %q has no message", name)
		}
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"email", "password", "username"}; !slices.Equal(names, want) {
		t.Errorf("fields = %q, want messages under %q", fields, want)
	}
	if _, err := e.users.UserByUsername(t.Context(), "bad name!"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UserByUsername after failed SignUp: %v, want ErrNotFound", err)
	}
}

func TestSignUpRejectsDuplicateUsernameCaseInsensitively(t *testing.T) {
	t.Parallel()
	for _, dup := range []string{"alice", "Alice", "ALICE", "ａｌｉｃｅ"} {
		t.Run(dup, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			first := e.signUp("alice")
			_, err := e.accounts.SignUp(t.Context(), ports.SignUp{Username: dup, Password: newPassword})
			if !errors.Is(err, domain.ErrUsernameTaken) {
				t.Fatalf("SignUp(%q) after alice: %v, want ErrUsernameTaken", dup, err)
			}
			if got := e.passwordHash(first.ID); !e.verifies(password, got) {
				t.Error("the first user's password changed")
			}
		})
	}
}

// verifies reports whether pw matches hash.
func (e *env) verifies(pw, hash string) bool {
	ok, _ := e.hasher.Verify(pw, hash)
	return ok
}
