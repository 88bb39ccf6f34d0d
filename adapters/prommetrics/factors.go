package prommetrics

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// FactorStore is a ports.FactorStore whose calls are timed and whose failures are counted.
type FactorStore struct {
	next                                                    ports.FactorStore
	put, get, confirm, useStep, reseal, del, delUser, anyOp op
}

var _ ports.FactorStore = (*FactorStore)(nil)

// FactorStore returns next, measured as port "factors" on the named backend.
func (m *Metrics) FactorStore(next ports.FactorStore, backend string) *FactorStore {
	const port = "factors"
	return &FactorStore{next: next,
		put:     m.op(port, backend, "put_totp"),
		get:     m.op(port, backend, "totp"),
		confirm: m.op(port, backend, "confirm_totp"),
		useStep: m.op(port, backend, "use_totp_step"),
		reseal:  m.op(port, backend, "reseal"),
		del:     m.op(port, backend, "delete_totp"),
		delUser: m.op(port, backend, "delete_user"),
		anyOp:   m.op(port, backend, "any"),
	}
}

// PutTOTP implements ports.FactorStore.
func (s *FactorStore) PutTOTP(ctx context.Context, f domain.TOTPFactor) error {
	return measureErr(s.put, func() error { return s.next.PutTOTP(ctx, f) })
}

// TOTP implements ports.FactorStore.
func (s *FactorStore) TOTP(ctx context.Context, user domain.UserID) (domain.TOTPFactor, error) {
	return measure(s.get, func() (domain.TOTPFactor, error) { return s.next.TOTP(ctx, user) })
}

// ConfirmTOTP implements ports.FactorStore.
func (s *FactorStore) ConfirmTOTP(ctx context.Context, user domain.UserID, sealed []byte, step int64) error {
	return measureErr(s.confirm, func() error { return s.next.ConfirmTOTP(ctx, user, sealed, step) })
}

// UseTOTPStep implements ports.FactorStore.
func (s *FactorStore) UseTOTPStep(ctx context.Context, user domain.UserID, step int64, at time.Time) (bool, error) {
	return measure(s.useStep, func() (bool, error) { return s.next.UseTOTPStep(ctx, user, step, at) })
}

// Reseal implements ports.FactorStore.
func (s *FactorStore) Reseal(ctx context.Context, user domain.UserID, old, new []byte) error {
	return measureErr(s.reseal, func() error { return s.next.Reseal(ctx, user, old, new) })
}

// DeleteTOTP implements ports.FactorStore.
func (s *FactorStore) DeleteTOTP(ctx context.Context, user domain.UserID) error {
	return measureErr(s.del, func() error { return s.next.DeleteTOTP(ctx, user) })
}

// DeleteUserFactors implements ports.FactorStore.
func (s *FactorStore) DeleteUserFactors(ctx context.Context, user domain.UserID) error {
	return measureErr(s.delUser, func() error { return s.next.DeleteUserFactors(ctx, user) })
}

// AnyFactors implements ports.FactorStore.
func (s *FactorStore) AnyFactors(ctx context.Context) (bool, error) {
	return measure(s.anyOp, func() (bool, error) { return s.next.AnyFactors(ctx) })
}
