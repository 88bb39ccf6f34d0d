package main

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/gatehouse"
)

// configFrom loads the configuration from command-line args and an environment.
func configFrom(args []string, getenv func(string) string) (gatehouse.Config, error) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	cc := bindSettings(fs, groupAll)
	if err := fs.Parse(args); err != nil {
		return gatehouse.Config{}, err
	}
	return cc.load(fs, getenv)
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// environOf is m as os.Environ would list it.
func environOf(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := configFrom(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.App.TokenTTL != 30*24*time.Hour ||
		c.App.Session.Idle != 24*time.Hour || c.App.Session.Absolute != 14*24*time.Hour ||
		!c.HTTP.CookieSecure || c.Argon2.Memory != 19456 || c.Argon2.Time != 2 || c.Argon2.Threads != 1 ||
		c.Hashing.Memory != 256<<10 {
		t.Errorf("defaults = %+v", c)
	}
	want := []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}
	if strings.Join(methodNames(c.Methods), ",") != strings.Join(methodNames(want), ",") {
		t.Errorf("Methods = %v, want %v", c.Methods, want)
	}
	if c.LoginTiming != (app.LoginTiming{Calibrate: true}) {
		t.Errorf("LoginTiming = %+v, want calibrated", c.LoginTiming)
	}
	if c.App.ResetTTL != 30*time.Minute || c.App.ResetFloor != app.DefaultResetFloor {
		t.Errorf("ResetTTL, ResetFloor = %v, %v; want 30m and %v", c.App.ResetTTL, c.App.ResetFloor, app.DefaultResetFloor)
	}
	if c.App.VerifyTTL != app.DefaultVerifyTTL || c.App.RequireVerifiedEmail {
		t.Errorf("VerifyTTL, RequireVerifiedEmail = %v, %t; want %v and false", c.App.VerifyTTL, c.App.RequireVerifiedEmail, app.DefaultVerifyTTL)
	}
	if c.App.EmailChangeTTL != app.DefaultEmailChangeTTL {
		t.Errorf("EmailChangeTTL = %v, want %v", c.App.EmailChangeTTL, app.DefaultEmailChangeTTL)
	}
	if !c.App.UniqueEmail {
		t.Error("UniqueEmail = false, want true by default")
	}
	if c, err := configFrom(nil, envOf(map[string]string{"GATEHOUSE_UNIQUE_EMAIL": "false"})); err != nil || c.App.UniqueEmail {
		t.Errorf("GATEHOUSE_UNIQUE_EMAIL=false: UniqueEmail = %t, %v; want false", c.App.UniqueEmail, err)
	}
	if c.Throttle != app.DefaultThrottle() {
		t.Errorf("Throttle = %+v, want app.DefaultThrottle() %+v", c.Throttle, app.DefaultThrottle())
	}
	// database/sql closes a connection returned to a full idle pool; with fewer idle than open
	// connections a busy server opened about 900 MySQL connections a second (issue #6).
	if m := c.MySQL; m.MaxIdleConns < m.MaxOpenConns {
		t.Errorf("MySQL pool keeps %d idle of %d open connections, want all", m.MaxIdleConns, m.MaxOpenConns)
	}
}

