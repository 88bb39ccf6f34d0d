// Package prommetrics exports Gatehouse's metrics in the Prometheus format. It measures from
// the outside: decorators around the ports (stores, the authenticator chain, the auditor),
// one Gin middleware for HTTP requests, and a hook on the password-hashing queue, so no other
// adapter imports Prometheus.
//
// No label value ever comes from a request: routes are Gin's patterns, methods and outcomes
// come from fixed lists. A username, token, session id or address as a label would make every
// series a record of who used the service, and an attacker could grow the series without bound.
package prommetrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds Gatehouse's collectors in a registry of its own, so nothing a library
// registers on Prometheus's global default registry ends up in the scrape.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	authAttempts *prometheus.CounterVec
	logins       *prometheus.CounterVec
	signups      prometheus.Counter
	logouts      *prometheus.CounterVec
	revocations  *prometheus.CounterVec
	pwChanges    prometheus.Counter
	hashUpgrades prometheus.Counter

	storeDuration *prometheus.HistogramVec
	storeErrors   *prometheus.CounterVec

	hashWait *prometheus.HistogramVec
}

// storeBuckets suit store calls: a memory lookup takes microseconds, a MySQL or Redis round
// trip a millisecond or so, and a stalled backend is cut off by its timeout (2-3 s).
var storeBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// waitBuckets suit the wait for a hashing slot: none at all when one is free, up to the
// configured limit (2 s by default) under a flood.
var waitBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

// New returns the metrics of one Gatehouse process, with the Go runtime's and the process's
// own (memory, CPU, open files) alongside.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_http_requests_total",
			Help: "HTTP requests answered, by route pattern (unmatched for no route), method and status.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		authAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_auth_attempts_total",
			Help: "Requests authenticated by the chain, by the method that decided (none when no credentials were present) and outcome: ok, invalid, absent, throttled, unavailable, error.",
		}, []string{"method", "outcome"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_logins_total",
			Help: "Password checks for a session login, a token or Basic authentication, by method and outcome: ok, failed, throttled.",
		}, []string{"method", "outcome"}),
		signups: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gatehouse_signups_total",
			Help: "Accounts created.",
		}),
		logouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_logouts_total",
			Help: "Logouts, by scope: one (the calling credential) or all (every session and token of the user).",
		}, []string{"scope"}),
		revocations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_revocations_total",
			Help: "Tokens and sessions revoked by id, by kind: token or session.",
		}, []string{"kind"}),
		pwChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gatehouse_password_changes_total",
			Help: "Passwords changed by their owner.",
		}),
		hashUpgrades: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gatehouse_password_hash_upgrades_total",
			Help: "Stored password hashes replaced at login by one with the current parameters (outdated argon2id or imported Django hashes).",
		}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_store_call_duration_seconds",
			Help:    "Time of a store call, by port (users, sessions, tokens, throttle), backend (memory, mysql, redis) and operation.",
			Buckets: storeBuckets,
		}, []string{"port", "backend", "op"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_store_errors_total",
			Help: "Store calls that failed (unreachable, timed out, or a bug), by port, backend and operation; not found and username taken are answers, not errors.",
		}, []string{"port", "backend", "op"}),
		hashWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_password_hash_wait_seconds",
			Help:    "Time a password hash waited for a slot, by outcome: ok, or busy when it gave up (answered 503).",
			Buckets: waitBuckets,
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration,
		m.authAttempts, m.logins, m.signups, m.logouts, m.revocations, m.pwChanges, m.hashUpgrades,
		m.storeDuration, m.storeErrors, m.hashWait,
	)
	m.zero()
	return m
}

// zero creates the series whose labels are known in advance, so they read 0 rather than
// being absent until their first event: rate() and alerts then see the first one.
func (m *Metrics) zero() {
	for _, method := range knownMethods {
		for _, o := range []string{outcomeOK, outcomeInvalid, outcomeThrottled, outcomeUnavailable} {
			m.authAttempts.WithLabelValues(method, o)
		}
		for _, o := range []string{"failed", "throttled"} {
			m.logins.WithLabelValues(method, o)
		}
	}
	m.authAttempts.WithLabelValues(methodNone, outcomeAbsent)
	m.logins.WithLabelValues("session", "ok")
	m.logins.WithLabelValues("token", "ok")
	m.logouts.WithLabelValues("one")
	m.logouts.WithLabelValues("all")
	m.revocations.WithLabelValues("token")
	m.revocations.WithLabelValues("session")
	m.hashWait.WithLabelValues("ok")
	m.hashWait.WithLabelValues("busy")
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gatherer returns the registry, for tests that read the metrics without HTTP.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }
