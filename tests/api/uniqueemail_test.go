package api_test

import (
	"net/http"
	"testing"
)

// TestUniqueEmail signs one address up twice in two spellings (case, and full-width letters,
// which NFKC folds): by default the second signup is refused on field email, and with
// GATEHOUSE_UNIQUE_EMAIL=false both succeed.
func TestUniqueEmail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		env    map[string]string
		unique bool
	}{
		{"unique by default", nil, true},
		{"shared with GATEHOUSE_UNIQUE_EMAIL=false", map[string]string{"GATEHOUSE_UNIQUE_EMAIL": "false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, tc.env)
			const pw = "harbour-Quill-8824"
			first := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
				"username": s.name("first"), "password": pw, "email": "Twin@Example.com",
			})).expect(t, http.StatusCreated).object(t)
			if first["email_verified"] != false {
				t.Errorf("email_verified = %v after signup, want false", first["email_verified"])
			}
			if me := s.me(t, withBasic(s.name("first"), pw)); me["email_verified"] != false {
				t.Errorf("/me email_verified = %v, want false", me["email_verified"])
			}
			second := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
				"username": s.name("second"), "password": pw, "email": "ｔｗｉｎ@example.COM",
			}))
			if !tc.unique {
				second.expect(t, http.StatusCreated)
				return
			}
			msgs := second.fieldErrors(t, "email")
			if len(msgs) != 1 || msgs[0] != "A user with that email address already exists." {
				t.Errorf("errors.email = %q, want the one taken-address message", msgs)
			}
			// Nothing was created: the name is still free, and a different address is accepted.
			s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
				"username": s.name("second"), "password": pw, "email": "other@example.com",
			})).expect(t, http.StatusCreated)
		})
	}
}
