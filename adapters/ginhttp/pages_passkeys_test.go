package ginhttp

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

var (
	laptopKey = domain.Passkey{UserID: 1, CredentialID: []byte{1, 2, 3, 250}, Name: "work <laptop>",
		CreatedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)}
	phoneKey = domain.Passkey{UserID: 1, CredentialID: []byte{9, 9}, Name: "phone",
		CreatedAt: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC), LastUsedAt: time.Date(2026, 5, 3, 11, 15, 0, 0, time.UTC)}
)

// TestAccountPasskeySection: the section lists the passkeys with a remove form each (a code
// field with TOTP on) and holds the add form for passkey.js; with passkeys off the page
// shows nothing of them and does not ask for the list.
func TestAccountPasskeySection(t *testing.T) {
	live := &http.Cookie{Name: sessionCookie, Value: liveSession}
	tests := []struct {
		name      string
		on        bool
		factors   []domain.FactorKind
		passkeys  []domain.Passkey
		want, not []string
	}{
		{"off", false, nil, nil, nil, []string{`id="passkeys"`, "passkey.js", "data-passkey-add"}},
		{"none", true, nil, nil,
			[]string{`id="passkeys"`, `<script src="/static/passkey.js" defer></script>`, `id="no-passkeys"`, `data-passkey-add hidden`,
				`id="passkey-name"`, `id="passkey-password"`, `data-passkey-codes hidden`, `data-copy="passkey-codes"`, "<noscript>"},
			[]string{`id="passkey-list"`, `id="passkey-code"`}},
		{"two", true, nil, []domain.Passkey{laptopKey, phoneKey},
			[]string{`id="passkey-list"`, "work &lt;laptop&gt;", "2026-03-01 09:30 UTC", "2026-05-03 11:15 UTC", "last used <time>never</time>",
				`action="/account/passkeys/AQID-g/remove#passkeys"`, `action="/account/passkeys/CQk/remove#passkeys"`, `id="remove-password-AQID-g"`},
			[]string{`id="no-passkeys"`, `id="remove-code-AQID-g"`, `id="passkey-remove-error"`, "work <laptop>"}},
		{"with TOTP", true, withTOTP, []domain.Passkey{phoneKey},
			[]string{`id="remove-code-CQk"`, `id="passkey-code"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pk := newPasskeyPageServer(passkeyPageAccounts{mfaPageAccounts: mfaPageAccounts{factors: tt.factors}, passkeys: tt.passkeys}, tt.on)
			rec := get(s, "/account", live)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("status %d\n%s", rec.Code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the page has %q", n)
				}
			}
			if listed := pk.listed > 0; listed != tt.on {
				t.Errorf("ListPasskeys called: %v, want %v", listed, tt.on)
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") {
				t.Errorf("Content-Security-Policy %q does not let passkey.js call the API", csp)
			}
		})
	}
}

// TestRemovePasskeyPage: the remove form removes through the use case with the password and
// code, or shows the page again with the API's words at that passkey's form.
func TestRemovePasskeyPage(t *testing.T) {
	wrongPassword := domain.NewValidationError("password", "Your password was entered incorrectly. Please enter it again.")
	tests := []struct {
		name     string
		path     string
		form     url.Values
		err      error
		status   int
		location string
		want     []string
		not      []string
		called   bool
	}{
		{"removed", "/account/passkeys/CQk/remove", acctForm("password", "correct horse"), nil, 303, "/account?done=passkey-removed", nil, nil, true},
		{"with a code", "/account/passkeys/CQk/remove", acctForm("password", "correct horse", "code", "123456"), nil, 303, "/account?done=passkey-removed", nil, nil, true},
		{"wrong password", "/account/passkeys/CQk/remove", acctForm("password", "correct horse"), wrongPassword, 400, "",
			[]string{"Your password was entered incorrectly.", "<details open>"}, []string{"correct horse", `id="passkey-remove-error"`}, true},
		{"no password", "/account/passkeys/CQk/remove", acctForm(), nil, 400, "",
			[]string{"This field is required.", "<details open>"}, nil, false},
		{"unknown passkey", "/account/passkeys/AAAA/remove", acctForm("password", "correct horse"), domain.ErrNotFound, 404, "",
			[]string{`id="passkey-remove-error"`, "Not found."}, []string{"<details open>"}, true},
		{"throttled", "/account/passkeys/CQk/remove", acctForm("password", "correct horse"), &domain.RateLimitedError{RetryAfter: time.Minute}, 429, "",
			[]string{"Expected available in 60 seconds."}, nil, true},
		{"without the CSRF token", "/account/passkeys/CQk/remove", url.Values{"password": {"correct horse"}}, nil, 403, "",
			[]string{"CSRF Failed"}, nil, false},
		{"with the form token of the login page", "/account/passkeys/CQk/remove", url.Values{"password": {"pw"}, csrfFormField: {formToken}}, nil, 403, "",
			[]string{"CSRF Failed"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pk := newPasskeyPageServer(passkeyPageAccounts{passkeys: []domain.Passkey{laptopKey, phoneKey}, err: tt.err}, true)
			rec := post(s, tt.path, tt.form, nil)
			body := rec.Body.String()
			if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q\n%s", rec.Code, rec.Header().Get("Location"), tt.status, tt.location, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the page has %q", n)
				}
			}
			if called := len(pk.removed) > 0; called != tt.called {
				t.Fatalf("RemovePasskey called: %v, want %v", called, tt.called)
			}
			if !tt.called {
				return
			}
			id := strings.Split(tt.path, "/")[3]
			if pk.removed[0] != id || pk.proof.Password != tt.form.Get("password") || pk.proof.Code != tt.form.Get("code") || pk.proof.IP == "" {
				t.Errorf("RemovePasskey got %q, %+v", pk.removed[0], pk.proof)
			}
			// The error shows at the form of the passkey it was about, and only there.
			if tt.status == 400 && strings.Count(body, "<details open>") != 1 {
				t.Errorf("%d remove forms are open, want the failed one", strings.Count(body, "<details open>"))
			}
		})
	}
	if body := get(newPageServer(nil), "/account?done=passkey-removed", &http.Cookie{Name: sessionCookie, Value: liveSession}).Body.String(); !strings.Contains(body, "The passkey was removed.") {
		t.Errorf("the account page does not confirm the removal")
	}
}

// passkeyAccount has a passkey and no TOTP.
var passkeyAccount = []domain.FactorKind{domain.FactorPasskey, domain.FactorRecoveryCode}

// TestPasskeyProofOnThePage: an account with a passkey may prove itself with it at every
// form that changes factors: each has the hidden field and the button passkey.js wires, and
// the add form asks the script for an assertion (data-proof); an account without one has
// neither, and an account without any factor is not asked for a recovery code.
func TestPasskeyProofOnThePage(t *testing.T) {
	live := &http.Cookie{Name: sessionCookie, Value: liveSession}
	proofButton := `<button type="button" class="secondary" data-passkey-proof hidden>`
	tests := []struct {
		name    string
		factors []domain.FactorKind
		buttons int // remove form, new recovery codes
		want    []string
		not     []string
	}{
		{"no factor", nil, 0, nil, []string{`id="passkey-recovery"`, `data-proof="passkey"`, `name="passkey"`}},
		{"TOTP", withTOTP, 0, []string{`id="passkey-recovery"`, `id="passkey-code"`, `id="remove-code-CQk"`, `id="remove-recovery-CQk"`},
			[]string{`data-proof="passkey"`, `name="passkey"`}},
		{"passkey", passkeyAccount, 2, []string{`data-passkey-add data-proof="passkey" hidden`, `id="passkey-recovery"`, `id="remove-recovery-CQk"`,
			`<input type="hidden" name="passkey" value="">`, `role="alert" hidden data-passkey-proof-error`}, []string{`id="passkey-code"`, `id="remove-code-CQk"`}},
		{"TOTP and passkey", append([]domain.FactorKind{domain.FactorTOTP}, passkeyAccount...), 3, // and turning TOTP off
			[]string{`data-proof="passkey"`, `id="passkey-code"`, `id="remove-code-CQk"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newPasskeyPageServer(passkeyPageAccounts{mfaPageAccounts: mfaPageAccounts{factors: tt.factors}, passkeys: []domain.Passkey{phoneKey}}, true)
			body := get(s, "/account", live).Body.String()
			if n := strings.Count(body, proofButton); n != tt.buttons {
				t.Errorf("%d passkey proof buttons, want %d", n, tt.buttons)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(body, n) {
					t.Errorf("the page has %q", n)
				}
			}
		})
	}
	// With passkeys off, no form offers one, though the account still has it.
	s, _ := newPasskeyPageServer(passkeyPageAccounts{mfaPageAccounts: mfaPageAccounts{factors: passkeyAccount}}, false)
	if body := get(s, "/account", live).Body.String(); strings.Contains(body, "data-passkey-proof") {
		t.Errorf("passkeys off, yet a form offers the passkey as proof")
	}
}

