package mysqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// SetLogger sends the MySQL driver's own log lines into log as warnings, in place of the
// plain lines it writes to standard error. The setting is process-wide, as the driver's
// logger is.
func SetLogger(log *slog.Logger) { _ = mysql.SetLogger(Logger{log}) }

// Logger adapts a slog.Logger to the driver's logging interface. The driver logs what goes
// wrong under database/sql: a bad packet, a connection closed by the server.
type Logger struct{ Log *slog.Logger }

// Print writes one driver line as a warning, marked logger=mysql.
func (l Logger) Print(v ...any) {
	l.Log.LogAttrs(context.Background(), slog.LevelWarn, strings.TrimSpace(fmt.Sprint(v...)), slog.String("logger", "mysql"))
}
