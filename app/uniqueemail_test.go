package app_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TestCreateFollowsUniqueEmail checks the rule signups and operators' creates write under:
// with Settings.UniqueEmail an address another user has, in any spelling, is refused.
func TestCreateFollowsUniqueEmail(t *testing.T) {
	creates := map[string]func(e *env, username, email string) (domain.User, error){
		"signup": func(e *env, username, email string) (domain.User, error) {
			return e.accounts.SignUp(e.t.Context(), ports.SignUp{Username: username, Email: email, Password: password})
		},
		"admin": func(e *env, username, email string) (domain.User, error) {
			return e.admin().CreateUser(e.t.Context(), ports.NewUser{Username: username, Email: email, Password: password})
		},
	}
	for _, tt := range []struct {
		name    string
		unique  bool
		email   string
		wantErr error
	}{
		{"unique refuses another spelling", true, "ＦＡＭＩＬＹ@example.COM", domain.ErrEmailTaken},
		{"unique allows another address", true, "family2@example.com", nil},
		{"unique allows no address", true, "", nil},
		{"shared allows the same address", false, "family@example.com", nil},
	} {
		for how, create := range creates {
			t.Run(tt.name+" by "+how, func(t *testing.T) {
				settings := app.DefaultSettings()
				settings.UniqueEmail = tt.unique
				e := newEnvWith(t, settings)
				if _, err := create(e, "alice", "Family@example.com"); err != nil {
					t.Fatal(err)
				}
				_, err := create(e, "bob", tt.email)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("second create = %v, want %v", err, tt.wantErr)
				}
				_, lookup := e.users.UserByUsername(t.Context(), "bob")
				if created := lookup == nil; created != (tt.wantErr == nil) {
					t.Errorf("bob created = %t, want %t", created, tt.wantErr == nil)
				}
			})
		}
	}
}

// TestImportSharesAddresses checks that Django users keep an address they share, even one a
// signup already took under UniqueEmail, and arrive unverified.
func TestImportSharesAddresses(t *testing.T) {
	e := newEnv(t) // UniqueEmail by default
	if _, err := e.accounts.SignUp(t.Context(), ports.SignUp{Username: "alice", Email: "family@example.com", Password: password}); err != nil {
		t.Fatal(err)
	}
	a, b := djangoUser(7, "dad"), djangoUser(8, "mum")
	a.User.Email, b.User.Email = "Family@example.com", "family@EXAMPLE.com"
	if sum := e.runImport(app.ImportOptions{}, a, b); sum.Users.Imported != 2 {
		t.Fatalf("summary = %+v, want both users imported", sum)
	}
	got, err := e.users.UsersByEmail(t.Context(), "family@example.com")
	if err != nil || len(got) != 3 {
		t.Fatalf("UsersByEmail = %+v, %v; want alice and both imports", got, err)
	}
	for _, u := range got[1:] {
		if u.EmailVerified {
			t.Errorf("imported %s is verified, want unverified", u.Username)
		}
	}
}
