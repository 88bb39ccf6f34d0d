package ginhttp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// The fakes of the use cases answer /me's question about second factors: none.

func (fakeAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return []domain.FactorKind{}, nil
}

func (fuzzAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return []domain.FactorKind{}, nil
}

func (pageAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return []domain.FactorKind{}, nil
}

// TestConfirmTOTPProof: the code of POST /v1/auth/mfa/totp/confirm confirms the enrolment
// and is not taken for the owner's proof, which a passkey account gives with a passkey or a
// recovery code.
func TestConfirmTOTPProof(t *testing.T) {
	s, calls := newMFAPageServer(mfaPageAccounts{factors: []domain.FactorKind{domain.FactorPasskey, domain.FactorRecoveryCode}})
	body := `{"code":"123456","password":"correct horse","passkey":{"id":"CQk","type":"public-key"}}`
	r := httptest.NewRequest("POST", "/v1/auth/mfa/totp/confirm", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", "http://example.com")
	r.Header.Set("X-CSRFToken", domain.CSRFToken(liveSession))
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: liveSession})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d\n%s", rec.Code, rec.Body)
	}
	if p := calls.proof; calls.code != "123456" || p.Code != "" || p.Password != "correct horse" || !strings.Contains(string(p.Passkey), `"CQk"`) {
		t.Errorf("ConfirmTOTP got the code %q and the proof %+v", calls.code, p)
	}
}
