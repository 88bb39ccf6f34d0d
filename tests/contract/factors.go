package contract

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// RunFactorStore runs the cases of ports.FactorStore against f.Factors.
func RunFactorStore(t *testing.T, f Factory) {
	if f.Factors == nil {
		t.Skipf("%s has no FactorStore (Factory.Factors is nil)", f.Name)
	}
	// First: it needs a backend no earlier case has put a factor in.
	t.Run("AnyFactors follows the first factor and the last", func(t *testing.T) { factorAny(t, f) })
	t.Run("round trip", func(t *testing.T) { factorRoundTrip(t, f) })
	t.Run("missing factor", func(t *testing.T) { factorMissing(t, f) })
	t.Run("put replaces an enrolment, never a confirmed factor", func(t *testing.T) { factorPutReplaces(t, f) })
	t.Run("confirm: once, with the secret checked", func(t *testing.T) { factorConfirm(t, f) })
	t.Run("use: only a later step", func(t *testing.T) { factorUseStep(t, f) })
	t.Run("concurrent uses of one step: exactly one wins", func(t *testing.T) { factorConcurrentUse(t, f) })
	t.Run("reseal: compare and set", func(t *testing.T) { factorReseal(t, f) })
	t.Run("delete", func(t *testing.T) { factorDelete(t, f) })
	t.Run("delete a user's factors, not another's", func(t *testing.T) { factorDeleteUser(t, f) })
}

// newSealed returns bytes standing for a sealed secret, unique to the case, with the bytes a
// careless store might mangle: NUL, 0xff, a trailing space.
func newSealed() []byte {
	return fmt.Appendf([]byte{1, 0, 0xff, 0x80}, "sealed-%d\x00 ", seq.Add(1))
}

// newFactor returns an unconfirmed enrolment of a user no other case uses.
func newFactor() domain.TOTPFactor {
	return domain.TOTPFactor{UserID: newUserID(), Sealed: newSealed(), CreatedAt: Start}
}

func diffFactor(got, want domain.TOTPFactor) diff {
	var d diff
	d.user(got.UserID, want.UserID)
	d.str("Sealed", fmt.Sprintf("%x", got.Sealed), fmt.Sprintf("%x", want.Sealed))
	if got.Confirmed != want.Confirmed {
		d = append(d, fmt.Sprintf("Confirmed = %t, want %t", got.Confirmed, want.Confirmed))
	}
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	if got.LastStep != want.LastStep {
		d = append(d, fmt.Sprintf("LastStep = %d, want %d", got.LastStep, want.LastStep))
	}
	d.time("LastUsedAt", got.LastUsedAt, want.LastUsedAt)
	for _, tm := range []struct {
		name string
		t    time.Time
	}{{"CreatedAt", got.CreatedAt}, {"LastUsedAt", got.LastUsedAt}} {
		if !tm.t.IsZero() && tm.t.Location() != time.UTC {
			d = append(d, fmt.Sprintf("%s in %v, want UTC", tm.name, tm.t.Location()))
		}
	}
	return d
}

func mustPutTOTP(t *testing.T, s ports.FactorStore, fs ...domain.TOTPFactor) {
	t.Helper()
	for _, f := range fs {
		if err := s.PutTOTP(t.Context(), f); err != nil {
			t.Fatalf("PutTOTP(user %d) error = %v", f.UserID, err)
		}
	}
}

// checkFactor fails unless the user's stored factor is want.
func checkFactor(t *testing.T, s ports.FactorStore, want domain.TOTPFactor) {
	t.Helper()
	got, err := s.TOTP(t.Context(), want.UserID)
	if err != nil {
		t.Fatalf("TOTP(%d) error = %v, want the factor", want.UserID, err)
	}
	if d := diffFactor(got, want); d != nil {
		t.Errorf("TOTP(%d): %s", want.UserID, d)
	}
}

// checkNoFactor fails unless the user has no factor.
func checkNoFactor(t *testing.T, s ports.FactorStore, user domain.UserID) {
	t.Helper()
	if got, err := s.TOTP(t.Context(), user); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("TOTP(%d) = %+v, %v; want domain.ErrNotFound", user, got, err)
	}
}

func checkAny(t *testing.T, s ports.FactorStore, want bool) {
	t.Helper()
	if got, err := s.AnyFactors(t.Context()); err != nil || got != want {
		t.Errorf("AnyFactors = %t, %v; want %t", got, err, want)
	}
}

