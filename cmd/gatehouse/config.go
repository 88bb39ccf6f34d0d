package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
	Methods         []domain.AuthMethod
	App             app.Settings
	HTTP            ginhttp.Config
	Argon2          passhash.Params
	Hashing         Hashing
	Throttle        app.Throttle
	LoginTiming     app.LoginTiming
	Stores          StoreChoice
	MySQL           mysqlstore.Config
	Redis           redisstore.Config
	SweepInterval   time.Duration
	Mail            Mail
	WebAuthn        webauthn.Config
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

// addSettingFlags gives fs a flag for every setting.
func addSettingFlags(fs *pflag.FlagSet) {
	for _, s := range settings() {
		fs.String(s.flag, s.def, fmt.Sprintf("%s (env %s)", s.help, s.env))
	}
}

// resolved is a setting's effective value and where it came from.
type resolved struct {
	*setting
	value, source string // source: "flag", "env" or "default"
}

// resolve is the one place that orders the sources of a setting: its flag when given, else
// its GATEHOUSE_* variable when set, else its default. fs may be nil.
func resolve(fs *pflag.FlagSet, getenv func(string) string) []resolved {
	var out []resolved
	for _, s := range settings() {
		r := resolved{setting: s, value: s.def, source: "default"}
		if v := getenv(s.env); v != "" {
			r.value, r.source = v, "env"
		}
		if fs != nil {
			if f := fs.Lookup(s.flag); f != nil && f.Changed {
				r.value, r.source = f.Value.String(), "flag"
			}
		}
		out = append(out, r)
	}
	return out
}

// loadConfig parses and checks the resolved settings.
func loadConfig(fs *pflag.FlagSet, getenv func(string) string) (Config, error) {
	p := parser{byEnv: map[string]string{}, secret: map[string]bool{}}
	for _, r := range resolve(fs, getenv) {
		p.byEnv[r.env] = r.value
		p.secret[r.env] = r.secret
	}
	return p.config()
}

// maxLifetime bounds credential lifetimes: far beyond any sane setting, and well within the
// years every store can represent.
const maxLifetime = 10 * 365 * 24 * time.Hour

// parser turns setting values into a Config, remembering the first error with the name of
// the variable that caused it.
type parser struct {
	byEnv  map[string]string
	secret map[string]bool
	err    error
}

func (p *parser) fail(env, format string, args ...any) {
	if p.err != nil {
		return
	}
	if p.secret[env] {
		// A DSN holds a password: name the variable, never its value.
		p.err = fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...))
		return
	}
	p.err = fmt.Errorf("%s=%q: %s", env, p.byEnv[env], fmt.Sprintf(format, args...))
}

// failQuietly records an error naming env but not its value.
func (p *parser) failQuietly(env, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...))
	}
}

// validHostPort reports whether addr is host:port with a host name or IP address and a port
// number: nothing a URL adds (scheme, user, password, path).
func validHostPort(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return false
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	for i := 0; i < len(host); i++ {
		ch := host[i]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '.' || ch == '-' || ch == '_') {
			return false
		}
	}
	return true
}

// validListenAddr reports whether addr is what net.Listen("tcp", addr) takes as a listen
// address: host:port where the host may be empty (every interface), an IP address or a host
// name, and the port a number from 0 (any free port) to 65535. Checked here, not left to
// net.Listen, so config check refuses what serve would.
func validListenAddr(addr string) bool {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return false
	}
	return host == "" || validHostPort(net.JoinHostPort(host, "1"))
}

// listenAddr reads a listen address; optional allows "" (no listener).
func (p *parser) listenAddr(env string, optional bool) string {
	v := p.byEnv[env]
	if (v != "" || !optional) && !validListenAddr(v) {
		p.fail(env, "want host:port, such as 127.0.0.1:8080 or :8080 (every interface)")
	}
	return v
}

func (p *parser) backend(env string) string {
	v := strings.ToLower(p.byEnv[env])
	if !slices.Contains(backendNames, v) {
		p.fail(env, "want one of %s", strings.Join(backendNames, ", "))
	}
	return v
}

func (p *parser) rate(env string) domain.Rate {
	r, err := domain.ParseRate(p.byEnv[env])
	if err != nil {
		p.fail(env, "%v", err)
	}
	return r
}

