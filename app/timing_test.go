package app_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// fakeCalibrator reports a fixed floor, or an error, and counts its calls.
type fakeCalibrator struct {
	floor time.Duration
	err   error
	calls atomic.Int64
}

func (c *fakeCalibrator) Calibrate(context.Context) (time.Duration, error) {
	c.calls.Add(1)
	return c.floor, c.err
}

// Every kind of failure takes at least the floor: the time of a failure must not tell an
// account from an unknown name, whatever its hash. Only lower bounds are checked, which
// sleeping guarantees.
func TestFailuresTakeAtLeastTheFloor(t *testing.T) {
	const floor = 60 * time.Millisecond
	tests := []struct {
		name     string
		username string
		password string
	}{
		{"wrong password", "alice", "wrong-Password-1"},
		{"unknown user", "mallory", password},
		{"unusable hash", "imported", password},
		{"inactive user", "carol", password},
		{"over-long password", "alice", string(make([]byte, domain.MaxPasswordBytes+1))},
	}
	timings := []struct {
		name   string
		timing app.LoginTiming
		cal    *fakeCalibrator
	}{
		{"fixed", app.LoginTiming{Floor: floor}, nil},
		{"calibrated", app.LoginTiming{Calibrate: true}, &fakeCalibrator{floor: floor * 4 / 5}}, // plus a quarter
	}
	for _, tm := range timings {
		for _, tt := range tests {
			t.Run(tm.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t)
				e.signUp("alice")
				e.createUser("carol", e.hasher, false)
				if _, err := e.users.CreateUser(t.Context(), domain.User{Username: "imported", PasswordHash: "!unusable", IsActive: true}); err != nil {
					t.Fatal(err)
				}
				var v *app.Verifier
				if tm.cal != nil {
					v = app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, tm.timing, tm.cal)
				} else {
					v = app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, tm.timing, nil)
				}
				start := time.Now()
				_, err := v.Check(t.Context(), tt.username, tt.password, "192.0.2.1", domain.MethodToken)
				if took := time.Since(start); took < floor {
					t.Errorf("failure took %v, want at least %v", took, floor)
				}
				if !errors.Is(err, domain.ErrInvalidCredentials) {
					t.Errorf("Check: %v, want ErrInvalidCredentials", err)
				}
			})
		}
	}
}

// The floor is measured once, by the first failure, however many arrive at once; a failed
// measurement pads by the fallback and is tried again at the next failure.
func TestFloorIsCalibratedOnce(t *testing.T) {
	e := newEnv(t)
	cal := &fakeCalibrator{floor: time.Millisecond}
	v := app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{Calibrate: true}, cal)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, _ = v.Check(t.Context(), fmt.Sprintf("nobody%d", i), password, "192.0.2.1", domain.MethodToken)
		})
	}
	wg.Wait()
	if n := cal.calls.Load(); n != 1 {
		t.Errorf("Calibrate called %d times for 20 failures, want once", n)
	}
	if _, err := v.Check(t.Context(), "alice-nobody", password, "192.0.2.1", domain.MethodToken); !errors.Is(err, domain.ErrInvalidCredentials) {
		t.Fatalf("Check: %v", err)
	}
	if n := cal.calls.Load(); n != 1 {
		t.Errorf("Calibrate called %d times after a later failure, want once", n)
	}
}

func TestFloorFallsBackWhileCalibrationFails(t *testing.T) {
	e := newEnv(t)
	cal := &fakeCalibrator{err: fmt.Errorf("%w: every hashing slot is busy", domain.ErrUnavailable)}
	const floor = 30 * time.Millisecond
	v := app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{Floor: floor, Calibrate: true}, cal)
	// A cancelled request stops waiting; the padding does not outlive its caller.
	ctx, cancel := context.WithTimeout(t.Context(), 2*floor)
	defer cancel()
	start := time.Now()
	_, _ = v.Check(ctx, "nobody", password, "192.0.2.1", domain.MethodToken)
	if took := time.Since(start); took < 2*floor {
		t.Errorf("failure while calibration fails took %v, want at least the request's %v (the fallback is longer)", took, 2*floor)
	}
	cal.err, cal.floor = nil, time.Millisecond
	_, _ = v.Check(t.Context(), "nobody", password, "192.0.2.1", domain.MethodToken)
	if n := cal.calls.Load(); n != 2 {
		t.Errorf("Calibrate called %d times, want a retry after the failed measurement", n)
	}
}
