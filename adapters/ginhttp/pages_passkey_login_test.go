package ginhttp

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// passkeyCalls records what the passkey use cases were called with.
type passkeyCalls struct {
	listed  int
	removed []string
	proof   ports.FactorProof
}

// passkeyPageAccounts lists passkeys and answers RemovePasskey with err.
type passkeyPageAccounts struct {
	mfaPageAccounts
	passkeys []domain.Passkey
	err      error
	pk       *passkeyCalls
}

func (a passkeyPageAccounts) ListPasskeys(context.Context, domain.Principal) ([]domain.Passkey, error) {
	a.pk.listed++
	return a.passkeys, nil
}

func (a passkeyPageAccounts) RemovePasskey(_ context.Context, _ domain.Principal, id string, proof ports.FactorProof) error {
	a.pk.removed, a.pk.proof = append(a.pk.removed, id), proof
	return a.err
}

// newPasskeyPageServer serves a, with passkeys on or off (Config.Passkeys).
func newPasskeyPageServer(a passkeyPageAccounts, on bool) (*Server, *passkeyCalls) {
	a.pk, a.calls = &passkeyCalls{}, &mfaCalls{}
	if a.res == (ports.LoginResult{}) {
		a.res = ports.LoginResult{Session: &domain.IssuedSession{Secret: "gts_second", CSRFToken: "second-csrf"}}
	}
	return New(pageAuth{methods: allMethods}, a, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, SecretKeys: testKeys, Passkeys: on},
		slog.New(slog.NewTextHandler(io.Discard, nil))), a.pk
}

// passkeyOptions stands for the options the use case gives the step: JSON with quotes and a
// character HTML must escape.
const passkeyOptions = `{"publicKey":{"challenge":"c2hvdWxkIGJlIHJhbmRvbQ","rpId":"localhost","allowCredentials":[{"type":"public-key","id":"CQk"}],"userVerification":"required"},"x":"</div><b>"}`

// TestSecondStepFactors: the step shows the forms of the factors the account has: the code
// form with TOTP, the passkey with its options (HTML-escaped into a data attribute) when the
// account has one and passkeys are on, the recovery code form always; shown again after a
// wrong code, it keeps the code and recovery forms the first page had.
func TestSecondStepFactors(t *testing.T) {
	totp, pk, rc := domain.FactorTOTP, domain.FactorPasskey, domain.FactorRecoveryCode
	escaped := `data-passkey-options="` + html.EscapeString(passkeyOptions) + `"`
	tests := []struct {
		name      string
		on        bool
		need      *domain.SecondFactorRequiredError
		want, not []string
	}{
		{"TOTP", true, &domain.SecondFactorRequiredError{Ticket: pageTicket, Factors: []domain.FactorKind{totp, rc}},
			[]string{`id="code-form"`, `id="recovery-form"`, `name="factors" value="totp recovery_code"`, "a code from your authenticator app."},
			[]string{`id="passkey-step"`, "passkey.js", `id="use-recovery" open`}},
		{"passkey", true, &domain.SecondFactorRequiredError{Ticket: pageTicket, Factors: []domain.FactorKind{pk, rc}, PasskeyOptions: []byte(passkeyOptions)},
			[]string{`id="passkey-step"`, escaped, `data-passkey-step`, `<script src="/static/passkey.js" defer></script>`, `id="use-passkey"`,
				`id="recovery-form"`, "your passkey.", "Lost your passkey?"},
			[]string{`id="code-form"`, `</div><b>`, `id="use-recovery" open`}},
		{"TOTP and passkey", true, &domain.SecondFactorRequiredError{Ticket: pageTicket, Factors: []domain.FactorKind{totp, pk, rc}, PasskeyOptions: []byte(passkeyOptions)},
			[]string{`id="code-form"`, `id="passkey-step"`, `id="recovery-form"`, `name="factors" value="totp webauthn recovery_code"`}, nil},
		{"passkeys off", false, &domain.SecondFactorRequiredError{Ticket: pageTicket, Factors: []domain.FactorKind{pk, rc}, PasskeyOptions: []byte(passkeyOptions)},
			[]string{`id="recovery-form"`, `id="use-recovery" open`, "one of your recovery codes."},
			[]string{`id="code-form"`, `id="passkey-step"`, "passkey.js", "data-passkey-options"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newPasskeyPageServer(passkeyPageAccounts{mfaPageAccounts: mfaPageAccounts{pageAccounts: pageAccounts{err: tt.need}}}, tt.on)
			rec := post(s, "/login", loginForm(""), nil)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("status %d\n%s", rec.Code, body)
			}
			noTicketOutside(t, rec)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the step lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the step has %q", n)
				}
			}
		})
	}

	// Shown again after a wrong code, the step keeps the forms its hidden field names.
	again := []struct {
		name      string
		factors   string
		want, not []string
	}{
		{"a passkey account's wrong recovery code", "webauthn recovery_code", []string{`id="recovery-form"`, `name="factors" value="recovery_code"`}, []string{`id="code-form"`, `id="passkey-step"`}},
		{"a TOTP account's wrong code", "totp recovery_code", []string{`id="code-form"`, `id="recovery-form"`}, []string{`id="passkey-step"`}},
		{"no field", "", []string{`id="code-form"`, `id="recovery-form"`}, nil},
		{"made-up kinds", "sms totp totp", []string{`id="code-form"`, `name="factors" value="totp"`}, []string{"sms"}},
	}
	for _, tt := range again {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newPasskeyPageServer(passkeyPageAccounts{mfaPageAccounts: mfaPageAccounts{err: domain.ErrWrongSecondFactor}}, true)
			rec := post(s, "/login/mfa", stepForm("", "recovery_code", "zzzzz-00000", "factors", tt.factors), nil)
			body := rec.Body.String()
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d\n%s", rec.Code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the step lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the step has %q", n)
				}
			}
		})
	}
}

// TestLoginPasskeyButton: with passkeys on, the login page offers a passkey login, hidden
// until passkey.js shows it, carrying next; with them off, nothing of it.
func TestLoginPasskeyButton(t *testing.T) {
	for _, on := range []bool{true, false} {
		s, _ := newPasskeyPageServer(passkeyPageAccounts{}, on)
		body := get(s, "/login?next=/account%3Ftab%3D2").Body.String()
		for _, w := range []string{`<script src="/static/passkey.js" defer></script>`, `data-passkey-login data-next="/account?tab=2" hidden`,
			`id="passkey-login-button"`, `role="alert" id="passkey-login-error" hidden`} {
			if strings.Contains(body, w) != on {
				t.Errorf("passkeys on %v: the login page has %q: %v", on, w, !on)
			}
		}
		if !strings.Contains(body, `action="/login"`) || !strings.Contains(body, `name="password"`) {
			t.Errorf("passkeys on %v: the password form is gone", on)
		}
	}
}
