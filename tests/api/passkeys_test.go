package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/webauthn/webauthntest"
)

// passkeyOrigin is the page origin the software authenticator reports, on the development
// relying party (localhost).
const passkeyOrigin = "http://localhost:8443"

func startPasskeyServer(t *testing.T) (*server, *webauthntest.Authenticator) {
	t.Helper()
	s := startServer(t, map[string]string{"GATEHOUSE_WEBAUTHN_RP_ID": "localhost", "GATEHOUSE_WEBAUTHN_ORIGINS": passkeyOrigin})
	return s, webauthntest.New(passkeyOrigin)
}

// addPasskey registers a passkey of auth for the token's user and returns its answer.
func (s *server) addPasskey(t *testing.T, auth *webauthntest.Authenticator, tok, password, name string) map[string]any {
	t.Helper()
	options := s.do(t, "POST", "/v1/auth/passkeys/options", withToken(tok)).expect(t, http.StatusOK).body
	cred, err := auth.Create(options)
	if err != nil {
		t.Fatal(err)
	}
	return s.do(t, "POST", "/v1/auth/passkeys", withToken(tok), jsonBody(map[string]any{
		"name": name, "password": password, "credential": json.RawMessage(cred)})).expect(t, http.StatusCreated).object(t)
}

// passkeyAssertion answers the options of a passkey login with auth.
func (s *server) passkeyAssertion(t *testing.T, auth *webauthntest.Authenticator) json.RawMessage {
	t.Helper()
	options := s.do(t, "POST", "/v1/auth/passkey/options").expect(t, http.StatusOK).body
	assertion, err := auth.Get(options)
	if err != nil {
		t.Fatal(err)
	}
	return assertion
}

// factorProof answers the options of a factor proof with auth.
func (s *server) factorProof(t *testing.T, auth *webauthntest.Authenticator, tok string) json.RawMessage {
	t.Helper()
	options := s.do(t, "POST", "/v1/auth/mfa/passkey/options", withToken(tok)).expect(t, http.StatusOK).body
	assertion, err := auth.Get(options)
	if err != nil {
		t.Fatal(err)
	}
	return assertion
}

