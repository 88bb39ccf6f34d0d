// Package ginhttp is Gatehouse's HTTP adapter on Gin: routing, credential extraction,
// middleware, and problem documents. It reaches the use cases only through driving ports.
package ginhttp

import (
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Config holds the HTTP adapter's settings.
type Config struct {
	// CookieSecure sets the Secure attribute on cookies. Only plain-HTTP development
	// setups turn it off. With it, only https:// is the server's own origin
	// (domain.OriginPolicy.HTTPSOnly).
	CookieSecure bool
	// SessionCookieMaxAge is how long browsers keep the session cookie: the absolute session
	// timeout, since the server enforces the idle one.
	SessionCookieMaxAge time.Duration
	// TrustedProxies lists the addresses or CIDR ranges of proxies whose ClientIPHeader
	// names the client (see ClientIP). Requests from anywhere else are identified by their
	// socket address, so a client cannot choose the address it is throttled by. Entries
	// ParseTrustedProxies refuses are ignored: the configuration validates the list.
	TrustedProxies []string
	// ClientIPHeader is the one header trusted proxies name the client in: HeaderXForwardedFor
	// (when empty), HeaderXRealIP or HeaderForwarded. The others are never read.
	ClientIPHeader string
	// TrustedOrigins lists the origins (scheme://host[:port]) besides the server's own from
	// which a browser may send an unsafe request with its cookies or Basic credentials, a
	// login, or a page's form (domain.OriginPolicy.Trusted).
	TrustedOrigins []string
	// CORSOrigins lists the origins (scheme://host[:port]) whose pages may call the API with
	// fetch and read its answers, cookies included (see newCORS). Empty turns CORS off. A
	// listed origin is also trusted by the origin rule, as if it were in TrustedOrigins:
	// an origin allowed to read answers but refused every unsafe request would be no use.
	CORSOrigins []string
	// SecretKeys sign the CSRF tokens of the login and signup forms; every instance must
	// share them. Empty draws a random key for this Server, so forms shown by another
	// instance, or before a restart, are refused.
	SecretKeys domain.ServerKeys
	// HostPrefix names the cookies __Host-sessionid and __Host-csrftoken (needs CookieSecure).
	HostPrefix bool
	// TokenCookieName names the cookie that carries a browser app's token.
	TokenCookieName string

	// PasswordReset registers the password reset routes. It is set when mail is on
	// (ports.Mailer.Enabled); without mail they answer 404 as unknown paths do.
	PasswordReset bool
	// EmailVerification registers the email verification routes and pages, and the account
	// page's offer of a new link. It is set when mail is on, as PasswordReset is.
	EmailVerification bool
	// EmailChange registers the email change routes and offers the change on the account
	// page. It is set when mail is on, like PasswordReset.
	EmailChange bool
	// Passkeys offers passkeys on the pages (a login with one, the second step's, the account
	// page's section). It is set when GATEHOUSE_WEBAUTHN_RP_ID is on; without it the pages
	// show nothing of passkeys, whose API answers passkeys_off.
	Passkeys bool

	// Middleware runs for every request, inside the access log and outside the panic
	// recovery, so it sees the final status of each.
	Middleware []gin.HandlerFunc
	// ObserveRequest, when set, is told of every answered request, recovered panics
	// included: its route pattern ("unmatched" when none matched), method, status and
	// duration (the metrics). It costs less than a Middleware doing the same.
	ObserveRequest func(route, method string, status int, elapsed time.Duration)
	// AccessLog, when set, writes the access log lines in place of the logger (see
	// AccessLog); the logger's level still decides whether they are written.
	AccessLog *AccessLog
	// Metrics, when set, is served at GET /metrics. It stays nil when metrics go to a
	// separate admin listener.
	Metrics http.Handler
}

// Server answers Gatehouse's HTTP API.
type Server struct {
	auth       ports.Authenticator
	accounts   ports.Accounts
	ready      ports.Readiness
	cfg        Config
	trusted    []netip.Prefix // cfg.TrustedProxies, parsed
	ipHeader   string         // cfg.ClientIPHeader, canonical
	origins    domain.OriginPolicy
	cors       gin.HandlerFunc // nil when CORS is off
	keys       domain.ServerKeys
	log        *slog.Logger
	challenges []string // of the chain's header schemes, in order
	// fetchChallenges are challenges without Basic's, for a script's fetch (see unauthorized).
	fetchChallenges []string
	engine          *gin.Engine
}

// New returns the HTTP API over the given driving ports.
func New(auth ports.Authenticator, accounts ports.Accounts, ready ports.Readiness, cfg Config, log *slog.Logger) *Server {
	s := &Server{auth: auth, accounts: accounts, ready: ready, cfg: cfg, log: log, ipHeader: HeaderXForwardedFor,
		keys: cfg.SecretKeys, cors: newCORS(cfg.CORSOrigins, cfg.CookieSecure),
		origins: domain.OriginPolicy{Trusted: slices.Concat(cfg.TrustedOrigins, cfg.CORSOrigins), HTTPSOnly: cfg.CookieSecure}}
	if s.keys.Empty() {
		var k [domain.ServerKeyBytes]byte
		_, _ = rand.Read(k[:]) // never fails (crypto/rand)
		s.keys = domain.NewServerKeys(k)
	}
	for _, p := range cfg.TrustedProxies {
		if ps, err := ParseTrustedProxies([]string{p}); err == nil {
			s.trusted = append(s.trusted, ps...)
		}
	}
	if h, ok := ClientIPHeader(cfg.ClientIPHeader); ok {
		s.ipHeader = h
	}
	for _, m := range auth.Methods() {
		switch m {
		case domain.MethodToken:
			s.challenges = append(s.challenges, `Token realm="gatehouse"`)
			s.fetchChallenges = append(s.fetchChallenges, `Token realm="gatehouse"`)
		case domain.MethodBasic:
			s.challenges = append(s.challenges, `Basic realm="gatehouse"`)
		}
	}
	s.engine = s.routes()
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// routes builds the engine. Gin's mode is a process-wide setting, left to the program: the
// gatehouse command runs in release mode; a program embedding Gatehouse keeps its own.
func (s *Server) routes() *gin.Engine {
	e := gin.New()
	// ClientIP is the one rule that names the client; Gin's own, which reads X-Forwarded-For
	// and X-Real-IP both, is turned off so that c.ClientIP() is at most the socket's peer.
	_ = e.SetTrustedProxies(nil)
	e.ForwardedByClientIP = false
	e.HandleMethodNotAllowed = true
	// An unknown path is a 404 problem document, not a redirect to a guessed one.
	e.RedirectTrailingSlash = false
	e.Use(s.middleware()...)
	if s.cors != nil {
		e.Use(s.cors) // before the routes: it answers preflights, which have none
	}
	e.NoRoute(func(c *gin.Context) { writeProblem(c, http.StatusNotFound, "Not found.", nil) })
	e.NoMethod(func(c *gin.Context) {
		writeProblem(c, http.StatusMethodNotAllowed, "Method \""+c.Request.Method+"\" not allowed.", nil)
	})

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/openapi.json", s.openAPI)
	s.pageRoutes(e)
	if s.cfg.Metrics != nil {
		e.GET("/metrics", gin.WrapH(s.cfg.Metrics))
	}

	s.apiRoutes(e.Group("/v1/auth"))
	return e
}

// middleware is what runs before every route: the frame, cut in two around
// Config.Middleware when there is any (see frame).
func (s *Server) middleware() []gin.HandlerFunc {
	if len(s.cfg.Middleware) == 0 {
		return []gin.HandlerFunc{s.frame}
	}
	return append(append([]gin.HandlerFunc{s.outer}, s.cfg.Middleware...), s.inner)
}

// apiRoutes registers the JSON API on v1, the group of /v1/auth.
func (s *Server) apiRoutes(v1 *gin.RouterGroup) {
	v1.POST("/signup", s.signup)
	v1.POST("/token", s.obtainToken)
	v1.POST("/login", s.login)
	if s.cfg.PasswordReset {
		v1.POST("/password/reset", s.requestPasswordReset)
		v1.POST("/password/reset/confirm", s.confirmPasswordReset)
	}
	s.emailVerifyRoutes(v1)
	s.emailChangeRoutes(v1)
	s.mfaRoutes(v1)
	v1.GET("/verify", s.verify)
	v1.HEAD("/verify", s.verify)

	v1.POST("/logout", s.authenticated(s.logout))
	v1.POST("/logout/all", s.authenticated(s.logoutAll))
	v1.GET("/me", s.authenticated(s.me))
	v1.DELETE("/me", s.authenticated(s.deleteAccount))
	v1.GET("/tokens", s.authenticated(s.listTokens))
	v1.DELETE("/tokens/:id", s.authenticated(s.revokeToken))
	v1.GET("/sessions", s.authenticated(s.listSessions))
	v1.DELETE("/sessions/:id", s.authenticated(s.revokeSession))
	v1.POST("/password", s.authenticated(s.changePassword))
}

// MountAPI registers the JSON API's routes on r, as /v1/auth/... under r's own path, each
// behind the same middleware as on the Server itself (request id, access log, metrics,
// panic recovery, private caching, body limit, CORS). It is for an application that serves
// Gatehouse's API from its own Gin router. The pages, /healthz, /readyz, /openapi.json and
// /metrics stay on the Server: the pages link to each other and redirect by absolute
// paths, which a prefix would break. Paths under /v1/auth that no route matches get r's
// own 404.
func (s *Server) MountAPI(r gin.IRouter) {
	v1 := r.Group("/v1/auth", s.middleware()...)
	if s.cors != nil {
		v1.Use(s.cors)
		// A preflight matches no route of its own; this one lets the CORS middleware
		// answer it, and answers 404 to one from an origin it does not allow.
		v1.OPTIONS("/*path", func(c *gin.Context) { writeProblem(c, http.StatusNotFound, "Not found.", nil) })
	}
	s.apiRoutes(v1)
}

// Authenticate authenticates c's request exactly as the API's own authenticated routes do,
// for a handler of the application that embeds Gatehouse: the request's credentials go
// through the configured chain (the first that succeeds wins), after the origin rule for
// a credential the browser attaches by itself, and with the CSRF rule of the request's
// method. When the chain refuses, Authenticate answers the request with the API's problem
// document (401 with the chain's challenges, 403, 429, 503), aborts c, and reports false.
func (s *Server) Authenticate(c *gin.Context) (domain.Principal, bool) {
	return s.principalFor(c, c.Request.Method)
}
