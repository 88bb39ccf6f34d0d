package app

import (
	"context"
	"errors"

	"github.com/gatehouse/gatehouse/domain"
)

// accountFactors are the second factors an account has, read in one place (readFactors) by
// every rule that depends on them: the two-step login, Basic's refusal, /me, the operator's
// list, and the changes of factors.
type accountFactors struct {
	totp     domain.TOTPFactor // UserID 0: none, confirmed or not
	passkeys []domain.Passkey
}

// confirmedTOTP reports whether the account has a TOTP factor that guards logins.
func (f accountFactors) confirmedTOTP() bool { return f.totp.UserID != 0 && f.totp.Confirmed }

// any reports whether the account has a second factor: a password alone no longer logs in.
func (f accountFactors) any() bool { return f.confirmedTOTP() || len(f.passkeys) > 0 }

// kinds lists the ways the account can give its second factor; recovery codes stand in for
// any factor.
func (f accountFactors) kinds() []domain.FactorKind {
	kinds := []domain.FactorKind{}
	if f.confirmedTOTP() {
		kinds = append(kinds, domain.FactorTOTP)
	}
	if len(f.passkeys) > 0 {
		kinds = append(kinds, domain.FactorPasskey)
	}
	if f.any() {
		kinds = append(kinds, domain.FactorRecoveryCode)
	}
	return kinds
}

// readFactors reads user's factors from mfa's stores; nil stores hold none.
func readFactors(ctx context.Context, mfa SecondFactors, user domain.UserID) (accountFactors, error) {
	var f accountFactors
	if mfa.Factors != nil {
		t, err := mfa.Factors.TOTP(ctx, user)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return accountFactors{}, err
		}
		f.totp = t
	}
	if mfa.Passkeys != nil {
		p, err := mfa.Passkeys.Passkeys(ctx, user)
		if err != nil {
			return accountFactors{}, err
		}
		f.passkeys = p
	}
	return f, nil
}

// passkeysOn reports whether passkeys are configured (GATEHOUSE_WEBAUTHN_RP_ID) and stored.
func (mfa SecondFactors) passkeysOn() bool { return mfa.Passkeys != nil && mfa.Ceremonies != nil }
