package browser_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// changeLinkPattern finds an email change link in a mail: the secret rides in the fragment.
var changeLinkPattern = regexp.MustCompile(`http://[0-9.:]+/email/change#token=gtc_[0-9A-Za-z]+`)

// TestEmailChangeFromTheMail: a user asks on the account page for a new address, the old
// one gets a notice, and the link mailed to the new one, opened in another browser without
// a session, confirms it; its secret leaves the address at once, and it works once.
func TestEmailChangeFromTheMail(t *testing.T) {
	s, mp := startMailGatehouse(t)
	b := newBrowser(t)
	oldBox, newBox := mp.Mailbox(t), mp.Mailbox(t)
	s.signUpWithEmail(t, "mover", password, oldBox)
	laptop := b.ctx
	logIn(t, laptop, s, "mover", password)

	if _, status := submit(t, laptop, "#change-email-button", "new-email", newBox, "email-password", "not my password"); status != http.StatusBadRequest {
		t.Fatalf("a wrong password: status %d, want 400", status)
	}
	if msg := text(t, laptop, "form[action='/account/email'] ul.errors"); !strings.Contains(msg, "incorrectly") {
		t.Errorf("errors = %q, want the wrong-password message", msg)
	}
	u, status := submit(t, laptop, "#change-email-button", "new-email", newBox, "email-password", password)
	if status != 200 || query(u, "done") != "email-change-sent" || !strings.Contains(text(t, laptop, ".notice"), "Check your new inbox") {
		t.Fatalf("asking for the change: ended on %s with %d, want the account page telling to check the new inbox", u, status)
	}
	if notice := mp.WaitSubject(t, oldBox, "being changed", mailTimeout); !strings.Contains(notice.Text, newBox) {
		t.Errorf("the notice to the old address does not name the new one:\n%s", notice.Text)
	}
	msg := mp.WaitMessage(t, newBox, mailTimeout)
	link := changeLinkPattern.FindString(msg.Text)
	if !strings.HasPrefix(link, s.base+"/email/change#token=gtc_") || !strings.Contains(msg.HTML, link) {
		t.Fatalf("mail %q has no change link to %s in its text and HTML:\n%s", msg.Subject, s.base, msg.Text)
	}
	secret := link[strings.Index(link, "gtc_"):]

	phone := b.tab(t)
	followLink := func() {
		t.Helper()
		open(t, phone, link)
		if err := chromedp.Do(phone, chromedp.WaitVisible(chromedp.ID("change-confirm"))); err != nil {
			t.Fatalf("the link's page does not show the confirmation: %v", err)
		}
		if href := eval[string](t, phone, `location.href`); href != s.base+"/email/change" {
			t.Errorf("after load the address is %q, want %s/email/change: the secret stays in it", href, s.base)
		}
		if got := eval[string](t, phone, `document.querySelector("input[name=token]").value`); got != secret {
			t.Errorf("the form's token field holds %q, want the link's secret", got)
		}
	}
	followLink()
	if _, status := submit(t, phone, "#confirm-email-change"); status != http.StatusOK {
		t.Fatalf("confirming: status %d, want 200", status)
	}
	if got := text(t, phone, "#new-email"); got != newBox {
		t.Errorf("the page says the address is now %q, want %s", got, newBox)
	}

	followLink()
	if _, status := submit(t, phone, "#confirm-email-change"); status != http.StatusBadRequest {
		t.Fatalf("the used link: status %d, want 400", status)
	}
	if msg := text(t, phone, "#change-link-error"); !strings.Contains(msg, "invalid or has expired") {
		t.Errorf("the used link's page says %q, want the invalid-link error", msg)
	}
	b.checkOffsite(t, s.base)
}
