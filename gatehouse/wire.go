//go:build wireinject

package gatehouse

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/ports"
)

// newMemoryBackend assembles the in-memory stores.
func newMemoryBackend(cfg Config, clock ports.Clock) (*backend, func()) {
	wire.Build(memorySet)
	return nil, nil
}

// newMySQLBackend connects to MySQL, checks the schema, and assembles the MySQL stores.
func newMySQLBackend(ctx context.Context, cfg Config, log *slog.Logger, clock ports.Clock) (*backend, func(), error) {
	wire.Build(mysqlSet)
	return nil, nil, nil
}

// newRedisBackend connects to Redis and assembles the Redis stores.
func newRedisBackend(ctx context.Context, cfg Config, clock ports.Clock) (*backend, func(), error) {
	wire.Build(redisSet)
	return nil, nil, nil
}

// newApp assembles Gatehouse over the chosen stores; the cleanup drains the mail queue.
func newApp(cfg Config, log *slog.Logger, s Stores, clock ports.Clock) (*application, func(), error) {
	wire.Build(coreSet)
	return nil, nil, nil
}

// NewAdmin assembles the operator's use cases over stores, on the wall clock: what the
// gatehouse command's store commands run.
func NewAdmin(cfg Config, log *slog.Logger, s Stores) (*app.Admin, error) {
	wire.Build(adminSet)
	return nil, nil
}
