// Package options holds what a gatehouse.Option sets. It is internal so that only package
// gatehouse and its subpackages can write options of their own: the test kit's cheap
// hashing must stay out of every other program's reach.
package options

import (
	"log/slog"

	"github.com/gatehouse/gatehouse/ports"
)

// Options are the choices New makes besides the Config.
type Options struct {
	Log   *slog.Logger
	Clock ports.Clock
	// BelowFloor accepts argon2id parameters below the OWASP floor (passhash.CheckFloor),
	// for the test kit's unit tests only.
	BelowFloor bool
}
