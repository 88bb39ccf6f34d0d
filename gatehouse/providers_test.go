package gatehouse

import (
	"net/http/httptest"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/app"
)

// TestPagesPasskeys: the pages offer passkeys when an RP ID turns them on, and not when
// GATEHOUSE_WEBAUTHN_RP_ID=off left it empty.
func TestPagesPasskeys(t *testing.T) {
	m := prommetrics.New()
	for rpID, want := range map[string]bool{"localhost": true, "example.com": true, "": false} {
		cfg := Config{WebAuthn: webauthn.Config{RPID: rpID}}
		if got := httpConfig(cfg, m, app.MailOff{}).Passkeys; got != want {
			t.Errorf("RP ID %q: pages offer passkeys %v, want %v", rpID, got, want)
		}
	}
}

// TestMetricsPlacement: /metrics is on the main listener unless an admin address is set;
// then the admin handler serves it with the profiler, and the main one does not.
func TestMetricsPlacement(t *testing.T) {
	m := prommetrics.New()
	plain := Config{}
	if httpConfig(plain, m, app.MailOff{}).Metrics == nil || newApplication(nil, m, plain, nil, nil).admin != nil {
		t.Error("without an admin address: want /metrics on the main listener and no admin handler")
	}
	if httpConfig(plain, m, app.MailOff{}).ObserveRequest == nil {
		t.Error("the metrics' request observer is not handed to the HTTP adapter")
	}
	admin := Config{AdminAddr: "127.0.0.1:0"}
	if httpConfig(admin, m, app.MailOff{}).Metrics != nil {
		t.Error("with an admin address: /metrics is still on the main listener")
	}
	h := newApplication(nil, m, admin, nil, nil).admin
	if h == nil {
		t.Fatal("with an admin address: no admin handler")
	}
	// No /debug/pprof/cmdline: the command line can hold --mysql-dsn, --redis-url or
	// --redis-password.
	for path, want := range map[string]int{"/metrics": 200, "/debug/pprof/": 200, "/debug/pprof/heap?debug=1": 200,
		"/debug/pprof/cmdline": 404, "/v1/auth/me": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != want {
			t.Errorf("admin GET %s: %d, want %d", path, rec.Code, want)
		}
	}
}
