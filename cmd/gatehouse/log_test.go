package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
)

// TestAuditLogSwitch: the audit log is written whatever the log level while it is on, and
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
			cfg, err := configFrom(nil, envOf(map[string]string{"GATEHOUSE_LOG_LEVEL": tt.level, "GATEHOUSE_AUDIT_LOG": tt.audit}))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			log := newLogger(cfg, &buf)
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

// TestLibraryLogsAreStructured: what go-redis and the MySQL driver log comes out as a JSON
// line of the process log, a warning naming the library.
func TestLibraryLogsAreStructured(t *testing.T) {
	tests := []struct {
		name   string
		log    func(*slog.Logger)
		logger string
		msg    string
	}{
		{"go-redis", func(l *slog.Logger) {
			redisstore.Logger{Log: l}.Printf(context.Background(), "redis: %s:%d: connection pool: failed to dial", "cache", 6379)
		}, "go-redis", "cache:6379: connection pool: failed to dial"},
		{"mysql", func(l *slog.Logger) {
			mysqlstore.Logger{Log: l}.Print("packets.go:58: ", "unexpected EOF")
		}, "mysql", "packets.go:58: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(newLogger(Config{LogFormat: "json", LogLevel: slog.LevelInfo}, &buf))
			var rec struct{ Level, Msg, Logger string }
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("not one JSON line: %q", buf.String())
			}
			if rec.Level != "WARN" || rec.Msg != tt.msg || rec.Logger != tt.logger {
				t.Errorf("line %q; want a WARN %q from %s", buf.String(), tt.msg, tt.logger)
			}
		})
	}
}
