package webauthn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	gowebauthn "github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// rpDisplayName names the relying party in authenticators' prompts.
const rpDisplayName = "Gatehouse"

// Ceremonies implements ports.PasskeyCeremonies.
type Ceremonies struct {
	wa *gowebauthn.WebAuthn
}

var _ ports.PasskeyCeremonies = (*Ceremonies)(nil)

// New returns the ceremonies of cfg's relying party, or nil when cfg.RPID is empty
// (passkeys off).
func New(cfg Config) (*Ceremonies, error) {
	if cfg.RPID == "" {
		return nil, nil
	}
	timeout := gowebauthn.TimeoutConfig{Enforce: true, Timeout: domain.PasskeyCeremonyTTL, TimeoutUVD: domain.PasskeyCeremonyTTL}
	wa, err := gowebauthn.New(&gowebauthn.Config{
		RPID:          cfg.RPID,
		RPDisplayName: rpDisplayName,
		RPOrigins:     cfg.Origins,
		// Passkeys: kept by the authenticator (so a login needs no username) and unlocked
		// by the user (PIN, fingerprint), which is what lets one stand alone as a login.
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationRequired,
		},
		// No attestation: Gatehouse trusts no vendor list, so it would only be a
		// fingerprint of the user's device.
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts:              gowebauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
	if err != nil {
		return nil, fmt.Errorf("webauthn: %w", err)
	}
	return &Ceremonies{wa: wa}, nil
}

// BeginRegistration implements ports.PasskeyCeremonies.
func (c *Ceremonies) BeginRegistration(user domain.User, existing []domain.Passkey) (ports.PasskeyCeremony, error) {
	u, err := newUser(user, existing)
	if err != nil {
		return ports.PasskeyCeremony{}, err
	}
	options, session, err := c.wa.BeginRegistration(u, gowebauthn.WithExclusions(gowebauthn.Credentials(u.creds).CredentialDescriptors()))
	if err != nil {
		return ports.PasskeyCeremony{}, fmt.Errorf("webauthn: %w", err)
	}
	return ceremony(options, session)
}

// RegistrationChallenge implements ports.PasskeyCeremonies.
func (c *Ceremonies) RegistrationChallenge(response []byte) (string, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return "", errMalformed
	}
	return parsed.Response.CollectedClientData.Challenge, nil
}

// FinishRegistration implements ports.PasskeyCeremonies.
func (c *Ceremonies) FinishRegistration(user domain.User, state, response []byte) (domain.Passkey, error) {
	var session gowebauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil {
		return domain.Passkey{}, fmt.Errorf("webauthn: ceremony state: %w", err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return domain.Passkey{}, errMalformed
	}
	u, err := newUser(user, nil)
	if err != nil {
		return domain.Passkey{}, err
	}
	cred, err := c.wa.CreateCredential(u, session, parsed)
	if err != nil {
		return domain.Passkey{}, fmt.Errorf("%w (%v)", domain.ErrWrongPasskey, protocolDetail(err))
	}
	if len(cred.ID) == 0 || len(cred.ID) > domain.MaxPasskeyCredentialIDBytes {
		return domain.Passkey{}, domain.ErrWrongPasskey
	}
	return encode(user.ID, cred)
}

// BeginLogin implements ports.PasskeyCeremonies.
func (c *Ceremonies) BeginLogin(user *domain.User, passkeys []domain.Passkey) (ports.PasskeyCeremony, error) {
	if user == nil {
		options, session, err := c.wa.BeginDiscoverableLogin(gowebauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			return ports.PasskeyCeremony{}, fmt.Errorf("webauthn: %w", err)
		}
		return ceremony(options, session)
	}
	u, err := newUser(*user, passkeys)
	if err != nil {
		return ports.PasskeyCeremony{}, err
	}
	// As a second factor after a password the passkey need not be unlocked as well: a
	// security key without a PIN is a fine second factor.
	options, session, err := c.wa.BeginLogin(u, gowebauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return ports.PasskeyCeremony{}, fmt.Errorf("webauthn: %w", err)
	}
	return ceremony(options, session)
}

// ReadAssertion implements ports.PasskeyCeremonies.
func (c *Ceremonies) ReadAssertion(response []byte) (ports.PasskeyAssertion, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return ports.PasskeyAssertion{}, errMalformed
	}
	a := ports.PasskeyAssertion{Challenge: parsed.Response.CollectedClientData.Challenge, CredentialID: parsed.RawID}
	if h := parsed.Response.UserHandle; len(h) > 0 {
		id, ok := domain.ParsePasskeyUserHandle(h)
		if !ok {
			return ports.PasskeyAssertion{}, errMalformed
		}
		a.UserID = id
	}
	return a, nil
}

