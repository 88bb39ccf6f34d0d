package gatehouse

import (
	"context"
	"log/slog"

	"github.com/gatehouse/gatehouse/adapters/slogaudit"
)

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

// everyLevel passes records of every level to its handler. The standard library's handlers
// filter by level in Enabled only, so their Handle writes what it is given.
type everyLevel struct{ slog.Handler }

func (everyLevel) Enabled(context.Context, slog.Level) bool { return true }

func (h everyLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return everyLevel{h.Handler.WithAttrs(attrs)}
}

func (h everyLevel) WithGroup(name string) slog.Handler { return everyLevel{h.Handler.WithGroup(name)} }
