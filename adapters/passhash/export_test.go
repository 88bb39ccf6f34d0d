package passhash

import (
	"context"
	"time"
)

// ParsePHC and EncodePHC expose the PHC codec to the black-box tests, so the fuzz target can
// check the parser's bounds without running argon2 on costly but valid strings.
var (
	ParsePHC  = parsePHC
	EncodePHC = encodePHC
)

// WorstCases exposes the hashes Calibrate verifies, by family.
func (l *Limiter) WorstCases() (map[string]string, error) {
	cases, err := l.worstCases()
	out := map[string]string{}
	for _, c := range cases {
		out[c.family] = c.encoded
	}
	return out, err
}

// CalibrationVerified reports every verification Calibrate makes to f, with its algorithm.
func (l *Limiter) CalibrationVerified(f func(algorithm string)) { l.onCalibrate = f }

// CalibrateWith is Calibrate over the given hashes, by family, instead of the costliest ones.
func (l *Limiter) CalibrateWith(ctx context.Context, cases map[string]string) (time.Duration, error) {
	var cs []worstCase
	for family, encoded := range cases {
		cs = append(cs, worstCase{family, encoded})
	}
	return l.calibrate(ctx, cs)
}
