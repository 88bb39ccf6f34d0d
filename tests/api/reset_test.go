package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// resetLink finds the secret of a reset link in a mail: it rides in the fragment.
var resetLink = regexp.MustCompile(`/password/reset#token=(gtr_[0-9A-Za-z]+)`)

// mailTimeout bounds the wait for a mail through the queue and Mailpit on a busy machine.
const mailTimeout = 20 * time.Second

// startMailServer runs gatehouse with mail through the test Mailpit.
func startMailServer(t testing.TB, mp *testenv.Mailpit) *server {
	return startServer(t, map[string]string{
		"GATEHOUSE_SMTP_URL":   "smtp://" + mp.SMTPAddr,
		"GATEHOUSE_MAIL_FROM":  "Gatehouse <no-reply@example.com>",
		"GATEHOUSE_PUBLIC_URL": "http://127.0.0.1",
	})
}

// signupWithEmail creates an account named s.name(base) with address email.
func (s *server) signupWithEmail(t testing.TB, base, password, email string) account {
	t.Helper()
	username := s.name(base)
	u := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
		"username": username, "password": password, "email": email,
	})).expect(t, http.StatusCreated).object(t)
	id, _ := u["id"].(float64)
	return account{username: username, password: password, id: id}
}

// requestReset asks for a reset link and checks the one answer every target gets.
func (s *server) requestReset(t *testing.T, body map[string]string) {
	t.Helper()
	m := s.do(t, "POST", "/v1/auth/password/reset", jsonBody(body)).expect(t, http.StatusAccepted).object(t)
	if d, _ := m["detail"].(string); !strings.Contains(d, "If an account matches") {
		t.Fatalf("reset request body = %v, want the fixed detail", m)
	}
}

// waitMails waits until n mails arrived for to and returns them, newest first. For an
// address with an account, whose signup sent a verification mail, see waitMailsAbout.
func waitMails(t *testing.T, mp *testenv.Mailpit, to string, n int) []testenv.MailpitMessage {
	t.Helper()
	return waitMailsAbout(t, mp, to, "", n)
}

// Subjects of the mails the tests wait for: an address with an account gets the signup's
// verification mail beside them, in no fixed order.
const (
	aboutReset   = "Reset your"
	aboutChanged = "password was changed"
	aboutVerify  = "Confirm your email"
)

