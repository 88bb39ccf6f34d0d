package passhash_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// families are the algorithms Calibrate times.
var families = []string{"argon2", "argon2id", "bcrypt_sha256", "pbkdf2_sha1", "pbkdf2_sha256"}

// counter records the verifications Calibrate makes, by algorithm.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) add(algorithm string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[algorithm]++
}

func newCalibrated(t *testing.T, opts ...passhash.Option) (*passhash.Limiter, *counter) {
	t.Helper()
	l := passhash.NewLimiter(newHasher(t, tiny), passhash.Foreign{}, 2, time.Minute, opts...)
	c := &counter{n: map[string]int{}}
	l.CalibrationVerified(c.add)
	return l, c
}

// TestWorstCasesAreAdmittedAtTheBounds: the hashes Calibrate times are ones Verify would run
// (Check parses them as Verify does) at the highest parameters it admits, so the floor is
// the costliest login and not the time of a refusal.
func TestWorstCasesAreAdmittedAtTheBounds(t *testing.T) {
	tests := []struct {
		name   string
		budget int64
		want   map[string]string // family: parameters in the hash
	}{
		{"default budget", passhash.DefaultMemoryBudget, map[string]string{
			"argon2id":      "m=64,t=1,p=1",
			"argon2":        "m=102400,t=2,p=1",
			"bcrypt_sha256": "$2b$12$",
			"pbkdf2_sha256": "$1200000$",
			"pbkdf2_sha1":   "$1200000$",
		}},
		{"budget below Django's argon2", 64 << 10, map[string]string{"argon2": "m=65536,t=3,p=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := newCalibrated(t, passhash.WithMemory(tt.budget))
			cases, err := l.WorstCases()
			if err != nil {
				t.Fatal(err)
			}
			for family, encoded := range cases {
				if err := passhash.Check(encoded); err != nil {
					t.Errorf("%s: Check = %v, want nil", family, err)
				}
			}
			for family, params := range tt.want {
				if !strings.Contains(cases[family], params) {
					t.Errorf("%s: hash %q, want parameters %s", family, cases[family], params)
				}
			}
			if got := slices.Sorted(maps.Keys(cases)); !slices.Equal(got, families) {
				t.Errorf("families = %v, want %v", got, families)
			}
		})
	}
}

// TestCalibrateVerifiesEveryFamily runs the measuring loop over cheap hashes of each family:
// each is verified through the limiter, and the result is a positive duration.
func TestCalibrateVerifiesEveryFamily(t *testing.T) {
	l, c := newCalibrated(t)
	waits := 0
	l.ObserveWaits(func(time.Duration, bool) { waits++ })
	own := hash(t, newHasher(t, tiny), "password")
	cheap := map[string]string{
		"argon2id":      own,
		"argon2":        "argon2" + own,
		"bcrypt_sha256": "bcrypt_sha256$$2b$04$" + "abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234",
		"pbkdf2_sha256": "pbkdf2_sha256$1000$salt$R5M3y32DY+zsaP5vpEEXOmI3uEnWoW5l6JEKK8coHU4=",
		"pbkdf2_sha1":   "pbkdf2_sha1$1000$salt$/13ae//5+U73s/tmktIG8E9ehFU=",
	}
	floor, err := l.CalibrateWith(t.Context(), cheap)
	if err != nil || floor <= 0 {
		t.Fatalf("calibrate = %v, %v; want a positive duration", floor, err)
	}
	for _, family := range families {
		if n := c.n[family]; n < 1 {
			t.Errorf("%s verified %d times, want at least once", family, n)
		}
	}
	if l.InUse() != 0 || l.MemoryInUse() != 0 {
		t.Errorf("after calibration: %d slots, %d KiB held; want none", l.InUse(), l.MemoryInUse())
	}
	if waits != 0 {
		t.Errorf("calibration reported %d waits for a hashing slot, want none: they are no request's", waits)
	}
}

// TestCalibrateStopsWithTheContext: a context that ends stops calibration before the next
// verification, with the context's error.
func TestCalibrateStopsWithTheContext(t *testing.T) {
	l, c := newCalibrated(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := l.Calibrate(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Calibrate with an ended context: err = %v, want Canceled", err)
	}
	if len(c.n) != 0 {
		t.Errorf("verified %v with an ended context, want nothing", c.n)
	}

	// The first family is the configured argon2id (tiny here): cancelling after it spares
	// the costly ones.
	l, c = newCalibrated(t)
	ctx, cancel = context.WithCancel(t.Context())
	l.CalibrationVerified(func(algorithm string) { c.add(algorithm); cancel() })
	if _, err := l.Calibrate(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Calibrate cancelled midway: err = %v, want Canceled", err)
	}
	if total := sum(c.n); total != 1 {
		t.Errorf("verified %v after the cancel, want one verification", c.n)
	}
}

// TestCalibrate runs the real calibration: seconds of hashing, so not with -short.
func TestCalibrate(t *testing.T) {
	if testing.Short() {
		t.Skip("calibration hashes the costliest admitted hashes for seconds")
	}
	l, c := newCalibrated(t)
	floor, err := l.Calibrate(t.Context())
	if err != nil || floor <= 0 {
		t.Fatalf("Calibrate = %v, %v; want a positive duration", floor, err)
	}
	for _, family := range families {
		if c.n[family] < 1 {
			t.Errorf("%s not verified: %v", family, c.n)
		}
	}
	t.Logf("floor %v", floor)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
