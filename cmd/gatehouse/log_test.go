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
	"github.com/gatehouse/gatehouse/gatehouse"
)

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
			tt.log(newLogger(gatehouse.Config{LogFormat: "json", LogLevel: slog.LevelInfo}, &buf))
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

func TestLogFormat(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			newLogger(gatehouse.Config{LogFormat: format, LogLevel: slog.LevelInfo}, &buf).Info("request", slog.String("request_id", "r-1"))
			line := strings.TrimSpace(buf.String())
			var rec struct{ Msg, RequestID string }
			isJSON := json.Unmarshal([]byte(line), &rec) == nil
			switch {
			case format == "json" && (!isJSON || rec.Msg != "request"):
				t.Errorf("json log line %q", line)
			case format == "text" && (isJSON || !strings.Contains(line, "level=INFO msg=request request_id=r-1")):
				t.Errorf("text log line %q", line)
			}
		})
	}
}
