package app

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// SecondFactors are what the second-factor use cases need beside the account's stores.
// Factor and recovery codes live on the user backend (GATEHOUSE_USER_STORE), as durable as
// the password they back: with users in MySQL and sessions in memory, a restart must not
// lose the recovery codes and keep the factor. Login tickets are short-lived and stay on the
// session backend's CodeStore with the mailed links.
type SecondFactors struct {
	// Factors is the user backend's factor store; nil turns second factors off (no account
	// then has one), which only tests of other rules do.
	Factors ports.FactorStore
	// Recovery is the user backend's CodeStore, for recovery codes.
	Recovery ports.CodeStore
	// Passkeys is the user backend's passkey store; nil turns passkeys off.
	Passkeys ports.PasskeyStore
	// Ceremonies run WebAuthn (GATEHOUSE_WEBAUTHN_RP_ID); nil turns passkeys off.
	Ceremonies ports.PasskeyCeremonies
	// Keys seal TOTP secrets (GATEHOUSE_SECRET_KEY); with none, enrolment is refused.
	Keys domain.ServerKeys
}

const (
	// totpIssuer names Gatehouse in authenticator apps.
	totpIssuer = "Gatehouse"
	// qrCodeSize is the side of the enrolment QR code in pixels: large enough to scan from
	// a screen, small enough to send inline.
	qrCodeSize = 256
)

var (
	errWrongCode = domain.NewValidationError("code", "The code is wrong or was used already.")
	errBadTicket = domain.NewValidationError("ticket", "The login ticket is invalid, used or expired: log in again.")
	// errFactorNeeded asks for the second factor a change of factors needs.
	errFactorNeeded = domain.NewValidationError("code", "Give a code from your authenticator app, a recovery code, or your passkey.")
)

// confirmedTOTP returns user's TOTP factor and whether it is confirmed (guards logins).
func (a *Accounts) confirmedTOTP(ctx context.Context, user domain.UserID) (domain.TOTPFactor, bool, error) {
	return confirmedTOTP(ctx, a.mfa.Factors, user)
}

func confirmedTOTP(ctx context.Context, factors ports.FactorStore, user domain.UserID) (domain.TOTPFactor, bool, error) {
	if factors == nil {
		return domain.TOTPFactor{}, false, nil
	}
	f, err := factors.TOTP(ctx, user)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.TOTPFactor{}, false, nil
	}
	if err != nil {
		return domain.TOTPFactor{}, false, err
	}
	return f, f.Confirmed, nil
}

// Factors implements ports.SecondFactors. It answers /me, on the hot path of every client
// that asks who it is, so the answer comes from a cache kept as long as cached owners are:
// without it every /me would cost a second store round trip.
func (a *Accounts) Factors(ctx context.Context, p domain.Principal) ([]domain.FactorKind, error) {
	return a.factorKinds.get(ctx, p.User.ID)
}

func (a *Accounts) loadFactorKinds(ctx context.Context, user domain.UserID) ([]domain.FactorKind, error) {
	f, err := readFactors(ctx, a.mfa, user)
	if err != nil {
		return nil, err
	}
	return f.kinds(), nil
}

// EnrolTOTP starts a TOTP enrolment: a new secret, sealed under the server key and stored as
// an unconfirmed factor (replacing an unfinished enrolment), shown once. It guards nothing
// until ConfirmTOTP. A confirmed factor is domain.ErrFactorExists: it must be disabled, with
// the password and a code, first — so a stolen session cannot swap in the thief's own.
func (a *Accounts) EnrolTOTP(ctx context.Context, p domain.Principal) (ports.TOTPEnrolment, error) {
	if a.mfa.Factors == nil || a.mfa.Keys.Empty() {
		return ports.TOTPEnrolment{}, domain.ErrNoServerKey
	}
	var raw [domain.TOTPSecretBytes]byte
	var nonce [domain.SealNonceBytes]byte
	if err := a.random.Read(raw[:]); err != nil {
		return ports.TOTPEnrolment{}, err
	}
	if err := a.random.Read(nonce[:]); err != nil {
		return ports.TOTPEnrolment{}, err
	}
	secret := domain.NewTOTPSecret(raw)
	uri, err := secret.URI(totpIssuer, p.User.Username)
	if err != nil {
		return ports.TOTPEnrolment{}, err
	}
	qr, err := domain.TOTPQRCodePNG(uri, qrCodeSize)
	if err != nil {
		return ports.TOTPEnrolment{}, err
	}
	sealed, err := a.mfa.Keys.SealTOTP(p.User.ID, secret, nonce)
	if err != nil {
		return ports.TOTPEnrolment{}, err
	}
	f := domain.TOTPFactor{UserID: p.User.ID, Sealed: sealed, CreatedAt: a.clock.Now()}
	if err := a.mfa.Factors.PutTOTP(ctx, f); err != nil {
		return ports.TOTPEnrolment{}, err
	}
	return ports.TOTPEnrolment{Secret: secret.Base32(), URI: uri, QRCodePNG: qr}, nil
}

