package main

import (
	"net/http"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/passhash"
)

// newHasher puts argon2id behind the hashing limit.
func newHasher(h *passhash.Argon2id, cfg Hashing) *passhash.Limiter {
	return passhash.NewLimiter(h, passhash.Foreign{AllowWeak: cfg.AllowWeakImported}, cfg.Slots, cfg.MaxWait)
}

// application is an assembled Gatehouse, ready to serve.
type application struct {
	handler http.Handler
}

func newApplication(api *ginhttp.Server) *application {
	return &application{handler: api}
}
