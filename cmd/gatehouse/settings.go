package main

import (
	"strings"

	"github.com/gatehouse/gatehouse/gatehouse"
)

// group is a set of settings that one part of Gatehouse reads. Each command binds the
// groups it uses (see bindSettings), so it shows, reads and checks those settings only.
type group uint

const (
	groupListen   group = 1 << iota // the listeners and their shutdown
	groupLog                        // the process log and the audit log
	groupHTTP                       // the HTTP API: authenticators, cookies, origins, proxies, passkeys
	groupAccounts                   // lifetimes and rules of the use cases (app.Settings)
	groupHashing                    // argon2id and the limits on hashing
	groupThrottle                   // brute-force limits and failed-login timing
	groupStores                     // which backend holds users, sessions and tokens
	groupMySQL                      // the MySQL pool
	groupRedis                      // the Redis client
	groupMail                       // the SMTP server and the links in mails

	// groupAll is what serve reads, and so what config check shows and checks.
	groupAll = 1<<iota - 1
	// groupAdmin is what the operator's store commands read: the stores and their
	// backends, the use cases' rules, and the hashing of the passwords they set.
	groupAdmin = groupLog | groupAccounts | groupHashing | groupStores | groupMySQL | groupRedis
	// groupMigrate is what migrate reads.
	groupMigrate = groupLog | groupMySQL
)

// setting is one configuration value: a flag, and the GATEHOUSE_* variable of the same name
// (envName), bound to the field of a gatehouse.Config it sets.
type setting struct {
	name   string // the flag's name
	group  group
	help   string
	secret bool // never echoed: not in error messages, not by config check
	value  *typed

	source string // where the value came from: "default", "env" or "flag"
	raw    string // the text it was set from, unless it is the default
	err    error  // a secret's parse error, reported without its value (see Set)
}

// envName is the variable of the setting named flag: GATEHOUSE_ and the name in upper snake
// case, so --cookie-secure is GATEHOUSE_COOKIE_SECURE. The one place the two are related.
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func (s *setting) env() string { return envName(s.name) }

// String, Set and Type make a setting a pflag.Value, so its flag sets its field.
func (s *setting) String() string { return s.value.String() }
func (s *setting) Type() string   { return s.value.Type() }

// Set parses v into the setting's field. A secret's error is kept for the configuration
// check instead of returned: pflag would quote the value in its message.
func (s *setting) Set(v string) error {
	s.raw = v
	err := s.value.Set(v)
	if err != nil && s.secret {
		s.err = err
		return nil
	}
	return err
}