// TestPasskeyProofSubmit: what passkey.js puts in the hidden field reaches the use case as
// the proof's assertion, at every form that changes factors; the enrolment's own code is
// never taken for a proof.
func TestPasskeyProofSubmit(t *testing.T) {
	const assertion = `{"id":"CQk","type":"public-key","response":{"signature":"c2ln"}}`
	tests := []struct {
		path   string
		form   url.Values
		status int
	}{
		{"/account/passkeys/CQk/remove", acctForm("password", "correct horse", "passkey", assertion), 303},
		{"/account/mfa/recovery-codes", acctForm("password", "correct horse", "passkey", assertion), 200},
		{"/account/mfa/totp/disable", acctForm("password", "correct horse", "passkey", assertion), 303},
		{"/account/mfa/totp/confirm", acctForm("code", "123456", "password", "correct horse", "passkey", assertion), 200},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			s, pk := newPasskeyPageServer(passkeyPageAccounts{mfaPageAccounts: mfaPageAccounts{factors: passkeyAccount}, passkeys: []domain.Passkey{phoneKey}}, true)
			a := s.accounts.(passkeyPageAccounts)
			rec := post(s, tt.path, tt.form, nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d\n%s", rec.Code, tt.status, rec.Body)
			}
			proof := a.calls.proof
			if strings.Contains(tt.path, "/passkeys/") {
				proof = pk.proof
			}
			if string(proof.Passkey) != assertion || proof.Password != "correct horse" || proof.Code != "" || proof.RecoveryCode != "" || proof.IP == "" {
				t.Errorf("the use case got the proof %+v", proof)
			}
			if strings.HasSuffix(tt.path, "/confirm") && a.calls.code != "123456" {
				t.Errorf("ConfirmTOTP got the code %q", a.calls.code)
			}
		})
	}
}
