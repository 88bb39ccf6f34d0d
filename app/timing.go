package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse/gatehouse/ports"
)

// LoginTiming sets the least time a failed password check takes. Hashes imported from
// Django cost what their family and parameters cost (bcrypt at cost 12 is ten times
// argon2id's default; an unusable hash costs nothing), so without a floor the time of a
// failure tells an imported account from an unknown name until its first successful login.
// Padding every failure to the slowest admitted verification hides it; a success is not
// padded, for it tells the account exists anyway.
type LoginTiming struct {
	// Floor is the least time of a failed check; 0 pads nothing.
	Floor time.Duration
	// Calibrate measures the floor instead (ports.HashCalibrator), in the background, and
	// adds a quarter for the jitter of a busy machine. Until a measurement has succeeded,
	// failures are padded by the larger of Floor and a second.
	Calibrate bool
}

const (
	// calibrationMargin: a measured floor is raised by a quarter (floor/4), so that a
	// verification a little slower than at calibration (a busy machine) is still padded.
	calibrationMargin = 4
	// fallbackFloor pads failures until a calibration succeeds: longer than any admitted
	// verification on ordinary hardware, so nothing leaks meanwhile.
	fallbackFloor = time.Second
	// calibrationTimeout bounds one measurement; calibrationRetry spaces the attempts after
	// a failed one, so a flood that keeps every hashing slot busy is not fed more hashes.
	calibrationTimeout = time.Minute
	calibrationRetry   = time.Minute
)

// failureFloor is the LoginTiming of one Verifier. A measurement runs in the background,
// never under a lock a request waits on, and at most one at a time.
type failureFloor struct {
	timing     LoginTiming
	calibrator ports.HashCalibrator
	measured   atomic.Int64 // the floor in ns once measured, else 0

	mu      sync.Mutex
	running bool
	tried   time.Time          // when the last measurement started
	cancel  context.CancelFunc // of the running measurement
	stopped bool               // by stop: no measurement starts again
}

// stop ends a running measurement and keeps any other from starting: what the Verifier's
// owner calls when it is done with it, so no hash keeps running for nobody.
func (f *failureFloor) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopped = true
	if f.cancel != nil {
		f.cancel()
	}
}

// floor returns the least time a failed check takes now, starting a measurement if one is
// due.
func (f *failureFloor) floor() time.Duration {
	if !f.timing.Calibrate || f.calibrator == nil {
		return f.timing.Floor
	}
	if d := f.measured.Load(); d > 0 {
		return time.Duration(d)
	}
	f.calibrate()
	return max(f.timing.Floor, fallbackFloor)
}

// calibrate starts a measurement unless one is running, has succeeded, or failed less than
// calibrationRetry ago.
func (f *failureFloor) calibrate() {
	if !f.timing.Calibrate || f.calibrator == nil || f.measured.Load() > 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped || f.running || !f.tried.IsZero() && time.Since(f.tried) < calibrationRetry {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), calibrationTimeout)
	f.running, f.tried, f.cancel = true, time.Now(), cancel
	go func() {
		defer cancel()
		if d, err := f.calibrator.Calibrate(ctx); err == nil && d > 0 {
			f.measured.Store(int64(max(f.timing.Floor, d+d/calibrationMargin)))
		}
		f.mu.Lock()
		f.running = false
		f.mu.Unlock()
	}()
}

// pad waits until the floor has passed since start, or ctx ends.
func (f *failureFloor) pad(ctx context.Context, start time.Time) { padTo(ctx, start, f.floor()) }

// padTo waits until floor has passed since start, or ctx ends: a caller that gives up is
// never kept waiting.
func padTo(ctx context.Context, start time.Time, floor time.Duration) {
	wait := floor - time.Since(start)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