func TestFlagOverridesEnvironment(t *testing.T) {
	env := envOf(map[string]string{"GATEHOUSE_ADDR": "127.0.0.1:9000", "GATEHOUSE_TOKEN_TTL": "1h"})
	c, err := configFrom([]string{"--addr", "127.0.0.1:9001"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9001" {
		t.Errorf("Addr = %q, want the flag's value", c.Addr)
	}
	if c.App.TokenTTL != time.Hour {
		t.Errorf("TokenTTL = %v, want the environment's 1h", c.App.TokenTTL)
	}
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	tests := []struct {
		env, value string
	}{
		{"GATEHOUSE_AUTHENTICATORS", "session,ldap"},
		{"GATEHOUSE_AUTHENTICATORS", "token,token"},
		{"GATEHOUSE_TOKEN_TTL", "forever"},
		{"GATEHOUSE_TOKEN_TTL", "-1h"},
		{"GATEHOUSE_SESSION_IDLE_TIMEOUT", "0"},
		{"GATEHOUSE_COOKIE_SECURE", "maybe"},
		{"GATEHOUSE_TOUCH_INTERVAL", "24h"},
		{"GATEHOUSE_USER_STORE", "postgres"},
		{"GATEHOUSE_ARGON2_MEMORY", "1024"},
		{"GATEHOUSE_ARGON2_THREADS", "300"},
		{"GATEHOUSE_ARGON2_THREADS", "0"},
		{"GATEHOUSE_ARGON2_TIME", "1"},
		{"GATEHOUSE_TOKEN_TTL", "100000h"},
		{"GATEHOUSE_HASH_CONCURRENCY", "0"},
		{"GATEHOUSE_HASH_MEMORY", "256"},
		{"GATEHOUSE_HASH_MEMORY", "0MiB"},
		{"GATEHOUSE_HASH_MEMORY", "18MiB"},
		{"GATEHOUSE_LOG_LEVEL", "loud"},
		{"GATEHOUSE_LOG_FORMAT", "xml"},
		{"GATEHOUSE_THROTTLE_LOGIN_ACCOUNT", "lots"},
		{"GATEHOUSE_LOGIN_FAILURE_FLOOR", "always"},
		{"GATEHOUSE_TRUSTED_ORIGINS", "http://app.example.com"},
		{"GATEHOUSE_TRUSTED_ORIGINS", "https://app.example.com/"},
		{"GATEHOUSE_CORS_ORIGINS", "http://app.example.com"},
		{"GATEHOUSE_CORS_ORIGINS", "https://app.example.com,https://app.example.com/spa"},
		{"GATEHOUSE_CORS_ORIGINS", "https://*.example.com"},
		{"GATEHOUSE_CORS_ORIGINS", "*"},
		{"GATEHOUSE_CORS_ORIGINS", "null"},
		{"GATEHOUSE_CORS_ORIGINS", "app.example.com"},
		{"GATEHOUSE_CORS_ORIGINS", "https://app.example.com?"},
		{"GATEHOUSE_CORS_ORIGINS", "https://user@app.example.com"},
		{"GATEHOUSE_LOGIN_FAILURE_FLOOR", "-1s"},
		{"GATEHOUSE_LOGIN_FAILURE_FLOOR", "1h"},
		{"GATEHOUSE_THROTTLE_IPV6_PREFIX", "0"},
		{"GATEHOUSE_RESET_TTL", "30s"},
		{"GATEHOUSE_RESET_TTL", "25h"},
		{"GATEHOUSE_RESET_TTL", "0"},
		{"GATEHOUSE_EMAIL_CHANGE_TTL", "30s"},
		{"GATEHOUSE_EMAIL_CHANGE_TTL", "169h"},
		{"GATEHOUSE_UNIQUE_EMAIL", "sometimes"},
		{"GATEHOUSE_VERIFY_TTL", "30s"},
		{"GATEHOUSE_VERIFY_TTL", "721h"},
		{"GATEHOUSE_REQUIRE_VERIFIED_EMAIL", "sometimes"},
		{"GATEHOUSE_THROTTLE_VERIFY_USER", "lots"},
		{"GATEHOUSE_THROTTLE_RESET_TARGET", "lots"},
		{"GATEHOUSE_THROTTLE_IPV6_PREFIX", "129"},
		{"GATEHOUSE_THROTTLE_IPV6_PREFIX", "/64"},
		{"GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.example"},
		{"GATEHOUSE_CLIENT_IP_HEADER", "X-Client-IP"},
		{"GATEHOUSE_CLIENT_IP_HEADER", "X-Forwarded-For,X-Real-IP"},
		{"GATEHOUSE_ADDR", "localhost"},
		{"GATEHOUSE_ADDR", ":99999"},
		{"GATEHOUSE_ADDR", "127.0.0.1:-1"},
		{"GATEHOUSE_ADDR", "127.0.0.1:http"},
		{"GATEHOUSE_ADDR", "http://127.0.0.1:8080"},
		{"GATEHOUSE_ADMIN_ADDR", "9090"},
		{"GATEHOUSE_ADMIN_ADDR", "[::1]:70000"},
	}
	for _, tt := range tests {
		t.Run(tt.env+"="+tt.value, func(t *testing.T) {
			_, err := configFrom(nil, envOf(map[string]string{tt.env: tt.value}))
			if err == nil || !strings.Contains(err.Error(), tt.env) {
				t.Errorf("err = %v, want an error naming %s", err, tt.env)
			}
		})
	}
}

// TestCORSOrigins: GATEHOUSE_CORS_ORIGINS is off by default, and takes exact origins, plain
// HTTP ones only when cookies are not Secure, as GATEHOUSE_TRUSTED_ORIGINS does.
func TestCORSOrigins(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"GATEHOUSE_CORS_ORIGINS": " https://app.example.com , https://admin.example.com:8443 "},
			"https://app.example.com|https://admin.example.com:8443"},
		{map[string]string{"GATEHOUSE_CORS_ORIGINS": "http://127.0.0.1:3000", "GATEHOUSE_COOKIE_SECURE": "false"},
			"http://127.0.0.1:3000"},
	}
	for _, tt := range tests {
		c, err := configFrom(nil, envOf(tt.env))
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		if got := strings.Join(c.HTTP.CORSOrigins, "|"); got != tt.want {
			t.Errorf("%v: CORSOrigins = %q, want %q", tt.env, got, tt.want)
		}
	}
}

