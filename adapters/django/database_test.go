package django_test

import (
	"context"
	"database/sql"
	"os"
	"reflect"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"github.com/gatehouse/gatehouse/adapters/django"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// djangoDB creates Django's tables in a fresh database, fills them with the dumpdata fixture
// unless empty, and returns its DSN. With tokens false, authtoken_token is not created, as in
// a project without DRF's authtoken app.
func djangoDB(t *testing.T, tokens, fill bool) string {
	t.Helper()
	dsn := testenv.MySQLDSN(t)
	db, err := sql.Open("mysql", dsn+"&parseTime=true")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema, err := os.ReadFile("testdata/django-mysql-schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(string(schema), ";\n") {
		if strings.TrimSpace(stmt) == "" || !tokens && strings.Contains(stmt, "authtoken") {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if !fill {
		return dsn
	}
	users, toks := fixtureRecords(t)
	for _, u := range users {
		if _, err := db.Exec(`INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name,
			last_name, email, is_staff, is_active, date_joined) VALUES (?, ?, NULL, 0, ?, '', '', ?, 0, ?, ?)`,
			u.SourceID, u.PasswordHash, u.Username, u.Email, u.IsActive, u.DateJoined); err != nil {
			t.Fatal(err)
		}
	}
	for _, tok := range toks {
		if !tokens {
			break
		}
		if _, err := db.Exec("INSERT INTO authtoken_token (`key`, created, user_id) VALUES (?, ?, ?)",
			tok.Key, tok.Created, tok.SourceUserID); err != nil {
			t.Fatal(err)
		}
	}
	return dsn
}

func fixtureRecords(t *testing.T) ([]domain.ImportedUser, []domain.ImportedToken) {
	t.Helper()
	f, err := os.Open("testdata/django-dumpdata.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	users, tokens, err := collect(t, django.NewDumpdata(f).Records())
	if err != nil {
		t.Fatal(err)
	}
	return users, tokens
}

func openDB(t *testing.T, dsn string) *django.Database {
	t.Helper()
	d, err := django.OpenDatabase(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestDatabaseReadsWhatDumpdataReads: the same rows, read from Django's tables, give the
// same records as from the dump (tokens ordered by owner).
func TestDatabaseReadsWhatDumpdataReads(t *testing.T) {
	d := openDB(t, djangoDB(t, true, true))
	if !d.HasTokens {
		t.Fatal("HasTokens = false with an authtoken_token table")
	}
	wantUsers, wantTokens := fixtureRecords(t)
	users, tokens, err := collect(t, d.Records(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(users, wantUsers) {
		t.Errorf("users = %+v\nwant %+v", users, wantUsers)
	}
	byOwner := map[int64]domain.ImportedToken{}
	for _, tok := range wantTokens {
		byOwner[tok.SourceUserID] = tok
	}
	if len(tokens) != len(wantTokens) {
		t.Fatalf("read %d tokens, want %d", len(tokens), len(wantTokens))
	}
	for i, tok := range tokens {
		if i > 0 && tok.SourceUserID < tokens[i-1].SourceUserID {
			t.Errorf("tokens not in owner order")
		}
		if want := byOwner[tok.SourceUserID]; !reflect.DeepEqual(tok, want) {
			t.Errorf("token of user %d differs from the dump's", tok.SourceUserID)
		}
	}
	nu, nt, err := d.Count(t.Context())
	if err != nil || nu != len(wantUsers) || nt != len(wantTokens) {
		t.Errorf("Count = %d, %d, %v; want %d, %d", nu, nt, err, len(wantUsers), len(wantTokens))
	}
}

func TestDatabaseWithoutAuthtoken(t *testing.T) {
	d := openDB(t, djangoDB(t, false, true))
	users, tokens, err := collect(t, d.Records(t.Context()))
	if err != nil || d.HasTokens || len(users) == 0 || len(tokens) != 0 {
		t.Errorf("HasTokens %v, %d users, %d tokens, %v; want users only", d.HasTokens, len(users), len(tokens), err)
	}
}

func TestOpenDatabaseRefusesADatabaseWithoutAuthUser(t *testing.T) {
	_, err := django.OpenDatabase(t.Context(), testenv.MySQLDSN(t))
	if err == nil || !strings.Contains(err.Error(), "no auth_user table") {
		t.Errorf("OpenDatabase = %v, want an error naming auth_user", err)
	}
}

func TestOpenDatabaseRefusesBadDSNs(t *testing.T) {
	for _, dsn := range []string{"not a dsn at all", "root:s3cret@tcp(127.0.0.1:3306)/"} {
		_, err := django.OpenDatabase(context.Background(), dsn)
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("OpenDatabase(%q) = %v, want an error without the password", dsn, err)
		}
	}
}

func TestDatabaseStopsAtTheContext(t *testing.T) {
	d := openDB(t, djangoDB(t, true, false))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := collect(t, d.Records(ctx)); err == nil {
		t.Error("Records with a cancelled context gave no error")
	}
}
