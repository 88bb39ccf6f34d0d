package main

import (
	"io"
	"log/slog"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/gatehouse"
)

// newLogger builds the process logger. Logs carry no secrets: handlers log routes and ids,
// never headers, bodies or cookies.
func newLogger(c gatehouse.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

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
