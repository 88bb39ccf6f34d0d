package main

import (
	"io"
	"log/slog"
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
