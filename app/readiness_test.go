package app_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// fakePinger is a backend that answers with err.
type fakePinger struct {
	name string
	err  error
}

func (p fakePinger) Name() string               { return p.name }
func (p fakePinger) Ping(context.Context) error { return p.err }

func TestReadiness(t *testing.T) {
	t.Parallel()
	down := fmt.Errorf("dial tcp: connection refused: %w", domain.ErrUnavailable)
	tests := []struct {
		name    string
		pingers []ports.Pinger
		want    []string
	}{
		{"no backends", nil, nil},
		{"all ok", []ports.Pinger{memstore.Pinger{}, fakePinger{name: "redis"}}, nil},
		{"one failing", []ports.Pinger{memstore.Pinger{}, fakePinger{name: "redis", err: down}}, []string{"redis"}},
		{"every failure by name in order", []ports.Pinger{
			fakePinger{name: "mysql", err: errors.New("timeout")},
			memstore.Pinger{},
			fakePinger{name: "redis", err: down},
		}, []string{"mysql", "redis"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := app.NewReadiness(tt.pingers).Ready(t.Context())
			if !slices.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Errorf("Ready() = %#v, want %#v", got, tt.want)
			}
		})
	}
}
