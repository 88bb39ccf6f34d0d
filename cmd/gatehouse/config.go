package main

import (
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// Config is the whole configuration of a Gatehouse process. Each field group is what one
// package needs, so Wire hands out the groups and no package sees more than its part.
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

// backendNames are the values a store setting takes.
var backendNames = []string{"memory", "mysql", "redis"}

// defaultConfig is the configuration before any setting is read. The defaults belong to the
// packages that apply them; what is written here is the process's own: where it listens,
// how it logs, and which backends it uses (memory, so that it starts with nothing set).
func defaultConfig() Config {
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

// commandConfig is the configuration of one command: the settings of the groups it uses,
// bound to a Config that starts at the defaults.
type commandConfig struct {
	groups   group
	cfg      Config
	settings []*setting
}

// bindSettings gives fs a flag for every setting of groups.
func bindSettings(fs *pflag.FlagSet, groups group) *commandConfig {
	cc := &commandConfig{groups: groups, cfg: defaultConfig()}
	for _, s := range settings(&cc.cfg) {
		if s.group&groups == 0 {
			continue
		}
		f := fs.VarPF(s, s.name, "", fmt.Sprintf("%s (env %s)", s.help, s.env()))
		f.NoOptDefVal = s.value.bare
		cc.settings = append(cc.settings, s)
	}
	return cc
}

// load completes the configuration once fs is parsed, and checks it. It is the one place that
// orders the sources of a setting: its flag when given, else its GATEHOUSE_* variable when
// set, else its default.
func (cc *commandConfig) load(fs *pflag.FlagSet, getenv func(string) string) (Config, error) {
	k := newChecker(cc.settings)
	for _, s := range cc.settings {
		if f := fs.Lookup(s.name); f != nil && f.Changed {
			s.source = "flag"
			continue
		}
		v := getenv(s.env())
		if v == "" {
			continue
		}
		s.source = "env"
		if err := s.Set(v); err != nil {
			k.fail(s.name, "%v", err)
		}
	}
	cc.check(k)
	return cc.cfg, k.err
}

// Uses reports whether any store port is on the named backend.
func (c Config) Uses(backend string) bool {
	s := c.Stores
	return s.Users == backend || s.Sessions == backend || s.Tokens == backend || s.Throttle == backend
}