func (p *parser) int(env string) int {
	n, err := strconv.Atoi(p.byEnv[env])
	if err != nil || n < 0 {
		p.fail(env, "want a non-negative whole number")
	}
	return n
}

func (p *parser) duration(env string) time.Duration {
	d, err := time.ParseDuration(p.byEnv[env])
	if err != nil || d < 0 {
		p.fail(env, "want a non-negative duration such as 30s, 15m or 24h")
	}
	return d
}

func (p *parser) uint(env string, bits int) uint64 {
	n, err := strconv.ParseUint(p.byEnv[env], 10, bits)
	if err != nil {
		p.fail(env, "want a whole number below 2^%d", bits)
	}
	return n
}

func (p *parser) bool(env string) bool {
	b, err := strconv.ParseBool(p.byEnv[env])
	if err != nil {
		p.fail(env, "want true or false")
	}
	return b
}

func (p *parser) config() (Config, error) {
	methods, err := domain.ParseAuthMethods(p.byEnv["GATEHOUSE_AUTHENTICATORS"])
	if err != nil {
		p.fail("GATEHOUSE_AUTHENTICATORS", "%v", err)
	}
	c := Config{
		Addr:            p.listenAddr("GATEHOUSE_ADDR", false),
		AdminAddr:       p.listenAddr("GATEHOUSE_ADMIN_ADDR", true),
		ShutdownTimeout: p.duration("GATEHOUSE_SHUTDOWN_TIMEOUT"),
		LogFormat:       strings.ToLower(p.byEnv["GATEHOUSE_LOG_FORMAT"]),
		Methods:         methods,
		App: app.Settings{
			TokenTTL: p.duration("GATEHOUSE_TOKEN_TTL"),
			Session: domain.SessionPolicy{
				Idle:     p.duration("GATEHOUSE_SESSION_IDLE_TIMEOUT"),
				Absolute: p.duration("GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT"),
			},
			TouchInterval: p.duration("GATEHOUSE_TOUCH_INTERVAL"),
			BasicCacheTTL: p.duration("GATEHOUSE_BASIC_CACHE_TTL"),
			UserCacheTTL:  p.duration("GATEHOUSE_USER_CACHE_TTL"),
			ResetTTL:      p.duration("GATEHOUSE_RESET_TTL"),
			ResetFloor:    app.DefaultResetFloor,
			VerifyTTL:     p.duration("GATEHOUSE_VERIFY_TTL"),
			UniqueEmail:   p.bool("GATEHOUSE_UNIQUE_EMAIL"),

			RequireVerifiedEmail: p.bool("GATEHOUSE_REQUIRE_VERIFIED_EMAIL"),
			EmailChangeTTL:       p.duration("GATEHOUSE_EMAIL_CHANGE_TTL"),
		},
		HTTP: ginhttp.Config{
			CookieSecure:    p.bool("GATEHOUSE_COOKIE_SECURE"),
			HostPrefix:      p.bool("GATEHOUSE_COOKIE_HOST_PREFIX"),
			TokenCookieName: p.byEnv["GATEHOUSE_TOKEN_COOKIE_NAME"],
		},
		Argon2: passhash.DefaultParams(),
		Stores: StoreChoice{
			Users:    p.backend("GATEHOUSE_USER_STORE"),
			Sessions: p.backend("GATEHOUSE_SESSION_STORE"),
			Tokens:   p.backend("GATEHOUSE_TOKEN_STORE"),
			Throttle: p.backend("GATEHOUSE_THROTTLE_STORE"),
		},
		Throttle: app.Throttle{
			LoginUser:    p.rate("GATEHOUSE_THROTTLE_LOGIN_USER"),
			LoginIP:      p.rate("GATEHOUSE_THROTTLE_LOGIN_IP"),
			LoginAccount: p.rate("GATEHOUSE_THROTTLE_LOGIN_ACCOUNT"),
			SignupIP:     p.rate("GATEHOUSE_THROTTLE_SIGNUP_IP"),
			ResetIP:      p.rate("GATEHOUSE_THROTTLE_RESET_IP"),
			ResetTarget:  p.rate("GATEHOUSE_THROTTLE_RESET_TARGET"),
			VerifyUser:   p.rate("GATEHOUSE_THROTTLE_VERIFY_USER"),
			IPv6Prefix:   p.int("GATEHOUSE_THROTTLE_IPV6_PREFIX"),
		},
		MySQL: mysqlstore.Config{
			DSN:             p.byEnv["GATEHOUSE_MYSQL_DSN"],
			AutoMigrate:     p.bool("GATEHOUSE_MYSQL_AUTO_MIGRATE"),
			MaxOpenConns:    p.int("GATEHOUSE_MYSQL_MAX_OPEN_CONNS"),
			MaxIdleConns:    p.int("GATEHOUSE_MYSQL_MAX_IDLE_CONNS"),
			ConnMaxLifetime: p.duration("GATEHOUSE_MYSQL_CONN_MAX_LIFETIME"),
			QueryTimeout:    p.duration("GATEHOUSE_MYSQL_QUERY_TIMEOUT"),
		},
		Redis: redisstore.Config{
			URL:        p.byEnv["GATEHOUSE_REDIS_URL"],
			Addrs:      splitList(p.byEnv["GATEHOUSE_REDIS_ADDRS"]),
			MasterName: p.byEnv["GATEHOUSE_REDIS_MASTER_NAME"],
			Cluster:    p.bool("GATEHOUSE_REDIS_CLUSTER"),
			Username:   p.byEnv["GATEHOUSE_REDIS_USERNAME"],
			Password:   p.byEnv["GATEHOUSE_REDIS_PASSWORD"],
			Prefix:     p.byEnv["GATEHOUSE_REDIS_PREFIX"],
			Timeout:    p.duration("GATEHOUSE_REDIS_TIMEOUT"),
		},
		SweepInterval: p.duration("GATEHOUSE_SWEEP_INTERVAL"),
	}
	if c.Uses("redis") && c.Redis.URL == "" && len(c.Redis.Addrs) == 0 {
		p.fail("GATEHOUSE_REDIS_URL", "required (or GATEHOUSE_REDIS_ADDRS) when a store is redis")
	}
	for i, addr := range c.Redis.Addrs {
		if !validHostPort(addr) {
			// Not echoed: a URL here would carry its password.
			p.failQuietly("GATEHOUSE_REDIS_ADDRS", "entry %d is not host:port (a password goes in GATEHOUSE_REDIS_PASSWORD)", i+1)
		}
	}
	if c.Redis.URL != "" && !redisstore.ValidURL(c.Redis.URL) {
		p.fail("GATEHOUSE_REDIS_URL", "not a valid redis:// or rediss:// URL")
	}
	if !redisstore.ValidPrefix(c.Redis.Prefix) {
		p.fail("GATEHOUSE_REDIS_PREFIX", "may not contain { or }: they would put every key on one Cluster slot")
	}
	if c.Uses("mysql") && c.MySQL.DSN == "" {
		p.fail("GATEHOUSE_MYSQL_DSN", "required when a store is mysql")
	}
	if c.MySQL.DSN != "" && !mysqlstore.ValidDSN(c.MySQL.DSN) {
		p.fail("GATEHOUSE_MYSQL_DSN", "not a valid DSN; want user:password@tcp(host:3306)/database")
	}
	p.mail(&c)
	if c.SweepInterval <= 0 {
		p.fail("GATEHOUSE_SWEEP_INTERVAL", "must be positive")
	}
	c.HTTP.SessionCookieMaxAge = c.App.Session.Absolute
	if n := c.HTTP.TokenCookieName; n == "" || n == "sessionid" || n == "csrftoken" || strings.ContainsAny(n, " \t;,=\"()<>@:/[]?{}") {
		p.fail("GATEHOUSE_TOKEN_COOKIE_NAME", "want a cookie name (a token) other than sessionid and csrftoken")
	}
	if c.HTTP.HostPrefix && !c.HTTP.CookieSecure {
		p.fail("GATEHOUSE_COOKIE_HOST_PREFIX", "needs GATEHOUSE_COOKIE_SECURE=true: browsers reject insecure __Host- cookies")
	}
	for _, b := range splitList(p.byEnv["GATEHOUSE_SESSION_BIND"]) {
		switch strings.ToLower(b) {
		case "ip":
			c.App.Bind.IP = true
		case "ua":
			c.App.Bind.UserAgent = true
		default:
			p.fail("GATEHOUSE_SESSION_BIND", "want ip, ua or ip,ua")
		}
	}
	c.HTTP.TrustedProxies = splitList(p.byEnv["GATEHOUSE_TRUSTED_PROXIES"])
	if list := p.byEnv["GATEHOUSE_SECRET_KEY"]; list != "" {
		keys, err := domain.ParseServerKeys(list)
		if err != nil {
			p.failQuietly("GATEHOUSE_SECRET_KEY", "%v (gatehouse config gen-key makes one)", err)
		}
		c.HTTP.SecretKeys = keys
	}
	c.HTTP.TrustedOrigins = p.origins("GATEHOUSE_TRUSTED_ORIGINS", c.HTTP.CookieSecure)
	c.HTTP.CORSOrigins = p.origins("GATEHOUSE_CORS_ORIGINS", c.HTTP.CookieSecure)
	p.webAuthn(&c)
	if _, err := ginhttp.ParseTrustedProxies(c.HTTP.TrustedProxies); err != nil {
		p.fail("GATEHOUSE_TRUSTED_PROXIES", "%v", err)
	}
	if h, ok := ginhttp.ClientIPHeader(p.byEnv["GATEHOUSE_CLIENT_IP_HEADER"]); ok {
		c.HTTP.ClientIPHeader = h
	} else {
		p.fail("GATEHOUSE_CLIENT_IP_HEADER", "want X-Forwarded-For, X-Real-IP or Forwarded: the one header the trusted proxies set")
	}
	if n := c.Throttle.IPv6Prefix; n < 1 || n > 128 {
		p.fail("GATEHOUSE_THROTTLE_IPV6_PREFIX", "want a prefix length from 1 to 128 (64 is one customer's network)")
	}
	if c.Stores.Throttle == "mysql" {
		p.fail("GATEHOUSE_THROTTLE_STORE", "want memory or redis: counters change on every failed login, which is no job for MySQL")
	}
	c.Argon2.Memory = uint32(p.uint("GATEHOUSE_ARGON2_MEMORY", 32))
	c.Argon2.Time = uint32(p.uint("GATEHOUSE_ARGON2_TIME", 32))
	c.Argon2.Threads = uint8(p.uint("GATEHOUSE_ARGON2_THREADS", 8))
	c.Hashing = Hashing{Slots: p.int("GATEHOUSE_HASH_CONCURRENCY"), Memory: p.size("GATEHOUSE_HASH_MEMORY"),
		MaxWait: p.duration("GATEHOUSE_HASH_WAIT"), AllowWeakImported: p.bool("GATEHOUSE_ALLOW_WEAK_IMPORTED_HASHES")}
	if v := p.byEnv["GATEHOUSE_LOGIN_FAILURE_FLOOR"]; strings.EqualFold(v, "auto") {
		c.LoginTiming = app.LoginTiming{Calibrate: true}
	} else if d, err := time.ParseDuration(v); err == nil && d >= 0 && d <= time.Minute {
		c.LoginTiming = app.LoginTiming{Floor: d}
	} else {
		p.fail("GATEHOUSE_LOGIN_FAILURE_FLOOR", "want auto or a duration up to 1m such as 300ms (0: no padding)")
	}
	if c.Hashing.Slots < 1 {
		p.fail("GATEHOUSE_HASH_CONCURRENCY", "must be at least 1")
	}
	if c.Hashing.Memory < int64(c.Argon2.Memory) {
		p.fail("GATEHOUSE_HASH_MEMORY", "must be at least GATEHOUSE_ARGON2_MEMORY (%d KiB), or no password could be hashed",
			c.Argon2.Memory)
	}
	for _, env := range []string{"GATEHOUSE_TOKEN_TTL", "GATEHOUSE_SESSION_IDLE_TIMEOUT", "GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT"} {
		if p.duration(env) > maxLifetime {
			p.fail(env, "must be at most %v (ten years)", maxLifetime)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(p.byEnv["GATEHOUSE_LOG_LEVEL"])); err != nil {
		p.fail("GATEHOUSE_LOG_LEVEL", "want debug, info, warn or error")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		p.fail("GATEHOUSE_LOG_FORMAT", "want json or text")
	}
	if c.App.Session.Idle <= 0 {
		p.fail("GATEHOUSE_SESSION_IDLE_TIMEOUT", "must be positive")
	}
	if c.App.TouchInterval >= c.App.Session.Idle {
		// Sessions slide only when touched; touching less often than they idle out would end
		// sessions that are in use.
		p.fail("GATEHOUSE_TOUCH_INTERVAL", "must be shorter than GATEHOUSE_SESSION_IDLE_TIMEOUT")
	}
	if d := c.App.ResetTTL; d < time.Minute || d > 24*time.Hour {
		// Shorter links expire before a slow mail arrives; longer ones sit in inboxes as
		// working credentials (OWASP Forgot Password Cheat Sheet: expire them soon).
		p.fail("GATEHOUSE_RESET_TTL", "must be between 1m and 24h")
	}
	if d := c.App.VerifyTTL; d < time.Minute || d > 30*24*time.Hour {
		p.fail("GATEHOUSE_VERIFY_TTL", "must be between 1m and 720h")
	}
	if c.App.RequireVerifiedEmail && !c.Mail.Enabled() {
		// Without mail no address can be verified, and every login would be refused.
		p.fail("GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "needs mail: set GATEHOUSE_SMTP_URL, or verified addresses cannot be proven")
	}
	if d := c.App.EmailChangeTTL; d < time.Minute || d > 7*24*time.Hour {
		// A change link opens no way into the account (the password was given to ask for
		// it), so it may wait longer than a reset link; a week bounds its time in an inbox.
		p.fail("GATEHOUSE_EMAIL_CHANGE_TTL", "must be between 1m and 168h")
	}
	if c.App.Session.Absolute <= 0 {
		p.fail("GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT", "must be positive")
	}
	if p.err == nil {
		if _, err := passhash.New(c.Argon2); err != nil {
			p.err = fmt.Errorf("GATEHOUSE_ARGON2_MEMORY=%d, GATEHOUSE_ARGON2_TIME=%d, GATEHOUSE_ARGON2_THREADS=%d: %v",
				c.Argon2.Memory, c.Argon2.Time, c.Argon2.Threads, err)
		} else if err := c.Argon2.CheckFloor(); err != nil {
			p.err = fmt.Errorf("GATEHOUSE_ARGON2_MEMORY=%d, GATEHOUSE_ARGON2_TIME=%d: %v", c.Argon2.Memory, c.Argon2.Time, err)
		}
	}
	return c, p.err
}

// origins reads a list of origins, as the origin rule compares them (domain.OriginPolicy):
// scheme://host[:port] with nothing after, https:// only when cookies are Secure. A browser's
// Origin header never has a path, a query, user information or a wildcard, so an entry
// with one would never match: it is refused rather than ignored.
func (p *parser) origins(env string, secure bool) []string {
	list := splitList(p.byEnv[env])
	for _, o := range list {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(o, "*?#") {
			p.fail(env, "%q is not an origin such as https://app.example.com", o)
		} else if u.Scheme == "http" && secure {
			p.fail(env, "%q is plain HTTP, never trusted with secure cookies (GATEHOUSE_COOKIE_SECURE=true): use https://", o)
		}
	}
	return list
}

// webAuthn reads the passkey settings: origins must be on the relying party's domain, or
// every ceremony would fail at the browser.
func (p *parser) webAuthn(c *Config) {
	c.WebAuthn.RPID = strings.ToLower(strings.TrimSpace(p.byEnv["GATEHOUSE_WEBAUTHN_RP_ID"]))
	if c.WebAuthn.RPID == "off" {
		c.WebAuthn.RPID = ""
		return
	}
	if !webauthn.ValidRPID(c.WebAuthn.RPID) {
		p.fail("GATEHOUSE_WEBAUTHN_RP_ID", "want a domain name such as example.com (no scheme, port or path)")
		return
	}
	c.WebAuthn.Origins = p.origins("GATEHOUSE_WEBAUTHN_ORIGINS", false)
	if len(c.WebAuthn.Origins) == 0 {
		_, port, _ := net.SplitHostPort(c.Addr)
		c.WebAuthn.Origins = webauthn.DefaultOrigins(c.WebAuthn.RPID, port)
	}
	for _, o := range c.WebAuthn.Origins {
		if !webauthn.OriginMatches(o, c.WebAuthn.RPID) {
			p.fail("GATEHOUSE_WEBAUTHN_ORIGINS", "%q is not on %s or a subdomain of it", o, c.WebAuthn.RPID)
		}
	}
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// Uses reports whether any store port is on the named backend.
func (c Config) Uses(backend string) bool {
	s := c.Stores
	return s.Users == backend || s.Sessions == backend || s.Tokens == backend || s.Throttle == backend
}

// newLogger builds the process logger. Logs carry no secrets: handlers log routes and ids,
// never headers, bodies or cookies.
func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
