package app_test

import (
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// Django's pk becomes the user's id, whatever order and gaps the rows come in, and ids
// handed out afterwards are above them.
func TestImportKeepsDjangoPKsAsIDs(t *testing.T) {
	pks := map[int64]string{42: "alice", 7: "bob", 3: "carol", 1000: "dave"}
	for _, workers := range []int{1, 4} {
		e := newEnv(t)
		var rows []domain.ImportRecord
		for _, pk := range []int64{42, 7, 3, 1000} {
			rows = append(rows, djangoUser(pk, pks[pk]))
		}
		if sum := e.runImport(app.ImportOptions{Workers: workers}, rows...); sum.Users != (app.ImportCounts{Imported: 4}) {
			t.Fatalf("workers %d: summary = %+v, want 4 imported", workers, sum)
		}
		for pk, name := range pks {
			if u, err := e.users.UserByID(t.Context(), domain.UserID(pk)); err != nil || u.Username != name {
				t.Errorf("workers %d: user %d = %q, %v; want %q", workers, pk, u.Username, err, name)
			}
		}
		if erin := e.signUp("erin"); erin.ID <= 1000 {
			t.Errorf("workers %d: a signup after the import got id %d, want one above the pks", workers, erin.ID)
		}
	}
}

// An id held by another user is never worked around: the row is skipped, saying who holds
// it, in a dry run too, and its token with it.
func TestImportRefusesATakenID(t *testing.T) {
	for _, dry := range []bool{true, false} {
		e := newEnv(t)
		carol := e.signUp("carol")
		sum := e.runImport(app.ImportOptions{DryRun: dry}, djangoUser(int64(carol.ID), "alice"), drfToken(int64(carol.ID), drfKey(1)),
			djangoUser(0, "bob"))
		label := `user pk=1 "alice"`
		assertSkipped(t, sum, map[string]string{
			label:                `id 1 is taken by Gatehouse user "carol" (id 1)`,
			"token of user pk=1": `its user (` + label + `) was skipped`,
			`user pk=0 "bob"`:    "pk is not a positive integer",
		})
		if sum.Users != (app.ImportCounts{Skipped: 2}) || sum.Tokens != (app.ImportCounts{Skipped: 1}) {
			t.Errorf("dry run %v: counts = %+v %+v, want 2 users and the token skipped", dry, sum.Users, sum.Tokens)
		}
		if u, err := e.users.UserByID(t.Context(), carol.ID); err != nil || u.Username != "carol" {
			t.Errorf("dry run %v: carol's id now holds %+v, %v", dry, u, err)
		}
		if e.tokenLive(drfKey(1)) {
			t.Errorf("dry run %v: alice's token was imported for carol", dry)
		}
	}
}

// A user that an earlier Gatehouse imported under a new id is left as it is and reported:
// moving it would orphan its sessions and tokens.
func TestImportReportsAUserImportedUnderAnotherID(t *testing.T) {
	e := newEnv(t)
	row := djangoUser(5, "alice")
	old, err := e.users.CreateUser(t.Context(), domain.User{Username: "alice", Email: row.User.Email,
		PasswordHash: djangoHash, IsActive: true, DateJoined: joined}, domain.EmailShared)
	if err != nil {
		t.Fatal(err)
	}
	sum := e.runImport(app.ImportOptions{}, row, drfToken(5, drfKey(1)))
	want := app.ImportSummary{Users: app.ImportCounts{Skipped: 1}, Tokens: app.ImportCounts{Skipped: 1}, Skipped: []app.ImportRow{
		{Row: `user pk=5 "alice"`, Reason: "imported earlier as id 1, not under its pk; left as it is"},
		{Row: "token of user pk=5", Reason: "not re-created: its user came over in an earlier run, so the key was revoked or expired since"},
	}}
	if !reflect.DeepEqual(sum, want) {
		t.Errorf("summary = %+v\nwant %+v", sum, want)
	}
	if _, err := e.users.UserByID(t.Context(), 5); err == nil {
		t.Error("alice was imported a second time under her pk")
	}
	if u, err := e.users.UserByID(t.Context(), old.ID); err != nil || u.Username != "alice" {
		t.Errorf("alice's earlier id holds %+v, %v", u, err)
	}
}
