package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/gatehouse/internal/options"
	"github.com/gatehouse/gatehouse/ports"
)

// Gatehouse is an assembled Gatehouse, serving inside the caller's program. Its methods are
// safe for concurrent use.
type Gatehouse struct {
	app       *application
	log       *slog.Logger
	closeApp  func()
	closeSt   func()
	closeOnce sync.Once
	done      chan struct{} // closed by Close
}

// Option changes how New assembles a Gatehouse.
type Option func(*options.Options)

// WithLogger sends Gatehouse's log to log: diagnostics at their level, the access log of
// the routes it serves at Info, and the audit log (one line per account event) whatever the
// level, while Config.AuditLog is on. Without it Gatehouse logs to slog.Default(), so that
// the audit log is not lost unless the caller says so: pass a logger on
// slog.DiscardHandler for silence.
func WithLogger(log *slog.Logger) Option { return func(o *options.Options) { o.Log = log } }

// WithClock runs Gatehouse on clock instead of the wall clock: session and token expiry,
// throttling windows and sweeps of the memory stores follow it. It is for tests.
func WithClock(clock ports.Clock) Option { return func(o *options.Options) { o.Clock = clock } }

// New assembles Gatehouse from cfg, which should start from DefaultConfig (New fills in
// what the command derives from other settings: the session cookie's lifetime, and the
// passkey origins of Config.WebAuthn.RPID from Config.Addr's port). It opens the
// stores cfg names (ctx bounds their connection and schema checks), builds the use cases,
// the authenticator chain and the HTTP API over them, and starts the background work they
// need (sweepers of expired credentials, the mail queue). Close releases all of it.
//
// Like `gatehouse serve`, New refuses argon2id parameters below the OWASP floor
// (passhash.Params.CheckFloor), and refuses to start without Config.HTTP.SecretKeys when a user
// already has a second factor, whose secret only the keys open; without keys it draws a
// random one for this process and logs a warning, since forms posted to another instance
// or after a restart are then refused.
func New(ctx context.Context, cfg Config, opts ...Option) (*Gatehouse, error) {
	cfg = cfg.Completed()
	o := options.Options{Log: slog.Default(), Clock: system.Clock{}}
	for _, opt := range opts {
		opt(&o)
	}
	if !o.BelowFloor {
		if err := cfg.Argon2.CheckFloor(); err != nil {
			return nil, err
		}
	}
	st, closeSt, err := openStores(ctx, cfg, o.Log, o.Clock)
	if err != nil {
		return nil, err
	}
	if err := requireKeyForFactors(ctx, cfg.HTTP.SecretKeys, st.Factors); err != nil {
		closeSt()
		return nil, err
	}
	if cfg.HTTP.SecretKeys.Empty() {
		// The HTTP adapter draws a key of its own; say what that costs.
		o.Log.Warn("GATEHOUSE_SECRET_KEY is not set: using a random key for this process, so login and signup " +
			"forms posted to another instance or after a restart are refused; set one made by 'gatehouse config gen-key'")
	}
	a, closeApp, err := newApp(cfg, o.Log, st, o.Clock)
	if err != nil {
		closeSt()
		return nil, err
	}
	logMail(cfg, a.mailer, o.Log)
	g := &Gatehouse{app: a, log: o.Log, closeApp: closeApp, closeSt: closeSt, done: make(chan struct{})}
	// Measure the failed-login floor now, in the background, so the first failures need not
	// wait for it; say what it came to once it has.
	a.verifier.CalibrateFloor()
	go g.logFloor()
	return g, nil
}

// Handler is the whole service, as `gatehouse serve` serves it at the root of its address:
// the API under /v1/auth, the pages, /healthz, /readyz, /openapi.json, and /metrics unless
// Config.AdminAddr puts the metrics on AdminHandler. To serve it under a prefix, strip the
// prefix (http.StripPrefix) and mind that the pages' links and redirects are absolute.
func (g *Gatehouse) Handler() http.Handler { return g.app.api }

