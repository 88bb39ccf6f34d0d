package prommetrics_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/domain"
)

// TestPasskeyStoreIsMeasured runs each passkey operation through its decorator; a passkey
// added twice (ErrPasskeyExists), one beyond the limit (ErrTooManyPasskeys) and a missing one
// (ErrNotFound) are the port's answers, not errors.
func TestPasskeyStoreIsMeasured(t *testing.T) {
	m := prommetrics.New()
	g := m.Gatherer()
	ctx := t.Context()
	now := time.Now()
	passkeys := m.PasskeyStore(memstore.NewFactorStore(), "redis")
	key := func(i int) domain.Passkey {
		return domain.Passkey{UserID: 1, CredentialID: fmt.Appendf(nil, "cred %d", i), Name: "key", Data: []byte("d"),
			CreatedAt: now}
	}
	want := func(err, target error) error {
		if !errors.Is(err, target) {
			return fmt.Errorf("got %v, want %v", err, target)
		}
		return nil
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"add", func() error {
			for i := range domain.MaxPasskeys {
				if err := passkeys.AddPasskey(ctx, key(i)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"add again", func() error { return want(passkeys.AddPasskey(ctx, key(0)), domain.ErrPasskeyExists) }},
		{"add one too many", func() error {
			return want(passkeys.AddPasskey(ctx, key(domain.MaxPasskeys)), domain.ErrTooManyPasskeys)
		}},
		{"use", func() error { return passkeys.UsePasskey(ctx, 1, key(0).CredentialID, []byte("e"), now) }},
		{"use a missing one", func() error {
			return want(passkeys.UsePasskey(ctx, 2, key(0).CredentialID, nil, now), domain.ErrNotFound)
		}},
		{"list", func() error {
			if got, err := passkeys.Passkeys(ctx, 1); err != nil || len(got) != domain.MaxPasskeys || string(got[0].Data) != "e" {
				return errors.Join(err, errors.New("want every passkey, the first used"))
			}
			return nil
		}},
		{"delete", func() error { return passkeys.DeletePasskey(ctx, 1, key(0).CredentialID) }},
		{"delete a missing one", func() error {
			return want(passkeys.DeletePasskey(ctx, 1, key(0).CredentialID), domain.ErrNotFound)
		}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	for op, calls := range map[string]float64{"add": domain.MaxPasskeys + 2, "use": 2, "list": 1, "delete": 2} {
		expect(t, g, "gatehouse_store_call_duration_seconds", storeLabels("passkeys", "redis", op), calls)
		expect(t, g, "gatehouse_store_errors_total", storeLabels("passkeys", "redis", op), 0)
	}
}
