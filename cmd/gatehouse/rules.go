package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/gatehouse"
)

// maxLifetime bounds credential lifetimes: far beyond any sane setting, and well within the
// years every store can represent.
const maxLifetime = 10 * 365 * 24 * time.Hour

// checker remembers the first error of a configuration, naming the variable of the setting
// that caused it.
type checker struct {
	byName map[string]*setting
	err    error
}

func newChecker(list []*setting) *checker {
	k := &checker{byName: make(map[string]*setting, len(list))}
	for _, s := range list {
		k.byName[s.name] = s
	}
	return k
}

// fail records an error naming the setting and quoting its value, unless it is a secret: a
// DSN holds a password.
func (k *checker) fail(name, format string, args ...any) {
	s := k.byName[name]
	if s.secret {
		k.failQuietly(name, format, args...)
		return
	}
	v := s.raw
	if s.source == "default" {
		v = s.String()
	}
	if k.err == nil {
		k.err = fmt.Errorf("%s=%q: %s", s.env(), v, fmt.Sprintf(format, args...))
	}
}

// failQuietly records an error naming the setting but not its value.
func (k *checker) failQuietly(name, format string, args ...any) {
	if k.err == nil {
		k.err = fmt.Errorf("%s: %s", envName(name), fmt.Sprintf(format, args...))
	}
}

// check applies the rules that span a setting's value or several settings, for the groups
// the command uses: what it does not use, it does not judge.
func (cc *commandConfig) check(k *checker) {
	c, g := &cc.cfg, cc.groups
	for _, s := range cc.settings {
		if s.err != nil {
			k.failQuietly(s.name, "%v", s.err)
		}
	}
	if g&groupHTTP != 0 {
		checkHTTP(k, c)
	}
	if g&(groupHTTP|groupAccounts) == groupHTTP|groupAccounts {
		*c = c.Completed() // the session cookie's lifetime
	}
	if g&groupAccounts != 0 {
		checkAccounts(k, c.App)
	}
	if g&(groupAccounts|groupMail) == groupAccounts|groupMail && c.App.RequireVerifiedEmail && !c.Mail.Enabled() {
		// Without mail no address can be verified, and every login would be refused.
		k.fail("require-verified-email", "needs mail: set %s, or verified addresses cannot be proven", envName("smtp-url"))
	}
	if g&groupThrottle != 0 {
		if n := c.Throttle.IPv6Prefix; n < 1 || n > 128 {
			k.fail("throttle-ipv6-prefix", "want a prefix length from 1 to 128 (64 is one customer's network)")
		}
		if c.Stores.Throttle == "mysql" {
			k.fail("throttle-store", "want memory or redis: counters change on every failed login, which is no job for MySQL")
		}
	}
	if g&groupHashing != 0 {
		checkHashing(k, c)
	}
	if g&groupStores != 0 {
		checkStores(k, c)
	}
	if g&groupMySQL != 0 && c.MySQL.DSN != "" && !mysqlstore.ValidDSN(c.MySQL.DSN) {
		k.fail("mysql-dsn", "not a valid DSN; want user:password@tcp(host:3306)/database")
	}
	if g&groupRedis != 0 {
		checkRedis(k, c.Redis)
	}
	if g&groupMail != 0 {
		checkMail(k, c.Mail)
	}
}

func checkHTTP(k *checker, c *gatehouse.Config) {
	if n := c.HTTP.TokenCookieName; n == "" || n == "sessionid" || n == "csrftoken" || strings.ContainsAny(n, " \t;,=\"()<>@:/[]?{}") {
		k.fail("token-cookie-name", "want a cookie name (a token) other than sessionid and csrftoken")
	}
	if c.HTTP.HostPrefix && !c.HTTP.CookieSecure {
		k.fail("cookie-host-prefix", "needs %s=true: browsers reject insecure __Host- cookies", envName("cookie-secure"))
	}
	checkOrigins(k, "trusted-origins", c.HTTP.TrustedOrigins, c.HTTP.CookieSecure)
	checkOrigins(k, "cors-origins", c.HTTP.CORSOrigins, c.HTTP.CookieSecure)
	checkWebAuthn(k, c)
	if _, err := ginhttp.ParseTrustedProxies(c.HTTP.TrustedProxies); err != nil {
		k.fail("trusted-proxies", "%v", err)
	}
}

