package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// changeLink finds the secret of an email change link in a mail: it rides in the fragment.
var changeLink = regexp.MustCompile(`/email/change#token=(gtc_[0-9A-Za-z]+)`)

// startChangeServer runs gatehouse with mail through the test Mailpit and without the user
// cache, so /v1/auth/me shows a confirmed address at once rather than after
// GATEHOUSE_USER_CACHE_TTL (the cache's documented staleness is no part of these tests).
func startChangeServer(t testing.TB, mp *testenv.Mailpit) *server {
	return startServer(t, map[string]string{
		"GATEHOUSE_SMTP_URL":       "smtp://" + mp.SMTPAddr,
		"GATEHOUSE_MAIL_FROM":      "Gatehouse <no-reply@example.com>",
		"GATEHOUSE_PUBLIC_URL":     "http://127.0.0.1",
		"GATEHOUSE_USER_CACHE_TTL": "0",
	})
}

// requestChange asks, with token tok and password pw, for the address to become email.
func (s *server) requestChange(t *testing.T, tok, email, pw string) *response {
	t.Helper()
	return s.do(t, "POST", "/v1/auth/email", withToken(tok), jsonBody(map[string]string{"email": email, "password": pw}))
}

// changeToken returns the secret of the change link in msg, registered as a secret the
// server must never log.
func (s *server) changeToken(t *testing.T, msg testenv.MailpitMessage) string {
	t.Helper()
	m := changeLink.FindStringSubmatch(msg.Text)
	if m == nil || !strings.Contains(msg.HTML, m[1]) {
		t.Fatalf("mail %q has no change link in both its text and HTML:\n%s", msg.Subject, msg.Text)
	}
	s.secret(m[1])
	return m[1]
}

func (s *server) confirmChange(t *testing.T, token string) *response {
	t.Helper()
	return s.do(t, "POST", "/v1/auth/email/change/confirm", jsonBody(map[string]string{"token": token}))
}

func TestEmailChange(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startChangeServer(t, mp)

	t.Run("change with both mails", func(t *testing.T) {
		oldBox, newBox := mp.Mailbox(t), mp.Mailbox(t)
		a := s.signupWithEmail(t, "mover", "lantern-Quarry-4471", oldBox)
		tok := s.token(t, a).secret

		s.requestChange(t, tok, newBox, a.password).expect(t, http.StatusAccepted)
		link := s.changeToken(t, waitMails(t, mp, newBox, 1)[0])
		notice := waitMailsAbout(t, mp, oldBox, "being changed", 1)[0]
		if !strings.Contains(notice.Subject, "being changed") || !strings.Contains(notice.Text, newBox) ||
			!strings.Contains(notice.Text, "127.0.0.1") || changeLink.MatchString(notice.Text) {
			t.Errorf("notice to the old address = %q, want one naming the new address and the client, without the link:\n%s",
				notice.Subject, notice.Text)
		}
		if me := s.me(t, withToken(tok)); me["email"] != oldBox {
			t.Errorf("me = %v before confirmation, want the old address", me)
		}

		s.confirmChange(t, link).expect(t, http.StatusNoContent)
		if me := s.me(t, withToken(tok)); me["email"] != newBox || me["email_verified"] != true {
			t.Errorf("me = %v, want the new address, verified", me)
		}
		s.confirmChange(t, link).fieldErrors(t, "token")

		done := waitMailsAbout(t, mp, oldBox, "address was changed", 1)[0]
		if !strings.Contains(done.Subject, "address was changed") || !strings.Contains(done.Text, newBox) {
			t.Errorf("newest mail to the old address = %q, want the email-changed notice:\n%s", done.Subject, done.Text)
		}
		// The new address is the account's now: a reset by it reaches the account.
		s.requestReset(t, map[string]string{"email": newBox})
		s.resetToken(t, waitMailsAbout(t, mp, newBox, aboutReset, 1)[0])
	})

	t.Run("a newer request voids a link", func(t *testing.T) {
		box, first, second := mp.Mailbox(t), mp.Mailbox(t), mp.Mailbox(t)
		a := s.signupWithEmail(t, "twice", "copper-Lagoon-3390", box)
		tok := s.token(t, a).secret
		s.requestChange(t, tok, first, a.password).expect(t, http.StatusAccepted)
		old := s.changeToken(t, waitMails(t, mp, first, 1)[0])
		s.requestChange(t, tok, second, a.password).expect(t, http.StatusAccepted)
		newer := s.changeToken(t, waitMails(t, mp, second, 1)[0])
		s.confirmChange(t, old).fieldErrors(t, "token")
		s.confirmChange(t, newer).expect(t, http.StatusNoContent)
		if me := s.me(t, withToken(tok)); me["email"] != second {
			t.Errorf("me = %v, want the newer address", me)
		}
	})

	t.Run("refused: taken address, own address, wrong password, bad link", func(t *testing.T) {
		box, other := mp.Mailbox(t), mp.Mailbox(t)
		a := s.signupWithEmail(t, "stay", "amber-Summit-6604", box)
		s.signupWithEmail(t, "holder", "amber-Summit-6605", other)
		tok := s.token(t, a).secret
		s.requestChange(t, tok, strings.ToUpper(other), a.password).fieldErrors(t, "email")
		s.requestChange(t, tok, box, a.password).fieldErrors(t, "email")
		s.requestChange(t, tok, mp.Mailbox(t), "wrong-Password-1").fieldErrors(t, "password")
		s.do(t, "POST", "/v1/auth/email", jsonBody(map[string]string{"email": other, "password": a.password})).
			expect(t, http.StatusUnauthorized)
		for _, bad := range []string{"nonsense", "gtc_" + strings.Repeat("A", 49)} {
			s.confirmChange(t, bad).fieldErrors(t, "token")
		}
		if me := s.me(t, withToken(tok)); me["email"] != box {
			t.Errorf("me = %v, want the address unchanged", me)
		}
	})
}

