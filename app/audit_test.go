package app_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TestUseCasesAreAudited: every account event leaves one audit record naming the event, the
// user and the method, and the credential by public id, never by secret.
func TestUseCasesAreAudited(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	expect := func(t *testing.T, mark int, want ...domain.AuditEvent) []domain.Audit {
		t.Helper()
		got := e.audit.since(mark)
		if len(got) != len(want) {
			t.Fatalf("audit events %v, want %v", got, want)
		}
		for i := range want {
			if got[i].Event != want[i] {
				t.Errorf("event %d = %s, want %s", i, got[i].Event, want[i])
			}
		}
		return got
	}

	mark := e.audit.len()
	u := e.signUp("audited")
	if got := expect(t, mark, domain.AuditSignup); got[0].UserID != u.ID {
		t.Errorf("signup record names user %d, want %d", got[0].UserID, u.ID)
	}

	mark = e.audit.len()
	tok := e.obtainToken("audited", password)
	got := expect(t, mark, domain.AuditLogin, domain.AuditTokenCreated)
	if got[1].ItemID != tok.ID || got[1].Method != domain.MethodToken || got[1].UserID != u.ID {
		t.Errorf("token record = %+v, want token %s of user %d", got[1], tok.ID, u.ID)
	}

	mark = e.audit.len()
	if _, err := e.accounts.ObtainToken(ctx, ports.Login{Username: "audited", Password: "wrong-Password-9"}); err == nil {
		t.Fatal("wrong password accepted")
	}
	if got := expect(t, mark, domain.AuditLoginFailed); got[0].UserID != u.ID {
		t.Errorf("failure record names user %d, want %d", got[0].UserID, u.ID)
	}

	sess := e.login("audited", password)
	p := e.principal(sessionCreds("POST", sess.Secret, sess.CSRFToken))
	mark = e.audit.len()
	if err := e.accounts.RevokeToken(ctx, p, tok.ID); err != nil {
		t.Fatal(err)
	}
	rotated, err := e.accounts.ChangePassword(ctx, p, ports.PasswordChange{Old: password, New: "quartz-Lantern-5521"})
	if err != nil {
		t.Fatal(err)
	}
	p = e.principal(sessionCreds("POST", rotated.Secret, rotated.CSRFToken))
	if err := e.accounts.Logout(ctx, p); err != nil {
		t.Fatal(err)
	}
	expect(t, mark, domain.AuditTokenRevoked, domain.AuditPasswordChanged, domain.AuditLogout)

	for _, a := range e.audit.since(0) {
		if a.ItemID == tok.Secret || a.ItemID == sess.Secret {
			t.Errorf("audit record %+v holds a secret", a)
		}
	}
}
