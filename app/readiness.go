package app

import (
	"context"

	"github.com/gatehouse/gatehouse/ports"
)

// Readiness pings every configured backend.
type Readiness struct {
	pingers []ports.Pinger
}

// NewReadiness returns a readiness check over pingers.
func NewReadiness(pingers []ports.Pinger) *Readiness { return &Readiness{pingers: pingers} }

// Ready implements ports.Readiness.
func (r *Readiness) Ready(ctx context.Context) []string {
	var failed []string
	for _, p := range r.pingers {
		if err := p.Ping(ctx); err != nil {
			failed = append(failed, p.Name())
		}
	}
	return failed
}