// settings lists every setting, bound to the fields of c; each takes its default from the
// value c already holds (see gatehouse.DefaultConfig). The README's table mirrors the list.
func settings(c *gatehouse.Config) []*setting {
	d := func(name string, g group, v *typed, help string) *setting {
		return &setting{name: name, group: g, help: help, value: v, source: "default"}
	}
	secret := func(s *setting) *setting { s.secret = true; return s }
	return []*setting{
		d("addr", groupListen, listenAddrValue(&c.Addr, false), "listen address"),
		d("admin-addr", groupListen, listenAddrValue(&c.AdminAddr, true), "separate listen address for /metrics and /debug/pprof/ (then not on the main address); keep it private"),
		d("authenticators", groupHTTP, methodsValue(&c.Methods), "ordered authenticator chain: session, token, basic; or default (session,basic)"),
		d("token-ttl", groupAccounts, durationValue(&c.App.TokenTTL), "lifetime of new tokens; 0 means never expire"),
		d("reset-ttl", groupAccounts, durationValue(&c.App.ResetTTL), "how long a password reset link stays valid (1m..24h); needs mail (GATEHOUSE_SMTP_URL)"),
		d("verify-ttl", groupAccounts, durationValue(&c.App.VerifyTTL), "how long an email verification link stays valid (1m..720h); needs mail (GATEHOUSE_SMTP_URL)"),
		d("require-verified-email", groupAccounts, boolValue(&c.App.RequireVerifiedEmail), "refuse logins (session, token, Basic, the login page) of accounts whose email address is not verified, mailing them a new link; signups must give an address; needs mail (GATEHOUSE_SMTP_URL)"),
		d("email-change-ttl", groupAccounts, durationValue(&c.App.EmailChangeTTL), "how long an email change confirmation link stays valid (1m..168h); needs mail (GATEHOUSE_SMTP_URL)"),
		d("unique-email", groupAccounts, boolValue(&c.App.UniqueEmail), "signups, email changes and operators' creates refuse an email address another account has (whole address, case-insensitive, after NFKC); imported users keep shared ones"),
		d("session-idle-timeout", groupAccounts, durationValue(&c.App.Session.Idle), "a session ends after this long unused"),
		d("session-absolute-timeout", groupAccounts, durationValue(&c.App.Session.Absolute), "a session ends this long after login, used or not"),
		d("basic-cache-ttl", groupAccounts, durationValue(&c.App.BasicCacheTTL), "remember verified Basic credentials this long (0: off), sparing a password hash per request"),
		d("user-cache-ttl", groupAccounts, durationValue(&c.App.UserCacheTTL), "keep the owner of a session or token in memory this long (0: off), so authenticating costs one store read"),
		d("touch-interval", groupAccounts, durationValue(&c.App.TouchInterval), "least time between two writes of a credential's last-used time"),
		d("token-cookie-name", groupHTTP, stringValue(&c.HTTP.TokenCookieName), "cookie that carries a browser app's token (POST /v1/auth/token with \"cookie\": true)"),
		d("cookie-host-prefix", groupHTTP, boolValue(&c.HTTP.HostPrefix), "name the cookies __Host-sessionid and __Host-csrftoken (needs secure cookies)"),
		d("session-bind", groupHTTP, bindingValue(&c.App.Bind), "bind sessions to the client: ip, ua, or ip,ua; a mismatch ends the session"),
		d("cookie-secure", groupHTTP, boolValue(&c.HTTP.CookieSecure), "set the Secure attribute on cookies (false only for plain-HTTP development)"),
		d("argon2-memory", groupHashing, uintValue(&c.Argon2.Memory), "argon2id memory in KiB"),
		d("argon2-time", groupHashing, uintValue(&c.Argon2.Time), "argon2id passes"),
		d("argon2-threads", groupHashing, uintValue(&c.Argon2.Threads), "argon2id parallelism"),
		d("hash-concurrency", groupHashing, intValue(&c.Hashing.Slots), "password hashes computed at once (bounds CPU; GATEHOUSE_HASH_MEMORY bounds their memory); default: the number of CPUs"),
		d("allow-weak-imported-hashes", groupHashing, boolValue(&c.Hashing.AllowWeakImported), "accept imported unsalted and MD5/SHA-1 Django password hashes"),
		d("hash-memory", groupHashing, sizeValue(&c.Hashing.Memory), "memory the password hashes running at once may hold, with its unit (KiB, MiB, GiB); a stored hash that needs more is refused. 256MiB holds one imported Django argon2 hash (100 MiB) beside eight argon2id ones at 19 MiB"),
		d("login-failure-floor", groupThrottle, floorValue(&c.LoginTiming), "least time a failed password check takes, so imported accounts cannot be told from unknown names by timing: auto (measure the slowest admitted hash at the first failure) or a duration (0: no padding)"),
		d("hash-wait", groupHashing, durationValue(&c.Hashing.MaxWait), "how long a request waits for a hashing slot before it gets 503"),
		d("throttle-login-user", groupThrottle, rateValue(&c.Throttle.LoginUser), "failed logins per username and client network, as N/s|min|hour|day, or off"),
		d("throttle-login-ip", groupThrottle, rateValue(&c.Throttle.LoginIP), "failed logins per client IP (IPv6: per network, see throttle-ipv6-prefix), or off"),
		d("throttle-login-account", groupThrottle, rateValue(&c.Throttle.LoginAccount), "failed logins per username from all addresses together (a botnet's budget for one account), or off"),
		d("throttle-ipv6-prefix", groupThrottle, intValue(&c.Throttle.IPv6Prefix), "IPv6 clients in one network of this many leading bits share the per-address limits (1..128)"),
		d("throttle-signup-ip", groupThrottle, rateValue(&c.Throttle.SignupIP), "signups per client IP, or off"),
		d("throttle-reset-ip", groupThrottle, rateValue(&c.Throttle.ResetIP), "password reset requests per client IP, whether or not an account matches, or off"),
		d("throttle-reset-target", groupThrottle, rateValue(&c.Throttle.ResetTarget), "password reset requests per email address or username, from anywhere (bounds the mail one inbox gets), or off"),
		d("throttle-verify-user", groupThrottle, rateValue(&c.Throttle.VerifyUser), "email verification mails per account, asked for again or sent by a refused login (bounds the mail one inbox gets), or off"),
		d("throttle-store", groupThrottle, enumValue(&c.Stores.Throttle, gatehouse.BackendNames...), "where throttle counters live: memory (this process) or redis (shared by every instance)"),
		secret(d("secret-key", groupHTTP, keysValue(&c.HTTP.SecretKeys), "comma-separated server keys, 32 bytes each in standard base64 (gatehouse config gen-key): the first signs, all verify; every instance needs the same; unset: a random key per process")),
		d("trusted-origins", groupHTTP, listValue(&c.HTTP.TrustedOrigins), "comma-separated origins (https://app.example.com) besides the server's own that may post a session login or a page's form"),
		d("cors-origins", groupHTTP, listValue(&c.HTTP.CORSOrigins), "comma-separated origins (https://app.example.com) whose pages may call the API with fetch and cookies (CORS with credentials); they are trusted origins too, and their unsafe cookie requests still need X-CSRFToken; unset: CORS off"),
		d("webauthn-rp-id", groupHTTP, rpIDValue(&c.WebAuthn.RPID), "the site's domain passkeys are bound to (example.com); localhost in development; off: passkeys off"),
		d("webauthn-origins", groupHTTP, listValue(&c.WebAuthn.Origins), "comma-separated origins of the pages that use passkeys, on the RP ID or its subdomains; unset: https://RP_ID, or http://localhost:PORT of GATEHOUSE_ADDR for localhost"),
		d("trusted-proxies", groupHTTP, listValue(&c.HTTP.TrustedProxies), "comma-separated proxy addresses or CIDRs whose client-ip-header names the client"),
		d("client-ip-header", groupHTTP, headerValue(&c.HTTP.ClientIPHeader), "the one header trusted proxies name the client in, read right to left: X-Forwarded-For, X-Real-IP or Forwarded"),
		d("user-store", groupStores, enumValue(&c.Stores.Users, gatehouse.BackendNames...), "where users live: memory, mysql or redis"),
		d("session-store", groupStores, enumValue(&c.Stores.Sessions, gatehouse.BackendNames...), "where sessions live: memory, mysql or redis"),
		d("token-store", groupStores, enumValue(&c.Stores.Tokens, gatehouse.BackendNames...), "where tokens live: memory, mysql or redis"),
		secret(d("mysql-dsn", groupMySQL, stringValue(&c.MySQL.DSN), "MySQL/MariaDB data source name, e.g. user:pass@tcp(127.0.0.1:3306)/gatehouse")),
		d("mysql-auto-migrate", groupMySQL, boolValue(&c.MySQL.AutoMigrate), "apply pending migrations at start-up"),
		d("mysql-max-open-conns", groupMySQL, intValue(&c.MySQL.MaxOpenConns), "connection pool size"),
		d("mysql-max-idle-conns", groupMySQL, intValue(&c.MySQL.MaxIdleConns), "idle connections kept open; below the pool size, a busy server closes and reopens connections all the time"),
		d("mysql-conn-max-lifetime", groupMySQL, durationValue(&c.MySQL.ConnMaxLifetime), "connections are recycled after this long"),
		d("mysql-query-timeout", groupMySQL, durationValue(&c.MySQL.QueryTimeout), "deadline of every statement"),
		secret(d("redis-url", groupRedis, stringValue(&c.Redis.URL), "Redis server URL, e.g. redis://127.0.0.1:6379/0")),
		d("redis-addrs", groupRedis, listValue(&c.Redis.Addrs), "comma-separated Cluster nodes, or Sentinels with --redis-master-name (instead of the URL)"),
		d("redis-master-name", groupRedis, stringValue(&c.Redis.MasterName), "Sentinel master name"),
		d("redis-cluster", groupRedis, boolValue(&c.Redis.Cluster), "treat a single address as a Cluster endpoint"),
		d("redis-username", groupRedis, stringValue(&c.Redis.Username), "Redis ACL user for the address list"),
		secret(d("redis-password", groupRedis, stringValue(&c.Redis.Password), "Redis password for the address list")),
		d("redis-prefix", groupRedis, stringValue(&c.Redis.Prefix), "prefix of every Redis key"),
		d("redis-timeout", groupRedis, durationValue(&c.Redis.Timeout), "deadline of every Redis command"),
		d("redis-revoke-replicas", groupRedis, replicasValue(&c.Redis.RevokeReplicas), "replicas that must hold a revocation before it is answered: auto is 1 on Sentinel and Cluster, 0 on one server"),
		d("redis-revoke-timeout", groupRedis, durationValue(&c.Redis.RevokeTimeout), "how long a revocation waits for its replicas before answering 503"),
		secret(d("smtp-url", groupMail, stringValue(&c.Mail.SMTP.URL), "mail server: smtp://user:pass@host:587 (STARTTLS required, except to a loopback address) or smtps://user:pass@host:465 (TLS); unset: mail is off")),
		d("mail-from", groupMail, stringValue(&c.Mail.SMTP.From), "sender of mails, e.g. \"Gatehouse <no-reply@example.com>\" (required with GATEHOUSE_SMTP_URL)"),
		d("public-url", groupMail, stringValue(&c.Mail.PublicURL), "origin that links in mails point to, e.g. https://auth.example.com (required with GATEHOUSE_SMTP_URL; http:// only for loopback)"),
		d("mail-templates", groupMail, stringValue(&c.Mail.Templates), "directory of mail templates that replace the built-in ones of the same name (checked at start-up)"),
		d("sweep-interval", groupStores, durationValue(&c.SweepInterval), "how often expired sessions and tokens are deleted"),
		d("log-level", groupLog, levelValue(&c.LogLevel), "debug, info, warn or error"),
		d("log-format", groupLog, enumValue(&c.LogFormat, "json", "text"), "json or text"),
		d("audit-log", groupLog, switchValue(&c.AuditLog), "write the audit log (one line per account event), whatever the log level: on or off"),
		d("shutdown-timeout", groupListen, durationValue(&c.ShutdownTimeout), "how long in-flight requests may finish after SIGINT or SIGTERM"),
	}
}