// TestEmailChangeLinkWorksOnce: many confirmations of one link at once, exactly one 204.
func TestEmailChangeLinkWorksOnce(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startChangeServer(t, mp)
	box, newBox := mp.Mailbox(t), mp.Mailbox(t)
	a := s.signupWithEmail(t, "racer", "pebble-Orchard-5518", box)
	s.requestChange(t, s.token(t, a).secret, newBox, a.password).expect(t, http.StatusAccepted)
	link := s.changeToken(t, waitMails(t, mp, newBox, 1)[0])

	s.useLinkAtOnce(t, "/v1/auth/email/change/confirm", map[string]string{"token": link}, 50)
}

func TestEmailChangeIsOffWithoutMail(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	a := s.signupWithEmail(t, "nomail", "willow-Canyon-7712", "nomail@example.com")
	s.requestChange(t, s.token(t, a).secret, "new@example.com", a.password).expect(t, http.StatusNotFound)
	s.confirmChange(t, "x").expect(t, http.StatusNotFound)
}

// TestCLIUserSetEmail: an operator's change applies at once, verified, under the address
// rule of signups.
func TestCLIUserSetEmail(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	s := c.server
	name, other, pw := s.name("setmail"), s.name("holder"), "plum-Orchard-7391"
	s.secret(pw)
	c.must(t, pw+"\n", "user", "create", name, "--email", "before."+s.tag+"@example.com", "--password-stdin")
	c.must(t, pw+"\n", "user", "create", other, "--email", "taken."+s.tag+"@example.com", "--password-stdin")
	c.must(t, "", "user", "set-email", name, "after."+s.tag+"@EXAMPLE.com")
	if me := s.me(t, withBasic(name, pw)); me["email"] != "after."+s.tag+"@example.com" || me["email_verified"] != true {
		t.Errorf("me = %v, want the operator's address, verified", me)
	}
	if code, _, stderr := c.run(t, "", "user", "set-email", name, "TAKEN."+s.tag+"@example.com"); code != 3 {
		t.Errorf("set-email to a taken address: exit %d, want 3\n%s", code, stderr)
	}
	if code, _, _ := c.run(t, "", "user", "set-email", s.name("nobody"), "x@example.com"); code != 4 {
		t.Errorf("set-email of an unknown user: exit %d, want 4", code)
	}
}
