package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const password = "correct horse battery"

// TestSignUpLogInUseATokenLogOut walks a new user through the pages with JavaScript off:
// sign up (after a refused password), log in, create a token and use it from a plain HTTP
// client, log out.
func TestSignUpLogInUseATokenLogOut(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	ctx := b.ctx
	noScript(t, ctx)

	open(t, ctx, s.base+"/signup")
	if _, status := submit(t, ctx, "form[action='/signup'] button", "username", "walker", "password", "12345678"); status != 400 {
		t.Fatalf("signup with a numeric password: status %d, want 400", status)
	}
	if msg := text(t, ctx, "ul.errors"); !strings.Contains(msg, "entirely numeric") {
		t.Errorf("signup errors = %q, want the numeric-password rule", msg)
	}
	u, status := submit(t, ctx, "form[action='/signup'] button", "username", "walker", "password", password)
	if status != 200 || !strings.HasPrefix(u, s.base+"/login") || query(u, "done") != "signed-up" {
		t.Fatalf("signup: ended on %s with %d, want the login page", u, status)
	}

	logIn(t, ctx, s, "walker", password)
	if got := text(t, ctx, "#account-username"); got != "walker" {
		t.Errorf("account page names %q, want walker", got)
	}
	if got := text(t, ctx, "li.session .badge"); got != "this device" {
		t.Errorf("session badge = %q, want \"this device\"", got)
	}

	if _, status := submit(t, ctx, "form[action='/account/tokens'] button", "token-name", "ci", "token-password", password); status != 200 {
		t.Fatalf("create token: status %d, want 200", status)
	}
	token, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("new-token")))
	if err != nil {
		t.Fatal(err)
	}
	if status, name := s.me(t, token); status != 200 || name != "walker" {
		t.Errorf("GET /v1/auth/me with the new token: %d %q, want 200 walker", status, name)
	}
	if hidden := eval[bool](t, ctx, `document.querySelector("button[data-copy]").hidden`); !hidden {
		t.Errorf("without JavaScript the copy button shows, but cannot work")
	}
	shootAccount(t, ctx, s)

	if u, _ := submit(t, ctx, "li.token button"); query(u, "done") != "token-revoked" {
		t.Errorf("revoke token: ended on %s", u)
	}
	if status, _ := s.me(t, token); status != http.StatusUnauthorized {
		t.Errorf("the revoked token: status %d, want 401", status)
	}

	u, _ = submit(t, ctx, "#logout")
	if !strings.HasPrefix(u, s.base+"/login") || !strings.Contains(text(t, ctx, ".notice"), "logged out") {
		t.Errorf("log out: ended on %s without a notice", u)
	}
	if u, _ := open(t, ctx, s.base+"/account"); u != s.base+"/login?next=/account" {
		t.Errorf("after logout /account ends on %s, want /login?next=/account", u)
	}
	b.checkOffsite(t, s.base)
}

// TestRevokeSessionFromAnotherBrowser: a session revoked on one device is logged out on the
// other at its next page.
func TestRevokeSessionFromAnotherBrowser(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	s.signUp(t, "traveller", password)
	laptop := b.ctx
	logIn(t, laptop, s, "traveller", password)

	phone := b.tab(t)
	logIn(t, phone, s, "traveller", password)
	if n := eval[int](t, phone, `document.querySelectorAll("li.session").length`); n != 2 {
		t.Fatalf("the phone lists %d sessions, want 2", n)
	}
	u, status := submit(t, phone, "li.session:not(:has(.badge)) button")
	if status != 200 || query(u, "done") != "session-revoked" {
		t.Fatalf("revoke: ended on %s with %d", u, status)
	}
	if n := eval[int](t, phone, `document.querySelectorAll("li.session").length`); n != 1 {
		t.Errorf("after the revoke the phone lists %d sessions, want 1", n)
	}

	if u, _ := open(t, laptop, s.base+"/account"); u != s.base+"/login?next=/account" {
		t.Errorf("the revoked laptop's /account ended on %s, want /login?next=/account", u)
	}
	shootAccount(t, phone, s)

	// Log out everywhere, from the phone, ends the laptop's new session too.
	if u, _ := submit(t, laptop, "form[action='/login'] button", "username", "traveller", "password", password); u != s.base+"/account" {
		t.Fatalf("the laptop's login went on to %s, want /account (its next)", u)
	}
	if u, _ := submit(t, phone, "#logout-all"); query(u, "done") != "logged-out-all" {
		t.Errorf("log out everywhere: ended on %s", u)
	}
	for name, ctx := range map[string]context.Context{"phone": phone, "laptop": laptop} {
		if u, _ := open(t, ctx, s.base+"/account"); u != s.base+"/login?next=/account" {
			t.Errorf("after log out everywhere the %s's /account ended on %s", name, u)
		}
	}
	b.checkOffsite(t, s.base)
}

