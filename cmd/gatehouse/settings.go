package main

import (
	"runtime"
	"strconv"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// setting is one configuration value: a GATEHOUSE_* variable, overridden by a flag.
type setting struct {
	flag, env, def, help string
	secret               bool // never echoed: not in error messages, not by config check
}

// settings lists every setting with its default; the README's table mirrors it.
func settings() []*setting {
	return []*setting{
		{flag: "addr", env: "GATEHOUSE_ADDR", def: "127.0.0.1:8080", help: "listen address"},
		{flag: "admin-addr", env: "GATEHOUSE_ADMIN_ADDR", def: "", help: "separate listen address for /metrics and /debug/pprof/ (then not on the main address); keep it private"},
		{flag: "authenticators", env: "GATEHOUSE_AUTHENTICATORS", def: "session,token,basic", help: "ordered authenticator chain: session, token, basic; or default (session,basic)"},
		{flag: "token-ttl", env: "GATEHOUSE_TOKEN_TTL", def: "720h", help: "lifetime of new tokens; 0 means never expire"},
		{flag: "reset-ttl", env: "GATEHOUSE_RESET_TTL", def: "30m", help: "how long a password reset link stays valid (1m..24h); needs mail (GATEHOUSE_SMTP_URL)"},
		{flag: "verify-ttl", env: "GATEHOUSE_VERIFY_TTL", def: "72h", help: "how long an email verification link stays valid (1m..720h); needs mail (GATEHOUSE_SMTP_URL)"},
		{flag: "require-verified-email", env: "GATEHOUSE_REQUIRE_VERIFIED_EMAIL", def: "false", help: "refuse logins (session, token, Basic, the login page) of accounts whose email address is not verified, mailing them a new link; signups must give an address; needs mail (GATEHOUSE_SMTP_URL)"},
		{flag: "email-change-ttl", env: "GATEHOUSE_EMAIL_CHANGE_TTL", def: "24h", help: "how long an email change confirmation link stays valid (1m..168h); needs mail (GATEHOUSE_SMTP_URL)"},
		{flag: "unique-email", env: "GATEHOUSE_UNIQUE_EMAIL", def: "true", help: "signups, email changes and operators' creates refuse an email address another account has (whole address, case-insensitive, after NFKC); imported users keep shared ones"},
		{flag: "session-idle-timeout", env: "GATEHOUSE_SESSION_IDLE_TIMEOUT", def: "24h", help: "a session ends after this long unused"},
		{flag: "session-absolute-timeout", env: "GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT", def: "336h", help: "a session ends this long after login, used or not"},
		{flag: "basic-cache-ttl", env: "GATEHOUSE_BASIC_CACHE_TTL", def: "0", help: "remember verified Basic credentials this long (0: off), sparing a password hash per request"},
		{flag: "user-cache-ttl", env: "GATEHOUSE_USER_CACHE_TTL", def: "2s", help: "keep the owner of a session or token in memory this long (0: off), so authenticating costs one store read"},
		{flag: "touch-interval", env: "GATEHOUSE_TOUCH_INTERVAL", def: "1m", help: "least time between two writes of a credential's last-used time"},
		{flag: "token-cookie-name", env: "GATEHOUSE_TOKEN_COOKIE_NAME", def: "gatehouse_token", help: "cookie that carries a browser app's token (POST /v1/auth/token with \"cookie\": true)"},
		{flag: "cookie-host-prefix", env: "GATEHOUSE_COOKIE_HOST_PREFIX", def: "false", help: "name the cookies __Host-sessionid and __Host-csrftoken (needs secure cookies)"},
		{flag: "session-bind", env: "GATEHOUSE_SESSION_BIND", def: "", help: "bind sessions to the client: ip, ua, or ip,ua; a mismatch ends the session"},
		{flag: "cookie-secure", env: "GATEHOUSE_COOKIE_SECURE", def: "true", help: "set the Secure attribute on cookies (false only for plain-HTTP development)"},
		{flag: "argon2-memory", env: "GATEHOUSE_ARGON2_MEMORY", def: "19456", help: "argon2id memory in KiB"},
		{flag: "argon2-time", env: "GATEHOUSE_ARGON2_TIME", def: "2", help: "argon2id passes"},
		{flag: "argon2-threads", env: "GATEHOUSE_ARGON2_THREADS", def: "1", help: "argon2id parallelism"},
		{flag: "hash-concurrency", env: "GATEHOUSE_HASH_CONCURRENCY", def: strconv.Itoa(runtime.NumCPU()), help: "password hashes computed at once (bounds CPU; GATEHOUSE_HASH_MEMORY bounds their memory)"},
		{flag: "allow-weak-imported-hashes", env: "GATEHOUSE_ALLOW_WEAK_IMPORTED_HASHES", def: "false", help: "accept imported unsalted and MD5/SHA-1 Django password hashes"},
		{flag: "hash-memory", env: "GATEHOUSE_HASH_MEMORY", def: strconv.Itoa(passhash.DefaultMemoryBudget>>10) + "MiB", help: "memory the password hashes running at once may hold, with its unit (KiB, MiB, GiB); a stored hash that needs more is refused. 256MiB holds one imported Django argon2 hash (100 MiB) beside eight argon2id ones at 19 MiB"},
		{flag: "login-failure-floor", env: "GATEHOUSE_LOGIN_FAILURE_FLOOR", def: "auto", help: "least time a failed password check takes, so imported accounts cannot be told from unknown names by timing: auto (measure the slowest admitted hash at the first failure) or a duration (0: no padding)"},
		{flag: "hash-wait", env: "GATEHOUSE_HASH_WAIT", def: "2s", help: "how long a request waits for a hashing slot before it gets 503"},
		{flag: "throttle-login-user", env: "GATEHOUSE_THROTTLE_LOGIN_USER", def: app.DefaultThrottle().LoginUser.String(), help: "failed logins per username and client network, as N/s|min|hour|day, or off"},
		{flag: "throttle-login-ip", env: "GATEHOUSE_THROTTLE_LOGIN_IP", def: app.DefaultThrottle().LoginIP.String(), help: "failed logins per client IP (IPv6: per network, see throttle-ipv6-prefix), or off"},
		{flag: "throttle-login-account", env: "GATEHOUSE_THROTTLE_LOGIN_ACCOUNT", def: app.DefaultThrottle().LoginAccount.String(), help: "failed logins per username from all addresses together (a botnet's budget for one account), or off"},
		{flag: "throttle-ipv6-prefix", env: "GATEHOUSE_THROTTLE_IPV6_PREFIX", def: strconv.Itoa(domain.DefaultIPv6Prefix), help: "IPv6 clients in one network of this many leading bits share the per-address limits (1..128)"},
		{flag: "throttle-signup-ip", env: "GATEHOUSE_THROTTLE_SIGNUP_IP", def: app.DefaultThrottle().SignupIP.String(), help: "signups per client IP, or off"},
		{flag: "throttle-reset-ip", env: "GATEHOUSE_THROTTLE_RESET_IP", def: app.DefaultThrottle().ResetIP.String(), help: "password reset requests per client IP, whether or not an account matches, or off"},
		{flag: "throttle-reset-target", env: "GATEHOUSE_THROTTLE_RESET_TARGET", def: app.DefaultThrottle().ResetTarget.String(), help: "password reset requests per email address or username, from anywhere (bounds the mail one inbox gets), or off"},
		{flag: "throttle-verify-user", env: "GATEHOUSE_THROTTLE_VERIFY_USER", def: app.DefaultThrottle().VerifyUser.String(), help: "email verification mails per account, asked for again or sent by a refused login (bounds the mail one inbox gets), or off"},
		{flag: "throttle-store", env: "GATEHOUSE_THROTTLE_STORE", def: "memory", help: "where throttle counters live: memory (this process) or redis (shared by every instance)"},
		{flag: "secret-key", env: "GATEHOUSE_SECRET_KEY", def: "", help: "comma-separated server keys, 32 bytes each in standard base64 (gatehouse config gen-key): the first signs, all verify; every instance needs the same; unset: a random key per process", secret: true},
		{flag: "trusted-origins", env: "GATEHOUSE_TRUSTED_ORIGINS", def: "", help: "comma-separated origins (https://app.example.com) besides the server's own that may post a session login or a page's form"},
		{flag: "cors-origins", env: "GATEHOUSE_CORS_ORIGINS", def: "", help: "comma-separated origins (https://app.example.com) whose pages may call the API with fetch and cookies (CORS with credentials); they are trusted origins too, and their unsafe cookie requests still need X-CSRFToken; unset: CORS off"},
		{flag: "webauthn-rp-id", env: "GATEHOUSE_WEBAUTHN_RP_ID", def: "localhost", help: "the site's domain passkeys are bound to (example.com); localhost in development; off: passkeys off"},
		{flag: "webauthn-origins", env: "GATEHOUSE_WEBAUTHN_ORIGINS", def: "", help: "comma-separated origins of the pages that use passkeys, on the RP ID or its subdomains; unset: https://RP_ID, or http://localhost:PORT of GATEHOUSE_ADDR for localhost"},
		{flag: "trusted-proxies", env: "GATEHOUSE_TRUSTED_PROXIES", def: "", help: "comma-separated proxy addresses or CIDRs whose client-ip-header names the client"},
		{flag: "client-ip-header", env: "GATEHOUSE_CLIENT_IP_HEADER", def: ginhttp.HeaderXForwardedFor, help: "the one header trusted proxies name the client in, read right to left: X-Forwarded-For, X-Real-IP or Forwarded"},
		{flag: "user-store", env: "GATEHOUSE_USER_STORE", def: "memory", help: "where users live: memory, mysql or redis"},
		{flag: "session-store", env: "GATEHOUSE_SESSION_STORE", def: "memory", help: "where sessions live: memory, mysql or redis"},
		{flag: "token-store", env: "GATEHOUSE_TOKEN_STORE", def: "memory", help: "where tokens live: memory, mysql or redis"},
		{flag: "mysql-dsn", env: "GATEHOUSE_MYSQL_DSN", def: "", help: "MySQL/MariaDB data source name, e.g. user:pass@tcp(127.0.0.1:3306)/gatehouse", secret: true},
		{flag: "mysql-auto-migrate", env: "GATEHOUSE_MYSQL_AUTO_MIGRATE", def: "false", help: "apply pending migrations at start-up"},
		{flag: "mysql-max-open-conns", env: "GATEHOUSE_MYSQL_MAX_OPEN_CONNS", def: "20", help: "connection pool size"},
		{flag: "mysql-max-idle-conns", env: "GATEHOUSE_MYSQL_MAX_IDLE_CONNS", def: "20", help: "idle connections kept open; below the pool size, a busy server closes and reopens connections all the time"},
		{flag: "mysql-conn-max-lifetime", env: "GATEHOUSE_MYSQL_CONN_MAX_LIFETIME", def: "5m", help: "connections are recycled after this long"},
		{flag: "mysql-query-timeout", env: "GATEHOUSE_MYSQL_QUERY_TIMEOUT", def: "3s", help: "deadline of every statement"},
		{flag: "redis-url", env: "GATEHOUSE_REDIS_URL", def: "", help: "Redis server URL, e.g. redis://127.0.0.1:6379/0", secret: true},
		{flag: "redis-addrs", env: "GATEHOUSE_REDIS_ADDRS", def: "", help: "comma-separated Cluster nodes, or Sentinels with -redis-master-name (instead of the URL)"},
		{flag: "redis-master-name", env: "GATEHOUSE_REDIS_MASTER_NAME", def: "", help: "Sentinel master name"},
		{flag: "redis-cluster", env: "GATEHOUSE_REDIS_CLUSTER", def: "false", help: "treat a single address as a Cluster endpoint"},
		{flag: "redis-username", env: "GATEHOUSE_REDIS_USERNAME", def: "", help: "Redis ACL user for the address list"},
		{flag: "redis-password", env: "GATEHOUSE_REDIS_PASSWORD", def: "", help: "Redis password for the address list", secret: true},
		{flag: "redis-prefix", env: "GATEHOUSE_REDIS_PREFIX", def: "gatehouse:", help: "prefix of every Redis key"},
		{flag: "redis-timeout", env: "GATEHOUSE_REDIS_TIMEOUT", def: "2s", help: "deadline of every Redis command"},
		{flag: "smtp-url", env: "GATEHOUSE_SMTP_URL", def: "", help: "mail server: smtp://user:pass@host:587 (STARTTLS required, except to a loopback address) or smtps://user:pass@host:465 (TLS); unset: mail is off", secret: true},
		{flag: "mail-from", env: "GATEHOUSE_MAIL_FROM", def: "", help: "sender of mails, e.g. \"Gatehouse <no-reply@example.com>\" (required with GATEHOUSE_SMTP_URL)"},
		{flag: "public-url", env: "GATEHOUSE_PUBLIC_URL", def: "", help: "origin that links in mails point to, e.g. https://auth.example.com (required with GATEHOUSE_SMTP_URL; http:// only for loopback)"},
		{flag: "mail-templates", env: "GATEHOUSE_MAIL_TEMPLATES", def: "", help: "directory of mail templates that replace the built-in ones of the same name (checked at start-up)"},
		{flag: "sweep-interval", env: "GATEHOUSE_SWEEP_INTERVAL", def: "1m", help: "how often expired sessions and tokens are deleted"},
		{flag: "log-level", env: "GATEHOUSE_LOG_LEVEL", def: "info", help: "debug, info, warn or error"},
		{flag: "log-format", env: "GATEHOUSE_LOG_FORMAT", def: "json", help: "json or text"},
		{flag: "shutdown-timeout", env: "GATEHOUSE_SHUTDOWN_TIMEOUT", def: "15s", help: "how long in-flight requests may finish after SIGINT or SIGTERM"},
	}
}
