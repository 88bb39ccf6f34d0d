package contract

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// credentialRevokeAll revokes all of a user's credentials, or with revokeAllBut all but one,
// and checks that only live ones are counted and that the spared one and other users' stay.
func credentialRevokeAll[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	tests := []struct {
		name   string
		except string // label of the credential to spare; "" spares none
		n      int
		left   []string
	}{
		{"all", "", 3, nil},
		{"all but one", "c2", 2, []string{"c2"}},
		{"except an unknown id", "unknown", 3, nil},
		{"except another user's", "other user's", 3, nil},
		{"except an expired one", "expired", 3, nil},
	}
	for _, tt := range tests {
		if tt.except != "" && k.revokeAllBut == nil {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			s, clock := k.store(t, f)
			user, other, now := newUserID(), newUserID(), clock.Now()
			mine := map[string]C{
				"c1":      k.make(user, newSecretHash(), now.Add(-3*time.Second), k.lasting()),
				"c2":      k.make(user, newSecretHash(), now.Add(-2*time.Second), time.Hour),
				"c3":      k.make(user, newSecretHash(), now.Add(-time.Second), k.lasting()),
				"expired": k.make(user, newSecretHash(), now.Add(-2*time.Hour), time.Hour),
			}
			others := k.make(other, newSecretHash(), now, k.lasting())
			k.mustCreate(t, s, mine["c1"], mine["c2"], mine["c3"], mine["expired"], others)

			revoke := func() (int, error) {
				if tt.except == "" {
					return k.revokeEvery(s, t.Context(), user)
				}
				except := newPublicID() // unknown
				if c, ok := mine[tt.except]; ok {
					except = k.id(c)
				} else if tt.except == "other user's" {
					except = k.id(others)
				}
				return k.revokeAllBut(s, t.Context(), user, except)
			}
			if n, err := revoke(); err != nil || n != tt.n {
				t.Errorf("revoke all but %q = %d, %v; want %d revoked (expired ones do not count)", tt.except, n, err, tt.n)
			}
			if k.list != nil {
				names := labels{}
				for name, c := range mine {
					names[k.id(c)] = name
				}
				if got := names.of(k.ids(k.mustList(t, s, user))); !slices.Equal(got, tt.left) {
					t.Errorf("left %v, want %v", got, tt.left)
				}
			}
			for name, c := range mine {
				if slices.Contains(tt.left, name) {
					k.check(t, s, c)
				} else {
					k.checkGone(t, s, c)
				}
			}
			k.check(t, s, others)
			if again, err := revoke(); err != nil || again != 0 {
				t.Errorf("revoke all again = %d, %v; want 0", again, err)
			}
		})
	}
	t.Run("user without any", func(t *testing.T) {
		s, clock := k.store(t, f)
		others := k.make(newUserID(), newSecretHash(), clock.Now(), k.lasting())
		k.mustCreate(t, s, others)
		if n, err := k.revokeEvery(s, t.Context(), newUserID()); err != nil || n != 0 {
			t.Errorf("revoke all = %d, %v; want 0", n, err)
		}
		k.check(t, s, others)
	})
}

func credentialRevoke[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	tests := []struct {
		name       string
		byStranger bool // another user asks to revoke
		unknownID  bool // the id names no credential
		revoked    bool
	}{
		{name: "own", revoked: true},
		{name: "another user's", byStranger: true},
		{name: "unknown id", unknownID: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := k.store(t, f)
			user, stranger := newUserID(), newUserID()
			target := k.make(user, newSecretHash(), clock.Now(), time.Hour)
			kept := k.make(user, newSecretHash(), clock.Now().Add(-time.Second), time.Hour)
			strangers := k.make(stranger, newSecretHash(), clock.Now(), time.Hour)
			k.mustCreate(t, s, target, kept, strangers)
			by, id := user, k.id(target)
			if tt.byStranger {
				by = stranger
			}
			if tt.unknownID {
				id = newPublicID()
			}
			err := k.revoke(s, t.Context(), by, id)
			switch {
			case tt.revoked && err != nil:
				t.Fatalf("revoke error = %v", err)
			case tt.revoked:
				if err := k.revoke(s, t.Context(), by, id); !errors.Is(err, domain.ErrNotFound) {
					t.Errorf("revoke of a revoked credential = %v, want domain.ErrNotFound", err)
				}
				k.checkGone(t, s, target)
			case !errors.Is(err, domain.ErrNotFound):
				t.Errorf("revoke = %v, want domain.ErrNotFound", err)
			default:
				k.check(t, s, target)
			}
			k.check(t, s, kept)
			k.check(t, s, strangers)
		})
	}
}
