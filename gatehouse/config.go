package gatehouse

import (
	"log/slog"
	"net"
	"runtime"
	"time"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// Config is the whole configuration of a Gatehouse: the settings of the gatehouse command,
// typed (the README's table names each one's GATEHOUSE_* variable). Start from DefaultConfig
// and change what differs: a zero Config is not usable. Each field group is what one package
// needs, so Wire hands out the groups and no package sees more than its part.
//
// New does not repeat the command's checks of a configuration (gatehouse config check):
// a value an adapter cannot use makes New fail, but a mere mistake, such as an origin
// without a scheme, is not reported.
type Config struct {
	Addr            string
	AdminAddr       string // metrics and pprof; "" serves metrics on Addr and no pprof
	ShutdownTimeout time.Duration
	LogLevel        slog.Level
	LogFormat       string
	// AuditLog writes the audit log, whatever LogLevel says (see newAuditor).
	AuditLog      bool
	Methods       []domain.AuthMethod
	App           app.Settings
	HTTP          ginhttp.Config
	Argon2        passhash.Params
	Hashing       Hashing
	Throttle      app.Throttle
	LoginTiming   app.LoginTiming
	Stores        StoreChoice
	MySQL         mysqlstore.Config
	Redis         redisstore.Config
	SweepInterval time.Duration
	Mail          Mail
	WebAuthn      webauthn.Config
}

// defaultMethods is the authenticator chain when none is configured: every method, the
// session first, as a browser's cookie is the commonest credential.
var defaultMethods = []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}

// Hashing bounds concurrent password hashing (see passhash.Limiter).
type Hashing struct {
	Slots   int
	Memory  int64 // KiB, argon2's unit
	MaxWait time.Duration
	// AllowWeakImported accepts imported unsalted and MD5/SHA-1 Django hashes.
	AllowWeakImported bool
}

// StoreChoice names the backend of each store port.
type StoreChoice struct {
	Users, Sessions, Tokens, Throttle string
}

// BackendNames are the values a store setting takes.
var BackendNames = []string{"memory", "mysql", "redis"}

// DefaultConfig is the configuration before any setting is read: the gatehouse command's
// defaults. The defaults belong to the packages that apply them; what is written here is the
// process's own: where it listens, how it logs, and which backends it uses (memory, so that
// it starts with nothing set).
func DefaultConfig() Config {
	mail := Mail{Queue: app.DefaultMailQueue()}
	mail.SMTP.Timeout = mail.Queue.AttemptTimeout
	settings := app.DefaultSettings()
	settings.UserCacheTTL = app.DefaultUserCacheTTL
	return Config{
		Addr:            "127.0.0.1:8080",
		ShutdownTimeout: 15 * time.Second,
		LogLevel:        slog.LevelInfo,
		LogFormat:       "json",
		AuditLog:        true,
		Methods:         defaultMethods,
		App:             settings,
		HTTP:            ginhttp.DefaultConfig(),
		Argon2:          passhash.DefaultParams(),
		Hashing:         Hashing{Slots: runtime.NumCPU(), Memory: passhash.DefaultMemoryBudget, MaxWait: passhash.DefaultMaxWait},
		Throttle:        app.DefaultThrottle(),
		LoginTiming:     app.LoginTiming{Calibrate: true},
		Stores:          StoreChoice{Users: "memory", Sessions: "memory", Tokens: "memory", Throttle: "memory"},
		MySQL:           mysqlstore.DefaultConfig(),
		Redis:           redisstore.DefaultConfig(),
		SweepInterval:   time.Minute,
		Mail:            mail,
		WebAuthn:        webauthn.Config{RPID: "localhost"},
	}
}

// Uses reports whether any store port is on the named backend.
func (c Config) Uses(backend string) bool {
	s := c.Stores
	return s.Users == backend || s.Sessions == backend || s.Tokens == backend || s.Throttle == backend
}

// Completed fills in the settings that derive from others when they are left unset: the
// session cookie lasts the absolute session timeout, and passkeys are offered to the origins
// of the RP ID (https://RP_ID, or http://localhost:PORT of Addr for localhost). New applies
// it, and so does the command's configuration check, which shows the result.
func (c Config) Completed() Config {
	if c.HTTP.SessionCookieMaxAge == 0 {
		c.HTTP.SessionCookieMaxAge = c.App.Session.Absolute
	}
	if c.WebAuthn.RPID != "" && len(c.WebAuthn.Origins) == 0 {
		_, port, _ := net.SplitHostPort(c.Addr)
		c.WebAuthn.Origins = webauthn.DefaultOrigins(c.WebAuthn.RPID, port)
	}
	return c
}
