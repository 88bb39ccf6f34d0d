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
	gate  chan struct{} // when set, Calibrate waits for it to close
	// ended, when set, makes Calibrate wait for its context to end, then closes ended.
	ended chan struct{}
	calls atomic.Int64
}

func (c *fakeCalibrator) Calibrate(ctx context.Context) (time.Duration, error) {
	c.calls.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	if c.ended != nil {
		<-ctx.Done()
		close(c.ended)
		return 0, ctx.Err()
	}
	return c.floor, c.err
}

// StopCalibration ends a running measurement (its context ends) and starts no other, so an
// embedding program that closes Gatehouse leaves no hash running for nobody.
func TestStopCalibrationEndsTheMeasurement(t *testing.T) {
	e := newEnv(t)
	cal := &fakeCalibrator{ended: make(chan struct{})}
	v := app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{Calibrate: true}, cal, nil)
	v.CalibrateFloor()
	v.StopCalibration()
	select {
	case <-cal.ended:
	case <-time.After(10 * time.Second): // a hang guard, not a measurement
		t.Fatal("the measurement did not end")
	}
	v.CalibrateFloor()
	if n := cal.calls.Load(); n != 1 {
		t.Errorf("%d measurements, want 1: none may start after StopCalibration", n)
	}
	if _, settled := v.FailureFloor(); settled {
		t.Error("a stopped measurement settled the floor")
	}
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
				if _, err := e.users.CreateUser(t.Context(), domain.User{Username: "imported", PasswordHash: "!unusable", IsActive: true}, domain.EmailShared); err != nil {
					t.Fatal(err)
				}
				var v *app.Verifier
				if tm.cal != nil {
					v = app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, tm.timing, tm.cal, nil)
				} else {
					v = app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, tm.timing, nil, nil)
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

// The floor is measured once, in the background, however many failures arrive while it
// runs; until then failures are padded by the conservative fallback.
func TestFloorIsCalibratedOnce(t *testing.T) {
	e := newEnv(t)
	release := make(chan struct{})
	cal := &fakeCalibrator{floor: 40 * time.Millisecond, gate: release}
	v := app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{Calibrate: true}, cal, nil)
	v.CalibrateFloor()
	if d, settled := v.FailureFloor(); settled || d < time.Second {
		t.Errorf("floor before the measurement = %v (settled %v), want the fallback of at least 1s", d, settled)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond) // no need to sit out the fallback
	defer cancel()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, _ = v.Check(ctx, fmt.Sprintf("nobody%d", i), password, "192.0.2.1", domain.MethodToken)
		})
	}
	wg.Wait()
	close(release)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, settled := v.FailureFloor(); settled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the floor was not measured within 10 s")
		}
	}
	if d, _ := v.FailureFloor(); d != 50*time.Millisecond {
		t.Errorf("measured floor = %v, want 40ms and a quarter", d)
	}
	if n := cal.calls.Load(); n != 1 {
		t.Errorf("Calibrate called %d times, want once", n)
	}
	start := time.Now()
	_, _ = v.Check(t.Context(), "nobody", password, "192.0.2.1", domain.MethodToken)
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("failure after the measurement took %v, want at least the measured 50ms", took)
	}
}

// A failed measurement leaves the fallback in place and is not retried at once, so a flood
// that keeps every hashing slot busy is not fed more hashes.
func TestFloorFallsBackWhileCalibrationFails(t *testing.T) {
	e := newEnv(t)
	cal := &fakeCalibrator{err: fmt.Errorf("%w: every hashing slot is busy", domain.ErrUnavailable)}
	v := app.NewVerifier(e.users, e.port, e.limiter, app.Throttle{}, e.audit, app.LoginTiming{Floor: 30 * time.Millisecond, Calibrate: true}, cal, nil)
	for range 3 {
		// A request that gives up stops waiting: the padding never outlives its caller.
		// start is taken first, so the deadline is at least 60ms after it however long the
		// goroutine is held between the two lines on a busy machine.
		start := time.Now()
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Millisecond)
		_, _ = v.Check(ctx, "nobody", password, "192.0.2.1", domain.MethodToken)
		if took := time.Since(start); took < 60*time.Millisecond {
			t.Errorf("failure while the floor is unmeasured took %v, want the request's whole 60ms (the fallback is 1s)", took)
		}
		cancel()
	}
	for deadline := time.Now().Add(10 * time.Second); cal.calls.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no measurement started")
		}
	}
	if d, settled := v.FailureFloor(); settled || d < time.Second {
		t.Errorf("floor after a failed measurement = %v (settled %v), want the 1s fallback", d, settled)
	}
	if n := cal.calls.Load(); n != 1 {
		t.Errorf("Calibrate called %d times within a minute of a failure, want once", n)
	}
}
