package browser_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// mailTimeout bounds the wait for a mail through gatehouse's queue and Mailpit.
const mailTimeout = 20 * time.Second

// startMailGatehouse runs gatehouse with mail through the test Mailpit (skipping t without
// it, failing it under GATEHOUSE_REQUIRE_SERVICES=1), with env on top. Links in mails must
// lead back to this very server, so it listens on a port chosen here, which
// GATEHOUSE_PUBLIC_URL names.
func startMailGatehouse(t *testing.T, env ...map[string]string) (*site, *testenv.Mailpit) {
	t.Helper()
	mp := testenv.MailpitServer(t)
	addr := freeAddr(t)
	s := startGatehouse(t, append([]map[string]string{{
		"GATEHOUSE_ADDR":       addr,
		"GATEHOUSE_SMTP_URL":   "smtp://" + mp.SMTPAddr,
		"GATEHOUSE_MAIL_FROM":  "Gatehouse <no-reply@example.com>",
		"GATEHOUSE_PUBLIC_URL": "http://" + addr,
	}}, env...)...)
	if s.base != "http://"+addr {
		t.Fatalf("gatehouse listens on %s, want http://%s", s.base, addr)
	}
	return s, mp
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// resetLinkPattern finds a reset link in a mail: the secret rides in the fragment.
var resetLinkPattern = regexp.MustCompile(`http://[0-9.:]+/password/reset#token=gtr_[0-9A-Za-z]+`)

// referers is a site elsewhere that notes the Referer of every request it gets ("" for none).
type referers struct {
	*httptest.Server
	mu  sync.Mutex
	got []string
}

func newReferers(t *testing.T) *referers {
	r := &referers{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.got = append(r.got, req.Header.Get("Referer"))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>elsewhere</title><p>elsewhere</p>")
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *referers) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TestPasswordResetFromTheMail: a user logged in on a laptop forgets the password on a phone,
// asks from the login page's link, follows the mail's link, whose secret leaves the address
// at once and reaches no other site, sets a new password after a refused one, and logs in
// with it; the laptop is logged out, and the link does not work twice.
func TestPasswordResetFromTheMail(t *testing.T) {
	s, mp := startMailGatehouse(t)
	b := newBrowser(t)
	box := mp.Mailbox(t)
	s.signUpWithEmail(t, "forgetful", password, box)
	laptop := b.ctx
	logIn(t, laptop, s, "forgetful", password)

	phone := b.tab(t)
	open(t, phone, s.base+"/login")
	if u, _ := submit(t, phone, "#forgot-password"); u != s.base+"/password/reset" {
		t.Fatalf("the login page's reset link led to %s", u)
	}
	u, status := submit(t, phone, "form[action='/password/reset'] button", "account", strings.ToUpper(box))
	if status != 200 || query(u, "done") != "reset-sent" || !strings.Contains(text(t, phone, ".notice"), "If an account matches") {
		t.Fatalf("reset request: ended on %s with %d, want the page with the one notice", u, status)
	}

	msg := mp.WaitSubject(t, box, "Reset your", mailTimeout)
	link := resetLinkPattern.FindString(msg.Text)
	if !strings.HasPrefix(link, s.base+"/password/reset#token=gtr_") || !strings.Contains(msg.HTML, link) {
		t.Fatalf("mail %q has no reset link to %s in its text and HTML:\n%s", msg.Subject, s.base, msg.Text)
	}
	secret := link[strings.Index(link, "gtr_"):]

	// The secret leaves the address at once, for the form's hidden field alone.
	followLink := func() {
		t.Helper()
		open(t, phone, link)
		if err := chromedp.Do(phone, chromedp.WaitVisible(chromedp.ID("reset-confirm"))); err != nil {
			t.Fatalf("the link's page does not show the new-password form: %v", err)
		}
		if href := eval[string](t, phone, `location.href`); href != s.base+"/password/reset" {
			t.Errorf("after load the address is %q, want %s/password/reset: the secret stays in it", href, s.base)
		}
		if got := eval[string](t, phone, `document.querySelector("input[name=token]").value`); got != secret {
			t.Errorf("the form's token field holds %q, want the link's secret", got)
		}
		if eval[bool](t, phone, `document.getElementById("reset-request").checkVisibility()`) {
			t.Errorf("the request form still shows beside the new-password form")
		}
		if w := eval[int](t, phone, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
			t.Errorf("the link's page is %d px wider than a %d px phone screen", w, phoneWidth)
		}
	}
	followLink()

	// Nothing the page leads to learns of it: a link from it to another site is followed
	// without a Referer, and the tab's history (what Back goes to) holds no address with it.
	elsewhere := newReferers(t)
	eval[bool](t, phone, fmt.Sprintf(`(() => { const a = document.createElement("a"); a.id = "out"; a.href = %q;
		a.textContent = "elsewhere"; document.querySelector("main").append(a); return true })()`, elsewhere.URL+"/next"))
	submit(t, phone, "#out")
	if got := elsewhere.seen(); len(got) != 1 || got[0] != "" {
		t.Errorf("the other site got Referers %q, want one request without", got)
	}
	history, err := chromedp.Run(phone, chromedp.NavigationEntries())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range history.Entries {
		if strings.Contains(e.URL, "gtr_") {
			t.Errorf("the tab's history holds %q: Back would show the secret", e.URL)
		}
	}

	followLink()
	if _, status := submit(t, phone, "form[action='/password/reset/confirm'] button",
		"new_password", "12345678", "new_password2", "12345678"); status != http.StatusBadRequest {
		t.Fatalf("a numeric password: status %d, want 400", status)
	}
	if msg := text(t, phone, "form[action='/password/reset/confirm'] ul.errors"); !strings.Contains(msg, "entirely numeric") {
		t.Errorf("errors = %q, want the numeric-password rule", msg)
	}
	const newPassword = "a fresh start at last"
	u, status = submit(t, phone, "form[action='/password/reset/confirm'] button",
		"new_password", newPassword, "new_password2", newPassword)
	if status != 200 || !strings.HasPrefix(u, s.base+"/login") || query(u, "done") != "password-reset" {
		t.Fatalf("setting the new password: ended on %s with %d, want the login page", u, status)
	}
	if !strings.Contains(text(t, phone, ".notice"), "Log in with the new password") {
		t.Errorf("the login page does not say the password changed")
	}
	if _, status := submit(t, phone, "form[action='/login'] button", "username", "forgetful", "password", password); status != http.StatusUnauthorized {
		t.Errorf("login with the old password: status %d, want 401", status)
	}
	logIn(t, phone, s, "forgetful", newPassword)
	shootAccount(t, phone, s)

	if u, _ := open(t, laptop, s.base+"/account"); u != s.base+"/login?next=/account" {
		t.Errorf("after the reset the laptop's /account ended on %s, want /login?next=/account", u)
	}

	// The link worked once.
	followLink()
	if _, status := submit(t, phone, "form[action='/password/reset/confirm'] button",
		"new_password", "yet another passphrase", "new_password2", "yet another passphrase"); status != http.StatusBadRequest {
		t.Fatalf("the used link: status %d, want 400", status)
	}
	if msg := text(t, phone, "#reset-link-error"); !strings.Contains(msg, "invalid or has expired") || !strings.Contains(msg, "Ask for a new link") {
		t.Errorf("the used link's page says %q, want the invalid-link error with a way to ask again", msg)
	}
	logIn(t, laptop, s, "forgetful", newPassword)
	b.checkOffsite(t, s.base, elsewhere.URL)
}

// TestPasswordResetLinkNeedsScript: without JavaScript the link's page cannot read the
// secret, and says so beside the request form.
func TestPasswordResetLinkNeedsScript(t *testing.T) {
	s, _ := startMailGatehouse(t)
	b := newBrowser(t)
	noScript(t, b.ctx)
	if _, status := open(t, b.ctx, s.base+"/password/reset#token=gtr_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"); status != 200 {
		t.Fatalf("the link's page: status %d", status)
	}
	if msg := text(t, b.ctx, "#reset-noscript"); !strings.Contains(msg, "needs JavaScript") {
		t.Errorf("without JavaScript the page says %q, want that the link needs it", msg)
	}
	if eval[bool](t, b.ctx, `document.getElementById("reset-confirm").checkVisibility()`) {
		t.Errorf("without JavaScript the new-password form shows, but has no token to send")
	}
	b.checkOffsite(t, s.base)
}

// TestPasswordResetOff: without mail the login page offers no reset, and its page is 404.
func TestPasswordResetOff(t *testing.T) {
	s, b := startGatehouse(t), newBrowser(t)
	open(t, b.ctx, s.base+"/login")
	if eval[bool](t, b.ctx, `document.querySelector("a[href='/password/reset']") !== null`) {
		t.Errorf("without mail the login page offers a password reset")
	}
	if _, status := open(t, b.ctx, s.base+"/password/reset"); status != http.StatusNotFound {
		t.Errorf("without mail /password/reset: status %d, want 404", status)
	}
	b.checkOffsite(t, s.base)
}
