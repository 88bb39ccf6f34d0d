package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

type otherKey struct{}

// TestRequestTravelsInContext: the request a context carries is found under any context
// derived from it, leaves other values and cancellation alone, and is zero where none was set.
func TestRequestTravelsInContext(t *testing.T) {
	r := domain.Request{ID: "req-1", ClientIP: "192.0.2.1"}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	ctx := domain.WithRequest(parent, r)
	child, stop := context.WithCancel(context.WithValue(ctx, otherKey{}, "shadowed"))
	defer stop()

	tests := []struct {
		name string
		ctx  context.Context
		want domain.Request
	}{
		{"carried", ctx, r},
		{"derived", child, r},
		{"none", parent, domain.Request{}},
		{"replaced", domain.WithRequest(ctx, domain.Request{ID: "req-2"}), domain.Request{ID: "req-2"}},
	}
	for _, tt := range tests {
		if got := domain.RequestFrom(tt.ctx); got != tt.want {
			t.Errorf("%s: RequestFrom = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got := ctx.Value(otherKey{}); got != "kept" {
		t.Errorf("other value = %v, want the parent's", got)
	}
	cancel()
	select {
	case <-child.Done(): // a derived context still learns of the parent's cancellation
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the parent did not reach a context derived from the carrying one")
	}
	if ctx.Err() == nil {
		t.Error("cancelling the parent did not reach the carrying context")
	}
}
