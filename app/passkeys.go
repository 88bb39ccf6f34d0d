package app

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Passkeys (issue #16). A ceremony's state is a one-time code keyed by the hash of its
// challenge, on the session backend's CodeStore with the login tickets: the browser's answer
// names its challenge, so the finishing call finds the state wherever it arrives, and
// consuming the code makes every challenge single-use however many answers race.

// BeginPasskeyRegistration implements ports.Passkeys.
func (a *Accounts) BeginPasskeyRegistration(ctx context.Context, p domain.Principal, ip string) ([]byte, error) {
	if !a.mfa.passkeysOn() {
		return nil, domain.ErrPasskeysOff
	}
	if _, err := reserve(ctx, a.limiter, a.throttle.passkeyLimits(ip)); err != nil {
		return nil, err
	}
	existing, err := a.mfa.Passkeys.Passkeys(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= domain.MaxPasskeys {
		return nil, domain.ErrTooManyPasskeys
	}
	c, err := a.mfa.Ceremonies.BeginRegistration(p.User, existing)
	if err != nil {
		return nil, err
	}
	return c.Options, a.keepCeremony(ctx, domain.PurposePasskeyRegister, p.User.ID, c)
}

// FinishPasskeyRegistration implements ports.Passkeys. The owner is proven before the
// ceremony is consumed, so a mistyped password costs no second touch of the authenticator.
func (a *Accounts) FinishPasskeyRegistration(ctx context.Context, p domain.Principal, in ports.PasskeyRegistration) (domain.Passkey, []string, error) {
	if !a.mfa.passkeysOn() {
		return domain.Passkey{}, nil, domain.ErrPasskeysOff
	}
	name, err := domain.NormalizePasskeyName(in.Name)
	if err != nil {
		return domain.Passkey{}, nil, err
	}
	challenge, err := a.mfa.Ceremonies.RegistrationChallenge(in.Response)
	if err != nil {
		return domain.Passkey{}, nil, err
	}
	user, before, err := a.proveOwner(ctx, p, in.Proof)
	if err != nil {
		return domain.Passkey{}, nil, err
	}
	state, err := a.takeCeremony(ctx, domain.PurposePasskeyRegister, user.ID, challenge)
	if err != nil {
		return domain.Passkey{}, nil, err
	}
	pk, err := a.mfa.Ceremonies.FinishRegistration(user, state, in.Response)
	if err != nil {
		return domain.Passkey{}, nil, err
	}
	pk.Name, pk.CreatedAt = name, a.clock.Now()
	if err := a.mfa.Passkeys.AddPasskey(ctx, pk); err != nil {
		return domain.Passkey{}, nil, err
	}
	a.factorsChanged(user.ID)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasskeyAdded, UserID: user.ID, Method: p.Method, ItemID: pk.ID()})
	if before.any() {
		return pk, nil, nil
	}
	// The first factor: without recovery codes, a lost device would lock the account.
	codes, err := a.newRecoveryCodes(ctx, user.ID)
	return pk, codes, err
}

// ListPasskeys implements ports.Passkeys.
func (a *Accounts) ListPasskeys(ctx context.Context, p domain.Principal) ([]domain.Passkey, error) {
	if a.mfa.Passkeys == nil {
		return []domain.Passkey{}, nil
	}
	return a.mfa.Passkeys.Passkeys(ctx, p.User.ID)
}

// RemovePasskey implements ports.Passkeys.
func (a *Accounts) RemovePasskey(ctx context.Context, p domain.Principal, id string, proof ports.FactorProof) error {
	credentialID, ok := domain.ParsePasskeyID(id)
	if !ok || a.mfa.Passkeys == nil {
		return domain.ErrNotFound
	}
	user, _, err := a.proveOwner(ctx, p, proof)
	if err != nil {
		return err
	}
	if err := a.mfa.Passkeys.DeletePasskey(ctx, user.ID, credentialID); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasskeyRemoved, UserID: user.ID, Method: p.Method, ItemID: id})
	return a.factorRemoved(ctx, p, user.ID)
}

// BeginPasskeyLogin implements ports.Passkeys. Each call stores a ceremony, so each is
// charged to the client network's login limit, which bounds what a stranger can make the
// stores hold.
func (a *Accounts) BeginPasskeyLogin(ctx context.Context, ip string) ([]byte, error) {
	if !a.mfa.passkeysOn() {
		return nil, domain.ErrPasskeysOff
	}
	if _, err := reserve(ctx, a.limiter, a.throttle.passkeyLimits(ip)); err != nil {
		return nil, err
	}
	c, err := a.mfa.Ceremonies.BeginLogin(nil, nil)
	if err != nil {
		return nil, err
	}
	return c.Options, a.keepCeremony(ctx, domain.PurposePasskeyLogin, 0, c)
}

