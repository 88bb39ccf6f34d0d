package prommetrics_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
)

// TestFactorStoreIsMeasured runs each factor operation through its decorator; a second
// enrolment over a confirmed factor (ErrFactorExists) and a missing factor (ErrNotFound) are
// the port's answers, not errors.
func TestFactorStoreIsMeasured(t *testing.T) {
	m := prommetrics.New()
	g := m.Gatherer()
	ctx := t.Context()
	now := time.Now()
	factors := m.FactorStore(memstore.NewFactorStore(), "mysql")
	f := domain.TOTPFactor{UserID: 1, Sealed: []byte("s1"), CreatedAt: now}
	steps := []struct {
		name string
		run  func() error
	}{
		{"put", func() error { return factors.PutTOTP(ctx, f) }},
		{"confirm", func() error { return factors.ConfirmTOTP(ctx, 1, f.Sealed, 10) }},
		{"put over a confirmed factor", func() error {
			if err := factors.PutTOTP(ctx, f); !errors.Is(err, domain.ErrFactorExists) {
				return errors.New("want ErrFactorExists")
			}
			return nil
		}},
		{"use", func() error {
			if ok, err := factors.UseTOTPStep(ctx, 1, 11, now); !ok {
				return errors.Join(err, errors.New("want true"))
			}
			return nil
		}},
		{"reseal", func() error { return factors.Reseal(ctx, 1, f.Sealed, []byte("s2")) }},
		{"get", func() error {
			if got, err := factors.TOTP(ctx, 1); err != nil || string(got.Sealed) != "s2" || got.LastStep != 11 {
				return errors.Join(err, errors.New("want the resealed factor at step 11"))
			}
			return nil
		}},
		{"any", func() error { _, err := factors.AnyFactors(ctx); return err }},
		{"delete", func() error { return factors.DeleteTOTP(ctx, 1) }},
		{"delete a missing one", func() error {
			if err := factors.DeleteTOTP(ctx, 1); !errors.Is(err, domain.ErrNotFound) {
				return errors.New("want ErrNotFound")
			}
			return nil
		}},
		{"delete the user's", func() error { return factors.DeleteUserFactors(ctx, 1) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	for op, calls := range map[string]float64{"put_totp": 2, "confirm_totp": 1, "use_totp_step": 1, "reseal": 1,
		"totp": 1, "any": 1, "delete_totp": 2, "delete_user": 1} {
		expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("factors", "mysql", op), calls)
		expect(t, g, "gatehouse_store_errors_total", storeLabels("factors", "mysql", op), 0)
	}
}
