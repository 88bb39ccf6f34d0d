package gatehouse

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// TestCodesLiveWithSessions: the code store comes from the session store's backend, and is
// measured there.
func TestCodesLiveWithSessions(t *testing.T) {
	cfg := DefaultConfig()
	s, closeStores, err := OpenStores(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStores()
	if s.Codes == nil {
		t.Fatal("OpenStores left Codes nil")
	}
	if m := measureStores(s, cfg, prommetrics.New()); m.Codes == nil {
		t.Fatal("measureStores left Codes nil")
	}
}

// TestPasskeysLiveWithFactors: the passkey store is the users' backend's factor store, so
// deleting a user's factors removes their passkeys, and the use cases get it measured.
func TestPasskeysLiveWithFactors(t *testing.T) {
	cfg := DefaultConfig()
	s, closeStores, err := OpenStores(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStores()
	for name, sf := range map[string]app.SecondFactors{
		"measured": secondFactors(measureStores(s, cfg, prommetrics.New()), cfg, nil),
		"admin":    adminSecondFactors(s, cfg),
	} {
		if sf.Passkeys == nil {
			t.Fatalf("%s: SecondFactors.Passkeys is nil", name)
		}
		p := domain.Passkey{UserID: 7, CredentialID: []byte(name), Name: "key", CreatedAt: time.Now()}
		if err := sf.Passkeys.AddPasskey(t.Context(), p); err != nil {
			t.Fatalf("%s: AddPasskey = %v", name, err)
		}
		if err := sf.Factors.DeleteUserFactors(t.Context(), 7); err != nil {
			t.Fatalf("%s: DeleteUserFactors = %v", name, err)
		}
		if got, err := sf.Passkeys.Passkeys(t.Context(), 7); err != nil || len(got) != 0 {
			t.Errorf("%s: after DeleteUserFactors Passkeys = %d, %v; want none", name, len(got), err)
		}
	}
}