// FinishPasskeyLogin implements ports.Passkeys: the assertion names its ceremony (by the
// challenge) and its account (by the user handle); the passkey must be one of that account's
// and verify. Then the login ends as a password login would, the rule on unverified
// addresses included.
func (a *Accounts) FinishPasskeyLogin(ctx context.Context, in ports.PasskeyLogin) (ports.LoginResult, error) {
	if !a.mfa.passkeysOn() {
		return ports.LoginResult{}, domain.ErrPasskeysOff
	}
	name, err := domain.NormalizeTokenName(in.TokenName)
	if in.Method == domain.MethodToken && err != nil {
		return ports.LoginResult{}, err
	}
	as, err := a.mfa.Ceremonies.ReadAssertion(in.Response)
	if err != nil {
		return ports.LoginResult{}, err
	}
	state, err := a.takeCeremony(ctx, domain.PurposePasskeyLogin, 0, as.Challenge)
	if err != nil {
		return ports.LoginResult{}, err
	}
	user, err := a.users.UserByID(ctx, as.UserID)
	if errors.Is(err, domain.ErrNotFound) || err == nil && !user.IsActive {
		return ports.LoginResult{}, domain.ErrWrongPasskey
	}
	if err != nil {
		return ports.LoginResult{}, err
	}
	if ok, err := a.usePasskey(ctx, user, in.Method, state, in.Response); err != nil || !ok {
		return ports.LoginResult{}, cmpErr(err, domain.ErrWrongPasskey)
	}
	if err := a.email.admit(ctx, user, in.Method); err != nil {
		return ports.LoginResult{}, err
	}
	// A passkey alone is one factor, as a password is: domain.LevelPassword. As the second
	// step of a password login (VerifySecondFactor) it makes level 2.
	return a.finishLogin(ctx, user, in.Method, domain.LevelPassword,
		ports.Login{TokenName: name, IP: in.IP, UserAgent: in.UserAgent, PreviousSession: in.PreviousSession})
}

// usePasskey verifies an assertion by one of user's passkeys against the state of its
// ceremony, which the caller consumed, and records the passkey's new counter. It reports false for an assertion that does not verify, audited as such.
func (a *Accounts) usePasskey(ctx context.Context, user domain.User, method domain.AuthMethod, state, response []byte) (bool, error) {
	passkeys, err := a.mfa.Passkeys.Passkeys(ctx, user.ID)
	if err != nil {
		return false, err
	}
	used, err := a.mfa.Ceremonies.FinishLogin(user, passkeys, state, response)
	if errors.Is(err, domain.ErrWrongPasskey) {
		a.audit.Audit(ctx, domain.Audit{Event: domain.AuditPasskeyFailed, UserID: user.ID, Method: method})
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := a.mfa.Passkeys.UsePasskey(ctx, user.ID, used.CredentialID, used.Data, a.clock.Now()); errors.Is(err, domain.ErrNotFound) {
		return false, nil // removed meanwhile
	} else if err != nil {
		return false, err
	}
	return true, nil
}

// keepCeremony stores c's state for its second half, for user (0: not yet known).
func (a *Accounts) keepCeremony(ctx context.Context, purpose domain.CodePurpose, user domain.UserID, c ports.PasskeyCeremony) error {
	now := a.clock.Now()
	return a.codes.CreateCode(ctx, domain.OneTimeCode{Purpose: purpose, UserID: user, Hash: domain.HashSecret(c.Challenge),
		Data: c.State, CreatedAt: now, ExpiresAt: now.Add(domain.PasskeyCeremonyTTL)})
}

// takeCeremony consumes the ceremony of purpose begun with challenge for user and returns
// its state; a used, expired or unknown challenge, or one begun for another account, is
// domain.ErrWrongPasskey.
func (a *Accounts) takeCeremony(ctx context.Context, purpose domain.CodePurpose, user domain.UserID, challenge string) ([]byte, error) {
	if challenge == "" {
		return nil, domain.ErrWrongPasskey
	}
	code, err := a.codes.ConsumeCode(ctx, purpose, domain.HashSecret(challenge))
	if errors.Is(err, domain.ErrNotFound) || err == nil && code.UserID != user {
		return nil, domain.ErrWrongPasskey
	}
	return code.Data, err
}
