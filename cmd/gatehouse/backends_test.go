package main

import (
	"io"
	"log/slog"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/prommetrics"
)

// TestCodesLiveWithSessions: the code store comes from the session store's backend, and is
// measured there.
func TestCodesLiveWithSessions(t *testing.T) {
	cfg, err := configFrom(nil, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	s, closeStores, err := openStores(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer closeStores()
	if s.Codes == nil {
		t.Fatal("openStores left Codes nil")
	}
	if m := measureStores(s, cfg, prommetrics.New()); m.Codes == nil {
		t.Fatal("measureStores left Codes nil")
	}
}
