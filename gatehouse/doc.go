// Package gatehouse is Gatehouse as a library: the whole service — stores, use cases,
// authenticator chain, HTTP API and pages — assembled from a Config inside the caller's own
// Go program, with no network hop between the application and its authentication.
//
// New builds it, on the stores the Config names (memory, MySQL or Redis, as the gatehouse
// command's settings choose them). The result serves the service as `gatehouse serve` does
// (Handler), or its API from the caller's Gin router (Mount), and protects the caller's own
// handlers with the service's authenticator chain (Middleware for Gin, Protect for
// net/http), whose handlers read the authenticated user with PrincipalFrom. Close releases
// what New opened.
//
// A protected handler sees exactly what the service's own authenticated routes see: the
// same chain and the same answers when it refuses — 401 with the chain's challenges, 403
// for a cookie-authenticated unsafe request without its CSRF token, 429, 503 when a store
// is down — as RFC 9457 problem documents.
//
// The gatehouse command is built on this package too; OpenStores, Stores and NewAdmin are
// what its store commands use, and may change.
package gatehouse
