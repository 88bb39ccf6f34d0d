package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// phoneWidth is the width of the viewport, in CSS pixels: a common phone's.
const phoneWidth = 390

// testTimeout bounds each test: the browser, every page and the server's answers. It is a
// bound against hangs, not a measure: the two-factor walks take 10–25 s on two busy cores
// (race detector, other packages' tests beside them), so it leaves room for that.
const testTimeout = 90 * time.Second

// binary is the gatehouse binary under test, built by TestMain.
var binary string

func TestMain(m *testing.M) { os.Exit(testenv.RunWithGatehouse(m, &binary)) }

// chromium returns the browser's path, or skips t (fails it when services are required).
func chromium(t *testing.T) string {
	t.Helper()
	name := os.Getenv("GATEHOUSE_TEST_CHROMIUM")
	if name == "" {
		name = "chromium"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("GATEHOUSE_REQUIRE_SERVICES") == "1" {
			t.Fatalf("chromium is required (GATEHOUSE_REQUIRE_SERVICES=1) but unavailable: %v", err)
		}
		t.Skipf("skipping: install Debian's chromium (apt-get install chromium) or set GATEHOUSE_TEST_CHROMIUM to run the browser tests (%v)", err)
	}
	return path
}

// site is one gatehouse server and a plain HTTP client for it.
type site struct {
	base string
	http *http.Client
}

// startGatehouse runs gatehouse on the memory profile with insecure cookies (the tests speak
// plain HTTP), with env on top, and stops it, checking its exit, when t ends.
func startGatehouse(t *testing.T, env ...map[string]string) *site {
	t.Helper()
	base := map[string]string{
		"GATEHOUSE_ADDR":                "127.0.0.1:0",
		"GATEHOUSE_LOG_FORMAT":          "json",
		"GATEHOUSE_COOKIE_SECURE":       "false",
		"GATEHOUSE_THROTTLE_LOGIN_USER": "1000/min",
		"GATEHOUSE_THROTTLE_SIGNUP_IP":  "1000/min",
	}
	proc := testenv.StartProcess(t, binary, testenv.Environ(append([]map[string]string{base}, env...)...))
	t.Cleanup(func() { proc.Check(t) })
	return &site{base: proc.Base(), http: &http.Client{Timeout: testTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signUp makes a user through the JSON API, for tests about what comes after.
func (s *site) signUp(t *testing.T, username, password string) {
	t.Helper()
	s.signUpWithEmail(t, username, password, "")
}

// signUpWithEmail makes a user with an email address ("" for none) through the JSON API.
func (s *site) signUpWithEmail(t *testing.T, username, password, email string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password, "email": email})
	resp, err := s.http.Post(s.base+"/v1/auth/signup", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("signup %s: status %d", username, resp.StatusCode)
	}
}

// me calls GET /v1/auth/me with a token and returns the status and the username.
func (s *site) me(t *testing.T, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.base+"/v1/auth/me", nil)
	req.Header.Set("Authorization", "Token "+token)
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct{ Username string }
	_ = json.NewDecoder(resp.Body).Decode(&me)
	return resp.StatusCode, me.Username
}

// browser is one headless Chromium with a fresh profile, whose requests are all recorded.
type browser struct {
	ctx context.Context // the first tab; the browser lives as long as it

	mu       sync.Mutex
	requests []string
}

// newBrowser starts Chromium for t. The flags keep it off the network: without the
// background-networking ones it keeps trying to reach Google's services.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium(t)
	profile := t.TempDir() // made first, so removed after the browser has exited
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	deadline, cancelDeadline := context.WithTimeout(context.Background(), testTimeout)
	alloc, cancelAlloc := chromedp.NewExecAllocator(deadline, opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc(); cancelDeadline() })
	b := &browser{ctx: ctx}
	b.record(t, ctx)
	return b
}

// tab opens another tab in a browser context of its own: no cookies shared with the others.
func (b *browser) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b.record(t, ctx)
	return ctx
}

// record starts the tab with a phone's viewport and notes the URL of every request it sends.
func (b *browser) record(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, 844)); err != nil {
		t.Fatal(err)
	}
	events := chromedp.Events(ctx, network.RequestWillBeSent)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.requests = append(b.requests, ev.Request.URL)
			b.mu.Unlock()
		}
	}()
}

// checkOffsite fails t if any request went anywhere but the given origins.
func (b *browser) checkOffsite(t *testing.T, origins ...string) {
	t.Helper()
	b.mu.Lock()
	n := len(b.requests)
	b.mu.Unlock()
	if n == 0 {
		t.Fatal("no request was recorded: the check below would prove nothing")
	}
	if off := b.offsite(origins...); len(off) > 0 {
		t.Errorf("the pages made requests elsewhere: %q", off)
	}
}

// requestURLs returns the URL of every request recorded so far.
func (b *browser) requestURLs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// offsite returns the requests that went anywhere but the given origins. A data: URL (the
// QR code of a TOTP enrolment) is part of its page and goes nowhere.
func (b *browser) offsite(origins ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, u := range b.requests {
		ok := strings.HasPrefix(u, "data:")
		for _, o := range origins {
			ok = ok || strings.HasPrefix(u, o+"/")
		}
		if !ok {
			out = append(out, u)
		}
	}
	return out
}

// noScript turns JavaScript off in the tab, to show the pages work without it.
func noScript(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
}

// open loads a page and returns its final URL (after redirects) and status.
func open(t *testing.T, ctx context.Context, u string) (string, int64) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	return resp.URL, resp.Status
}

// submit types the values into the fields (by id) and clicks the button, and returns the
// URL and status of the page that the form leads to.
func submit(t *testing.T, ctx context.Context, button string, values ...string) (string, int64) {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(values); i += 2 {
		clear := fmt.Sprintf(`document.getElementById(%q).value = ""`, values[i])
		steps = append(steps, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[string](clear)(ctx, tg)
			return err
		}), chromedp.SendKeys(chromedp.ID(values[i]), values[i+1]))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(button)))
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatalf("submitting with %s: %v", button, err)
	}
	return resp.URL, resp.Status
}

// logIn logs in through the login page and expects the account page.
func logIn(t *testing.T, ctx context.Context, s *site, username, password string) {
	t.Helper()
	open(t, ctx, s.base+"/login")
	if u, status := submit(t, ctx, "form[action='/login'] button", "username", username, "password", password); status != 200 || u != s.base+"/account" {
		t.Fatalf("login as %s: ended on %s with %d, want the account page", username, u, status)
	}
}

// text returns the text of the first element matching the CSS selector.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// eval evaluates a JavaScript expression in the page (through DevTools, so it works with
// the page's own scripts turned off).
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// shootAccount checks the account page fits a phone's width, then saves a screenshot of it
// under t's temporary directory (and GATEHOUSE_TEST_SCREENSHOTS when set).
func shootAccount(t *testing.T, ctx context.Context, s *site) {
	t.Helper()
	if u, _ := open(t, ctx, s.base+"/account"); u != s.base+"/account" {
		t.Fatalf("account page: ended on %s", u)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("the account page is %d px wider than a %d px phone screen", w, phoneWidth)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.NewReplacer("/", "_").Replace(t.Name()) + ".png"
	dirs := []string{t.TempDir()}
	if d := os.Getenv("GATEHOUSE_TEST_SCREENSHOTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot: %s", filepath.Join(dirs[len(dirs)-1], name))
}

// query returns the query parameter name of u.
func query(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Query().Get(name)
}
