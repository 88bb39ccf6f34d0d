package app_test

import (
	"encoding/base32"
	"errors"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/adapters/webauthn/webauthntest"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

const origin = "https://example.com"

// withPasskeys turns passkeys on in e and returns an authenticator for its site.
func (e *env) withPasskeys() *webauthntest.Authenticator {
	e.t.Helper()
	c, err := webauthn.New(webauthn.Config{RPID: "example.com", Origins: []string{origin}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.mfa.Passkeys, e.mfa.Ceremonies = e.factors, c
	e.accounts = app.NewAccounts(e.users, e.sessions, e.tokens, e.port, e.verifier, e.clock, e.random, e.settings,
		e.limiter, app.Throttle{}, e.audit, e.cache, e.codes, e.mailer, e.mfa)
	return webauthntest.New(origin)
}

// addPasskey registers a passkey of auth for p, proving the owner with proof.
func (e *env) addPasskey(auth *webauthntest.Authenticator, p domain.Principal, proof ports.FactorProof) (domain.Passkey, []string, error) {
	e.t.Helper()
	options, err := e.accounts.BeginPasskeyRegistration(e.t.Context(), p, "192.0.2.1")
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := auth.Create(options)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.accounts.FinishPasskeyRegistration(e.t.Context(), p, ports.PasskeyRegistration{Name: "phone", Response: resp, Proof: proof})
}

// proof answers a factor proof with auth.
func (e *env) proof(auth *webauthntest.Authenticator, p domain.Principal) ports.FactorProof {
	e.t.Helper()
	options, err := e.accounts.BeginFactorProof(e.t.Context(), p)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := auth.Get(options)
	if err != nil {
		e.t.Fatal(err)
	}
	return ports.FactorProof{Password: password, Passkey: resp, IP: "192.0.2.1"}
}

// TestFactorChangesNeedAFactor: once an account has a passkey, a session with the password
// cannot add, replace or remove a factor, nor get new recovery codes, without a factor.
func TestFactorChangesNeedAFactor(t *testing.T) {
	e := newEnv(t)
	auth := e.withPasskeys()
	alice := principalOf(e.signUp("alice"))
	pk, codes, err := e.addPasskey(auth, alice, ports.FactorProof{Password: password, IP: "192.0.2.1"})
	if err != nil || len(codes) != domain.RecoveryCodeCount {
		t.Fatalf("first passkey: %v, %d codes", err, len(codes))
	}
	passwordOnly := ports.FactorProof{Password: password, IP: "192.0.2.1"}
	thief := webauthntest.New(origin)
	if _, _, err := e.addPasskey(thief, alice, passwordOnly); !isField(err, "code") {
		t.Errorf("a second passkey with the password alone: %v", err)
	}
	if _, err := e.accounts.RegenerateRecoveryCodes(t.Context(), alice, passwordOnly); !isField(err, "code") {
		t.Errorf("new recovery codes with the password alone: %v", err)
	}
	if err := e.accounts.RemovePasskey(t.Context(), alice, pk.ID(), passwordOnly); !isField(err, "code") {
		t.Errorf("removal with the password alone: %v", err)
	}
	en, err := e.accounts.EnrolTOTP(t.Context(), alice)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil {
		t.Fatal(err)
	}
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte(raw))
	if _, err := e.accounts.ConfirmTOTP(t.Context(), alice, e.code(secret, 0), passwordOnly); !isField(err, "code") {
		t.Errorf("TOTP confirmed with the password alone: %v", err)
	}
	// With the passkey as proof: TOTP joins, and the recovery codes stay as they were.
	kept, err := e.accounts.ConfirmTOTP(t.Context(), alice, e.code(secret, 0), e.proof(auth, alice))
	if err != nil || kept != nil {
		t.Fatalf("TOTP confirmed with the passkey: %v, %v", kept, err)
	}
	if _, err := e.accounts.RegenerateRecoveryCodes(t.Context(), alice,
		ports.FactorProof{Password: password, RecoveryCode: codes[0], IP: "192.0.2.1"}); err != nil {
		t.Errorf("an old recovery code after TOTP joined: %v", err)
	}
	// Any one factor proves the owner: a passkey, with TOTP on as well.
	if _, _, err := e.addPasskey(thief, alice, e.proof(auth, alice)); err != nil {
		t.Errorf("a second passkey with the password and the first: %v", err)
	}
}

func isField(err error, field string) bool {
	var verr *domain.ValidationError
	return errors.As(err, &verr) && len(verr.Fields[field]) > 0
}
