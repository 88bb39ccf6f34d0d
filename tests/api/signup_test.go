package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// userKeys is the shape of a user in every response that returns one.
const userKeys = "date_joined,email,email_verified,id,username"

// checkRecent fails unless v is an RFC 3339 time within a minute of now.
func checkRecent(t testing.TB, field string, v any) {
	t.Helper()
	s, _ := v.(string)
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Errorf("%s = %v, want an RFC 3339 time", field, v)
		return
	}
	if d := time.Since(at); d < -time.Minute || d > time.Minute {
		t.Errorf("%s = %v, want about now", field, s)
	}
}

func TestSignup(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	alice := s.name("Alice")

	t.Run("answers 201 with id, username, email and date_joined", func(t *testing.T) {
		u := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
			"username": alice, "password": "plum-Orchard-1984", "email": "alice@example.com",
		})).expect(t, http.StatusCreated).object(t)
		if got := keys(u); got != userKeys {
			t.Errorf("keys = %s, want %s: %v", got, userKeys, u)
		}
		if id, _ := u["id"].(float64); id <= 0 {
			t.Errorf("id = %v, want a positive number", u["id"])
		}
		if u["username"] != alice || u["email"] != "alice@example.com" {
			t.Errorf("username, email = %v, %v; want %s, alice@example.com", u["username"], u["email"], alice)
		}
		checkRecent(t, "date_joined", u["date_joined"])
	})

	t.Run("refuses a username taken in another case or width", func(t *testing.T) {
		for _, name := range []string{alice, strings.ToUpper(alice), strings.ToLower(alice), fullWidth(alice)} {
			t.Run(name, func(t *testing.T) {
				s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
					"username": name, "password": "quince-Harbour-2071",
				})).fieldErrors(t, "username")
			})
		}
	})

	t.Run("refuses a password that breaks the policy", func(t *testing.T) {
		for _, tc := range []struct {
			name, username, password string
			want                     []string // one message per broken rule, by keyword
		}{
			{"too short", "shorty", "Zq9!xw", []string{"short"}},
			{"entirely numeric", "numbers", "9384710293847", []string{"numeric"}},
			{"too common", "commoner", "iloveyou", []string{"common"}},
			{"too similar to the username", "bartholomew", "bartholomew9", []string{"similar"}},
			{"over 1024 bytes", "verbose", strings.Repeat("aB3-", 257), []string{"long"}},
			{"every broken rule", "several", "12345678", []string{"common", "numeric"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				msgs := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
					"username": tc.username, "password": tc.password,
				})).fieldErrors(t, "password")
				if len(msgs) != len(tc.want) {
					t.Errorf("errors.password = %q, want %d messages", msgs, len(tc.want))
				}
				for _, kw := range tc.want {
					if !containsWord(msgs, kw) {
						t.Errorf("errors.password = %q, want a message saying %q", msgs, kw)
					}
				}
			})
		}
	})

	t.Run("refuses a username that breaks the rules", func(t *testing.T) {
		for _, tc := range []struct{ name, username string }{
			{"blank", ""},
			{"with a space", "two words"},
			{"with punctuation", "bang!"},
			{"with a slash", "a/b"},
			{"over 150 characters", strings.Repeat("u", 151)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]string{
					"username": tc.username, "password": "quince-Harbour-2071",
				})).fieldErrors(t, "username")
			})
		}
	})

	t.Run("ignores fields a client may not set", func(t *testing.T) {
		mallory := s.name("mallory")
		u := s.do(t, "POST", "/v1/auth/signup", jsonBody(map[string]any{
			"username": mallory, "password": "sly-Fox-tr0t-55",
			"id": 999999, "is_staff": true, "is_superuser": true, "is_active": false,
			"date_joined": "2000-01-01T00:00:00Z",
		})).expect(t, http.StatusCreated).object(t)
		if got := keys(u); got != userKeys {
			t.Errorf("keys = %s, want %s", got, userKeys)
		}
		if u["id"] == float64(999999) {
			t.Errorf("id = 999999: the client chose its own id")
		}
		checkRecent(t, "date_joined", u["date_joined"])
		// is_active=false was ignored: the new user can log in.
		s.token(t, account{username: mallory, password: "sly-Fox-tr0t-55"})
	})
}

// fullWidth spells s in full-width forms ("Ａｌｉｃｅ"), which NFKC folds back to ASCII.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if '!' <= r && r <= '~' {
			return r - '!' + '！'
		}
		return r
	}, s)
}

// containsWord reports whether any message contains kw.
func containsWord(msgs []string, kw string) bool {
	for _, m := range msgs {
		if strings.Contains(strings.ToLower(m), kw) {
			return true
		}
	}
	return false
}
