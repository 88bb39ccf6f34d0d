package app

import (
	"context"
	"crypto/subtle"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The two-step login. A right password for an account with a confirmed factor is answered
// with a ticket (domain.SecondFactorRequiredError), not a session or token; the ticket and a
// code then finish the login as the first step would have (VerifySecondFactor).

// challenge returns nil when user has no confirmed factor, and otherwise stores a ticket
// that remembers t and returns it as *domain.SecondFactorRequiredError. Tickets are written
// straight to the CodeStore, not through newLink: a new ticket must not void another
// login's, so two devices can log in at once.
func (a *Accounts) challenge(ctx context.Context, user domain.User, t domain.MFATicket) error {
	f, err := readFactors(ctx, a.mfa, user.ID)
	if err != nil || !f.any() {
		return err
	}
	secret, _, err := newSecret(a.random, domain.MFATicketPrefix)
	if err != nil {
		return err
	}
	need := &domain.SecondFactorRequiredError{Factors: f.kinds()}
	if len(f.passkeys) > 0 && a.mfa.passkeysOn() {
		c, err := a.mfa.Ceremonies.BeginLogin(&user, f.passkeys)
		if err != nil {
			return err
		}
		if err := a.keepCeremony(ctx, domain.PurposePasskeyMFA, user.ID, c); err != nil {
			return err
		}
		need.PasskeyOptions = c.Options
	}
	t.PasswordTag = domain.PasswordTag(user.PasswordHash)
	now := a.clock.Now()
	code := domain.OneTimeCode{Purpose: domain.PurposeMFATicket, UserID: user.ID, Hash: domain.HashSecret(secret),
		Data: []byte(t.Encode()), CreatedAt: now, ExpiresAt: now.Add(domain.MFATicketTTL)}
	if err := a.codes.CreateCode(ctx, code); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFAChallenged, UserID: user.ID, Method: t.Method})
	need.Ticket = secret
	return need
}

// VerifySecondFactor finishes a two-step login with a session or token at
// domain.LevelSecondFactor, whichever second factor was given (a TOTP code, a passkey, or a
// recovery code, which stands in for them). The ticket is consumed first, in one atomic
// step, so of any number of concurrent attempts with one ticket at most one goes on; a
// wrong code puts it back with one attempt more, until domain.MFATicketAttempts were made.
// The code itself is charged to the login throttle before it is checked (checkFactor), and a
// TOTP code is used once (FactorStore.UseTOTPStep), a recovery code too (ConsumeCode).
func (a *Accounts) VerifySecondFactor(ctx context.Context, in ports.SecondFactorLogin) (ports.LoginResult, error) {
	if !domain.ValidMFATicketSecret(in.Ticket) {
		return ports.LoginResult{}, errBadTicket
	}
	code, err := a.codes.ConsumeCode(ctx, domain.PurposeMFATicket, domain.HashSecret(in.Ticket))
	if errors.Is(err, domain.ErrNotFound) {
		return ports.LoginResult{}, errBadTicket
	}
	if err != nil {
		return ports.LoginResult{}, err
	}
	t, ok := domain.ParseMFATicket(domain.TicketState(code))
	if !ok {
		return ports.LoginResult{}, errBadTicket
	}
	user, err := a.users.UserByID(ctx, code.UserID)
	if errors.Is(err, domain.ErrNotFound) {
		return ports.LoginResult{}, errBadTicket
	}
	if err != nil {
		a.putTicket(ctx, code, t)
		return ports.LoginResult{}, err
	}
	// A password changed or an account deactivated since the first step voids the ticket.
	tag := domain.PasswordTag(user.PasswordHash)
	if !user.IsActive || subtle.ConstantTimeCompare([]byte(tag), []byte(t.PasswordTag)) != 1 {
		return ports.LoginResult{}, errBadTicket
	}
	ok, err = a.checkFactor(ctx, user, t.Method, secondFactor{code: in.Code, recovery: in.RecoveryCode, passkey: in.Passkey}, in.IP)
	if err != nil {
		a.putTicket(ctx, code, t) // a throttled or unjudged code costs the ticket nothing
		return ports.LoginResult{}, err
	}
	if !ok {
		if t.Attempts++; t.Attempts < domain.MFATicketAttempts {
			a.putTicket(ctx, code, t)
		}
		if in.Code == "" && in.RecoveryCode == "" && len(in.Passkey) > 0 {
			return ports.LoginResult{}, domain.ErrWrongPasskey
		}
		return ports.LoginResult{}, domain.ErrWrongSecondFactor
	}
	return a.finishLogin(ctx, user, t.Method, domain.LevelSecondFactor,
		ports.Login{TokenName: t.TokenName, IP: in.IP, UserAgent: in.UserAgent, PreviousSession: in.PreviousSession})
}

