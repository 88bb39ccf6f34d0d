package proxy_test

import (
	"encoding/base32"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// exampleTemplate is the main configuration that includes the production example,
// docs/nginx/gatehouse.conf.
const exampleTemplate = "nginx-example.conf.tmpl"

var examplePath = filepath.Join("..", "..", "docs", "nginx", "gatehouse.conf")

// writeExample writes the production example into conf.Dir with this test's addresses and
// returns its path. Only the listen line and the two upstream addresses change, each found
// exactly once, so the file nginx runs is the documented one.
func writeExample(t *testing.T, conf nginxConf) string {
	t.Helper()
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, r := range [][2]string{
		{"    listen 80;\n", "    listen 127.0.0.1:" + strconv.Itoa(conf.Port) + ";\n"},
		{"upstream gatehouse { server 127.0.0.1:8080; }", "upstream gatehouse { server " + conf.Gatehouse + "; }"},
		{"upstream app       { server 127.0.0.1:9000; }", "upstream app       { server " + conf.App + "; }"},
	} {
		if n := strings.Count(text, r[0]); n != 1 {
			t.Fatalf("%s has %q %d times, want once", examplePath, r[0], n)
		}
		text = strings.Replace(text, r[0], r[1], 1)
	}
	path := filepath.Join(conf.Dir, "gatehouse.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestREADMEShowsTheExample fails when the README's nginx block is not a verbatim excerpt of
// docs/nginx/gatehouse.conf (a run of its lines, blank lines and indentation aside), or when
// the README does not point to the file: the documented configuration is the tested one.
func TestREADMEShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "(docs/nginx/gatehouse.conf)") {
		t.Error("README.md does not link docs/nginx/gatehouse.conf")
	}
	_, snippet, ok := strings.Cut(string(readme), "```nginx\n")
	if ok {
		snippet, _, ok = strings.Cut(snippet, "```")
	}
	if !ok {
		t.Fatal("README.md has no ```nginx block")
	}
	example, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	got, file := lines(snippet), lines(string(example))
	if len(got) == 0 {
		t.Fatal("the README's nginx block is empty")
	}
	for i := range file {
		if len(file)-i >= len(got) && slices.Equal(file[i:i+len(got)], got) {
			return
		}
	}
	t.Errorf("the README's nginx block is not a run of lines of %s:\n%s", examplePath, strings.Join(got, "\n"))
}

// lines returns the trimmed, non-blank lines of s.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// csrfField finds the form token in a page.
var csrfField = regexp.MustCompile(`name="csrfmiddlewaretoken" value="([^"]+)"`)

// TestNginxProductionExample runs Gatehouse and an app behind docs/nginx/gatehouse.conf and
// uses both as a browser and an API client would: pages, static files, the API, the app for
// a user, and the refusals, each through nginx only.
func TestNginxProductionExample(t *testing.T) {
	nginx := testenv.Command(t, "nginx")
	appAddr, hits := startApp(t)
	gh := startGatehouse(t)
	base := startNginxWith(t, nginx, exampleTemplate, strings.TrimPrefix(gh.Base(), "http://"), appAddr)
	// Redirects are checked, not followed.
	noFollow := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	api := &client{base: base, http: &http.Client{Timeout: 30 * time.Second, CheckRedirect: noFollow}}
	html := header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")

	t.Run("Gatehouse's pages and files, and nothing else of it", func(t *testing.T) {
		for _, tt := range []struct {
			method, path string
			status       int
			location     string // of a redirect
			ctype        string // prefix of the Content-Type of a 200
		}{
			{"GET", "/login", 200, "", "text/html"},
			{"GET", "/signup", 200, "", "text/html"},
			{"GET", "/account", 303, "/login?next=/account", ""},
			{"GET", "/", 303, "/account", ""},
			{"HEAD", "/", 303, "/account", ""},
			{"GET", "/static/style.css", 200, "", "text/css"},
			{"GET", "/static/copy.js", 200, "", "text/javascript"},
			{"GET", "/openapi.json", 200, "", "application/json"},
			{"GET", "/healthz", 200, "", "application/json"},
			// Gatehouse serves these on its main listener (text/plain, application/json); nginx
			// answers with its own page and does not pass them on.
			{"GET", "/metrics", 404, "", "text/html"},
			{"GET", "/readyz", 404, "", "text/html"},
		} {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				res := api.do(t, tt.method, tt.path, "", html).expect(t, tt.status)
				if loc := res.header.Get("Location"); loc != tt.location {
					t.Errorf("Location %q, want %q", loc, tt.location)
				}
				if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
					t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
				}
			})
		}
	})

	// The API through nginx: sign up, a token, a session.
	api.do(t, "POST", "/v1/auth/signup", `{"username":"alice","password":"correct horse battery"}`).expect(t, 201)
	var issued struct{ Token string }
	if err := json.Unmarshal(api.do(t, "POST", "/v1/auth/token", `{"username":"alice","password":"correct horse battery"}`).expect(t, 200).body, &issued); err != nil {
		t.Fatal(err)
	}
	login := api.do(t, "POST", "/v1/auth/login", `{"username":"alice","password":"correct horse battery"}`).expect(t, 200)
	var me struct{ ID json.Number }
	if err := json.Unmarshal(login.body, &me); err != nil {
		t.Fatal(err)
	}
	sessionCk := login.setCookie("sessionid")
	if sessionCk == nil {
		t.Fatalf("login set no session cookie: %v", login.header)
	}
	token := header("Authorization", "Token "+issued.Token)
	session := cookie("sessionid", sessionCk.Value)
	spoof := func(r *http.Request) {
		r.Header.Set("X-Gatehouse-User-Id", "999")
		r.Header.Set("X-Gatehouse-Username", "root")
		r.Header.Set("X-Gatehouse-Auth-Method", "basic")
		r.Header.Set("X-Gatehouse-Auth-Level", "2")
	}

	t.Run("the app sees the user", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			opts   []opt
			method string
		}{
			{"token", []opt{token}, "token"},
			{"session from a browser", []opt{session, html}, "session"},
			{"forged user headers are replaced", []opt{token, spoof}, "token"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var seen appView
				if err := json.Unmarshal(api.do(t, "GET", "/app/page", "", tt.opts...).expect(t, 200).body, &seen); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(seen.UserID, []string{me.ID.String()}) || !slices.Equal(seen.Username, []string{"alice"}) ||
					!slices.Equal(seen.AuthMethod, []string{tt.method}) || !slices.Equal(seen.AuthLevel, []string{"1"}) ||
					len(seen.Authorization) != 0 {
					t.Errorf("app saw %+v, want user %s, alice, %s at level 1 and no Authorization", seen, me.ID, tt.method)
				}
			})
		}
	})

	t.Run("the app's admin part needs a second factor", func(t *testing.T) {
		secondFactor := header("Authorization", "Token "+twoStepToken(t, api))
		var seen appView
		if err := json.Unmarshal(api.do(t, "GET", "/app/admin/page", "", secondFactor).expect(t, 200).body, &seen); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seen.AuthLevel, []string{"2"}) || !slices.Equal(seen.Username, []string{"bob"}) {
			t.Errorf("app saw %+v, want bob at level 2", seen)
		}
		for _, tt := range []struct {
			name   string
			opts   []opt
			status int
		}{
			{"a token of the password alone", []opt{token}, 403},
			{"a session of the password alone", []opt{session, html}, 403},
			{"forged level", []opt{token, spoof}, 403},
			{"no credentials", []opt{header("Accept", "application/json")}, 401},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := hits.Load()
				api.do(t, "GET", "/app/admin/page", "", tt.opts...).expect(t, tt.status)
				if hits.Load() != before {
					t.Errorf("the app was reached")
				}
			})
		}
	})

	t.Run("strangers never reach the app", func(t *testing.T) {
		for _, tt := range []struct {
			name     string
			opts     []opt
			status   int
			location string
		}{
			{"a browser goes to log in", []opt{html}, 303, "/login?next=/app/page?x=1"},
			{"a browser with forged user headers", []opt{html, spoof}, 303, "/login?next=/app/page?x=1"},
			{"an API client gets the 401", []opt{header("Accept", "application/json")}, 401, ""},
			{"a client that accepts anything", nil, 401, ""},
			{"forged user headers alone", []opt{spoof}, 401, ""},
			{"a stale session", []opt{cookie("sessionid", "gts_stale"), header("Accept", "application/json")}, 401, ""},
			{"a browser with a stale session", []opt{cookie("sessionid", "gts_stale"), html}, 303, "/login?next=/app/page?x=1"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := hits.Load()
				res := api.do(t, "GET", "/app/page?x=1", "", tt.opts...).expect(t, tt.status)
				if loc := res.header.Get("Location"); loc != tt.location {
					t.Errorf("Location %q, want %q", loc, tt.location)
				}
				if tt.status == 401 {
					checkChallenges(t, res)
				}
				if hits.Load() != before {
					t.Errorf("the app was reached")
				}
				if strings.Contains(tt.name, "stale") {
					if ck := res.setCookie("sessionid"); ck == nil || ck.MaxAge >= 0 {
						t.Errorf("the stale session cookie is not cleared: Set-Cookie %q", res.header.Values("Set-Cookie"))
					}
				}
			})
		}
	})

	t.Run("a browser logs in with the form and returns to the app", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		browser := &client{base: base, http: &http.Client{Timeout: 30 * time.Second, Jar: jar, CheckRedirect: noFollow}}
		// The origin rule compares Origin with the Host nginx passes on: the browser's.
		origin := header("Origin", base)
		next := browser.do(t, "GET", "/app/page?x=1", "", html).expect(t, 303).header.Get("Location")
		form := browser.do(t, "GET", next, "", html).expect(t, 200)
		m := csrfField.FindSubmatch(form.body)
		if m == nil {
			t.Fatalf("no form token in the login page: %s", form.body)
		}
		values := url.Values{"csrfmiddlewaretoken": {string(m[1])}, "username": {"alice"},
			"password": {"correct horse battery"}, "next": {"/app/page?x=1"}}
		res := browser.do(t, "POST", "/login", "", html, origin, formBody(values)).expect(t, 303)
		if loc := res.header.Get("Location"); loc != "/app/page?x=1" {
			t.Fatalf("after login: Location %q, want /app/page?x=1", loc)
		}
		var seen appView
		if err := json.Unmarshal(browser.do(t, "GET", "/app/page?x=1", "", html).expect(t, 200).body, &seen); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seen.AuthMethod, []string{"session"}) || !slices.Equal(seen.Username, []string{"alice"}) {
			t.Errorf("app saw %+v, want alice by session", seen)
		}
		if body := browser.do(t, "GET", "/account", "", html).expect(t, 200).body; !strings.Contains(string(body), "alice") {
			t.Errorf("the account page does not name alice: %s", body)
		}
	})
}

