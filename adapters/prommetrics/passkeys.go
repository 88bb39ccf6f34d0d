package prommetrics

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// PasskeyStore is a ports.PasskeyStore whose calls are timed and whose failures are counted.
type PasskeyStore struct {
	next                ports.PasskeyStore
	add, list, use, del op
}

var _ ports.PasskeyStore = (*PasskeyStore)(nil)

// PasskeyStore returns next, measured as port "passkeys" on the named backend.
func (m *Metrics) PasskeyStore(next ports.PasskeyStore, backend string) *PasskeyStore {
	const port = "passkeys"
	return &PasskeyStore{next: next,
		add:  m.op(port, backend, "add"),
		list: m.op(port, backend, "list"),
		use:  m.op(port, backend, "use"),
		del:  m.op(port, backend, "delete"),
	}
}

// AddPasskey implements ports.PasskeyStore.
func (s *PasskeyStore) AddPasskey(ctx context.Context, p domain.Passkey) error {
	return measureErr(s.add, func() error { return s.next.AddPasskey(ctx, p) })
}

// Passkeys implements ports.PasskeyStore.
func (s *PasskeyStore) Passkeys(ctx context.Context, user domain.UserID) ([]domain.Passkey, error) {
	return measure(s.list, func() ([]domain.Passkey, error) { return s.next.Passkeys(ctx, user) })
}

// UsePasskey implements ports.PasskeyStore.
func (s *PasskeyStore) UsePasskey(ctx context.Context, user domain.UserID, credentialID, data []byte, at time.Time) error {
	return measureErr(s.use, func() error { return s.next.UsePasskey(ctx, user, credentialID, data, at) })
}

// DeletePasskey implements ports.PasskeyStore.
func (s *PasskeyStore) DeletePasskey(ctx context.Context, user domain.UserID, credentialID []byte) error {
	return measureErr(s.del, func() error { return s.next.DeletePasskey(ctx, user, credentialID) })
}
