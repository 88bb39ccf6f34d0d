package gatehouse

import (
	"log/slog"
	"net/http"
	"net/http/pprof"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/adapters/slogaudit"
	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/ports"
)

// newHasher puts argon2id behind the hashing limits, and exports the limits' queue.
func newHasher(h *passhash.Argon2id, cfg Hashing, m *prommetrics.Metrics, log *slog.Logger) *passhash.Limiter {
	l := passhash.NewLimiter(h, passhash.Foreign{AllowWeak: cfg.AllowWeakImported}, cfg.Slots, cfg.MaxWait,
		passhash.WithMemory(cfg.Memory), passhash.WithLogger(log))
	m.HashQueue(l)
	return l
}

// measuredStores are the chosen stores, each behind its metrics decorator.
type measuredStores Stores

// measureStores wraps each chosen store in its metrics decorator, labelled with the backend
// the configuration put it on. Readiness pings are not store calls and stay as they are.
func measureStores(s Stores, cfg Config, m *prommetrics.Metrics) measuredStores {
	out := measuredStores{
		Users:    m.UserStore(s.Users, cfg.Stores.Users),
		Sessions: m.SessionStore(s.Sessions, cfg.Stores.Sessions),
		Tokens:   m.TokenStore(s.Tokens, cfg.Stores.Tokens),
		Codes:    m.CodeStore(s.Codes, cfg.Stores.Sessions),
		Factors:  m.FactorStore(s.Factors, cfg.Stores.Users),
		Passkeys: m.PasskeyStore(s.Passkeys, cfg.Stores.Users),
		// Labelled by the users' backend, as the codes on it are the recovery codes.
		RecoveryCodes: m.CodeStore(s.RecoveryCodes, cfg.Stores.Users),
		Pingers:       s.Pingers,
	}
	if s.Limiter != nil {
		out.Limiter = m.RateLimiter(s.Limiter, cfg.Stores.Throttle)
	}
	return out
}

// secondFactors gives the use cases the users' backend's factor, passkey and recovery-code
// Stores, measured, the server keys that seal TOTP secrets, and the passkey ceremonies.
func secondFactors(s measuredStores, cfg Config, ceremonies ports.PasskeyCeremonies) app.SecondFactors {
	return app.SecondFactors{Factors: s.Factors, Recovery: s.RecoveryCodes, Passkeys: s.Passkeys,
		Keys: cfg.HTTP.SecretKeys, Ceremonies: ceremonies}
}

// passkeyCeremonies runs WebAuthn for the configured relying party; none when passkeys are
// off (an interface holding a nil *webauthn.Ceremonies would not be nil).
func passkeyCeremonies(cfg Config) (ports.PasskeyCeremonies, error) {
	c, err := webauthn.New(cfg.WebAuthn)
	if c == nil || err != nil {
		return nil, err
	}
	return c, nil
}

// adminSecondFactors gives the operator's use cases the same stores, unmeasured.
func adminSecondFactors(s Stores, cfg Config) app.SecondFactors {
	return app.SecondFactors{Factors: s.Factors, Recovery: s.RecoveryCodes, Passkeys: s.Passkeys,
		Keys: cfg.HTTP.SecretKeys}
}

// measuredChain counts the authenticator chain's verdicts.
func measuredChain(c *app.Chain, m *prommetrics.Metrics) *prommetrics.Authenticator {
	return m.Authenticator(c)
}

// countedAuditor counts audit events on their way to the log.
func countedAuditor(l *slogaudit.Logger, m *prommetrics.Metrics) *prommetrics.Auditor {
	return m.Auditor(l)
}

// httpConfig adds the metrics to the HTTP settings, the metrics endpoint unless
// it has a listener of its own, the mail routes when mail is on, and the pages' passkeys
// when they are (an RP ID).
func httpConfig(cfg Config, m *prommetrics.Metrics, mailer ports.Mailer) ginhttp.Config {
	c := cfg.HTTP
	c.PasswordReset = mailer.Enabled()
	c.EmailVerification = mailer.Enabled()
	c.EmailChange = mailer.Enabled()
	c.Passkeys = cfg.WebAuthn.RPID != ""
	// An observer, not a Middleware: the adapter's own middleware times the request once
	// for the metrics and the access log.
	c.ObserveRequest = m.RequestObserver()
	if cfg.AdminAddr == "" {
		c.Metrics = m.Handler()
	}
	return c
}

// application is an assembled Gatehouse, ready to serve.
type application struct {
	api      *ginhttp.Server
	admin    http.Handler // nil unless an admin address is configured
	verifier *app.Verifier
	mailer   ports.Mailer
}

func newApplication(api *ginhttp.Server, m *prommetrics.Metrics, cfg Config, v *app.Verifier, mailer ports.Mailer) *application {
	a := &application{api: api, verifier: v, mailer: mailer}
	if cfg.AdminAddr != "" {
		a.admin = adminHandler(m)
	}
	return a
}

// adminHandler serves the metrics and Go's profiler. Profiles reveal memory contents and
// cost CPU, so they are only ever served on the admin listener, never on the public one.
// (Importing net/http/pprof also registers it on http.DefaultServeMux, which nothing serves.)
// pprof's cmdline is left out: the command line can hold a secret (--mysql-dsn, --redis-url,
// --redis-password), and no profile needs it.
func adminHandler(m *prommetrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