// TestChangePassword: with JavaScript on, the copy button appears; a password change keeps
// this browser logged in, revokes the tokens, and only the new password logs in.
func TestChangePassword(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	s.signUp(t, "changer", password)
	ctx := b.ctx
	logIn(t, ctx, s, "changer", password)

	submit(t, ctx, "form[action='/account/tokens'] button", "token-name", "old", "token-password", password)
	token, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("new-token")))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("button[data-copy]"))); err != nil {
		t.Errorf("the copy button does not show with JavaScript on: %v", err)
	}

	const newPassword = "a much better passphrase"
	if _, status := submit(t, ctx, "form[action='/account/password'] button", "old_password", "not it", "new_password", newPassword); status != 400 {
		t.Errorf("a wrong old password: status %d, want 400", status)
	}
	u, status := submit(t, ctx, "form[action='/account/password'] button", "old_password", password, "new_password", newPassword)
	if status != 200 || query(u, "done") != "password" {
		t.Fatalf("password change: ended on %s with %d, want the account page", u, status)
	}
	if got := text(t, ctx, "#account-username"); got != "changer" {
		t.Errorf("after the change the account page names %q: this browser was logged out", got)
	}
	if status, _ := s.me(t, token); status != http.StatusUnauthorized {
		t.Errorf("the token made before the change: status %d, want 401", status)
	}
	shootAccount(t, ctx, s)

	submit(t, ctx, "#logout")
	open(t, ctx, s.base+"/login")
	if _, status := submit(t, ctx, "form[action='/login'] button", "username", "changer", "password", password); status != http.StatusUnauthorized {
		t.Errorf("login with the old password: status %d, want 401", status)
	}
	if msg := text(t, ctx, ".alert"); msg != "Invalid username or password." {
		t.Errorf("login error = %q", msg)
	}
	logIn(t, ctx, s, "changer", newPassword)
	b.checkOffsite(t, s.base)
}

// TestForgedFormsRefused: a login form posted from another origin, even one that knows the
// CSRF token, and a form posted without its CSRF field are refused, and log no one in.
func TestForgedFormsRefused(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	s.signUp(t, "mallory", password)
	s.signUp(t, "victim", password)
	ctx := b.ctx

	// The victim's browser has seen the login page, so it holds the form cookie; the
	// attacker is assumed to know its value too (say, by planting it).
	open(t, ctx, s.base+"/login")
	token, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("input[name=csrfmiddlewaretoken]")))
	if err != nil {
		t.Fatal(err)
	}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/login">
