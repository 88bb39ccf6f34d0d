package browser_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// authenticator plays the user's authenticator app: it computes the code of a 30-second step
// from the secret the account page showed, as any app would (pquerna/otp, not Gatehouse's
// own code). A code is accepted once per step, and the server accepts one step either side
// of its own, so each login takes the code of the step after the last one used: no test
// waits for time to pass.
type authenticator struct {
	secret string
	last   time.Time // the time whose step gave the last code
}

func (a *authenticator) code(t *testing.T) string {
	t.Helper()
	at := time.Now()
	if !a.last.IsZero() {
		at = a.last.Add(30 * time.Second)
		if now := time.Now(); now.After(a.last) {
			at = now.Add(30 * time.Second)
		}
	}
	a.last = at
	code, err := totp.GenerateCode(a.secret, at)
	if err != nil {
		t.Fatalf("generating a code: %v", err)
	}
	return code
}

// TestTOTPWalk walks a user through second factors on the pages: sign up, log in, enrol an
// authenticator on the account page (reading the key from the page), confirm it, see the
// recovery codes, log out; log in with the password and a code from the app (after a wrong
// one); log out, and log in with a recovery code. The ticket never shows in a URL.
func TestTOTPWalk(t *testing.T) {
	var key [32]byte
	_, _ = rand.Read(key[:])
	s := startGatehouse(t, map[string]string{"GATEHOUSE_SECRET_KEY": base64.StdEncoding.EncodeToString(key[:])})
	b := newBrowser(t)
	ctx := b.ctx

	open(t, ctx, s.base+"/signup")
	if u, status := submit(t, ctx, "form[action='/signup'] button", "username", "twofa", "password", password); status != 200 || query(u, "done") != "signed-up" {
		t.Fatalf("signup: ended on %s with %d", u, status)
	}
	logIn(t, ctx, s, "twofa", password)
	if got := text(t, ctx, "#mfa-status"); !strings.Contains(got, "off") {
		t.Errorf("two-factor status = %q, want off", got)
	}

	// Enrol: the QR code shows (the response's policy allows its data: image) next to the key.
	if _, status := submit(t, ctx, "#enrol-totp"); status != 200 {
		t.Fatalf("enrol: status %d, want 200", status)
	}
	if w := eval[int](t, ctx, `document.getElementById("totp-qr").naturalWidth`); w == 0 {
		t.Errorf("the QR code did not load: blocked by the Content-Security-Policy?")
	}
	secret, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("totp-secret")))
	if err != nil {
		t.Fatal(err)
	}
	app := &authenticator{secret: secret}

	if _, status := submit(t, ctx, "#confirm-totp", "confirm-code", app.code(t)); status != 200 {
		t.Fatalf("confirm: status %d, want 200", status)
	}
	if got := text(t, ctx, "#mfa-status"); !strings.Contains(got, "on") {
		t.Errorf("after confirming, two-factor status = %q, want on", got)
	}
	list, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("recovery-codes")))
	if err != nil {
		t.Fatal(err)
	}
	recovery := strings.Fields(list)
	if len(recovery) != 10 {
		t.Fatalf("%d recovery codes shown, want 10: %q", len(recovery), list)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("button[data-copy='recovery-codes']"))); err != nil {
		t.Errorf("the recovery codes' copy button does not show: %v", err)
	}
	shootAccount(t, ctx, s) // the account page with TOTP on
	submit(t, ctx, "#logout")

	// The password leads to the second step, on the same URL: the ticket is in the form.
	open(t, ctx, s.base+"/login")
	u, status := submit(t, ctx, "form[action='/login'] button", "username", "twofa", "password", password)
	if status != 200 || u != s.base+"/login" {
		t.Fatalf("password step: ended on %s with %d, want the second step at /login", u, status)
	}
	if !eval[bool](t, ctx, `document.querySelector("#code-form input[name=ticket]").value.startsWith("gtm_")`) {
		t.Fatalf("the second step has no ticket in its form")
	}
	if _, status := submit(t, ctx, "#verify-code", "code", wrongCode(app.secret)); status != http.StatusUnauthorized {
		t.Errorf("a wrong code: status %d, want 401", status)
	}
	if msg := text(t, ctx, ".alert"); msg != "Invalid code." {
		t.Errorf("wrong code message = %q", msg)
	}
	if u, status := submit(t, ctx, "#verify-code", "code", app.code(t)); status != 200 || u != s.base+"/account" {
		t.Fatalf("second step with the app's code: ended on %s with %d, want the account page", u, status)
	}
	if got := text(t, ctx, "#account-username"); got != "twofa" {
		t.Errorf("account page names %q", got)
	}
	submit(t, ctx, "#logout")

	// Without the app: a recovery code, once.
	open(t, ctx, s.base+"/login?next=/account")
	submit(t, ctx, "form[action='/login'] button", "username", "twofa", "password", password)
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS("#use-recovery summary"))); err != nil {
		t.Fatal(err)
	}
	if u, status := submit(t, ctx, "#verify-recovery", "recovery_code", recovery[0]); status != 200 || u != s.base+"/account" {
		t.Fatalf("second step with a recovery code: ended on %s with %d, want the account page", u, status)
	}
	submit(t, ctx, "#logout")
	open(t, ctx, s.base+"/login")
	submit(t, ctx, "form[action='/login'] button", "username", "twofa", "password", password)
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS("#use-recovery summary"))); err != nil {
		t.Fatal(err)
	}
	if _, status := submit(t, ctx, "#verify-recovery", "recovery_code", recovery[0]); status != http.StatusUnauthorized {
		t.Errorf("a used recovery code: status %d, want 401", status)
	}

	for _, r := range b.requestURLs() {
		if strings.Contains(r, "gtm_") {
			t.Errorf("a request carried the ticket in its URL: %s", r)
		}
	}
	b.checkOffsite(t, s.base)
}

// wrongCode returns a six-digit code that is none of the codes the server accepts now.
func wrongCode(secret string) string {
	now := time.Now()
	for _, c := range []string{"000000", "111111", "222222"} {
		ok := false
		for d := -90 * time.Second; d <= 90*time.Second; d += 30 * time.Second {
			want, _ := totp.GenerateCode(secret, now.Add(d))
			ok = ok || want == c
		}
		if !ok {
			return c
		}
	}
	return "333333"
}