// TestClientIPHeaderIgnoresCase: the header is named in any case and kept in canonical form.
func TestClientIPHeaderIgnoresCase(t *testing.T) {
	for value, want := range map[string]string{
		"":                "X-Forwarded-For",
		"x-forwarded-for": "X-Forwarded-For",
		"X-REAL-IP":       "X-Real-Ip",
		"x-Real-Ip":       "X-Real-Ip",
		"forwarded":       "Forwarded",
	} {
		c, err := configFrom(nil, envOf(map[string]string{"GATEHOUSE_CLIENT_IP_HEADER": value}))
		if err != nil || c.HTTP.ClientIPHeader != want {
			t.Errorf("GATEHOUSE_CLIENT_IP_HEADER=%q: %q, %v; want %q", value, c.HTTP.ClientIPHeader, err, want)
		}
	}
}

func methodNames(ms []domain.AuthMethod) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return out
}

func TestMySQLStoreNeedsDSN(t *testing.T) {
	_, err := configFrom([]string{"--token-store", "mysql"}, envOf(nil))
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MYSQL_DSN") {
		t.Fatalf("err = %v, want one naming GATEHOUSE_MYSQL_DSN", err)
	}
}

func TestMalformedDSNIsNotEchoed(t *testing.T) {
	env := envOf(map[string]string{"GATEHOUSE_MYSQL_DSN": "u:hunter2@tcp(db:3306/x", "GATEHOUSE_USER_STORE": "mysql"})
	_, err := configFrom(nil, env)
	if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_MYSQL_DSN") {
		t.Fatalf("err = %v, want one naming GATEHOUSE_MYSQL_DSN", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %q echoes the DSN's password", err)
	}
}

