package browser_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// verifyLinkPattern finds a verification link in a mail: the secret rides in the fragment.
var verifyLinkPattern = regexp.MustCompile(`http://[0-9.:]+/email/verify#token=gtv_[0-9A-Za-z]+`)

// TestEmailVerificationFromTheMail: a new user signs up on the page with an address, sees
// on the account page that it is not verified, asks for the link again, finds the first
// mail's link refused, follows the newest one, whose secret leaves the address at once,
// confirms, and the account page then says the address is verified.
func TestEmailVerificationFromTheMail(t *testing.T) {
	// Owners of sessions are not cached, so the account page shows the flag as stored now.
	s, mp := startMailGatehouse(t, map[string]string{"GATEHOUSE_USER_CACHE_TTL": "0"})
	b := newBrowser(t)
	ctx := b.ctx
	box := mp.Mailbox(t)

	open(t, ctx, s.base+"/signup")
	u, status := submit(t, ctx, "form[action='/signup'] button", "username", "newcomer", "email", box, "password", password)
	if status != 200 || !strings.HasPrefix(u, s.base+"/login") {
		t.Fatalf("signup: ended on %s with %d, want the login page", u, status)
	}
	// newestLink waits until n verification mails arrived and returns the link of the
	// newest. The test waits for each mail before it asks for the next, so the newest to
	// arrive is the newest sent.
	newestLink := func(n int) string {
		t.Helper()
		deadline := time.Now().Add(mailTimeout)
		var msgs []testenv.MailpitMessage
		for len(msgs) < n {
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d verification mails arrived within %v", n, mailTimeout)
			}
			time.Sleep(50 * time.Millisecond)
			msgs = slices.DeleteFunc(mp.Messages(t, box), func(m testenv.MailpitMessage) bool {
				return !strings.Contains(m.Subject, "Confirm your email")
			})
		}
		link := verifyLinkPattern.FindString(msgs[0].Text)
		if !strings.HasPrefix(link, s.base+"/email/verify#token=gtv_") || !strings.Contains(msgs[0].HTML, link) {
			t.Fatalf("mail %q has no verification link to %s in its text and HTML:\n%s", msgs[0].Subject, s.base, msgs[0].Text)
		}
		return link
	}
	first := newestLink(1)

	logIn(t, ctx, s, "newcomer", password)
	if got := text(t, ctx, "#account-email-status"); got != "not verified" {
		t.Errorf("the account page says the address is %q, want not verified", got)
	}
	u, status = submit(t, ctx, "#resend-verification")
	if status != 200 || query(u, "done") != "verify-sent" || !strings.Contains(text(t, ctx, ".notice"), "new verification link") {
		t.Fatalf("send the link again: ended on %s with %d", u, status)
	}
	second := newestLink(2)
	if second == first {
		t.Fatal("the second mail holds the first link")
	}
	secret := second[strings.Index(second, "gtv_"):]

	// The first link's page reads it, but the confirmation is refused: a newer link voided it.
	open(t, ctx, first)
	if _, status := submit(t, ctx, "#verify-button"); status != http.StatusBadRequest {
		t.Fatalf("the voided link: status %d, want 400", status)
	}
	if msg := text(t, ctx, "#verify-error"); !strings.Contains(msg, "invalid or has expired") || !strings.Contains(msg, "Send the link again") {
		t.Errorf("the voided link's page says %q", msg)
	}

	// Arrive from another address: a navigation that only changes the fragment is no load.
	open(t, ctx, s.base+"/account")
	open(t, ctx, second)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("verify-confirm"))); err != nil {
		t.Fatalf("the link's page does not show the confirmation: %v", err)
	}
	if href := eval[string](t, ctx, `location.href`); href != s.base+"/email/verify" {
		t.Errorf("after load the address is %q, want %s/email/verify: the secret stays in it", href, s.base)
	}
	if got := eval[string](t, ctx, `document.querySelector("input[name=token]").value`); got != secret {
		t.Errorf("the form's token field holds %q, want the link's secret", got)
	}
	if eval[bool](t, ctx, `document.getElementById("verify-none").checkVisibility()`) {
		t.Error("the no-link text still shows beside the confirmation")
	}
	u, status = submit(t, ctx, "#verify-button")
	if status != 200 || query(u, "done") != "email-verified" || !strings.Contains(text(t, ctx, ".notice"), "Your email address is verified") {
		t.Fatalf("confirming: ended on %s with %d, want the verified notice", u, status)
	}
	history, err := chromedp.Run(ctx, chromedp.NavigationEntries())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range history.Entries {
		if strings.Contains(e.URL, "gtv_") {
			t.Errorf("the tab's history holds %q", e.URL)
		}
	}

	open(t, ctx, s.base+"/account")
	if got := text(t, ctx, "#account-email-status"); got != "verified" {
		t.Errorf("after the link the account page says %q, want verified", got)
	}
	if eval[bool](t, ctx, `document.getElementById("resend-verification") !== null`) {
		t.Error("a verified address is still offered a new link")
	}
	shootAccount(t, ctx, s)
	b.checkOffsite(t, s.base)
}

// TestEmailVerificationOff: without mail the verification page is 404, and the account page
// neither rates the address nor offers a link.
func TestEmailVerificationOff(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	s.signUpWithEmail(t, "offline", password, "offline@example.com")
	if _, status := open(t, b.ctx, s.base+"/email/verify"); status != http.StatusNotFound {
		t.Errorf("without mail /email/verify: status %d, want 404", status)
	}
	logIn(t, b.ctx, s, "offline", password)
	if eval[bool](t, b.ctx, `document.getElementById("account-email-status") !== null || document.getElementById("resend-verification") !== null`) {
		t.Error("without mail the account page speaks of verification")
	}
	b.checkOffsite(t, s.base)
}
