// Package memstore keeps users and credentials (sessions, tokens, one-time codes) in process
// memory: the zero-setup default; everything is lost on restart.
//
// The stores are safe for concurrent use and never fail for lack of a backend, so they return
// domain.ErrNotFound and nothing else. Expired credentials are invisible at once but
// hold memory until swept: run StartJanitor next to them.
package memstore

import "context"

// Pinger reports on the memory backend to the readiness probe.
type Pinger struct{}

// Name returns "memory".
func (Pinger) Name() string { return "memory" }

// Ping returns nil: memory is always reachable, so a process using only memstore is ready as
// soon as it runs.
func (Pinger) Ping(context.Context) error { return nil }
