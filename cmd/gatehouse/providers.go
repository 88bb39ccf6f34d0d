package main

import (
	"net/http"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
)

// application is an assembled Gatehouse, ready to serve.
type application struct {
	handler http.Handler
}

func newApplication(api *ginhttp.Server) *application {
	return &application{handler: api}
}
