package api_test

import (
	"net/http"
	"testing"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		t.Run(path+" answers 200", func(t *testing.T) {
			s.do(t, "GET", path).expect(t, http.StatusOK)
		})
	}
}
