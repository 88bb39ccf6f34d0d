package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// SetLogger sends go-redis's own log lines into log as warnings, in place of the plain
// lines it writes to standard error. The setting is process-wide, as go-redis's logger is.
func SetLogger(log *slog.Logger) { redis.SetLogger(Logger{log}) }

// Logger adapts a slog.Logger to go-redis's logging interface. go-redis logs what goes
// wrong beside a command: a connection that failed or was dropped, a failover.
type Logger struct{ Log *slog.Logger }

// Printf writes one go-redis line as a warning, marked logger=go-redis.
func (l Logger) Printf(ctx context.Context, format string, v ...any) {
	msg := strings.TrimSpace(strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
	l.Log.LogAttrs(ctx, slog.LevelWarn, msg, slog.String("logger", "go-redis"))
}