// AdminHandler serves the metrics and Go's profiler when Config.AdminAddr is set, and is nil
// otherwise. Profiles reveal memory contents: serve it only where operators reach it.
func (g *Gatehouse) AdminHandler() http.Handler { return g.app.admin }

// Mount registers the JSON API on r, the caller's router or group, as /v1/auth/... under
// r's path: Mount(router.Group("/auth")) serves POST /auth/v1/auth/login. Each route runs
// behind the service's own middleware (request id, access log, metrics, panic recovery,
// body limit, CORS). The pages are not mounted: their links and redirects are absolute
// paths, which a prefix would break; Handler serves them.
//
// Cookies are set for Path=/, so a session begun by a login under any prefix authenticates
// the caller's own routes behind Middleware.
func (g *Gatehouse) Mount(r gin.IRouter) { g.app.api.MountAPI(r) }

// Middleware protects the caller's Gin handlers: it authenticates each request with the
// configured chain, exactly as the service's own authenticated routes do (one rule, in one
// place), and either puts the principal in the request's context, for PrincipalFrom, and
// calls the next handler, or answers with the service's problem document and aborts: 401
// with the chain's WWW-Authenticate challenges in chain order, 403 for a
// cookie-authenticated unsafe method without its X-CSRFToken header (or from an untrusted
// origin), 429 while the client is throttled, 503 while a store is down.
func (g *Gatehouse) Middleware() gin.HandlerFunc {
	api := g.app.api
	return func(c *gin.Context) {
		p, ok := api.Authenticate(c)
		if !ok {
			return // answered and aborted
		}
		c.Request = c.Request.WithContext(withPrincipal(c.Request.Context(), p))
		c.Next()
	}
}

// Protect is Middleware for net/http: next runs only for an authenticated request, with
// the principal in its context for PrincipalFrom; every other request gets the service's
// answer.
func (g *Gatehouse) Protect(next http.Handler) http.Handler {
	// The chain answers through a gin.Context; an engine with no route runs its NoRoute
	// handlers for every request, so it is a plain wrapper around next.
	e := gin.New()
	e.NoRoute(g.Middleware(), func(c *gin.Context) {
		// Gin has set 404 for NoRoute before the handlers run: next's own status, or
		// net/http's implicit 200, must win.
		c.Status(http.StatusOK)
		next.ServeHTTP(c.Writer, c.Request)
		// A status without a body would otherwise get Gin's own NoRoute text.
		c.Writer.WriteHeaderNow()
	})
	return e
}

// Close releases what New opened, in the order that loses nothing: it drains the mail queue
// while the stores are still open, then stops the sweepers and closes the stores. Stop
// serving requests first. Calls after the first do nothing. The error is always nil today.
func (g *Gatehouse) Close() error {
	g.closeOnce.Do(func() {
		close(g.done)
		g.app.verifier.StopCalibration()
		g.closeApp()
		g.closeSt()
	})
	return nil
}

// logFloor logs the failed-login floor once it is settled, or gives up at Close.
func (g *Gatehouse) logFloor() {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if d, settled := g.app.verifier.FailureFloor(); settled {
			g.log.Info("failed logins take at least", slog.Duration("floor", d))
			return
		}
		select {
		case <-g.done:
			return
		case <-tick.C:
		}
	}
}

// errFactorsNeedKey stops New without GATEHOUSE_SECRET_KEY while users have second factors.
var errFactorsNeedKey = errors.New("GATEHOUSE_SECRET_KEY is not set, but users have second factors whose secrets " +
	"are sealed under it: set the key (or list of keys) they were sealed with")

// requireKeyForFactors refuses to start without server keys when any user has a second
// factor. Its secret is sealed under the keys, and a key drawn at random for the process
// (what New does without one) opens none: every such user would be locked out, with a
// wrong-code answer that says nothing of why.
func requireKeyForFactors(ctx context.Context, keys domain.ServerKeys, factors ports.FactorStore) error {
	if !keys.Empty() {
		return nil
	}
	found, err := factors.AnyFactors(ctx)
	if err != nil {
		return fmt.Errorf("looking for second factors: %w", err)
	}
	if found {
		return errFactorsNeedKey
	}
	return nil
}