// finishLogin ends a login whose credentials were checked as method asked: a token named
// in.TokenName (already normalised) or a session, at level.
func (a *Accounts) finishLogin(ctx context.Context, user domain.User, method domain.AuthMethod, level domain.AuthLevel, in ports.Login) (ports.LoginResult, error) {
	if method == domain.MethodToken {
		it, err := a.finishToken(ctx, user, in.TokenName, level)
		if err != nil {
			return ports.LoginResult{}, err
		}
		return ports.LoginResult{User: user, Token: &it}, nil
	}
	is, err := a.finishSession(ctx, user, in, level)
	if err != nil {
		return ports.LoginResult{}, err
	}
	return ports.LoginResult{User: user, Session: &is}, nil
}

// putTicket stores a consumed ticket again with t's state, keeping its deadline. It is best
// effort: a ticket lost to a store error means logging in again.
func (a *Accounts) putTicket(ctx context.Context, code domain.OneTimeCode, t domain.MFATicket) {
	code.Email, code.Data = "", []byte(t.Encode())
	_ = a.codes.CreateCode(context.WithoutCancel(ctx), code)
}

// secondFactor is what a user gives as second factor: a TOTP code, a recovery code or a
// passkey assertion; the first given in that order is checked.
type secondFactor struct {
	code, recovery string
	passkey        []byte
}

// checkFactor is the one check of a second factor, for logins and sensitive changes: it
// charges the attempt to user's login limits first (Verifier.reserveCode), then accepts a
// TOTP code or a recovery code, each once, or a passkey assertion of its own ceremony. A right
// code gives its charge back; a wrong one is audited and keeps it. It reports whether the
// code was right; errors are the throttle's or a store's.
func (a *Accounts) checkFactor(ctx context.Context, user domain.User, method domain.AuthMethod, given secondFactor, ip string) (bool, error) {
	res, err := a.verifier.reserveCode(ctx, user, ip, method)
	if err != nil {
		return false, err
	}
	ok, err := a.matchFactor(ctx, user, method, given)
	if err != nil {
		res.cancel(ctx)
		return false, err
	}
	if !ok {
		a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFAFailed, UserID: user.ID, Method: method})
		return false, nil
	}
	res.cancel(ctx)
	return true, nil
}

func (a *Accounts) matchFactor(ctx context.Context, u domain.User, method domain.AuthMethod, given secondFactor) (bool, error) {
	user, code, recovery := u.ID, given.code, given.recovery
	if code == "" && recovery == "" && len(given.passkey) > 0 {
		return a.matchPasskey(ctx, u, method, given.passkey)
	}
	if code != "" {
		f, ok, err := a.confirmedTOTP(ctx, user)
		if err != nil || !ok {
			return false, err
		}
		secret, err := a.mfa.Keys.OpenTOTP(user, f.Sealed)
		if err != nil {
			return false, err
		}
		now := a.clock.Now()
		step, ok := domain.CheckTOTP(secret, code, now, f.LastStep)
		if !ok {
			return false, nil
		}
		// Only the call that records the step accepts the code: a replay, even a
		// concurrent one, loses.
		won, err := a.mfa.Factors.UseTOTPStep(ctx, user, step, now)
		if errors.Is(err, domain.ErrNotFound) {
			return false, nil
		}
		if won && a.mfa.Keys.NeedsReseal(f.Sealed) {
			a.reseal(ctx, user, f.Sealed, secret)
		}
		return won, err
	}
	h, ok := domain.HashRecoveryCode(user, recovery)
	if !ok || a.mfa.Recovery == nil {
		return false, nil
	}
	// The user's id is part of the hash, so this finds only user's own codes.
	if _, err := a.mfa.Recovery.ConsumeCode(ctx, domain.PurposeRecovery, h); errors.Is(err, domain.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFARecoveryUsed, UserID: user, Method: method})
	return true, nil
}

// matchPasskey accepts an assertion answering the passkey options of u's own two-step login.
func (a *Accounts) matchPasskey(ctx context.Context, u domain.User, method domain.AuthMethod, response []byte) (bool, error) {
	if !a.mfa.passkeysOn() {
		return false, nil
	}
	as, err := a.mfa.Ceremonies.ReadAssertion(response)
	if err != nil {
		return false, nil
	}
	state, err := a.takeCeremony(ctx, domain.PurposePasskeyMFA, u.ID, as.Challenge)
	if errors.Is(err, domain.ErrWrongPasskey) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return a.usePasskey(ctx, u, method, state, response)
}

// reseal seals user's TOTP secret again under the current server key, once a code proved it
// was opened with an older one: after a key rotation the secrets move to the new key as
// their owners log in. Best effort: a failure leaves the old sealing, which still opens
// while the old key is listed.
func (a *Accounts) reseal(ctx context.Context, user domain.UserID, old []byte, secret domain.TOTPSecret) {
	var nonce [domain.SealNonceBytes]byte
	if err := a.random.Read(nonce[:]); err != nil {
		return
	}
	sealed, err := a.mfa.Keys.SealTOTP(user, secret, nonce)
	if err != nil {
		return
	}
	_ = a.mfa.Factors.Reseal(context.WithoutCancel(ctx), user, old, sealed)
}
