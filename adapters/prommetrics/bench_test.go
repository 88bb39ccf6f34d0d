package prommetrics_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// BenchmarkUserByID measures what the decorator adds to the cheapest store call there is.
func BenchmarkUserByID(b *testing.B) {
	for _, bc := range []struct {
		name string
		wrap func(ports.UserStore) ports.UserStore
	}{
		{"bare", func(s ports.UserStore) ports.UserStore { return s }},
		{"measured", func(s ports.UserStore) ports.UserStore { return prommetrics.New().UserStore(s, "memory") }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			users := bc.wrap(memstore.NewUserStore())
			u, err := users.CreateUser(b.Context(), domain.User{Username: "alice", IsActive: true})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := users.UserByID(b.Context(), u.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