func factorAny(t *testing.T, f Factory) {
	s := f.Factors(t)
	checkAny(t, s, false)
	a, b := newFactor(), newFactor()
	mustPutTOTP(t, s, a)
	checkAny(t, s, true) // an unconfirmed enrolment counts: its secret is sealed too
	mustPutTOTP(t, s, b)
	if err := s.DeleteTOTP(t.Context(), a.UserID); err != nil {
		t.Fatal(err)
	}
	checkAny(t, s, true)
	if err := s.DeleteUserFactors(t.Context(), b.UserID); err != nil {
		t.Fatal(err)
	}
	checkAny(t, s, false)
}

func factorRoundTrip(t *testing.T, f Factory) {
	s := f.Factors(t)
	berlin := time.FixedZone("CET", 3600)
	enrolment := newFactor()
	enrolment.CreatedAt = Start.In(berlin)
	used := domain.TOTPFactor{UserID: newUserID(), Sealed: newSealed(), Confirmed: true, CreatedAt: Start,
		LastStep: 58_000_000, LastUsedAt: Start.Add(time.Hour + time.Microsecond).In(berlin)}
	mustPutTOTP(t, s, enrolment, used)
	checkFactor(t, s, enrolment)
	checkFactor(t, s, used)
}

func factorMissing(t *testing.T, f Factory) {
	s := f.Factors(t)
	user := newUserID()
	checkNoFactor(t, s, user)
	ctx := t.Context()
	if err := s.ConfirmTOTP(ctx, user, newSealed(), 1); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConfirmTOTP = %v, want domain.ErrNotFound", err)
	}
	if ok, err := s.UseTOTPStep(ctx, user, 1, Start); ok || !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UseTOTPStep = %t, %v; want false, domain.ErrNotFound", ok, err)
	}
	if err := s.Reseal(ctx, user, newSealed(), newSealed()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Reseal = %v, want domain.ErrNotFound", err)
	}
	if err := s.DeleteTOTP(ctx, user); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeleteTOTP = %v, want domain.ErrNotFound", err)
	}
	if err := s.DeleteUserFactors(ctx, user); err != nil {
		t.Errorf("DeleteUserFactors = %v, want nil", err)
	}
	checkNoFactor(t, s, user) // none of the above created one
}

func factorPutReplaces(t *testing.T, f Factory) {
	s := f.Factors(t)
	first := newFactor()
	mustPutTOTP(t, s, first)
	second := first
	second.Sealed, second.CreatedAt = newSealed(), Start.Add(time.Minute)
	mustPutTOTP(t, s, second)
	checkFactor(t, s, second)

	if err := s.ConfirmTOTP(t.Context(), first.UserID, second.Sealed, 7); err != nil {
		t.Fatalf("ConfirmTOTP = %v", err)
	}
	second.Confirmed, second.LastStep = true, 7
	third := first
	third.Sealed = newSealed()
	if err := s.PutTOTP(t.Context(), third); !errors.Is(err, domain.ErrFactorExists) {
		t.Errorf("PutTOTP over a confirmed factor = %v, want domain.ErrFactorExists", err)
	}
	checkFactor(t, s, second)
}

func factorConfirm(t *testing.T, f Factory) {
	s := f.Factors(t)
	ctx := t.Context()
	e := newFactor()
	mustPutTOTP(t, s, e)
	if ok, err := s.UseTOTPStep(ctx, e.UserID, 5, Start); ok || !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UseTOTPStep of an unconfirmed factor = %t, %v; want false, domain.ErrNotFound", ok, err)
	}
	if err := s.ConfirmTOTP(ctx, e.UserID, newSealed(), 5); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConfirmTOTP with another sealed secret = %v, want domain.ErrNotFound", err)
	}
	checkFactor(t, s, e)
	if err := s.ConfirmTOTP(ctx, e.UserID, e.Sealed, 5); err != nil {
		t.Fatalf("ConfirmTOTP = %v", err)
	}
	e.Confirmed, e.LastStep = true, 5
	checkFactor(t, s, e)
	if err := s.ConfirmTOTP(ctx, e.UserID, e.Sealed, 9); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConfirmTOTP of a confirmed factor = %v, want domain.ErrNotFound", err)
	}
	checkFactor(t, s, e)
}

// confirmedFactor stores a factor confirmed at step 100.
func confirmedFactor(t *testing.T, s ports.FactorStore) domain.TOTPFactor {
	t.Helper()
	e := newFactor()
	mustPutTOTP(t, s, e)
	if err := s.ConfirmTOTP(t.Context(), e.UserID, e.Sealed, 100); err != nil {
		t.Fatalf("ConfirmTOTP = %v", err)
	}
	e.Confirmed, e.LastStep = true, 100
	return e
}

