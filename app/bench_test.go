package app_test

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// benchVerifier is a Verifier with production argon2id parameters over a memory store
// holding one user, with throttling off.
func benchVerifier(b *testing.B) *app.Verifier {
	b.Helper()
	h, err := passhash.New(passhash.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	hasher := passhash.NewLimiter(h, passhash.Foreign{}, 1, time.Minute)
	users := memstore.NewUserStore()
	hash, err := h.Hash(password)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := users.CreateUser(b.Context(), domain.User{Username: "known", PasswordHash: hash, IsActive: true}, domain.EmailShared); err != nil {
		b.Fatal(err)
	}
	v := app.NewVerifier(users, hasher, memstore.NewRateLimiter(&fakeClock{now: t0}), app.Throttle{}, &auditLog{}, app.LoginTiming{}, nil, nil)
	// Make the dummy hash before timing, as a running server has.
	_, _ = v.Check(b.Context(), "warm-up", password, "192.0.2.1", domain.MethodToken)
	return v
}

// BenchmarkLoginUnknownUser and BenchmarkLoginWrongPassword are compared by their medians
// (go test -bench Login -count 10, then benchstat): an unknown user must cost what a wrong
// password costs, or response times reveal which accounts exist.
func BenchmarkLoginUnknownUser(b *testing.B) {
	v := benchVerifier(b)
	for b.Loop() {
		_, _ = v.Check(b.Context(), "nobody-here", "wrong-Password-1", "192.0.2.1", domain.MethodToken)
	}
}

func BenchmarkLoginWrongPassword(b *testing.B) {
	v := benchVerifier(b)
	for b.Loop() {
		_, _ = v.Check(b.Context(), "known", "wrong-Password-1", "192.0.2.1", domain.MethodToken)
	}
}

// BenchmarkChain is the chain's decision for a request with each kind of credentials, over
// the memory stores with the user cache on, as served: the credential read, the owner from
// the cache, no write (last-used times are due once a minute).
func BenchmarkChain(b *testing.B) {
	settings := app.DefaultSettings()
	settings.UserCacheTTL = time.Minute
	settings.BasicCacheTTL = time.Minute
	h, err := passhash.New(testParams)
	if err != nil {
		b.Fatal(err)
	}
	clock, random := &fakeClock{now: t0}, &fakeRandom{}
	users, sessions, tokens := memstore.NewUserStore(), memstore.NewSessionStore(clock), memstore.NewTokenStore(clock)
	hasher, limiter := passhash.NewLimiter(h, passhash.Foreign{}, 4, time.Second), memstore.NewRateLimiter(clock)
	verifier := app.NewVerifier(users, hasher, limiter, app.Throttle{}, &auditLog{}, app.LoginTiming{}, nil, nil)
	cache, err := app.NewBasicCache(settings, random, clock)
	if err != nil {
		b.Fatal(err)
	}
	accounts := app.NewAccounts(users, sessions, tokens, hasher, verifier, clock, random, settings, limiter, app.Throttle{}, &auditLog{}, cache, memstore.NewCodeStore(clock), app.MailOff{}, app.SecondFactors{})
	if _, err := accounts.SignUp(b.Context(), ports.SignUp{Username: "alice", Password: password}); err != nil {
		b.Fatal(err)
	}
	tok, err := accounts.ObtainToken(b.Context(), ports.Login{Username: "alice", Password: password})
	if err != nil {
		b.Fatal(err)
	}
	_, sess, err := accounts.Login(b.Context(), ports.Login{Username: "alice", Password: password})
	if err != nil {
		b.Fatal(err)
	}
	chain := app.NewChain(defaultOrder, users, sessions, tokens, verifier, cache, clock, settings, app.SecondFactors{})
	for _, tc := range []struct {
		name  string
		creds domain.RequestCredentials
	}{
		{"token", tokenCreds(tok.Secret)},
		{"session GET", sessionCreds(http.MethodGet, sess.Secret, "")},
		{"session POST", sessionCreds(http.MethodPost, sess.Secret, sess.CSRFToken)},
		{"basic cached", basicCreds("alice", password)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := chain.Authenticate(b.Context(), tc.creds); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFailedLoginByFamily times a failed login for an account of each hash family
// Django writes (hashes made by a real Django, in passhash's test data), an unusable hash,
// a refused MD5 one and an unknown name, with production parameters and the calibrated floor,
// and reports each one's median: they must agree within 10 %, or the time of a failure tells
// imported accounts from unknown names (see app.LoginTiming). Run with
// go test -run '^$' -bench FailedLoginByFamily -benchtime 15x ./app
func BenchmarkFailedLoginByFamily(b *testing.B) {
	raw, err := os.ReadFile("../adapters/passhash/testdata/django-password-hashes.json")
	if err != nil {
		b.Fatal(err)
	}
	var fixtures struct {
		Cases []struct{ Algorithm, Encoded string }
	}
	if err := json.Unmarshal(raw, &fixtures); err != nil {
		b.Fatal(err)
	}
	h, err := passhash.New(passhash.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	hasher := passhash.NewLimiter(h, passhash.Foreign{}, 1, time.Minute)
	users := memstore.NewUserStore()
	own, err := h.Hash(password)
	if err != nil {
		b.Fatal(err)
	}
	families := []string{"unknown name", "argon2id"}
	hashes := map[string]string{"argon2id": own}
	for _, c := range fixtures.Cases {
		if _, seen := hashes[c.Algorithm]; !seen {
			families = append(families, c.Algorithm)
			hashes[c.Algorithm] = c.Encoded
		}
	}
	for name, hash := range hashes {
		if _, err := users.CreateUser(b.Context(), domain.User{Username: name, PasswordHash: hash, IsActive: true}, domain.EmailShared); err != nil {
			b.Fatal(err)
		}
	}
	for _, timing := range []struct {
		name string
		t    app.LoginTiming
	}{{"unpadded", app.LoginTiming{}}, {"padded", app.LoginTiming{Calibrate: true}}} {
		v := app.NewVerifier(users, hasher, memstore.NewRateLimiter(&fakeClock{now: t0}), app.Throttle{}, &auditLog{},
			timing.t, hasher, nil)
		b.Run(timing.name, func(b *testing.B) { benchFamilies(b, v, families) })
	}
}

// benchFamilies times a failed login of each family's account with v.
func benchFamilies(b *testing.B, v *app.Verifier, families []string) {
	// Measure the floor and make the dummy hash before timing, as a running server has.
	v.CalibrateFloor()
	for _, settled := v.FailureFloor(); !settled; _, settled = v.FailureFloor() {
		time.Sleep(10 * time.Millisecond)
	}
	floor, _ := v.FailureFloor()
	b.Logf("failure floor %v", floor)
	_, _ = v.Check(b.Context(), "warm-up", password, "192.0.2.1", domain.MethodToken)
	for _, family := range families {
		b.Run(family, func(b *testing.B) {
			username := family
			if family == "unknown name" {
				username = "nobody-here"
			}
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				_, _ = v.Check(b.Context(), username, "wrong-Password-1", "192.0.2.1", domain.MethodToken)
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
}
