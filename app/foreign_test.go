package app_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// TestDjangoHashIsUpgradedAtLogin: a user imported with Django's hash logs in with their
// password, and the hash is replaced by argon2id on the way.
func TestDjangoHashIsUpgradedAtLogin(t *testing.T) {
	e := newEnv(t)
	// Made by Django 3.2's make_password("correct horse battery staple").
	const django = "pbkdf2_sha256$260000$anyfHeW8eb4GNByrpy9SOY$R5M3y32DY+zsaP5vpEEXOmI3uEnWoW5l6JEKK8coHU4="
	u, err := e.users.CreateUser(t.Context(), domain.User{Username: "imported", PasswordHash: django, IsActive: true}, domain.EmailShared)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.verifier.Check(t.Context(), "imported", "wrong horse battery staple", "192.0.2.1", domain.MethodToken); err == nil {
		t.Fatal("a wrong password matched the Django hash")
	}
	if e.passwordHash(u.ID) != django {
		t.Fatal("a failed login changed the hash")
	}
	if _, err := e.verifier.Check(t.Context(), "imported", "correct horse battery staple", "192.0.2.1", domain.MethodToken); err != nil {
		t.Fatalf("the Django password did not log in: %v", err)
	}
	if got := e.passwordHash(u.ID); !strings.HasPrefix(got, testPHCPrefix) {
		t.Errorf("stored hash after login = %.30q, want argon2id with the current parameters", got)
	}
}