func factorUseStep(t *testing.T, f Factory) {
	s := f.Factors(t)
	e := confirmedFactor(t, s)
	at := Start.Add(time.Hour)
	for _, step := range []int64{99, 100, 0, -1} {
		if ok, err := s.UseTOTPStep(t.Context(), e.UserID, step, at); ok || err != nil {
			t.Errorf("UseTOTPStep(%d) after step 100 = %t, %v; want false, nil", step, ok, err)
		}
	}
	checkFactor(t, s, e)
	if ok, err := s.UseTOTPStep(t.Context(), e.UserID, 102, at); !ok || err != nil {
		t.Fatalf("UseTOTPStep(102) = %t, %v; want true", ok, err)
	}
	e.LastStep, e.LastUsedAt = 102, at
	checkFactor(t, s, e)
	if ok, err := s.UseTOTPStep(t.Context(), e.UserID, 101, at.Add(time.Second)); ok || err != nil {
		t.Errorf("UseTOTPStep(101) after 102 = %t, %v; want false, nil", ok, err)
	}
	checkFactor(t, s, e)
}

// factorConcurrentUse is the replay rule under concurrency: one code sent by many requests at
// once is accepted by exactly one.
func factorConcurrentUse(t *testing.T, f Factory) {
	s := f.Factors(t)
	e := confirmedFactor(t, s)
	const n = 50
	var won atomic.Int32
	errs := make([]error, n)
	race(n, func(i int) {
		ok, err := s.UseTOTPStep(context.Background(), e.UserID, 101, Start.Add(time.Duration(i)*time.Microsecond))
		if ok {
			won.Add(1)
		}
		errs[i] = err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("use %d: %v", i, err)
		}
	}
	if w := won.Load(); w != 1 {
		t.Errorf("%d of %d concurrent uses of one step won, want exactly 1", w, n)
	}
	got, err := s.TOTP(t.Context(), e.UserID)
	if err != nil || got.LastStep != 101 || got.LastUsedAt.IsZero() {
		t.Errorf("after the race TOTP = %+v, %v; want LastStep 101 and a LastUsedAt", got, err)
	}
}

func factorReseal(t *testing.T, f Factory) {
	s := f.Factors(t)
	e := confirmedFactor(t, s)
	resealed := newSealed()
	if err := s.Reseal(t.Context(), e.UserID, newSealed(), resealed); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("Reseal from a stale old = %v, want domain.ErrNotFound", err)
	}
	checkFactor(t, s, e)
	if err := s.Reseal(t.Context(), e.UserID, e.Sealed, resealed); err != nil {
		t.Fatalf("Reseal = %v", err)
	}
	if err := s.Reseal(t.Context(), e.UserID, e.Sealed, newSealed()); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("a second Reseal from the same old = %v, want domain.ErrNotFound", err)
	}
	e.Sealed = resealed
	checkFactor(t, s, e)
}

func factorDelete(t *testing.T, f Factory) {
	s := f.Factors(t)
	e := confirmedFactor(t, s)
	if err := s.DeleteTOTP(t.Context(), e.UserID); err != nil {
		t.Fatalf("DeleteTOTP = %v", err)
	}
	checkNoFactor(t, s, e.UserID)
	if err := s.DeleteTOTP(t.Context(), e.UserID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second DeleteTOTP = %v, want domain.ErrNotFound", err)
	}
	if ok, err := s.UseTOTPStep(t.Context(), e.UserID, 200, Start); ok || !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UseTOTPStep after delete = %t, %v; want false, domain.ErrNotFound", ok, err)
	}
	// A new enrolment starts from scratch.
	again := domain.TOTPFactor{UserID: e.UserID, Sealed: newSealed(), CreatedAt: Start.Add(time.Hour)}
	mustPutTOTP(t, s, again)
	checkFactor(t, s, again)
}

func factorDeleteUser(t *testing.T, f Factory) {
	s := f.Factors(t)
	doomed, kept, keptEnrolment := confirmedFactor(t, s), confirmedFactor(t, s), newFactor()
	mustPutTOTP(t, s, keptEnrolment)
	if err := s.DeleteUserFactors(t.Context(), doomed.UserID); err != nil {
		t.Fatalf("DeleteUserFactors = %v", err)
	}
	checkNoFactor(t, s, doomed.UserID)
	checkFactor(t, s, kept)
	checkFactor(t, s, keptEnrolment)
	if err := s.DeleteUserFactors(t.Context(), doomed.UserID); err != nil {
		t.Errorf("DeleteUserFactors of a user without factors = %v, want nil", err)
	}
}
