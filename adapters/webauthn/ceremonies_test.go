package webauthn_test

import (
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/adapters/webauthn/webauthntest"
	"github.com/gatehouse/gatehouse/domain"
)

const origin = "https://login.example.com"

func newCeremonies(t *testing.T) *webauthn.Ceremonies {
	t.Helper()
	c, err := webauthn.New(webauthn.Config{RPID: "example.com", Origins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// register adds a passkey of auth for user and returns it.
func register(t *testing.T, c *webauthn.Ceremonies, auth *webauthntest.Authenticator, user domain.User) domain.Passkey {
	t.Helper()
	begun, err := c.BeginRegistration(user, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := auth.Create(begun.Options)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.RegistrationChallenge(resp); err != nil || got != begun.Challenge {
		t.Fatalf("RegistrationChallenge = %q, %v; want %q", got, err, begun.Challenge)
	}
	p, err := c.FinishRegistration(user, begun.State, resp)
	if err != nil {
		t.Fatalf("FinishRegistration: %v", err)
	}
	if p.UserID != user.ID || len(p.CredentialID) == 0 || len(p.Data) == 0 {
		t.Fatalf("FinishRegistration = %+v", p)
	}
	return p
}

func TestPasskeyLogin(t *testing.T) {
	c := newCeremonies(t)
	alice := domain.User{ID: 7, Username: "alice"}
	auth := webauthntest.New(origin)
	p := register(t, c, auth, alice)

	for _, tc := range []struct {
		name string
		user *domain.User
	}{{"discoverable", nil}, {"second factor", &alice}} {
		t.Run(tc.name, func(t *testing.T) {
			begun, err := c.BeginLogin(tc.user, []domain.Passkey{p})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := auth.Get(begun.Options)
			if err != nil {
				t.Fatal(err)
			}
			a, err := c.ReadAssertion(resp)
			if err != nil || a.Challenge != begun.Challenge || a.UserID != alice.ID || string(a.CredentialID) != string(p.CredentialID) {
				t.Fatalf("ReadAssertion = %+v, %v", a, err)
			}
			used, err := c.FinishLogin(alice, []domain.Passkey{p}, begun.State, resp)
			if err != nil {
				t.Fatalf("FinishLogin: %v", err)
			}
			if string(used.CredentialID) != string(p.CredentialID) || string(used.Data) == string(p.Data) {
				t.Errorf("FinishLogin did not update the counter: %+v", used)
			}
			p = used
		})
	}
}

func TestPasskeyRefusals(t *testing.T) {
	c := newCeremonies(t)
	alice, bob := domain.User{ID: 7, Username: "alice"}, domain.User{ID: 8, Username: "bob"}
	auth := webauthntest.New(origin)
	p := register(t, c, auth, alice)
	bobs := register(t, c, webauthntest.New(origin), bob)

	for _, tc := range []struct {
		name string
		// tamper changes the authenticator, user or passkeys before the assertion.
		tamper func() (domain.User, []domain.Passkey, *webauthntest.Authenticator)
		// otherState uses the state of another ceremony.
		otherState bool
	}{
		{"another site's page", func() (domain.User, []domain.Passkey, *webauthntest.Authenticator) {
			return alice, []domain.Passkey{p}, auth.On("https://example.com.evil.test")
		}, false},
		{"another ceremony's challenge", func() (domain.User, []domain.Passkey, *webauthntest.Authenticator) {
			return alice, []domain.Passkey{p}, auth
		}, true},
		{"the passkey of another account", func() (domain.User, []domain.Passkey, *webauthntest.Authenticator) {
			return bob, []domain.Passkey{bobs}, auth
		}, false},
		{"a cloned authenticator", func() (domain.User, []domain.Passkey, *webauthntest.Authenticator) {
			auth.SetCounters(50)
			resp := login(t, c, auth, alice, p)
			used, err := c.FinishLogin(alice, []domain.Passkey{p}, resp.state, resp.body)
			if err != nil {
				t.Fatal(err)
			}
			p = used
			auth.SetCounters(10) // a copy made earlier
			return alice, []domain.Passkey{p}, auth
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user, passkeys, a := tc.tamper()
			resp := login(t, c, a, alice, p)
			if tc.otherState {
				resp.state = login(t, c, a, alice, p).state
			}
			if _, err := c.FinishLogin(user, passkeys, resp.state, resp.body); !errors.Is(err, domain.ErrWrongPasskey) {
				t.Errorf("FinishLogin = %v; want ErrWrongPasskey", err)
			}
		})
	}

	t.Run("not a credential", func(t *testing.T) {
		var verr *domain.ValidationError
		if _, err := c.ReadAssertion([]byte(`{"id":"x"}`)); !errors.As(err, &verr) {
			t.Errorf("ReadAssertion = %v; want a ValidationError", err)
		}
		if _, err := c.RegistrationChallenge([]byte(`[]`)); !errors.As(err, &verr) {
			t.Errorf("RegistrationChallenge = %v; want a ValidationError", err)
		}
	})
	t.Run("registration of another account's ceremony", func(t *testing.T) {
		begun, err := c.BeginRegistration(alice, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := webauthntest.New(origin).Create(begun.Options)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.FinishRegistration(bob, begun.State, resp); !errors.Is(err, domain.ErrWrongPasskey) {
			t.Errorf("FinishRegistration = %v; want ErrWrongPasskey", err)
		}
	})
	t.Run("an authenticator that holds an existing passkey", func(t *testing.T) {
		begun, err := c.BeginRegistration(alice, []domain.Passkey{p})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := auth.Create(begun.Options); err == nil {
			t.Error("the options did not exclude the passkey the user has")
		}
	})
}

type assertion struct{ state, body []byte }

func login(t *testing.T, c *webauthn.Ceremonies, a *webauthntest.Authenticator, user domain.User, p domain.Passkey) assertion {
	t.Helper()
	begun, err := c.BeginLogin(&user, []domain.Passkey{p})
	if err != nil {
		t.Fatal(err)
	}
	body, err := a.Get(begun.Options)
	if err != nil {
		t.Fatal(err)
	}
	return assertion{begun.State, body}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{{"example.com", true}, {"localhost", true}, {"", false}, {"https://example.com", false}, {"example.com:443", false}, {"127.0.0.1", false}, {"a b", false}} {
		if got := webauthn.ValidRPID(tc.id); got != tc.want {
			t.Errorf("ValidRPID(%q) = %t", tc.id, got)
		}
	}
	for _, tc := range []struct {
		origin string
		want   bool
	}{{"https://example.com", true}, {"https://login.example.com:8443", true}, {"https://badexample.com", false}, {"https://example.com.evil.test", false}} {
		if got := webauthn.OriginMatches(tc.origin, "example.com"); got != tc.want {
			t.Errorf("OriginMatches(%q) = %t", tc.origin, got)
		}
	}
	if c, err := webauthn.New(webauthn.Config{}); c != nil || err != nil {
		t.Errorf("New without an RP ID = %v, %v; want passkeys off", c, err)
	}
}
