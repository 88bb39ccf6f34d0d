//go:build wireinject

package main

import (
	"log/slog"

	"github.com/google/wire"
)

// newMemoryApp assembles Gatehouse with every store in process memory.
func newMemoryApp(cfg Config, log *slog.Logger) (*application, func(), error) {
	wire.Build(configSet, systemSet, memorySet, coreSet, httpSet)
	return nil, nil, nil
}
