package browser_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// startPasskeySite runs gatehouse for passkeys. WebAuthn wants a secure context and an RP ID
// the page's host matches: browsers count http://localhost as secure, an IP address cannot
// be an RP ID. So the server listens on a free loopback port chosen here, and the browser
// uses http://localhost:PORT (Chromium resolves localhost to the loopback addresses itself,
// and reaches 127.0.0.1 when nothing listens on ::1), which is also the one origin the
// ceremonies accept.
func startPasskeySite(t *testing.T) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	base := fmt.Sprintf("http://localhost:%d", port)
	s := startGatehouse(t, map[string]string{
		"GATEHOUSE_ADDR":             fmt.Sprintf("127.0.0.1:%d", port),
		"GATEHOUSE_WEBAUTHN_RP_ID":   "localhost",
		"GATEHOUSE_WEBAUTHN_ORIGINS": base,
	})
	s.base = base
	return s
}

// addAuthenticator gives the tab Chromium's virtual authenticator: a platform authenticator
// (a laptop's) that keeps discoverable passkeys, verifies its user, and answers at once.
func addAuthenticator(t *testing.T, ctx context.Context) webauthn.AuthenticatorID {
	t.Helper()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("WebAuthn.enable: %v", err)
	}
	res, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol:                    webauthn.AuthenticatorProtocolCtap2,
			Transport:                   webauthn.AuthenticatorTransportInternal,
			HasResidentKey:              true,
			HasUserVerification:         true,
			IsUserVerified:              true,
			AutomaticPresenceSimulation: true,
		}})
	if err != nil {
		t.Fatalf("WebAuthn.addVirtualAuthenticator: %v", err)
	}
	return res.AuthenticatorID
}

// credentials returns the passkeys the virtual authenticator holds.
func credentials(t *testing.T, ctx context.Context, id webauthn.AuthenticatorID) []*webauthn.Credential {
	t.Helper()
	res, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: id})
	if err != nil {
		t.Fatalf("WebAuthn.getCredentials: %v", err)
	}
	return res.Credentials
}

// scriptNavigates clicks the button, whose script calls the API and then leaves the page, and
// returns where the browser landed. When the script shows an error instead, it fails t with
// the page's alerts rather than waiting out the test.
func scriptNavigates(t *testing.T, ctx context.Context, button string) string {
	t.Helper()
	nav, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		// An alert the script shows means no navigation will come: stop waiting for one.
		if chromedp.Do(nav, chromedp.WaitVisible(chromedp.CSS("[role=alert]"))) == nil {
			stop()
		}
	}()
	resp, err := chromedp.RunResponse(nav, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		t.Fatalf("%s: %v; alerts: %q", button, err, alerts(ctx))
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("%s: landed on %s with %d", button, resp.URL, resp.Status)
	}
	return resp.URL
}

