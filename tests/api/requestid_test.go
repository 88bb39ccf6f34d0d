package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

var generatedRequestID = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestRequestIDEndToEnd: a sane X-Request-ID is echoed and names the request's access log
// line and audit record; a hostile one is replaced by a generated id and appears nowhere in
// the log.
func TestRequestIDEndToEnd(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	const hostile = "forged\",\"audit\":true,\"event\":\"login"
	tests := []struct {
		name, given string
		keep        bool
	}{
		{"sane", "trace-7f3a.b_2", true},
		{"hostile", hostile, false},
		{"too long", strings.Repeat("r", 65), false},
		{"absent", "", false},
	}
	ids := map[string]string{} // request id -> case
	for _, tt := range tests {
		opts := []opt{jsonBody(map[string]string{"username": "ghost." + s.tag, "password": "dusky-Meadow-4410"})}
		if tt.given != "" {
			opts = append(opts, header("X-Request-ID", tt.given))
		}
		got := s.do(t, "POST", "/v1/auth/login", opts...).expect(t, http.StatusUnauthorized).header.Get("X-Request-ID")
		switch {
		case tt.keep && got != tt.given:
			t.Errorf("%s: X-Request-ID %q echoed as %q, want it kept", tt.name, tt.given, got)
		case !tt.keep && !generatedRequestID.MatchString(got):
			t.Errorf("%s: X-Request-ID %q echoed as %q, want a generated id", tt.name, tt.given, got)
		}
		ids[got] = tt.name
	}

	type record struct {
		Msg, Event string
		Audit      bool
		RequestID  string `json:"request_id"`
	}
	found := map[string]map[string]bool{} // request id -> "access" / "audit"
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(s.proc.Stdout(), "\n") {
			var r record
			if json.Unmarshal([]byte(line), &r) != nil || ids[r.RequestID] == "" {
				continue
			}
			if found[r.RequestID] == nil {
				found[r.RequestID] = map[string]bool{}
			}
			found[r.RequestID]["access"] = found[r.RequestID]["access"] || r.Msg == "request"
			found[r.RequestID]["audit"] = found[r.RequestID]["audit"] || r.Audit && r.Event == "login_failed"
		}
		done := true
		for id := range ids {
			done = done && found[id]["access"] && found[id]["audit"]
		}
		if done || time.Now().After(deadline) {
			break
		}
	}
	for id, name := range ids {
		if !found[id]["access"] || !found[id]["audit"] {
			t.Errorf("%s: request id %q on access line %v, on audit record %v; want both", name, id, found[id]["access"], found[id]["audit"])
		}
	}
	if strings.Contains(s.proc.Stdout(), "forged") {
		t.Error("the hostile X-Request-ID reached the log")
	}
}
