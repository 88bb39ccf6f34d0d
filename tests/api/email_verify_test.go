package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// verifyLinkPattern finds the secret of a verification link in a mail: it rides in the
// fragment.
var verifyLinkPattern = regexp.MustCompile(`/email/verify#token=(gtv_[0-9A-Za-z]+)`)

const badVerifyLink = "This verification link is invalid or has expired."

// verifyTokens waits for n verification mails to to and returns the secrets of their
// links, registered as secrets the server must never log, newest mail first.
func (s *server) verifyTokens(t *testing.T, mp *testenv.Mailpit, to string, n int) []string {
	t.Helper()
	var out []string
	for _, msg := range waitMailsAbout(t, mp, to, aboutVerify, n) {
		m := verifyLinkPattern.FindStringSubmatch(msg.Text)
		if m == nil || !strings.Contains(msg.HTML, m[1]) {
			t.Fatalf("mail %q has no verification link in both its text and HTML:\n%s", msg.Subject, msg.Text)
		}
		s.secret(m[1])
		out = append(out, m[1])
	}
	return out
}

func (s *server) confirmEmail(t *testing.T, token string) *response {
	t.Helper()
	return s.do(t, "POST", "/v1/auth/email/verify", jsonBody(map[string]string{"token": token}))
}

// confirmOne posts every link and fails unless exactly one of them verifies: mails leave
// the queue in no fixed order, so which one came last says nothing, but only the newest
// link issued works.
func (s *server) confirmOne(t *testing.T, tokens []string) {
	t.Helper()
	ok := 0
	for _, tok := range tokens {
		r := s.confirmEmail(t, tok)
		switch {
		case r.status == http.StatusNoContent:
			ok++
		case r.status != http.StatusBadRequest:
			t.Fatalf("confirming: status %d: %s", r.status, r.body)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d links verified, want exactly the newest one", ok, len(tokens))
	}
}

func verifiedFlag(t *testing.T, s *server, a account) any {
	t.Helper()
	// Basic reads the user from the store, not from a credential owner's cache.
	return s.me(t, withBasic(a.username, a.password))["email_verified"]
}

func TestEmailVerification(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startMailServer(t, mp)

	t.Run("sign up with an address, mail, verify", func(t *testing.T) {
		box := mp.Mailbox(t)
		a := s.signupWithEmail(t, "verify", "lantern-Quarry-4471", box)
		if got := verifiedFlag(t, s, a); got != false {
			t.Fatalf("email_verified = %v before the link, want false", got)
		}
		link := s.verifyTokens(t, mp, box, 1)[0]
		s.confirmEmail(t, link).expect(t, http.StatusNoContent)
		if got := verifiedFlag(t, s, a); got != true {
			t.Errorf("email_verified = %v after the link, want true", got)
		}
		if msgs := s.confirmEmail(t, link).fieldErrors(t, "token"); msgs[0] != badVerifyLink {
			t.Errorf("a used link: %q, want %q", msgs, badVerifyLink)
		}
		// Verified: nothing to send again.
		tok := s.token(t, a)
		r := s.do(t, "POST", "/v1/auth/email/verify/resend", withToken(tok.secret)).expect(t, http.StatusBadRequest)
		if d := r.problem(t).Detail; !strings.Contains(d, "verified already") {
			t.Errorf("resend when verified: %q", d)
		}
	})

	t.Run("a new link voids the older ones; asking is throttled", func(t *testing.T) {
		box := mp.Mailbox(t)
		a := s.signupWithEmail(t, "resend", "copper-Lagoon-3390", box)
		first := s.verifyTokens(t, mp, box, 1)[0]
		tok := s.token(t, a)
		resend := func() *response { return s.do(t, "POST", "/v1/auth/email/verify/resend", withToken(tok.secret)) }
		if d, _ := resend().expect(t, http.StatusAccepted).object(t)["detail"].(string); !strings.Contains(d, "sent") {
			t.Errorf("resend detail = %q", d)
		}
		second := s.verifyTokens(t, mp, box, 2)[0]
		if second == first {
			t.Fatal("the resend mailed the same link")
		}
		s.confirmEmail(t, first).fieldErrors(t, "token")
		resend().expect(t, http.StatusAccepted)
		resend().expect(t, http.StatusAccepted)
		if r := resend().expect(t, http.StatusTooManyRequests); r.header.Get("Retry-After") == "" {
			t.Error("a throttled resend has no Retry-After")
		}
		s.confirmOne(t, s.verifyTokens(t, mp, box, 4))
		if got := verifiedFlag(t, s, a); got != true {
			t.Errorf("email_verified = %v, want true", got)
		}
	})

	t.Run("no address, nothing to verify", func(t *testing.T) {
		a := s.signup(t, "noaddress", "amber-Summit-6604")
		r := s.do(t, "POST", "/v1/auth/email/verify/resend", withBasic(a.username, a.password)).expect(t, http.StatusBadRequest)
		if d := r.problem(t).Detail; !strings.Contains(d, "no email address") {
			t.Errorf("resend without an address: %q", d)
		}
		s.do(t, "POST", "/v1/auth/email/verify/resend").expect(t, http.StatusUnauthorized)
	})

	t.Run("malformed and unknown links are refused alike", func(t *testing.T) {
		for _, tok := range []string{"nonsense", "gtv_" + strings.Repeat("A", 49), "gtr_" + strings.Repeat("A", 49)} {
			if msgs := s.confirmEmail(t, tok).fieldErrors(t, "token"); msgs[0] != badVerifyLink {
				t.Errorf("%.8s…: %q", tok, msgs)
			}
		}
	})

	t.Run("a link works once when many use it at once", func(t *testing.T) {
		box := mp.Mailbox(t)
		a := s.signupWithEmail(t, "racer", "pebble-Orchard-5518", box)
		link := s.verifyTokens(t, mp, box, 1)[0]
		s.useLinkAtOnce(t, "/v1/auth/email/verify", map[string]string{"token": link}, 50)
		if got := verifiedFlag(t, s, a); got != true {
			t.Errorf("email_verified = %v, want true", got)
		}
	})
}

// TestRequireVerifiedEmail: with GATEHOUSE_REQUIRE_VERIFIED_EMAIL a right password of an
// unverified account is refused with 403 and a problem document that says why, on every
// kind of login, and a wrong one still gets the generic 401; the refusals mail new links,
// and once the newest is followed every login works.
func TestRequireVerifiedEmail(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startServer(t, map[string]string{
		"GATEHOUSE_SMTP_URL":               "smtp://" + mp.SMTPAddr,
		"GATEHOUSE_MAIL_FROM":              "Gatehouse <no-reply@example.com>",
		"GATEHOUSE_PUBLIC_URL":             "http://127.0.0.1",
		"GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true",
	})
	s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
		"username": s.name("noaddress"), "password": "walnut-Prism-2259",
	})).fieldErrors(t, "email")

	box := mp.Mailbox(t)
	a := s.signupWithEmail(t, "strict", "walnut-Prism-2259", box)
	s.verifyTokens(t, mp, box, 1)
	creds := jsonBody(map[string]string{"username": a.username, "password": a.password})
	wrong := jsonBody(map[string]string{"username": a.username, "password": "walnut-Prism-0000"})

	s.do(t, "POST", "/v1/auth/token", wrong).expect(t, http.StatusUnauthorized)
	s.do(t, "POST", "/v1/auth/login", wrong).expect(t, http.StatusUnauthorized)
	s.do(t, "GET", "/v1/auth/me", withBasic(a.username, "walnut-Prism-0000")).expect(t, http.StatusUnauthorized)
	refusals := []*response{
		s.do(t, "POST", "/v1/auth/token", creds),
		s.do(t, "POST", "/v1/auth/login", creds),
		s.do(t, "GET", "/v1/auth/me", withBasic(a.username, a.password)),
	}
	for _, r := range refusals {
		r.expect(t, http.StatusForbidden)
		doc := r.object(t)
		if doc["code"] != "email_unverified" || !strings.Contains(doc["detail"].(string), "Verify your email address") {
			t.Errorf("%s %s: %s, want code email_unverified and a detail that says to verify", r.method, r.path, r.body)
		}
		if r.cookie("sessionid") != nil && r.cookie("sessionid").Value != "" {
			t.Errorf("%s %s set a session cookie", r.method, r.path)
		}
	}

	// The signup's mail and one from each refusal: only the newest link works.
	s.confirmOne(t, s.verifyTokens(t, mp, box, 1+len(refusals)))
	s.token(t, a)
	s.login(t, a)
	if got := verifiedFlag(t, s, a); got != true {
		t.Errorf("email_verified = %v, want true", got)
	}
	s.do(t, "POST", "/v1/auth/token", wrong).expect(t, http.StatusUnauthorized)
}

