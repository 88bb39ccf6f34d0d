//go:build wireinject

package main

import (
	"context"
	"log/slog"

	"github.com/google/wire"

	"github.com/gatehouse/gatehouse/app"
)

// newMemoryBackend assembles the in-memory stores.
func newMemoryBackend(cfg Config) (*backend, func()) {
	wire.Build(memorySet)
	return nil, nil
}

// newMySQLBackend connects to MySQL, checks the schema, and assembles the MySQL stores.
func newMySQLBackend(ctx context.Context, cfg Config, log *slog.Logger) (*backend, func(), error) {
	wire.Build(mysqlSet)
	return nil, nil, nil
}

// newRedisBackend connects to Redis and assembles the Redis stores.
func newRedisBackend(ctx context.Context, cfg Config) (*backend, func(), error) {
	wire.Build(redisSet)
	return nil, nil, nil
}

// newApp assembles Gatehouse over the chosen stores; the cleanup drains the mail queue.
func newApp(cfg Config, log *slog.Logger, s stores) (*application, func(), error) {
	wire.Build(coreSet)
	return nil, nil, nil
}

// newAdmin assembles the operator's use cases over the chosen stores.
func newAdmin(cfg Config, log *slog.Logger, s stores) (*app.Admin, error) {
	wire.Build(adminSet)
	return nil, nil
}