// waitMailsAbout waits until n mails whose subject contains about arrived for to and returns
// them, newest first.
func waitMailsAbout(t *testing.T, mp *testenv.Mailpit, to, about string, n int) []testenv.MailpitMessage {
	t.Helper()
	deadline := time.Now().Add(mailTimeout)
	for {
		msgs := slices.DeleteFunc(mp.Messages(t, to), func(m testenv.MailpitMessage) bool {
			return !strings.Contains(m.Subject, about)
		})
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d mails to %s arrived within %v", n, to, mailTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// resetToken returns the secret of the reset link in msg, registered as a secret the
// server must never log.
func (s *server) resetToken(t *testing.T, msg testenv.MailpitMessage) string {
	t.Helper()
	m := resetLink.FindStringSubmatch(msg.Text)
	if m == nil || !strings.Contains(msg.HTML, m[1]) {
		t.Fatalf("mail %q has no reset link in both its text and HTML:\n%s", msg.Subject, msg.Text)
	}
	s.secret(m[1])
	return m[1]
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startMailServer(t, mp)

	t.Run("forget, reset mail, new password", func(t *testing.T) {
		box := mp.Mailbox(t)
		a := s.signupWithEmail(t, "forgot", "lantern-Quarry-4471", box)
		tok, sess := s.token(t, a), s.login(t, a)

		s.requestReset(t, map[string]string{"email": strings.ToUpper(box)})
		link := s.resetToken(t, waitMailsAbout(t, mp, box, aboutReset, 1)[0])

		s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
			"token": link, "new_password": "short",
		})).fieldErrors(t, "new_password")
		const fresh = "harbour-Violet-8823"
		s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
			"token": link, "new_password": fresh,
		})).expect(t, http.StatusNoContent)

		s.do(t, "GET", "/v1/auth/me", withToken(tok.secret)).expect(t, http.StatusUnauthorized)
		if r := s.do(t, "GET", "/v1/auth/me", withSession(sess)); r.status/100 != 4 {
			t.Errorf("the old session still works: %d", r.status)
		}
		s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": a.username, "password": a.password,
		})).expect(t, http.StatusUnauthorized)
		a.password = fresh
		s.me(t, withToken(s.token(t, a).secret))

		s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
			"token": link, "new_password": "another-Meadow-5521",
		})).fieldErrors(t, "token")

		notice := waitMailsAbout(t, mp, box, aboutChanged, 1)[0]
		if !strings.Contains(notice.Subject, "password was changed") || !strings.Contains(notice.Text, "127.0.0.1") {
			t.Errorf("newest mail = %q, want the password-changed notice naming the client:\n%s", notice.Subject, notice.Text)
		}
	})

	t.Run("a newer request or a login voids a link", func(t *testing.T) {
		box := mp.Mailbox(t)
		a := s.signupWithEmail(t, "twice", "copper-Lagoon-3390", box)
		s.requestReset(t, map[string]string{"username": a.username})
		first := s.resetToken(t, waitMailsAbout(t, mp, box, aboutReset, 1)[0])
		s.requestReset(t, map[string]string{"email": box})
		second := s.resetToken(t, waitMailsAbout(t, mp, box, aboutReset, 2)[0])
		if first == second {
			t.Fatal("two requests mailed the same link")
		}
		s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
			"token": first, "new_password": "willow-Canyon-7712",
		})).fieldErrors(t, "token")
		s.login(t, a)
		s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
			"token": second, "new_password": "willow-Canyon-7712",
		})).fieldErrors(t, "token")
	})

	t.Run("an unknown address gets the same answer and no mail", func(t *testing.T) {
		box := mp.Mailbox(t)
		s.requestReset(t, map[string]string{"email": box})
		s.requestReset(t, map[string]string{"username": s.name("nobody")})
		// A known address sent alongside proves the queue ran before the check.
		known := mp.Mailbox(t)
		s.signupWithEmail(t, "known", "amber-Summit-6604", known)
		s.requestReset(t, map[string]string{"email": known})
		waitMailsAbout(t, mp, known, aboutReset, 1)
		if msgs := mp.Messages(t, box); len(msgs) != 0 {
			t.Errorf("%d mails to an address without an account", len(msgs))
		}
	})

	t.Run("a malformed or unknown token is refused alike", func(t *testing.T) {
		for _, tok := range []string{"nonsense", "gtr_" + strings.Repeat("A", 49)} {
			s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
				"token": tok, "new_password": "willow-Canyon-7712",
			})).fieldErrors(t, "token")
		}
	})
}

func TestPasswordResetIsOffWithoutMail(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.do(t, "POST", "/v1/auth/password/reset", jsonBody(map[string]string{"email": "a@example.com"})).expect(t, http.StatusNotFound)
	s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
		"token": "x", "new_password": "willow-Canyon-7712",
	})).expect(t, http.StatusNotFound)
}

// TestPasswordResetAnswersAlike: a reset request for an address with an account and one
// without get the same status and body. Their time is measured by BenchmarkPasswordResetTiming.
func TestPasswordResetAnswersAlike(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startMailServer(t, mp)
	known := mp.Mailbox(t)
	s.signupWithEmail(t, "alike", "walnut-Prism-2259", known)
	rk := s.do(t, "POST", "/v1/auth/password/reset", jsonBody(map[string]string{"email": known})).expect(t, http.StatusAccepted)
	ru := s.do(t, "POST", "/v1/auth/password/reset", jsonBody(map[string]string{"email": mp.Mailbox(t)})).expect(t, http.StatusAccepted)
	if string(rk.body) != string(ru.body) {
		t.Errorf("bodies differ: known %s, unknown %s", rk.body, ru.body)
	}
}

