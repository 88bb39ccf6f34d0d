package app

import (
	"context"
	"sync"
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
	// Calibrate measures the floor instead (ports.HashCalibrator), at the first failed
	// check, and adds a quarter for the jitter of a busy machine; Floor then stands in only
	// while a measurement fails.
	Calibrate bool
}

// calibrationMargin is the share added to a measured floor, so that a verification a little
// slower than it was at calibration (a busy machine) is still padded, not revealed.
const calibrationMargin = 4 // floor + floor/4

// fallbackFloor pads failures while a calibration cannot run (every hashing slot is busy):
// longer than any admitted verification on ordinary hardware, so nothing leaks meanwhile.
const fallbackFloor = time.Second

// failureFloor is the LoginTiming of one Verifier, measured once.
type failureFloor struct {
	timing     LoginTiming
	calibrator ports.HashCalibrator

	mu       sync.Mutex
	measured time.Duration
}

// floor returns the least time a failed check takes. The first caller of a calibrating
// floor measures it while later ones wait: a failure must not answer before the floor is
// known.
func (f *failureFloor) floor(ctx context.Context) time.Duration {
	if !f.timing.Calibrate || f.calibrator == nil {
		return f.timing.Floor
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.measured == 0 {
		d, err := f.calibrator.Calibrate(ctx)
		if err != nil || d <= 0 {
			return max(f.timing.Floor, fallbackFloor)
		}
		f.measured = max(f.timing.Floor, d+d/calibrationMargin)
	}
	return f.measured
}

// pad waits until floor has passed since start, or ctx ends.
func (f *failureFloor) pad(ctx context.Context, start time.Time) {
	wait := f.floor(ctx) - time.Since(start)
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