func TestEmailVerificationIsOffWithoutMail(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signup(t, "nomail", "walnut-Prism-2259")
	s.do(t, "POST", "/v1/auth/email/verify", jsonBody(map[string]string{"token": "x"})).expect(t, http.StatusNotFound)
	s.do(t, "POST", "/v1/auth/email/verify/resend", withBasic(a.username, a.password)).expect(t, http.StatusNotFound)
	s.do(t, "GET", "/email/verify").expect(t, http.StatusNotFound)
}

func TestCLIVerifyEmail(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	s := c.server
	a := account{username: s.name("vouched"), password: "plum-Orchard-7391"}
	s.secret(a.password)
	c.must(t, a.password+"\n", "user", "create", a.username, "--email", "vouched@example.com", "--password-stdin")
	if got := verifiedFlag(t, s, a); got != false {
		t.Fatalf("email_verified = %v after create, want false", got)
	}
	c.must(t, "", "user", "verify-email", a.username)
	if got := verifiedFlag(t, s, a); got != true {
		t.Errorf("email_verified = %v after verify-email, want true", got)
	}
	bare := s.name("bare")
	c.must(t, a.password+"\n", "user", "create", bare, "--password-stdin")
	if code, _, stderr := c.run(t, "", "user", "verify-email", bare); code != 3 || !strings.Contains(stderr, "no email address") {
		t.Errorf("verify-email of a user without an address: exit %d, %q; want 3", code, stderr)
	}
	if code, _, _ := c.run(t, "", "user", "verify-email", s.name("nobody")); code != 4 {
		t.Errorf("verify-email of an unknown user: exit %d, want 4", code)
	}
}
