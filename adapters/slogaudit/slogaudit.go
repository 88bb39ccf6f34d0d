// Package slogaudit writes audit events as structured log lines with log/slog, one line per
// event, marked audit=true so they can be routed apart from access logs.
package slogaudit

import (
	"context"
	"log/slog"

	"github.com/gatehouse/gatehouse/domain"
)

// Logger is a ports.Auditor over a slog.Logger.
type Logger struct{ log *slog.Logger }

// New returns an auditor writing to log.
func New(log *slog.Logger) *Logger { return &Logger{log: log} }

// Audit implements ports.Auditor. The record holds ids and addresses, never a secret.
func (l *Logger) Audit(ctx context.Context, a domain.Audit) {
	attrs := []slog.Attr{
		slog.Bool("audit", true),
		slog.String("event", string(a.Event)),
	}
	if a.UserID != 0 {
		attrs = append(attrs, slog.Int64("user_id", int64(a.UserID)))
	}
	if a.Method != "" {
		attrs = append(attrs, slog.String("method", string(a.Method)))
	}
	if a.ItemID != "" {
		attrs = append(attrs, slog.String("item_id", a.ItemID))
	}
	if r := domain.RequestFrom(ctx); r.ID != "" {
		attrs = append(attrs, slog.String("request_id", r.ID), slog.String("client_ip", r.ClientIP))
	}
	l.log.LogAttrs(ctx, slog.LevelInfo, "audit", attrs...)
}
