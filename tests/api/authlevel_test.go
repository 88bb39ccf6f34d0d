package api_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// TestAuthLevel: a session or token from the two-step login is level 2 at /me, at the verify
// endpoint (which refuses the others when asked for level 2) and in the lists; one from the
// password alone is level 1, before and after the account gets a second factor.
func TestAuthLevel(t *testing.T) {
	t.Parallel()
	var k [domain.ServerKeyBytes]byte
	rand.Read(k[:])
	key := base64.StdEncoding.EncodeToString(k[:])
	s := startServer(t, map[string]string{"GATEHOUSE_SECRET_KEY": key})
	s.secret(key)
	a := s.signup(t, "levels", "violet-Harbour-4471")
	plain, plainSession := s.token(t, a), s.login(t, a)
	app, _ := s.enrolTOTP(t, plain)

	m := s.verifyMFA(t, map[string]string{"ticket": s.ticket(t, a, "/v1/auth/token"), "code": app.next()}).
		expect(t, http.StatusOK).object(t)
	twoStep, _ := m["token"].(string)
	r := s.verifyMFA(t, map[string]string{"ticket": s.ticket(t, a, "/v1/auth/login"), "code": app.next()}).
		expect(t, http.StatusOK)
	sid, csrf := r.cookie("sessionid"), r.cookie("csrftoken")
	if twoStep == "" || sid == nil || csrf == nil {
		t.Fatalf("the second step gave no token (%v) or no session cookies", m)
	}
	twoStepSession := session{cookie: sid.Value, csrf: csrf.Value}

	for _, tc := range []struct {
		name  string
		cred  opt
		level float64
	}{
		{"password token", withToken(plain.secret), 1},
		{"password session", withSession(plainSession), 1},
		{"two-step token", withToken(twoStep), 2},
		{"two-step session", withSession(twoStepSession), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.me(t, tc.cred)["auth_level"]; got != tc.level {
				t.Errorf("/me auth_level = %v, want %v", got, tc.level)
			}
			r := s.do(t, "GET", "/v1/auth/verify", tc.cred, header("X-Original-Method", "GET")).expect(t, http.StatusOK)
			if got, want := r.header.Values("X-Gatehouse-Auth-Level"), map[float64]string{1: "1", 2: "2"}[tc.level]; len(got) != 1 || got[0] != want {
				t.Errorf("X-Gatehouse-Auth-Level = %q, want %q", got, want)
			}
			// A proxy that demands a second factor asks with level=2.
			r = s.do(t, "GET", "/v1/auth/verify?level=2", tc.cred, header("X-Original-Method", "GET"))
			if tc.level == 2 {
				r.expect(t, http.StatusOK)
			} else if p := r.expect(t, http.StatusForbidden).problem(t); p.Code != "auth_level_too_low" {
				t.Errorf("verify?level=2 refused with code %q, want auth_level_too_low", p.Code)
			}
		})
	}

	levels := func(path string) map[float64]int {
		n := map[float64]int{}
		for _, item := range s.do(t, "GET", path, withToken(twoStep)).expect(t, http.StatusOK).array(t) {
			l, _ := item["auth_level"].(float64)
			n[l]++
		}
		return n
	}
	if got := levels("/v1/auth/tokens"); got[1] != 1 || got[2] != 1 || len(got) != 2 {
		t.Errorf("tokens by level = %v, want one at 1 and one at 2", got)
	}
	if got := levels("/v1/auth/sessions"); got[1] != 1 || got[2] != 1 || len(got) != 2 {
		t.Errorf("sessions by level = %v, want one at 1 and one at 2", got)
	}
}