// BenchmarkPasswordResetTiming measures what a reset request's time tells about an address:
// requests for an address with an account and one without alternate, so load on the machine
// hits both alike, and each side's median is reported. The README states the numbers:
//
//	go test -run '^$' -bench PasswordResetTiming -benchtime 25x ./tests/api
func BenchmarkPasswordResetTiming(b *testing.B) {
	mp := testenv.MailpitServer(b)
	s := startMailServer(b, mp)
	known := mp.Mailbox(b)
	s.signupWithEmail(b, "timed", "walnut-Prism-2259", known)
	unknown := mp.Mailbox(b)
	times := map[string][]time.Duration{}
	for b.Loop() {
		for _, side := range []struct{ name, addr string }{{"known", known}, {"unknown", unknown}} {
			start := time.Now()
			s.do(b, "POST", "/v1/auth/password/reset", jsonBody(map[string]string{"email": side.addr})).
				expect(b, http.StatusAccepted)
			times[side.name] = append(times[side.name], time.Since(start))
		}
	}
	b.ReportMetric(float64(median(times["known"]).Microseconds())/1000, "known-median-ms")
	b.ReportMetric(float64(median(times["unknown"]).Microseconds())/1000, "unknown-median-ms")
}

// median returns the median of ds.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestPasswordResetPageLinkWorksOnce: the reset page's form reaches the same single-use link
// as the API. Many browsers posting one link at once: exactly one sets its password and goes
// on to log in, every other is told the link is invalid, and only the winner's password works.
func TestPasswordResetPageLinkWorksOnce(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startMailServer(t, mp)
	box := mp.Mailbox(t)
	a := s.signupWithEmail(t, "racer", "pebble-Orchard-5518", box)
	s.requestReset(t, map[string]string{"email": box})
	link := s.resetToken(t, waitMailsAbout(t, mp, box, aboutReset, 1)[0])
	nonce, token := s.pageFormToken(t, "/password/reset")

	const racers = 12
	statuses := make([]int, racers)
	bodies := make([]string, racers)
	var wg sync.WaitGroup
	for i := range racers {
		pw := fmt.Sprintf("pebble-Orchard-%d", 6000+i)
		s.secret(pw)
		wg.Go(func() {
			r, err := s.sendUnchecked("POST", "/password/reset/confirm", header("Origin", s.base), cookie("formcsrf", nonce),
				formBody(url.Values{"token": {link}, "new_password": {pw}, "new_password2": {pw}, "csrfmiddlewaretoken": {token}}))
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i], bodies[i] = r.status, string(r.body)
			if r.status == http.StatusSeeOther && r.header.Get("Location") != "/login?done=password-reset" {
				t.Errorf("racer %d went on to %q", i, r.header.Get("Location"))
			}
		})
	}
	wg.Wait()
	winner := -1
	for i, status := range statuses {
		switch {
		case status == http.StatusSeeOther && winner < 0:
			winner = i
		case status == http.StatusSeeOther:
			t.Errorf("racers %d and %d both used the link", winner, i)
		case status != http.StatusBadRequest || !strings.Contains(bodies[i], "This reset link is invalid or has expired."):
			t.Errorf("racer %d: status %d, want 400 with the invalid-link message:\n%.400s", i, status, bodies[i])
		}
	}
	if winner < 0 {
		t.Fatalf("no racer set the password: %v", statuses)
	}
	for i := range racers {
		want := http.StatusUnauthorized
		if i == winner {
			want = http.StatusOK
		}
		s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{
			"username": a.username, "password": fmt.Sprintf("pebble-Orchard-%d", 6000+i),
		})).expect(t, want)
	}
}