// TestRedisAddrsAreHostPorts: GATEHOUSE_REDIS_ADDRS takes host:port entries. A URL there,
// with its password, would otherwise be accepted and then echoed in the dial error; the
// refusal names the entry by position, never by value.
func TestRedisAddrsAreHostPorts(t *testing.T) {
	for _, tt := range []struct {
		addrs string
		ok    bool
	}{
		{"cache-1:6379, cache-2.example.com:6380", true},
		{"10.0.0.7:6379,[2001:db8::1]:6379", true},
		{"redis://:hunter2@cache:6379", false},
		{"default:hunter2@cache:6379", false},
		{"hunter2@cache:6379", false},
		{"cache", false},
		{"cache:http", false},
		{"cache:70000", false},
	} {
		t.Run(tt.addrs, func(t *testing.T) {
			_, err := configFrom(nil, envOf(map[string]string{"GATEHOUSE_REDIS_ADDRS": tt.addrs}))
			if tt.ok != (err == nil) {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if err != nil && (!strings.Contains(err.Error(), "GATEHOUSE_REDIS_ADDRS") || strings.Contains(err.Error(), "hunter2")) {
				t.Errorf("err = %q, want one naming GATEHOUSE_REDIS_ADDRS without its value", err)
			}
		})
	}
}

// TestHashMemory: GATEHOUSE_HASH_MEMORY is a whole size with a binary unit, in KiB once
// parsed, and at least the argon2id memory, or no password could be hashed.
func TestHashMemory(t *testing.T) {
	tests := []struct {
		value, argon2 string
		want          int64 // KiB; 0: refused
	}{
		{"256MiB", "", 256 << 10},
		{"1GiB", "", 1 << 20},
		{" 512 MiB ", "", 512 << 10},
		{"19456KiB", "", 19456},
		{"19455KiB", "", 0},
		{"64MiB", "65536", 64 << 10},
		{"64MiB", "65537", 0},
		{"256", "", 0},
		{"256MB", "", 0},
		{"256mib", "", 0},
		{"1.5GiB", "", 0},
		{"-1GiB", "", 0},
		{"MiB", "", 0},
		{"1025GiB", "", 0},
		{"99999999999999999999KiB", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.value+"/"+tt.argon2, func(t *testing.T) {
			env := map[string]string{"GATEHOUSE_HASH_MEMORY": tt.value}
			if tt.argon2 != "" {
				env["GATEHOUSE_ARGON2_MEMORY"] = tt.argon2
			}
			c, err := configFrom(nil, envOf(env))
			switch {
			case tt.want == 0 && (err == nil || !strings.Contains(err.Error(), "GATEHOUSE_HASH_MEMORY")):
				t.Errorf("err = %v, want one naming GATEHOUSE_HASH_MEMORY", err)
			case tt.want != 0 && err != nil:
				t.Errorf("err = %v", err)
			case tt.want != 0 && c.Hashing.Memory != tt.want:
				t.Errorf("Memory = %d KiB, want %d", c.Hashing.Memory, tt.want)
			}
		})
	}
}

// TestListenAddrs: GATEHOUSE_ADDR and GATEHOUSE_ADMIN_ADDR take what net.Listen takes, so
// config check refuses exactly the addresses serve would.
func TestListenAddrs(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:8080", true},
		{":8080", true},
		{"127.0.0.1:0", true},
		{"[::1]:8080", true},
		{"localhost:65535", true},
		{"localhost", false},
		{":99999", false},
		{":", false},
		{"", false},
		{"[::1]", false},
		{"127.0.0.1:8080/", false},
		{"user@host:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := validListenAddr(tt.addr); got != tt.ok {
				t.Errorf("validListenAddr(%q) = %t, want %t", tt.addr, got, tt.ok)
			}
			l, err := net.Listen("tcp", tt.addr)
			if err == nil {
				l.Close()
			}
			if tt.ok && strings.HasPrefix(tt.addr, "127.0.0.1:0") && err != nil {
				t.Errorf("net.Listen(%q): %v", tt.addr, err)
			}
			// "" and ":" are refused on purpose although net.Listen takes them (a random
			// port on every interface): nobody means that.
			if !tt.ok && tt.addr != "" && tt.addr != ":" && err == nil {
				t.Errorf("net.Listen(%q) works, but the address is refused", tt.addr)
			}
		})
	}
}