<input type="hidden" name="csrfmiddlewaretoken" value="%s">
<input type="hidden" name="username" value="mallory"><input type="hidden" name="password" value="%s">
<button id="go">Win a prize</button></form>`, s.base, token, password)
	}))
	defer evil.Close()
	open(t, ctx, evil.URL)
	if u, status := submit(t, ctx, "#go"); status != http.StatusForbidden || !strings.Contains(text(t, ctx, ".alert"), "Origin checking failed") {
		t.Errorf("cross-origin login post: ended on %s with %d, want 403 for the origin", u, status)
	}
	if u, _ := open(t, ctx, s.base+"/account"); u != s.base+"/login?next=/account" {
		t.Errorf("after the forged login /account ended on %s: the browser was logged in", u)
	}

	open(t, ctx, s.base+"/login")
	eval[bool](t, ctx, `document.querySelector("input[name=csrfmiddlewaretoken]").remove() || true`)
	if _, status := submit(t, ctx, "form[action='/login'] button", "username", "victim", "password", password); status != http.StatusForbidden {
		t.Errorf("login form without its CSRF field: status %d, want 403", status)
	}
	if msg := text(t, ctx, ".alert"); !strings.Contains(msg, "CSRF token missing") {
		t.Errorf("refusal = %q", msg)
	}

	logIn(t, ctx, s, "victim", password)
	shootAccount(t, ctx, s)
	b.checkOffsite(t, s.base, evil.URL)
}

// TestThrottledLogin: past the limit of failed logins the form says how long to wait.
func TestThrottledLogin(t *testing.T) {
	s := startGatehouse(t, map[string]string{"GATEHOUSE_THROTTLE_LOGIN_USER": "2/min"})
	b := newBrowser(t)
	s.signUp(t, "hasty", password)
	ctx := b.ctx
	open(t, ctx, s.base+"/login")
	for range 2 {
		if _, status := submit(t, ctx, "form[action='/login'] button", "username", "hasty", "password", "wrong guess"); status != http.StatusUnauthorized {
			t.Fatalf("a wrong password: status %d, want 401", status)
		}
	}
	if _, status := submit(t, ctx, "form[action='/login'] button", "username", "hasty", "password", password); status != http.StatusTooManyRequests {
		t.Fatalf("past the limit: status %d, want 429", status)
	}
	if msg := text(t, ctx, ".alert"); !strings.Contains(msg, "Expected available in") || !strings.Contains(msg, "seconds") {
		t.Errorf("throttled login says %q, want the wait", msg)
	}
	s.signUp(t, "patient", password)
	logIn(t, ctx, s, "patient", password)
	shootAccount(t, ctx, s)
	b.checkOffsite(t, s.base)
}

// TestDeleteAccount: the account page deletes the account once the password is given again,
// logs the browser out, and the name can be signed up again.
func TestDeleteAccount(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	s.signUp(t, "leaver", password)
	ctx := b.ctx
	logIn(t, ctx, s, "leaver", password)
	submit(t, ctx, "form[action='/account/tokens'] button", "token-name", "ci", "token-password", password)
	token, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("new-token")))
	if err != nil {
		t.Fatal(err)
	}

	if _, status := submit(t, ctx, "#delete-account-button", "delete-password", "not it"); status != 400 {
		t.Errorf("a wrong password: status %d, want 400", status)
	}
	if msg := text(t, ctx, "form[action='/account/delete'] ul.errors"); !strings.Contains(msg, "incorrectly") {
		t.Errorf("deletion errors = %q, want the wrong-password message", msg)
	}
	if status, _ := s.me(t, token); status != http.StatusOK {
		t.Fatalf("a refused deletion: the token answers %d, want 200", status)
	}
	u, status := submit(t, ctx, "#delete-account-button", "delete-password", password)
	if status != 200 || !strings.HasPrefix(u, s.base+"/login") || query(u, "done") != "deleted" {
		t.Fatalf("deletion: ended on %s with %d, want the login page", u, status)
	}
	if !strings.Contains(text(t, ctx, ".notice"), "deleted") {
		t.Errorf("the login page does not say the account was deleted")
	}
	if status, _ := s.me(t, token); status != http.StatusUnauthorized {
		t.Errorf("the deleted account's token: status %d, want 401", status)
	}
	if u, _ := open(t, ctx, s.base+"/account"); u != s.base+"/login?next=/account" {
		t.Errorf("after the deletion /account ends on %s, want /login?next=/account", u)
	}
	if _, status := submit(t, ctx, "form[action='/login'] button", "username", "leaver", "password", password); status != http.StatusUnauthorized {
		t.Errorf("login to the deleted account: status %d, want 401", status)
	}
	s.signUp(t, "leaver", "another fine passphrase")
	logIn(t, ctx, s, "leaver", "another fine passphrase")
	b.checkOffsite(t, s.base)
}
