package main

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/ports"
)

// janitor marks that expired credentials are being swept.
type janitor struct{}

// sweepInterval is how often expired sessions and tokens are purged from memory; lookups
// never return them, so this bounds memory, not correctness.
const sweepInterval = time.Minute

func newMemoryJanitor(s *memstore.SessionStore, t *memstore.TokenStore) (janitor, func()) {
	stop := memstore.StartJanitor(sweepInterval, s, t)
	return janitor{}, stop
}

func memoryPingers() []ports.Pinger { return []ports.Pinger{memstore.Pinger{}} }

// application is an assembled Gatehouse: the HTTP handler and what runs beside it.
type application struct {
	handler http.Handler
	log     *slog.Logger
}

func newApplication(api *ginhttp.Server, _ janitor, log *slog.Logger) *application {
	return &application{handler: api, log: log}
}
