package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/slogaudit"
)

// newLogger builds the process logger. Logs carry no secrets: handlers log routes and ids,
// never headers, bodies or cookies.
func newLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// newAuditor writes audit events into the process log whatever its level, or nowhere when
// the audit log is off. The audit log is a record of who did what, kept for as long as the
// operator keeps it; the level only quiets diagnostics, so GATEHOUSE_LOG_LEVEL=warn must not
// lose it.
func newAuditor(cfg Config, log *slog.Logger) *slogaudit.Logger {
	if !cfg.AuditLog {
		return slogaudit.New(slog.New(slog.DiscardHandler))
	}
	return slogaudit.New(slog.New(everyLevel{log.Handler()}))
}

// everyLevel passes records of every level to its handler. The handlers of newLogger filter
// by level in Enabled only, so their Handle writes what it is given.
type everyLevel struct{ slog.Handler }

func (everyLevel) Enabled(context.Context, slog.Level) bool { return true }

func (h everyLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return everyLevel{h.Handler.WithAttrs(attrs)}
}

func (h everyLevel) WithGroup(name string) slog.Handler { return everyLevel{h.Handler.WithGroup(name)} }

// useLogger routes the log lines of the libraries into log, so that the process writes one
// structured stream: go-redis's and the MySQL driver's own loggers (their lines are
// warnings: a dropped connection, a bad packet), and the standard library's log package,
// which slog.SetDefault redirects. goose writes nothing: migrations run without its verbose
// mode, and the migrate command prints what it applied.
func useLogger(log *slog.Logger) {
	slog.SetDefault(log)
	redisstore.SetLogger(log)
	mysqlstore.SetLogger(log)
}