// ConfirmTOTP activates an enrolment with a current code (throttled as a login). The first
// factor of an account comes with ten new recovery codes; an account that has a passkey
// already must prove its owner first (proveOwner) — or a stolen session could add the
// thief's authenticator — and keeps its codes. The confirmation is a compare-and-set on the
// sealed secret the code was checked against, so a code of an enrolment restarted meanwhile
// confirms nothing.
func (a *Accounts) ConfirmTOTP(ctx context.Context, p domain.Principal, code string, proof ports.FactorProof) ([]string, error) {
	if a.mfa.Factors == nil || a.mfa.Keys.Empty() {
		return nil, domain.ErrNoServerKey
	}
	before, err := readFactors(ctx, a.mfa, p.User.ID)
	switch {
	case err != nil:
		return nil, err
	case before.totp.UserID == 0:
		return nil, domain.ErrNoFactor
	case before.confirmedTOTP():
		return nil, domain.ErrFactorExists
	}
	if before.any() {
		if _, _, err := a.proveOwner(ctx, p, proof); err != nil {
			return nil, err
		}
	}
	f := before.totp
	secret, err := a.mfa.Keys.OpenTOTP(p.User.ID, f.Sealed)
	if err != nil {
		return nil, err
	}
	res, err := a.verifier.reserveCode(ctx, p.User, proof.IP, p.Method)
	if err != nil {
		return nil, err
	}
	step, ok := domain.CheckTOTP(secret, code, a.clock.Now(), 0)
	if !ok {
		a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFAFailed, UserID: p.User.ID, Method: p.Method})
		return nil, errWrongCode
	}
	if err := a.mfa.Factors.ConfirmTOTP(ctx, p.User.ID, f.Sealed, step); errors.Is(err, domain.ErrNotFound) {
		return nil, errWrongCode // restarted or confirmed meanwhile
	} else if err != nil {
		res.cancel(ctx)
		return nil, err
	}
	res.cancel(ctx)
	a.factorsChanged(p.User.ID)
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFAEnrolled, UserID: p.User.ID, Method: p.Method})
	if before.any() {
		return nil, nil
	}
	return a.newRecoveryCodes(ctx, p.User.ID)
}

// newRecoveryCodes voids user's recovery codes and stores a new set, returning it to show once.
func (a *Accounts) newRecoveryCodes(ctx context.Context, user domain.UserID) ([]string, error) {
	var buf [domain.RecoveryCodeCount * domain.RecoveryCodeBytes]byte
	if err := a.random.Read(buf[:]); err != nil {
		return nil, err
	}
	var random [domain.RecoveryCodeCount][domain.RecoveryCodeBytes]byte
	for i := range random {
		copy(random[i][:], buf[i*domain.RecoveryCodeBytes:])
	}
	shown, stored := domain.NewRecoveryCodes(user, random, a.clock.Now())
	if _, err := a.mfa.Recovery.DeleteUserCodes(ctx, user, domain.PurposeRecovery); err != nil {
		return nil, err
	}
	for _, c := range stored {
		if err := a.mfa.Recovery.CreateCode(ctx, c); err != nil {
			return nil, err
		}
	}
	return shown, nil
}

// RegenerateRecoveryCodes replaces the recovery codes once the owner is proven: a new set
// must not be had with the password alone, or it would stand in for the factor it backs.
func (a *Accounts) RegenerateRecoveryCodes(ctx context.Context, p domain.Principal, proof ports.FactorProof) ([]string, error) {
	if f, err := readFactors(ctx, a.mfa, p.User.ID); err != nil || !f.any() {
		return nil, cmpErr(err, domain.ErrNoFactor)
	}
	if _, _, err := a.proveOwner(ctx, p, proof); err != nil {
		return nil, err
	}
	codes, err := a.newRecoveryCodes(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFARecoveryRegenerated, UserID: p.User.ID, Method: p.Method})
	return codes, nil
}