// FinishLogin implements ports.PasskeyCeremonies.
func (c *Ceremonies) FinishLogin(user domain.User, passkeys []domain.Passkey, state, response []byte) (domain.Passkey, error) {
	var session gowebauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil {
		return domain.Passkey{}, fmt.Errorf("webauthn: ceremony state: %w", err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return domain.Passkey{}, errMalformed
	}
	u, err := newUser(user, passkeys)
	if err != nil {
		return domain.Passkey{}, err
	}
	var cred *gowebauthn.Credential
	if len(session.UserID) == 0 {
		cred, err = c.wa.ValidateDiscoverableLogin(func(_, handle []byte) (gowebauthn.User, error) {
			if !bytes.Equal(handle, u.WebAuthnID()) {
				return nil, errors.New("user handle of another account")
			}
			return u, nil
		}, session, parsed)
	} else {
		cred, err = c.wa.ValidateLogin(u, session, parsed)
	}
	if err != nil {
		return domain.Passkey{}, fmt.Errorf("%w (%v)", domain.ErrWrongPasskey, protocolDetail(err))
	}
	if cred.Authenticator.CloneWarning {
		return domain.Passkey{}, fmt.Errorf("%w (its signature counter went back: a cloned authenticator?)", domain.ErrWrongPasskey)
	}
	for _, p := range passkeys {
		if bytes.Equal(p.CredentialID, cred.ID) {
			updated, err := encode(user.ID, cred)
			p.Data = updated.Data
			return p, err
		}
	}
	return domain.Passkey{}, domain.ErrWrongPasskey
}

var errMalformed = domain.NewValidationError("credential", "The passkey response is not a WebAuthn credential.")

// protocolDetail is what a protocol error says, for logs and error chains: which check failed.
func protocolDetail(err error) string {
	var perr *protocol.Error
	if errors.As(err, &perr) && perr.Details != "" {
		return perr.Details
	}
	return err.Error()
}

func ceremony(options any, session *gowebauthn.SessionData) (ports.PasskeyCeremony, error) {
	o, err := json.Marshal(options)
	if err != nil {
		return ports.PasskeyCeremony{}, err
	}
	s, err := json.Marshal(session)
	if err != nil {
		return ports.PasskeyCeremony{}, err
	}
	return ports.PasskeyCeremony{Options: o, Challenge: session.Challenge, State: s}, nil
}

// encode makes a passkey of a verified credential. The attestation's raw data is dropped:
// nothing checks it again, and it would triple the record.
func encode(user domain.UserID, cred *gowebauthn.Credential) (domain.Passkey, error) {
	c := *cred
	c.Attestation = gowebauthn.CredentialAttestation{}
	data, err := json.Marshal(c)
	if err != nil {
		return domain.Passkey{}, err
	}
	return domain.Passkey{UserID: user, CredentialID: bytes.Clone(c.ID), Data: data}, nil
}

// user is a domain user as go-webauthn sees one.
type user struct {
	domain.User
	creds []gowebauthn.Credential
}

func newUser(u domain.User, passkeys []domain.Passkey) (*user, error) {
	out := &user{User: u, creds: make([]gowebauthn.Credential, 0, len(passkeys))}
	for _, p := range passkeys {
		var c gowebauthn.Credential
		if err := json.Unmarshal(p.Data, &c); err != nil {
			return nil, fmt.Errorf("webauthn: passkey %s of user %d: %w", p.ID(), u.ID, err)
		}
		out.creds = append(out.creds, c)
	}
	return out, nil
}

func (u *user) WebAuthnID() []byte                           { return domain.PasskeyUserHandle(u.ID) }
func (u *user) WebAuthnName() string                         { return u.Username }
func (u *user) WebAuthnDisplayName() string                  { return u.Username }
func (u *user) WebAuthnCredentials() []gowebauthn.Credential { return u.creds }
