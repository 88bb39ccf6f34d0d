package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestCLIListsSessionsAndJSON: sessions list shows a user's sessions (id, times, IP,
// browser) and never a secret; every list command's --json is one JSON array.
func TestCLIListsSessionsAndJSON(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	s := c.server
	name, pw := s.name("lists"), "plum-Orchard-7391"
	s.secret(pw)
	c.must(t, pw+"\n", "user", "create", name, "--password-stdin")
	a := account{username: name, password: pw}
	firefox := "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
	s1, s2 := s.login(t, a, header("User-Agent", firefox)), s.login(t, a)
	tok := s.token(t, a)
	ids := []string{s.sessionID(t, s1), s.sessionID(t, s2)}
	secrets := []string{s1.cookie, s1.csrf, s2.cookie, s2.csrf, tok.secret}

	table := c.must(t, "", "sessions", "list", "--user", name)
	for _, want := range append([]string{"LAST SEEN", "BROWSER", "Firefox on Linux", "127.0.0.1"}, ids...) {
		if !strings.Contains(table, want) {
			t.Errorf("sessions list does not show %q:\n%s", want, table)
		}
	}

	var got []map[string]any
	decode := func(args ...string) []map[string]any {
		t.Helper()
		out := c.must(t, "", args...)
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("gatehouse %s prints a secret:\n%s", strings.Join(args, " "), out)
			}
		}
		var list []map[string]any
		if err := json.Unmarshal([]byte(out), &list); err != nil || list == nil {
			t.Fatalf("gatehouse %s: not a JSON array (%v):\n%s", strings.Join(args, " "), err, out)
		}
		return list
	}
	got = decode("sessions", "list", "--user", name, "--json")
	var gotIDs []string
	for _, ss := range got {
		gotIDs = append(gotIDs, ss["id"].(string))
		if ss["ip"] != "127.0.0.1" || ss["last_seen_at"] == nil || ss["browser"] == nil || ss["auth_level"] != 1.0 {
			t.Errorf("session %v lacks its IP, last use, browser or level 1", ss)
		}
	}
	slices.Sort(ids)
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, ids) {
		t.Errorf("sessions list --json ids %v, want %v", gotIDs, ids)
	}

	if got = decode("token", "list", "--user", name, "--json"); len(got) != 1 || got[0]["id"] != tok.id || got[0]["auth_level"] != 1.0 {
		t.Errorf("token list --json = %v, want the one token %s", got, tok.id)
	}
	found := false
	for _, u := range decode("user", "list", "--json") {
		found = found || u["username"] == name
	}
	if !found {
		t.Errorf("user list --json does not list %s", name)
	}

	// A user with nothing to list gets an empty array, not nothing.
	other := s.name("empty")
	c.must(t, pw+"\n", "user", "create", other, "--password-stdin")
	if got = decode("sessions", "list", "--user", other, "--json"); len(got) != 0 {
		t.Errorf("sessions list --json of a user without sessions = %v, want []", got)
	}
	if code, _, stderr := c.run(t, "", "sessions", "list", "--user", s.name("nobody")); code != 4 || !strings.Contains(stderr, "no such user") {
		t.Errorf("sessions list of an unknown user: exit %d, %q; want 4, no such user", code, stderr)
	}
}
