package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// TestMailedLinksExpire: a verification, a reset and an email change link, none used, all
// stop working at their deadline, and following them afterwards changes nothing. The
// shortest lifetime the settings allow is a minute and the server keeps real time, so the
// test waits that minute out, in parallel with the other tests.
func TestMailedLinksExpire(t *testing.T) {
	t.Parallel()
	mp := testenv.MailpitServer(t)
	s := startServer(t, map[string]string{
		"GATEHOUSE_SMTP_URL":         "smtp://" + mp.SMTPAddr,
		"GATEHOUSE_MAIL_FROM":        "Gatehouse <no-reply@example.com>",
		"GATEHOUSE_PUBLIC_URL":       "http://127.0.0.1",
		"GATEHOUSE_USER_CACHE_TTL":   "0",
		"GATEHOUSE_VERIFY_TTL":       "1m",
		"GATEHOUSE_RESET_TTL":        "1m",
		"GATEHOUSE_EMAIL_CHANGE_TTL": "1m",
	})
	box, newBox := mp.Mailbox(t), mp.Mailbox(t)
	a := s.signupWithEmail(t, "expiry", "lantern-Quarry-4471", box)
	verify := s.verifyTokens(t, mp, box, 1)[0]
	tok := s.token(t, a) // before the reset request: a login voids reset links
	s.requestChange(t, tok.secret, newBox, a.password).expect(t, http.StatusAccepted)
	change := s.changeToken(t, waitMailsAbout(t, mp, newBox, "Confirm your new", 1)[0])
	s.requestReset(t, map[string]string{"email": box})
	reset := s.resetToken(t, waitMailsAbout(t, mp, box, aboutReset, 1)[0])
	issued := time.Now()

	time.Sleep(time.Until(issued.Add(time.Minute + time.Second)))

	s.confirmEmail(t, verify).fieldErrors(t, "token")
	s.do(t, "POST", "/v1/auth/password/reset/confirm", jsonBody(map[string]string{
		"token": reset, "new_password": "harbour-Violet-8823",
	})).fieldErrors(t, "token")
	s.confirmChange(t, change).fieldErrors(t, "token")

	me := s.me(t, withBasic(a.username, a.password)) // the old password still works
	if me["email"] != box || me["email_verified"] != false {
		t.Errorf("after expired links: email %v, verified %v; want %s, unverified", me["email"], me["email_verified"], box)
	}
}

// useLinkAtOnce posts body to path from n goroutines at once and fails unless exactly one
// answer is 204 and every other one 400: a mailed link works once, however many use it.
func (s *server) useLinkAtOnce(t *testing.T, path string, body map[string]string, n int) {
	t.Helper()
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := s.sendUnchecked("POST", path, jsonBody(body))
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = r.status
		})
	}
	wg.Wait()
	won := 0
	for i, status := range statuses {
		switch status {
		case http.StatusNoContent:
			won++
		case http.StatusBadRequest:
		default:
			t.Errorf("use %d of %s: status %d, want 204 or 400", i, path, status)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d uses of one link at once succeeded at %s, want exactly 1", won, n, path)
	}
}
