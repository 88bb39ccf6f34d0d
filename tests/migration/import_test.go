package migration_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// The fixture holds seven Django users. "Alice" collides case-insensitively with "alice",
// who comes first, so she is skipped with her token; dave is inactive, so his token is
// skipped; erin's password is unusable. Every other user logs in, every token of an imported,
// active user works, and the others are unknown keys ("Invalid token.").
const (
	firstRun  = "users:  6 imported, 0 unchanged, 1 skipped\ntokens: 3 imported, 0 unchanged, 2 skipped\n"
	secondRun = "users:  0 imported, 6 unchanged, 1 skipped\ntokens: 0 imported, 3 unchanged, 2 skipped\n"
	dryRun    = "dry run: nothing was written\nusers:  0 to import, 6 unchanged, 1 skipped\ntokens: 0 to import, 3 unchanged, 2 skipped\n"
)

var skippedUsers = map[string]bool{"Alice": true}

func TestImportFromTheDjangoDatabase(t *testing.T) {
	django := djangoDatabase(t)
	env := gatehouseEnv(t)
	importAndServe(t, env, []string{"--from-dsn", django}, firstRun)
	// Logins have re-hashed the passwords since: still nothing new, from either source.
	expectOutput(t, env, []string{"--from-dsn", django}, secondRun)
	expectOutput(t, env, []string{"--dumpdata", dumpdataFile}, secondRun)
	expectOutput(t, env, []string{"--from-dsn", django, "--dry-run"}, dryRun)
}

func TestImportFromDumpdata(t *testing.T) {
	env := gatehouseEnv(t)
	// A dry run first writes nothing, not even the schema that auto-migrate (on here) would
	// create: the real run then imports everything.
	expectOutput(t, env, []string{"--dumpdata", dumpdataFile, "--dry-run"},
		"dry run: nothing was written\n"+strings.ReplaceAll(firstRun, "imported", "to import"))
	if tables := gatehouseTables(t, env["GATEHOUSE_MYSQL_DSN"]); len(tables) != 0 {
		t.Errorf("tables after a dry run into an empty database: %v, want none", tables)
	}
	importAndServe(t, env, []string{"--dumpdata", dumpdataFile}, firstRun)
	expectOutput(t, env, []string{"--dumpdata", dumpdataFile}, secondRun)
	expectOutput(t, env, []string{"--from-dsn", djangoDatabase(t)}, secondRun)
}

// TestImportIntoTheProductionShape: users in MySQL, tokens and sessions in Redis.
func TestImportIntoTheProductionShape(t *testing.T) {
	env := gatehouseEnv(t)
	url := testenv.RedisURL(t)
	env["GATEHOUSE_REDIS_URL"] = url
	env["GATEHOUSE_REDIS_PREFIX"] = testenv.RedisPrefix(t, url, nil)
	env["GATEHOUSE_SESSION_STORE"], env["GATEHOUSE_TOKEN_STORE"] = "redis", "redis"
	importAndServe(t, env, []string{"--dumpdata", dumpdataFile}, firstRun)
	expectOutput(t, env, []string{"--dumpdata", dumpdataFile}, secondRun)
}

// expectOutput runs an import and checks it exits 0 with a summary that starts with want.
func expectOutput(t *testing.T, env map[string]string, args []string, want string) string {
	t.Helper()
	code, stdout, stderr := importDjango(t, env, args...)
	if code != 0 || !strings.HasPrefix(stdout, want) {
		t.Fatalf("import %s: exit %d\nstdout:\n%s\nwant it to start with:\n%s\nstderr:\n%s", args[0], code, stdout, want, stderr)
	}
	if !strings.Contains(stdout, `skipped user pk=7 "Alice": username collides case-insensitively with user pk=1 "alice"`) {
		t.Errorf("summary does not say why Alice was skipped:\n%s", stdout)
	}
	if !strings.Contains(stdout, `skipped token of user pk=4: its user (user pk=4 "dave") is inactive`) {
		t.Errorf("summary does not say why dave's token was skipped:\n%s", stdout)
	}
	for _, tok := range loadSecrets(t).Tokens {
		if strings.Contains(stdout+stderr, tok.Key) {
			t.Errorf("import output holds %s's token key", tok.Username)
		}
	}
	return stdout
}

