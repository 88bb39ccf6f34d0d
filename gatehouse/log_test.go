package gatehouse

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// TestAuditLogSwitch: the audit log is written whatever the logger's level while it is on, and
// not at all when it is off; the level still quiets everything else.
func TestAuditLogSwitch(t *testing.T) {
	tests := []struct {
		level     string
		audit     string
		wantAudit bool
		wantInfo  bool
	}{
		{"info", "on", true, true},
		{"warn", "on", true, false},
		{"error", "on", true, false},
		{"info", "off", false, true},
		{"warn", "off", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.level+"/"+tt.audit, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.AuditLog = tt.audit == "on"
			var level slog.Level
			if err := level.UnmarshalText([]byte(tt.level)); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
			newAuditor(cfg, log.With(slog.String("component", "http"))).Audit(t.Context(), domain.Audit{Event: domain.AuditLogin, UserID: 7})
			log.Info("listening")
			var audited, informed bool
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if line == "" {
					continue
				}
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("not a JSON line: %q", line)
				}
				switch rec["msg"] {
				case "audit":
					audited = rec["audit"] == true && rec["event"] == "login" && rec["component"] == "http"
				case "listening":
					informed = true
				}
			}
			if audited != tt.wantAudit || informed != tt.wantInfo {
				t.Errorf("audit line written %t, info line %t; want %t, %t\n%s", audited, informed, tt.wantAudit, tt.wantInfo, buf.String())
			}
		})
	}
}
