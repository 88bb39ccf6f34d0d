package proxy_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// TestNginxNamesTheRealClient runs Gatehouse behind nginx configured two ways: the README's
// (X-Forwarded-For, appended by nginx) and one that sets only X-Real-IP and passes the
// client's own X-Forwarded-For through. Either way a client that forges forwarding headers is
// throttled and logged by the address nginx saw. The clients connect from 127.0.0.3 and
// 127.0.0.4, which Gatehouse does not trust, while nginx reaches it from 127.0.0.1, which it
// does; so the logged address proves the header was read.
func TestNginxNamesTheRealClient(t *testing.T) {
	nginx := testenv.Command(t, "nginx")
	for _, tt := range []struct {
		name, template, header string
	}{
		{"X-Forwarded-For appended by nginx", "nginx.conf.tmpl", "X-Forwarded-For"},
		{"only X-Real-IP set by nginx", "nginx-realip.conf.tmpl", "X-Real-IP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gh := testenv.StartProcess(t, binary, testenv.Environ(map[string]string{
				"GATEHOUSE_ADDR":                "127.0.0.1:0",
				"GATEHOUSE_LOG_FORMAT":          "json",
				"GATEHOUSE_COOKIE_SECURE":       "false",
				"GATEHOUSE_TRUSTED_PROXIES":     "127.0.0.1",
				"GATEHOUSE_CLIENT_IP_HEADER":    tt.header,
				"GATEHOUSE_THROTTLE_LOGIN_USER": "2/min",
			}))
			t.Cleanup(func() { gh.Check(t) })
			// The app is never reached: only Gatehouse's API is used.
			base := startNginxWith(t, nginx, tt.template, strings.TrimPrefix(gh.Base(), "http://"), "127.0.0.1:9")
			attacker, other := clientFrom(t, base, "127.0.0.3"), clientFrom(t, base, "127.0.0.4")

			attacker.do(t, "POST", "/v1/auth/signup", `{"username":"carol","password":"correct horse battery"}`).expect(t, 201)
			forged := []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}
			for i, ip := range forged {
				res := attacker.do(t, "POST", "/v1/auth/token", `{"username":"carol","password":"wrong horse battery"}`,
					header("X-Forwarded-For", ip), header("X-Real-IP", ip), header("Forwarded", "for="+ip))
				if want := []int{401, 401, 429}[i]; res.status != want {
					t.Fatalf("failed login %d with forged address %s: status %d, want %d", i+1, ip, res.status, want)
				}
			}
			other.do(t, "POST", "/v1/auth/token", `{"username":"carol","password":"correct horse battery"}`).expect(t, 200)

			ips := loggedClientIPs(t, gh, 5)
			if !slices.Contains(ips, "127.0.0.3") || !slices.Contains(ips, "127.0.0.4") {
				t.Errorf("logged client addresses %v, want 127.0.0.3 and 127.0.0.4", ips)
			}
			for _, ip := range ips {
				if slices.Contains(forged, ip) || ip == "127.0.0.1" {
					t.Errorf("logged client address %s: a forged one or nginx's own", ip)
				}
			}
		})
	}
}

// clientFrom returns a client of base whose connections come from the loopback address local.
func clientFrom(t *testing.T, base, local string) *client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// loggedClientIPs waits until gh has logged at least n requests and returns their client_ip
// fields. The lines reach our copy of the log through a pipe a moment after the answers.
func loggedClientIPs(t *testing.T, gh *testenv.Process, n int) []string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var ips []string
		for _, line := range strings.Split(gh.Stdout(), "\n") {
			var rec struct {
				Msg      string
				ClientIP string `json:"client_ip"`
			}
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" {
				ips = append(ips, rec.ClientIP)
			}
		}
		if len(ips) >= n || time.Now().After(deadline) {
			return ips
		}
	}
}