func TestPasskeys(t *testing.T) {
	t.Parallel()
	s, auth := startPasskeyServer(t)
	a := s.signup(t, "passkey", "violet-Harbour-4471")
	first := s.token(t, a)

	// Registration needs the password; the first factor brings recovery codes.
	options := s.do(t, "POST", "/v1/auth/passkeys/options", withToken(first.secret)).expect(t, http.StatusOK).body
	cred, err := auth.Create(options)
	if err != nil {
		t.Fatal(err)
	}
	s.do(t, "POST", "/v1/auth/passkeys", withToken(first.secret), jsonBody(map[string]any{
		"name": "laptop", "password": "wrong-Password-1", "credential": json.RawMessage(cred)})).expect(t, http.StatusBadRequest)
	added := s.do(t, "POST", "/v1/auth/passkeys", withToken(first.secret), jsonBody(map[string]any{
		"name": "laptop", "password": a.password, "credential": json.RawMessage(cred)})).expect(t, http.StatusCreated).object(t)
	if codes, _ := added["recovery_codes"].([]any); added["name"] != "laptop" || len(codes) != 10 {
		t.Fatalf("registration answered %v", added)
	}
	for _, c := range added["recovery_codes"].([]any) {
		s.secret(c.(string))
	}
	// The same answer again: its ceremony is used up.
	s.do(t, "POST", "/v1/auth/passkeys", withToken(first.secret), jsonBody(map[string]any{
		"name": "again", "password": a.password, "passkey": s.factorProof(t, auth, first.secret),
		"credential": json.RawMessage(cred)})).expect(t, http.StatusUnauthorized)
	list := s.do(t, "GET", "/v1/auth/passkeys", withToken(first.secret)).expect(t, http.StatusOK).array(t)
	if len(list) != 1 || list[0]["id"] != added["id"] || list[0]["last_used_at"] == nil { // used by the proof
		t.Fatalf("passkeys = %v", list)
	}
	if f, _ := s.me(t, withToken(first.secret))["factors"].([]any); !slices.Equal(f, []any{"webauthn", "recovery_code"}) {
		t.Fatalf("/me factors = %v", f)
	}

	// A passkey alone logs in, without a username, once per ceremony.
	assertion := s.passkeyAssertion(t, auth)
	m := s.do(t, "POST", "/v1/auth/passkey/token", jsonBody(map[string]any{"credential": assertion, "name": "kiosk"})).
		expect(t, http.StatusOK).object(t)
	second, _ := m["token"].(string)
	s.secret(second)
	if got := s.me(t, withToken(second)); got["username"] != a.username {
		t.Fatalf("the passkey's token is %v's", got["username"])
	} else if got["auth_level"] != 1.0 {
		t.Errorf("a passkey alone gives auth_level %v, want 1 (one factor)", got["auth_level"])
	}
	s.do(t, "POST", "/v1/auth/passkey/token", jsonBody(map[string]any{"credential": assertion})).expect(t, http.StatusUnauthorized)
	r := s.do(t, "POST", "/v1/auth/passkey/login", jsonBody(map[string]any{"credential": s.passkeyAssertion(t, auth)})).
		expect(t, http.StatusOK)
	if c := r.cookie("sessionid"); c == nil || c.Value == "" {
		t.Fatal("no session cookie after a passkey login")
	}

	// With a passkey, a password asks for it as the second step.
	m = s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": a.username, "password": a.password})).
		expect(t, http.StatusAccepted).object(t)
	ticket, _ := m["ticket"].(string)
	opts, err := json.Marshal(m["passkey_options"])
	if err != nil || m["passkey_options"] == nil {
		t.Fatalf("the first step offers no passkey: %v", m)
	}
	assertion, err = auth.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	m = s.do(t, "POST", "/v1/auth/mfa/verify", jsonBody(map[string]any{"ticket": ticket, "passkey": assertion})).
		expect(t, http.StatusOK).object(t)
	third, _ := m["token"].(string)
	s.secret(third)
	// The same answer for another ticket: its ceremony is spent, and the answer says so.
	m = s.do(t, "POST", "/v1/auth/token", jsonBody(map[string]string{"username": a.username, "password": a.password})).
		expect(t, http.StatusAccepted).object(t)
	if p := s.do(t, "POST", "/v1/auth/mfa/verify", jsonBody(map[string]any{"ticket": m["ticket"], "passkey": assertion})).
		expect(t, http.StatusUnauthorized).problem(t); p.Detail != "The passkey could not be verified: try again." {
		t.Errorf("a spent passkey answer at the second step: %+v", p)
	}
	if l := s.me(t, withToken(third))["auth_level"]; l != 2.0 {
		t.Errorf("a password and a passkey give auth_level %v, want 2", l)
	}
	if p := s.do(t, "GET", "/v1/auth/me", withBasic(a.username, a.password)).expect(t, http.StatusForbidden).problem(t); p.Code != "basic_with_factor" {
		t.Fatalf("Basic answered %+v", p)
	}

	// A stolen session, even with the password, cannot change the factors: each change needs
	// the passkey (or a recovery code) as well.
	id, _ := added["id"].(string)
	s.do(t, "DELETE", "/v1/auth/passkeys/"+id, withToken(third), jsonBody(map[string]string{"password": a.password})).
		expect(t, http.StatusBadRequest)
	s.do(t, "POST", "/v1/auth/mfa/recovery-codes", withToken(third), jsonBody(map[string]string{"password": a.password})).
		expect(t, http.StatusBadRequest)
	s.do(t, "POST", "/v1/auth/mfa/totp", withToken(third)).expect(t, http.StatusServiceUnavailable) // no server key here
	s.do(t, "POST", "/v1/auth/passkeys/options", withToken(third)).expect(t, http.StatusOK)
	thief := webauthntest.New(passkeyOrigin)
	options = s.do(t, "POST", "/v1/auth/passkeys/options", withToken(third)).expect(t, http.StatusOK).body
	stolen, err := thief.Create(options)
	if err != nil {
		t.Fatal(err)
	}
	s.do(t, "POST", "/v1/auth/passkeys", withToken(third), jsonBody(map[string]any{
		"name": "thief", "password": a.password, "credential": json.RawMessage(stolen)})).expect(t, http.StatusBadRequest)

	// Removing it with the password and the passkey signs out everything else.
	s.do(t, "DELETE", "/v1/auth/passkeys/"+id, withToken(third), jsonBody(map[string]any{"password": "wrong-Password-1",
		"passkey": s.factorProof(t, auth, third)})).expect(t, http.StatusBadRequest)
	s.do(t, "DELETE", "/v1/auth/passkeys/"+id, withToken(third), jsonBody(map[string]any{"password": a.password,
		"passkey": s.factorProof(t, auth, third)})).expect(t, http.StatusNoContent)
	s.do(t, "DELETE", "/v1/auth/passkeys/"+id, withToken(third), jsonBody(map[string]string{"password": a.password})).
		expect(t, http.StatusNotFound)
	for _, tok := range []string{first.secret, second} {
		if st := s.status(t, "GET", "/v1/auth/me", withToken(tok)); st != http.StatusUnauthorized {
			t.Errorf("another token after removing the passkey: %d, want 401", st)
		}
	}
	if f, _ := s.me(t, withToken(third))["factors"].([]any); !slices.Equal(f, []any{}) {
		t.Fatalf("/me factors after removing = %v", f)
	}
	s.token(t, a)
	s.do(t, "POST", "/v1/auth/passkey/token", jsonBody(map[string]any{"credential": s.passkeyAssertion(t, auth)})).
		expect(t, http.StatusUnauthorized)
}

// TestPasskeyAssertionRace: one assertion sent fifty times at once logs in once.
func TestPasskeyAssertionRace(t *testing.T) {
	t.Parallel()
	s, auth := startPasskeyServer(t)
	a := s.signup(t, "passkey_race", "violet-Harbour-4471")
	s.addPasskey(t, auth, s.token(t, a).secret, a.password, "phone")
	assertion := s.passkeyAssertion(t, auth)
	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = s.status(t, "POST", "/v1/auth/passkey/token", jsonBody(map[string]any{"credential": assertion}))
		})
	}
	wg.Wait()
	ok := 0
	for _, st := range statuses {
		switch st {
		case http.StatusOK:
			ok++
		case http.StatusUnauthorized:
		default:
			t.Errorf("status %d", st)
		}
	}
	if ok != 1 {
		t.Errorf("%d logins with one assertion, want 1", ok)
	}
}

func TestPasskeysOff(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"GATEHOUSE_WEBAUTHN_RP_ID": "off"})
	if p := s.do(t, "POST", "/v1/auth/passkey/options").expect(t, http.StatusNotFound).problem(t); p.Code != "passkeys_off" {
		t.Fatalf("options with passkeys off: %+v", p)
	}
}