// DisableTOTP removes the factor once the owner is proven (the password and a current code,
// or a recovery code) and revokes every other session and token of the user, as a password
// change does: whoever enrolled or used the factor elsewhere is signed out.
func (a *Accounts) DisableTOTP(ctx context.Context, p domain.Principal, in ports.FactorProof) error {
	user, f, err := a.proveOwner(ctx, p, in)
	if err != nil {
		return err
	}
	if !f.confirmedTOTP() {
		return domain.ErrNoFactor
	}
	if err := a.mfa.Factors.DeleteTOTP(ctx, user.ID); err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFADisabled, UserID: user.ID, Method: p.Method})
	return a.factorRemoved(ctx, p, user.ID)
}

// proveOwner is the one check before a change of second factors: p's password again and,
// when the account has any factor, one of them — a current TOTP code, a recovery code, or an
// assertion by one of its passkeys — all throttled as a login. A stolen session, even with
// the password, cannot add, remove or replace a factor. It returns the user as stored now and
// the factors it had.
func (a *Accounts) proveOwner(ctx context.Context, p domain.Principal, in ports.FactorProof) (domain.User, accountFactors, error) {
	user, err := a.reconfirm(ctx, p, in.Password, in.IP)
	if err != nil {
		return domain.User{}, accountFactors{}, err
	}
	f, err := readFactors(ctx, a.mfa, user.ID)
	if err != nil || !f.any() {
		return user, f, err
	}
	given := secondFactor{code: in.Code, recovery: in.RecoveryCode, passkey: in.Passkey}
	if given.code == "" && given.recovery == "" && len(given.passkey) == 0 {
		return domain.User{}, accountFactors{}, errFactorNeeded
	}
	ok, err := a.checkFactor(ctx, user, p.Method, given, in.IP)
	if err != nil {
		return domain.User{}, accountFactors{}, err
	}
	if !ok {
		return domain.User{}, accountFactors{}, errWrongCode
	}
	return user, f, nil
}

// BeginFactorProof implements ports.SecondFactors: a passkey ceremony whose assertion
// proves p's user in a FactorProof, as at the second step of a login.
func (a *Accounts) BeginFactorProof(ctx context.Context, p domain.Principal) ([]byte, error) {
	if !a.mfa.passkeysOn() {
		return nil, domain.ErrPasskeysOff
	}
	passkeys, err := a.mfa.Passkeys.Passkeys(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	if len(passkeys) == 0 {
		return nil, domain.ErrNoFactor
	}
	c, err := a.mfa.Ceremonies.BeginLogin(&p.User, passkeys)
	if err != nil {
		return nil, err
	}
	return c.Options, a.keepCeremony(ctx, domain.PurposePasskeyMFA, p.User.ID, c)
}

// factorsChanged forgets what caches remember of user's factors: Basic credentials
// remembered before a factor was added were a password alone (see Chain.basic), and /me
// lists the factors.
func (a *Accounts) factorsChanged(user domain.UserID) {
	a.cache.dropUser(user)
	a.factorKinds.drop(user)
}

// factorRemoved follows the removal of one of user's factors: with none left the recovery
// codes go too; every other session and token of p's user is revoked.
func (a *Accounts) factorRemoved(ctx context.Context, p domain.Principal, user domain.UserID) error {
	a.factorsChanged(user)
	f, err := readFactors(ctx, a.mfa, user)
	if err != nil {
		return err
	}
	if !f.any() {
		if _, err := a.mfa.Recovery.DeleteUserCodes(ctx, user, domain.PurposeRecovery); err != nil {
			return err
		}
	}
	var session, token string
	if p.Session != nil {
		session = p.Session.ID
	}
	if p.Token != nil {
		token = p.Token.ID
	}
	return revokeAllBut(ctx, a.sessions, a.tokens, user, session, token)
}

// forgetFactors removes every factor of user and its recovery codes: disabling, account
// deletion and an operator's reset all go through it.
func forgetFactors(ctx context.Context, mfa SecondFactors, user domain.UserID) error {
	if mfa.Factors == nil {
		return nil
	}
	if err := mfa.Factors.DeleteUserFactors(ctx, user); err != nil {
		return err
	}
	_, err := mfa.Recovery.DeleteUserCodes(ctx, user, domain.PurposeRecovery)
	return err
}

// reconfirm checks p's password again; a wrong one is a *domain.ValidationError on "password".
func (a *Accounts) reconfirm(ctx context.Context, p domain.Principal, password, ip string) (domain.User, error) {
	user, err := a.verifier.Reconfirm(ctx, p.User, password, ip, p.Method)
	if errors.Is(err, domain.ErrInvalidCredentials) {
		return domain.User{}, errWrongPassword
	}
	return user, err
}

// cmpErr returns err, or otherwise when err is nil.
func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}