// twoStepToken signs up bob, enrols his TOTP factor, then logs him in with the password and
// a code, and returns the token of that login, which is level 2. (Not alice: the login form
// has no second step, and a later case logs her in with it.) The factor's confirmation takes
// the code of the current step and the login the next one's, so no code is used twice
// and nothing waits: the server accepts a code from one step before its clock to one after,
// so the two codes pass whichever step boundary falls between them.
func twoStepToken(t *testing.T, api *client) string {
	t.Helper()
	const login = `{"username":"bob","password":"correct horse battery"}`
	api.do(t, "POST", "/v1/auth/signup", login).expect(t, 201)
	var first struct{ Token string }
	if err := json.Unmarshal(api.do(t, "POST", "/v1/auth/token", login).expect(t, 200).body, &first); err != nil {
		t.Fatal(err)
	}
	auth := header("Authorization", "Token "+first.Token)
	var en struct{ Secret string }
	if err := json.Unmarshal(api.do(t, "POST", "/v1/auth/mfa/totp", "", auth).expect(t, 200).body, &en); err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil || len(raw) != domain.TOTPSecretBytes {
		t.Fatalf("TOTP secret %q: %v", en.Secret, err)
	}
	secret := domain.NewTOTPSecret([domain.TOTPSecretBytes]byte(raw))
	step := domain.TOTPStep(time.Now())
	api.do(t, "POST", "/v1/auth/mfa/totp/confirm", `{"code":"`+domain.TOTPCode(secret, step)+`"}`, auth).expect(t, 200)
	var ticket struct{ Ticket string }
	if err := json.Unmarshal(api.do(t, "POST", "/v1/auth/token", login).expect(t, 202).body, &ticket); err != nil {
		t.Fatal(err)
	}
	var issued struct{ Token string }
	if err := json.Unmarshal(api.do(t, "POST", "/v1/auth/mfa/verify",
		`{"ticket":"`+ticket.Ticket+`","code":"`+domain.TOTPCode(secret, step+1)+`"}`).expect(t, 200).body, &issued); err != nil {
		t.Fatal(err)
	}
	return issued.Token
}

// formBody sends values as a form.
func formBody(values url.Values) opt {
	return func(r *http.Request) {
		body := values.Encode()
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
}