// alerts returns the text of the page's visible alerts, for failure messages.
func alerts(ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("[role=alert]:not([hidden])")).map(e => e.textContent).join(" | ")`))
	return s
}

// TestPasskeyWalk walks a user through passkeys on the pages, with Chromium's virtual
// authenticator standing in for the device: sign up, log in, add a passkey on the account
// page (the first factor: recovery codes show once), log out; log in with the passkey alone,
// no username; log out, log in with the password and use the passkey as the second step;
// remove the passkey, after which the password alone logs in again.
func TestPasskeyWalk(t *testing.T) {
	s := startPasskeySite(t)
	b := newBrowser(t)
	ctx := b.ctx

	open(t, ctx, s.base+"/signup")
	auth := addAuthenticator(t, ctx)
	if u, status := submit(t, ctx, "form[action='/signup'] button", "username", "keyholder", "password", password); status != 200 || query(u, "done") != "signed-up" {
		t.Fatalf("signup: ended on %s with %d", u, status)
	}
	logIn(t, ctx, s, "keyholder", password)
	if got := text(t, ctx, "#no-passkeys"); got != "No passkeys yet." {
		t.Errorf("the passkey section says %q", got)
	}

	// Add one: the script fills in nothing the user did not type; the page shows the codes.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("passkey-name"), "laptop"),
		chromedp.SendKeys(chromedp.ID("passkey-password"), password),
		chromedp.Click(chromedp.ID("add-passkey-button")),
		chromedp.WaitVisible(chromedp.CSS("#passkey-recovery-codes:not([hidden]), #passkey-add-error:not([hidden])")),
	); err != nil {
		t.Fatalf("adding a passkey: %v", err)
	}
	if msg := alerts(ctx); msg != "" {
		t.Fatalf("adding a passkey failed: %q", msg)
	}
	codes, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("passkey-codes")))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(codes)); n != 10 {
		t.Errorf("%d recovery codes shown, want 10: %q", n, codes)
	}
	if n := len(credentials(t, ctx, auth)); n != 1 {
		t.Fatalf("the authenticator holds %d passkeys, want 1", n)
	}
	if u := scriptNavigates(t, ctx, "#passkey-codes-done"); u != s.base+"/account?done=passkey-added" {
		t.Errorf("after saving the codes: on %s", u)
	}
	if got := text(t, ctx, ".passkey-name"); got != "laptop" {
		t.Errorf("the passkey list names %q", got)
	}
	if got := text(t, ctx, "#mfa-status"); !strings.Contains(got, "passkey") {
		t.Errorf("two-factor status = %q, want the passkey", got)
	}
	shootAccount(t, ctx, s)
	submit(t, ctx, "#logout")

	// A passkey alone: no username, no password.
	open(t, ctx, s.base+"/login?next=/account%3Fvia%3Dpasskey")
	if u := scriptNavigates(t, ctx, "#passkey-login-button"); u != s.base+"/account?via=passkey" {
		t.Fatalf("passkey login: landed on %s, want next", u)
	}
	if got := text(t, ctx, "#account-username"); got != "keyholder" {
		t.Errorf("account page names %q", got)
	}
	if got := text(t, ctx, "#passkey-list time:last-of-type"); got == "never" {
		t.Errorf("the passkey was used but the list says last used %q", got)
	}
	submit(t, ctx, "#logout")

	// The password, then the passkey as the second step: no code form, the account has no
	// TOTP. A passkey answer that does not verify (a bad signature) is told in the page.
	passwordStep := func() {
		t.Helper()
		open(t, ctx, s.base+"/login")
		if u, status := submit(t, ctx, "form[action='/login'] button", "username", "keyholder", "password", password); status != 200 || u != s.base+"/login" {
			t.Fatalf("password step: ended on %s with %d, want the second step", u, status)
		}
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("use-passkey"))); err != nil {
			t.Fatalf("the second step does not offer the passkey: %v", err)
		}
	}
	passwordStep()
	if eval[bool](t, ctx, `document.getElementById("code-form") !== null`) {
		t.Errorf("the second step offers a TOTP code to an account without TOTP")
	}
	bogus := true
	if _, err := chromedp.Call(ctx, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: auth, IsBogusSignature: &bogus}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("use-passkey")), chromedp.WaitVisible(chromedp.ID("passkey-error"))); err != nil {
		t.Fatalf("a bad signature: %v", err)
	}
	if msg := text(t, ctx, "#passkey-error"); !strings.HasPrefix(msg, "Your passkey could not be verified.") {
		t.Errorf("a bad signature: the page says %q", msg)
	}
	if !eval[bool](t, ctx, `document.getElementById("use-passkey").disabled`) {
		t.Errorf("the passkey button still offers the spent challenge")
	}
	if _, err := chromedp.Call(ctx, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: auth}); err != nil {
		t.Fatal(err)
	}
	passwordStep()
	if u := scriptNavigates(t, ctx, "#use-passkey"); u != s.base+"/account" {
		t.Fatalf("second step with the passkey: landed on %s", u)
	}

	// Remove it: the password, and the passkey itself to prove the owner (no code, no
	// recovery code typed); then the password alone logs in.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".passkey summary"))); err != nil {
		t.Fatal(err)
	}
	// The field's id holds the passkey's id, which may not make a CSS selector: the password
	// goes in by script.
	typed := fmt.Sprintf(`document.querySelector(".passkey-remove input[type=password]").value = %q`, password)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](typed)); err != nil {
		t.Fatal(err)
	}
	if u := scriptNavigates(t, ctx, ".passkey-remove [data-passkey-proof]"); u != s.base+"/account?done=passkey-removed" {
		t.Fatalf("remove with the passkey as proof: landed on %s", u)
	}
	if got := text(t, ctx, "#no-passkeys"); got != "No passkeys yet." {
		t.Errorf("after removing, the passkey section says %q", got)
	}
	submit(t, ctx, "#logout")
	logIn(t, ctx, s, "keyholder", password)

	for _, r := range b.requestURLs() {
		if strings.Contains(r, "gtm_") {
			t.Errorf("a request carried the ticket in its URL: %s", r)
		}
	}
	b.checkOffsite(t, s.base)
}
