package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// TestListOutput: --json writes one JSON array whatever the number of rows, and the table
// a header and a line a row.
func TestListOutput(t *testing.T) {
	type item struct {
		N int `json:"n"`
	}
	for _, rows := range []int{0, 1, 3} {
		var b strings.Builder
		out := newListOutput(&b, true, "N")
		for i := range rows {
			if err := out.row(item{i}, "x"); err != nil {
				t.Fatal(err)
			}
		}
		if err := out.close(); err != nil {
			t.Fatal(err)
		}
		var got []item
		if err := json.Unmarshal([]byte(b.String()), &got); err != nil || got == nil || len(got) != rows {
			t.Errorf("%d rows: %q is not a JSON array of %d (%v)", rows, b.String(), rows, err)
		}
		for i, it := range got {
			if it.N != i {
				t.Errorf("%d rows: element %d is %d", rows, i, it.N)
			}
		}

		b.Reset()
		out = newListOutput(&b, false, "N", "M")
		for i := range rows {
			if err := out.row(item{i}, "a", "b"); err != nil {
				t.Fatal(err)
			}
		}
		if err := out.close(); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"); len(lines) != rows+1 || !strings.HasPrefix(lines[0], "N") {
			t.Errorf("%d rows: table %q, want a header and a line a row", rows, b.String())
		}
	}
}

// The JSON of a session never holds its secret's hash, and names the browser.
func TestSessionJSONHoldsNoSecret(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := domain.Session{ID: "abc", SecretHash: domain.SecretHash{1, 2, 3}, CreatedAt: now, LastSeenAt: now, ExpiresAt: now,
		IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
	b, err := json.Marshal(viewSession(s))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"auth_level", "browser", "created_at", "expires_at", "id", "ip", "last_seen_at", "user_agent"}
	if len(m) != len(want) {
		t.Errorf("fields %v, want exactly %v", m, want)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("no %s in %s", k, b)
		}
	}
	if m["browser"] != "Firefox on Linux" {
		t.Errorf("browser = %v, want Firefox on Linux", m["browser"])
	}
}
