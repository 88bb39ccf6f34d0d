package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// downFactors is a factor store whose backend is unreachable.
type downFactors struct{ ports.FactorStore }

func (downFactors) AnyFactors(context.Context) (bool, error) {
	return false, fmt.Errorf("%w: connection refused", domain.ErrUnavailable)
}

// TestRequireKeyForFactors: without server keys, New starts only when no user has a factor
// and the store says so.
func TestRequireKeyForFactors(t *testing.T) {
	none := memstore.NewFactorStore()
	some := memstore.NewFactorStore()
	if err := some.PutTOTP(t.Context(), domain.TOTPFactor{UserID: 1, Sealed: []byte("s"), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	keys := domain.NewServerKeys([domain.ServerKeyBytes]byte{1})
	tests := []struct {
		name    string
		keys    domain.ServerKeys
		factors ports.FactorStore
		want    error
	}{
		{"no key, no factors", domain.ServerKeys{}, none, nil},
		{"no key, a factor", domain.ServerKeys{}, some, errFactorsNeedKey},
		{"a key, a factor", keys, some, nil},
		{"a key, the store down: not asked", keys, downFactors{}, nil},
		{"no key, the store down", domain.ServerKeys{}, downFactors{}, domain.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := requireKeyForFactors(t.Context(), tt.keys, tt.factors)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("requireKeyForFactors = %v, want %v", err, tt.want)
			}
		})
	}
}
