package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// spaPage is a single-page app on another origin, as the README shows it: every call is a
// fetch with credentials: "include", and unsafe ones send the CSRF token that the login
// answered with, since the csrftoken cookie belongs to Gatehouse's origin. call resolves
// to {status, body} when the page may read the answer, and to {error} when the browser
// withholds it (a CORS failure is a TypeError, whatever the server said).
const spaPage = `<!doctype html>
<html data-gatehouse="%s"><head><meta charset="utf-8"><title>SPA</title></head><body>
<script>
const GATEHOUSE = document.documentElement.dataset.gatehouse;
window.call = async (method, path, {body, csrf, mode} = {}) => {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRFToken"] = csrf;
  try {
    const r = await fetch(GATEHOUSE + path, {method, credentials: "include", headers, mode,
      body: body === undefined ? undefined : JSON.stringify(body)});
    return {status: r.status, type: r.type, body: await r.json().catch(() => null)};
  } catch (e) {
    return {error: e.name};
  }
};
</script></body></html>`

// spaAnswer is what the page's call resolves to.
type spaAnswer struct {
	Status int            `json:"status"`
	Type   string         `json:"type"`
	Body   map[string]any `json:"body"`
	Error  string         `json:"error"`
}

// serveSPA serves spaPage, calling the Gatehouse at base, on ln (nil: a new loopback
// port). Another loopback port is another origin, and the same site, so Gatehouse's Lax
// cookies go along with the page's calls.
func serveSPA(t *testing.T, ln net.Listener, base string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, spaPage, base)
	}))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// call runs the page's call(method, path, opts) and returns its answer.
func call(t *testing.T, ctx context.Context, method, path string, opts map[string]any) spaAnswer {
	t.Helper()
	if opts == nil {
		opts = map[string]any{}
	}
	o, _ := json.Marshal(opts)
	js := fmt.Sprintf(`call(%q, %q, %s).then(JSON.stringify)`, method, path, o)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	var a spaAnswer
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, out)
	}
	return a
}

// TestCrossOriginSPA: a page on an origin in GATEHOUSE_CORS_ORIGINS signs up and logs in
// with fetch, reads the session's CSRF token from the login's answer, and reads /me with
// the session cookie; its logout is refused without X-CSRFToken and done with it. A page
// on an unlisted origin, in the same browser and so with the same cookies, can read
// nothing, its preflighted calls are never sent, and its simple POST changes nothing.
func TestCrossOriginSPA(t *testing.T) {
	// Gatehouse must know the app's origin, and the app Gatehouse's: take the app's port
	// first, and serve on it once Gatehouse runs.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := startGatehouse(t, map[string]string{"GATEHOUSE_CORS_ORIGINS": "http://" + ln.Addr().String()})
	app := serveSPA(t, ln, s.base)
	stranger := serveSPA(t, nil, s.base)

	b := newBrowser(t)
	ctx := b.ctx
	open(t, ctx, app+"/")
	creds := map[string]any{"body": map[string]string{"username": "spa", "password": password}}
	if a := call(t, ctx, "POST", "/v1/auth/signup", creds); a.Status != http.StatusCreated {
		t.Fatalf("signup from the app: %+v, want 201", a)
	}
	login := call(t, ctx, "POST", "/v1/auth/login", creds)
	csrf, _ := login.Body["csrf_token"].(string)
	if login.Status != http.StatusOK || csrf == "" || login.Body["username"] != "spa" {
		t.Fatalf("login from the app: %+v, want 200 with the user and csrf_token", login)
	}
	me := call(t, ctx, "GET", "/v1/auth/me", nil)
	if auth, _ := me.Body["auth"].(map[string]any); me.Status != http.StatusOK || auth["method"] != "session" {
		t.Fatalf("me from the app: %+v, want 200 by the session cookie", me)
	}

	t.Run("an unlisted origin reads nothing and changes nothing", func(t *testing.T) {
		open(t, ctx, stranger+"/")
		for _, tc := range []struct {
			method, path string
			opts         map[string]any
		}{
			{"GET", "/v1/auth/me", nil},                               // sent, answer withheld
			{"POST", "/v1/auth/logout", map[string]any{"csrf": csrf}}, // preflight refused: never sent
			{"POST", "/v1/auth/login", creds},                         // JSON: preflight refused
		} {
			if a := call(t, ctx, tc.method, tc.path, tc.opts); a.Error != "TypeError" {
				t.Errorf("%s %s from %s: %+v, want the browser to withhold the answer", tc.method, tc.path, stranger, a)
			}
		}
		// A no-cors POST needs no preflight and is sent with the cookies; the origin rule
		// refuses it, and the page sees only an opaque answer.
		if a := call(t, ctx, "POST", "/v1/auth/logout/all", map[string]any{"mode": "no-cors"}); a.Type != "opaque" || a.Status != 0 {
			t.Errorf("no-cors POST from %s: %+v, want an opaque answer", stranger, a)
		}
		open(t, ctx, app+"/")
		if a := call(t, ctx, "GET", "/v1/auth/me", nil); a.Status != http.StatusOK {
			t.Fatalf("after the unlisted page's calls the session is gone: %+v", a)
		}
	})

	t.Run("unsafe calls need X-CSRFToken", func(t *testing.T) {
		open(t, ctx, app+"/")
		refused := call(t, ctx, "POST", "/v1/auth/logout", nil)
		if d, _ := refused.Body["detail"].(string); refused.Status != http.StatusForbidden || d != "CSRF Failed: CSRF token missing." {
			t.Errorf("logout without X-CSRFToken: %+v, want a readable 403 for the missing token", refused)
		}
		if a := call(t, ctx, "POST", "/v1/auth/logout", map[string]any{"csrf": csrf}); a.Status != http.StatusNoContent {
			t.Fatalf("logout with X-CSRFToken: %+v, want 204", a)
		}
		if a := call(t, ctx, "GET", "/v1/auth/me", nil); a.Status != http.StatusUnauthorized {
			t.Errorf("me after logout: %+v, want 401", a)
		}
	})
	b.checkOffsite(t, s.base, app, stranger)
}
