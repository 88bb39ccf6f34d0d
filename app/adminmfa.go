package app

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// Factors implements ports.Admin: the kinds of second factor the user logs in with, and
// whether a TOTP enrolment is pending (unconfirmed).
func (a *Admin) Factors(ctx context.Context, username string) (kinds []domain.FactorKind, pending bool, err error) {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return nil, false, err
	}
	f, err := readFactors(ctx, a.mfa, u.ID)
	if err != nil {
		return nil, false, err
	}
	return f.kinds(), f.totp.UserID != 0 && !f.totp.Confirmed, nil
}

// ResetFactors implements ports.Admin: it removes the user's factors and recovery codes, for
// a user who lost both authenticator and codes, once the operator has checked who asks.
// Sessions and tokens are kept: they were obtained with the factor.
func (a *Admin) ResetFactors(ctx context.Context, username string) error {
	u, err := a.userNamed(ctx, username)
	if err != nil {
		return err
	}
	if err := forgetFactors(ctx, a.mfa, u.ID); err != nil {
		return err
	}
	a.audit.Audit(ctx, domain.Audit{Event: domain.AuditMFADisabled, UserID: u.ID})
	return nil
}