// importAndServe imports, starts the server on the same stores, and logs in over HTTP with
// every fixture password and uses every DRF token unchanged.
func importAndServe(t *testing.T, env map[string]string, args []string, want string) {
	t.Helper()
	before := time.Now()
	expectOutput(t, env, args, want)
	after := time.Now()

	srv := testenv.StartProcess(t, binary, testenv.Environ(env))
	t.Cleanup(func() { srv.Check(t) })
	c := &http.Client{Timeout: 30 * time.Second}
	s := loadSecrets(t)
	active := map[string]bool{}
	for _, u := range s.Users {
		active[u.Username] = u.IsActive && !skippedUsers[u.Username]
		canLogIn := u.Password != nil && active[u.Username]
		password := "anything at all"
		if u.Password != nil {
			password = *u.Password
		}
		status, body := do(t, c, "POST", srv.Base()+"/v1/auth/login", "", map[string]string{"username": u.Username, "password": password})
		if got := status == http.StatusOK; got != canLogIn {
			t.Errorf("login as %q: %d %s; want success %v", u.Username, status, body, canLogIn)
		}
		if canLogIn && body["username"] != u.Username {
			t.Errorf("login as %q logged in %v", u.Username, body["username"])
		}
		if u.Password != nil {
			status, _ := do(t, c, "POST", srv.Base()+"/v1/auth/login", "", map[string]string{"username": u.Username, "password": *u.Password + "x"})
			if status == http.StatusOK {
				t.Errorf("login as %q with a wrong password succeeded", u.Username)
			}
		}
	}
	for _, tok := range s.Tokens {
		for _, scheme := range []string{"Token ", "Bearer "} {
			status, body := do(t, c, "GET", srv.Base()+"/v1/auth/me", scheme+tok.Key, nil)
			if got := status == http.StatusOK; got != active[tok.Username] {
				t.Errorf("%s's DRF token as %q: %d %v; want success %v", tok.Username, scheme, status, body, active[tok.Username])
				continue
			}
			if status == http.StatusOK && body["username"] != tok.Username {
				t.Errorf("%s's DRF token authenticated %v", tok.Username, body["username"])
			}
			if status != http.StatusOK && (status != http.StatusUnauthorized || body["detail"] != "Invalid token.") {
				t.Errorf("%s's DRF token: %d %v, want 401 Invalid token.", tok.Username, status, body)
			}
		}
		if !active[tok.Username] {
			continue
		}
		checkImportedToken(t, c, srv.Base(), tok.Key, before, after)
		checkVerify(t, c, srv.Base(), tok.Key, tok.Username)
	}
	// A key one character off is refused like any unknown token.
	status, body := do(t, c, "GET", srv.Base()+"/v1/auth/me", "Token "+strings.ToUpper(s.Tokens[0].Key), nil)
	if status != http.StatusUnauthorized || body["detail"] != "Invalid token." {
		t.Errorf("upper-cased key: %d %v, want 401 Invalid token.", status, body)
	}
}

// checkImportedToken checks the token's name and that it lives the configured TTL from the
// import.
func checkImportedToken(t *testing.T, c *http.Client, base, key string, before, after time.Time) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/v1/auth/tokens", nil)
	req.Header.Set("Authorization", "Token "+key)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Name      string     `json:"name"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list) != 1 {
		t.Fatalf("token list: %d, %v, %+v", resp.StatusCode, err, list)
	}
	tok := list[0]
	if tok.Name != "imported-drf" || tok.ExpiresAt == nil ||
		tok.ExpiresAt.Before(before.Add(tokenTTL).Add(-time.Second)) || tok.ExpiresAt.After(after.Add(tokenTTL).Add(time.Second)) {
		t.Errorf("imported token = %+v, want imported-drf expiring %v after the import", tok, tokenTTL)
	}
}

// checkVerify checks that a proxy's forward-authentication request with the DRF key names
// its owner.
func checkVerify(t *testing.T, c *http.Client, base, key, username string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/v1/auth/verify", nil)
	req.Header.Set("Authorization", "Token "+key)
	req.Header.Set("X-Original-Method", "GET")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Gatehouse-Username"); resp.StatusCode != http.StatusOK || got != url.PathEscape(username) {
		t.Errorf("verify with %s's DRF key: %d, X-Gatehouse-Username %q", username, resp.StatusCode, got)
	}
}

// do sends a request with an optional Authorization header and JSON body and decodes the
// JSON object it gets back.
func do(t *testing.T, c *http.Client, method, url, authorization string, body map[string]string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