func checkAccounts(k *checker, a app.Settings) {
	for _, l := range []struct {
		name string
		d    time.Duration
	}{{"token-ttl", a.TokenTTL}, {"session-idle-timeout", a.Session.Idle}, {"session-absolute-timeout", a.Session.Absolute}} {
		if l.d > maxLifetime {
			k.fail(l.name, "must be at most %v (ten years)", maxLifetime)
		}
	}
	if a.Session.Idle <= 0 {
		k.fail("session-idle-timeout", "must be positive")
	}
	if a.Session.Absolute <= 0 {
		k.fail("session-absolute-timeout", "must be positive")
	}
	if a.TouchInterval >= a.Session.Idle {
		// Sessions slide only when touched; touching less often than they idle out would end
		// sessions that are in use.
		k.fail("touch-interval", "must be shorter than %s", envName("session-idle-timeout"))
	}
	if d := a.ResetTTL; d < time.Minute || d > 24*time.Hour {
		// Shorter links expire before a slow mail arrives; longer ones sit in inboxes as
		// working credentials (OWASP Forgot Password Cheat Sheet: expire them soon).
		k.fail("reset-ttl", "must be between 1m and 24h")
	}
	if d := a.VerifyTTL; d < time.Minute || d > 30*24*time.Hour {
		k.fail("verify-ttl", "must be between 1m and 720h")
	}
	if d := a.EmailChangeTTL; d < time.Minute || d > 7*24*time.Hour {
		// A change link opens no way into the account (the password was given to ask for
		// it), so it may wait longer than a reset link; a week bounds its time in an inbox.
		k.fail("email-change-ttl", "must be between 1m and 168h")
	}
}

func checkHashing(k *checker, c *gatehouse.Config) {
	if c.Hashing.Slots < 1 {
		k.fail("hash-concurrency", "must be at least 1")
	}
	if c.Hashing.Memory < int64(c.Argon2.Memory) {
		k.fail("hash-memory", "must be at least %s (%d KiB), or no password could be hashed", envName("argon2-memory"), c.Argon2.Memory)
	}
	if k.err != nil {
		return
	}
	if _, err := passhash.New(c.Argon2); err != nil {
		k.err = fmt.Errorf("%s=%d, %s=%d, %s=%d: %v", envName("argon2-memory"), c.Argon2.Memory,
			envName("argon2-time"), c.Argon2.Time, envName("argon2-threads"), c.Argon2.Threads, err)
	} else if err := c.Argon2.CheckFloor(); err != nil {
		k.err = fmt.Errorf("%s=%d, %s=%d: %v", envName("argon2-memory"), c.Argon2.Memory, envName("argon2-time"), c.Argon2.Time, err)
	}
}

func checkStores(k *checker, c *gatehouse.Config) {
	if c.SweepInterval <= 0 {
		k.fail("sweep-interval", "must be positive")
	}
	if c.Uses("redis") && c.Redis.URL == "" && len(c.Redis.Addrs) == 0 {
		k.fail("redis-url", "required (or %s) when a store is redis", envName("redis-addrs"))
	}
	if c.Uses("mysql") && c.MySQL.DSN == "" {
		k.fail("mysql-dsn", "required when a store is mysql")
	}
}

func checkRedis(k *checker, r redisstore.Config) {
	for i, addr := range r.Addrs {
		if !validHostPort(addr) {
			// Not echoed: a URL here would carry its password.
			k.failQuietly("redis-addrs", "entry %d is not host:port (a password goes in %s)", i+1, envName("redis-password"))
		}
	}
	if r.URL != "" && !redisstore.ValidURL(r.URL) {
		k.fail("redis-url", "not a valid redis:// or rediss:// URL")
	}
	if !redisstore.ValidPrefix(r.Prefix) {
		k.fail("redis-prefix", "may not contain { or }: they would put every key on one Cluster slot")
	}
	if r.RevokeTimeout <= 0 || r.RevokeTimeout >= r.Timeout {
		k.fail("redis-revoke-timeout", "must be positive and shorter than %s (%s)", envName("redis-timeout"), r.Timeout)
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

// checkOrigins checks a list of origins, as the origin rule compares them
// (domain.OriginPolicy): scheme://host[:port] with nothing after, https:// only when cookies
// are Secure. A browser's Origin header never has a path, a query, user information or a
// wildcard, so an entry with one would never match: it is refused rather than ignored.
func checkOrigins(k *checker, name string, list []string, secure bool) {
	for _, o := range list {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" ||
			u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.ContainsAny(o, "*?#") {
			k.fail(name, "%q is not an origin such as https://app.example.com", o)
		} else if u.Scheme == "http" && secure {
			k.fail(name, "%q is plain HTTP, never trusted with secure cookies (%s=true): use https://", o, envName("cookie-secure"))
		}
	}
}

// checkWebAuthn completes and checks the passkey settings: origins must be on the relying
// party's domain, or every ceremony would fail at the browser.
func checkWebAuthn(k *checker, c *gatehouse.Config) {
	if c.WebAuthn.RPID == "" {
		c.WebAuthn.Origins = nil
		return
	}
	checkOrigins(k, "webauthn-origins", c.WebAuthn.Origins, false)
	*c = c.Completed() // the default origins, when none are given
	for _, o := range c.WebAuthn.Origins {
		if !webauthn.OriginMatches(o, c.WebAuthn.RPID) {
			k.fail("webauthn-origins", "%q is not on %s or a subdomain of it", o, c.WebAuthn.RPID)
		} else if strings.HasPrefix(o, "http:") && c.WebAuthn.RPID != "localhost" {
			// Browsers offer WebAuthn only to secure contexts: plain HTTP on localhost alone.
			k.fail("webauthn-origins", "%q is plain HTTP, where browsers offer no passkeys: use https://", o)
		}
	}
}
