package mysqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

func config(dsn string, auto bool) mysqlstore.Config {
	return mysqlstore.Config{DSN: dsn, MaxOpenConns: 4, MaxIdleConns: 2, ConnMaxLifetime: time.Minute,
		QueryTimeout: 5 * time.Second, AutoMigrate: auto}
}

// An empty database that Open refuses is left empty: not even goose's version or lock table.
func TestOpenRefusesAnUnmigratedSchema(t *testing.T) {
	dsn := testenv.MySQLDSN(t)
	_, _, err := mysqlstore.Open(context.Background(), config(dsn, false))
	if !errors.Is(err, mysqlstore.ErrSchemaMismatch) || !errors.Is(err, mysqlstore.ErrNoSchema) ||
		!strings.Contains(err.Error(), "gatehouse migrate up") {
		t.Fatalf("err = %v, want a schema mismatch that says how to migrate", err)
	}
	db, err := mysqlstore.Connect(context.Background(), config(dsn, false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if tables, err := mysqlstore.TablesForTest(db); err != nil || len(tables) != 0 {
		t.Errorf("tables after a refused Open = %v, %v; want none", tables, err)
	}
}

func TestOpenMigratesWhenAllowed(t *testing.T) {
	db, closeDB, err := mysqlstore.Open(context.Background(), config(testenv.MySQLDSN(t), true))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	m, err := mysqlstore.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	current, known, err := m.Versions(context.Background())
	if err != nil || current != known || known == 0 {
		t.Fatalf("Versions = %d, %d, %v; want the newest version applied", current, known, err)
	}
}

func TestOpenRefusesANewerSchema(t *testing.T) {
	dsn := testenv.MySQLDSN(t)
	db, closeDB, err := mysqlstore.Open(context.Background(), config(dsn, true))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	if err := mysqlstore.ExecForTest(db, "INSERT INTO gatehouse_schema_migrations (version_id, is_applied) VALUES (99999, 1)"); err != nil {
		t.Fatal(err)
	}
	_, _, err = mysqlstore.Open(context.Background(), config(dsn, true))
	if !errors.Is(err, mysqlstore.ErrSchemaMismatch) || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("err = %v, want a refusal naming the newer schema", err)
	}
}

func TestMigrateUpDownStatus(t *testing.T) {
	db, err := mysqlstore.Connect(context.Background(), config(testenv.MySQLDSN(t), false))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m, err := mysqlstore.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	applied, err := m.Up(ctx)
	if err != nil || len(applied) == 0 {
		t.Fatalf("Up = %v, %v", applied, err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("after Up, migration %d is not applied", s.Version)
		}
	}
	if again, err := m.Up(ctx); err != nil || len(again) != 0 {
		t.Errorf("second Up = %v, %v; want nothing to do", again, err)
	}
	for range st {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Down(ctx); err == nil {
		t.Error("Down with nothing applied: want an error")
	}
	if err := mysqlstore.ExecForTest(db, "SELECT 1 FROM gatehouse_users"); err == nil {
		t.Error("after rolling everything back the users table still exists")
	}
}

func TestConnectFailsFastOnUnreachableServer(t *testing.T) {
	start := time.Now()
	_, err := mysqlstore.Connect(context.Background(), config("root@tcp(127.0.0.1:1)/x?timeout=1s", false))
	if err == nil {
		t.Fatal("Connect to a closed port succeeded")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("Connect took %v", time.Since(start))
	}
}

func TestConnectRejectsBadDSN(t *testing.T) {
	if _, err := mysqlstore.Connect(context.Background(), config("not a dsn", false)); err == nil {
		t.Fatal("want an error for a malformed DSN")
	}
}

// TestOutageIsUnavailable: once the pool is gone every store call reports ErrUnavailable,
// which the HTTP adapter answers with 503.
func TestOutageIsUnavailable(t *testing.T) {
	db, closeDB, err := mysqlstore.Open(context.Background(), config(testenv.MySQLDSN(t), true))
	if err != nil {
		t.Fatal(err)
	}
	users := mysqlstore.NewUserStore(db)
	factors := mysqlstore.NewFactorStore(db)
	closeDB()
	ctx, id := context.Background(), []byte("credential")
	for name, call := range map[string]func() error{
		"AddPasskey": func() error {
			return factors.AddPasskey(ctx, domain.Passkey{UserID: 1, CredentialID: id, Name: "key", CreatedAt: time.Now()})
		},
		"Passkeys":          func() error { _, err := factors.Passkeys(ctx, 1); return err },
		"UsePasskey":        func() error { return factors.UsePasskey(ctx, 1, id, nil, time.Now()) },
		"DeletePasskey":     func() error { return factors.DeletePasskey(ctx, 1, id) },
		"DeleteUserFactors": func() error { return factors.DeleteUserFactors(ctx, 1) },
	} {
		if err := call(); !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("%s err = %v, want ErrUnavailable", name, err)
		}
	}
	_, err = users.UserByUsername(context.Background(), "alice")
	if !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if err := db.Ping(context.Background()); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("Ping err = %v, want ErrUnavailable", err)
	}
}

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func TestSweepDeletesOnlyExpiredInBatches(t *testing.T) {
	db, closeDB, err := mysqlstore.Open(context.Background(), config(testenv.MySQLDSN(t), true))
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	clock := &fixedClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	sessions := mysqlstore.NewSessionStore(db, clock)
	tokens := mysqlstore.NewTokenStore(db, clock)
	ctx := context.Background()
	const expired, live = 1234, 3
	for i := range expired + live {
		ttl := time.Minute
		if i < live {
			ttl = time.Hour
		}
		id := fmt.Sprintf("%032x", i)
		h := domain.HashSecret(id)
		if err := sessions.CreateSession(ctx, domain.Session{ID: id, UserID: 1, SecretHash: h, CreatedAt: clock.t,
			LastSeenAt: clock.t, ExpiresAt: clock.t.Add(ttl)}); err != nil {
			t.Fatal(err)
		}
		if i < 10 {
			if err := tokens.CreateToken(ctx, domain.Token{ID: id, UserID: 1, SecretHash: h, CreatedAt: clock.t,
				ExpiresAt: clock.t.Add(ttl)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tokens.CreateToken(ctx, domain.Token{ID: "f" + strings.Repeat("0", 31), UserID: 1,
		SecretHash: domain.HashSecret("never"), CreatedAt: clock.t}); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(2 * time.Minute)
	if n, err := sessions.Sweep(ctx); err != nil || n != expired {
		t.Errorf("session Sweep = %d, %v; want %d", n, err, expired)
	}
	if n, err := tokens.Sweep(ctx); err != nil || n != 10-live {
		t.Errorf("token Sweep = %d, %v; want %d", n, err, 10-live)
	}
	if got, _ := sessions.SessionsByUser(ctx, 1); len(got) != live {
		t.Errorf("%d live sessions after the sweep, want %d", len(got), live)
	}
	if got, _ := tokens.TokensByUser(ctx, 1); len(got) != live+1 {
		t.Errorf("%d live tokens after the sweep, want %d (the one that never expires kept)", len(got), live+1)
	}
}

// TestMigrationRekeysNonASCIIAddresses: an address that migration 3 keyed by LOWER() alone is
// found by its domain.EmailKey once migration 5 has run.
func TestMigrationRekeysNonASCIIAddresses(t *testing.T) {
	var rows []string
	for _, row := range []struct{ name, email string }{{"wide", "ＡＬＩＣＥ@example.com"}, {"plain", "Bob@Example.com"}} {
		rows = append(rows, fmt.Sprintf(`INSERT INTO gatehouse_users (username, username_key, email, email_key, password_hash, is_active, date_joined)
			VALUES ('%s', '%s', '%s', LOWER(TRIM(email)), '!', 1, NOW())`, row.name, row.name, row.email))
	}
	db := migrateOver(t, 5, rows...)
	users := mysqlstore.NewUserStore(db)
	for email, want := range map[string]string{"alice@example.com": "wide", "ａｌｉｃｅ@EXAMPLE.com": "wide", "bob@example.com": "plain"} {
		got, err := users.UsersByEmail(context.Background(), email)
		if err != nil || len(got) != 1 || got[0].Username != want {
			t.Errorf("UsersByEmail(%q) = %+v, %v; want %s", email, got, err, want)
		}
	}
}

// TestMigrationKeepsCodesAndComparesPurposeBytes: a code written before migration 6 is still
// consumed by its own purpose after it, and no longer by the purpose in other capitals.
func TestMigrationKeepsCodesAndComparesPurposeBytes(t *testing.T) {
	h := domain.HashSecret("code written before migration 6")
	db := migrateOver(t, 6, fmt.Sprintf(`INSERT INTO gatehouse_codes (hash, user_id, purpose, email, created_at, expires_at)
		VALUES (X'%s', 1, 'password-reset', 'a@example.org', '2030-01-01', '2030-01-02')`, h.Hex()))
	codes := mysqlstore.NewCodeStore(db, &fixedClock{t: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)})
	if _, err := codes.ConsumeCode(context.Background(), "Password-Reset", h); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConsumeCode(Password-Reset) = %v, want domain.ErrNotFound", err)
	}
	if c, err := codes.ConsumeCode(context.Background(), domain.PurposePasswordReset, h); err != nil || c.Purpose != domain.PurposePasswordReset {
		t.Errorf("ConsumeCode(password-reset) = %+v, %v; want the code", c, err)
	}
}

// TestMigrationKeepsCodesWithoutData: a code written before migration 8 added the data
// column is consumed after it, with no Data.
func TestMigrationKeepsCodesWithoutData(t *testing.T) {
	h := domain.HashSecret("code written before migration 8")
	db := migrateOver(t, 8, fmt.Sprintf(`INSERT INTO gatehouse_codes (hash, user_id, purpose, email, created_at, expires_at)
		VALUES (X'%s', 1, 'mfa-ticket', 'a@example.org', '2030-01-01', '2030-01-02')`, h.Hex()))
	codes := mysqlstore.NewCodeStore(db, &fixedClock{t: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)})
	c, err := codes.ConsumeCode(context.Background(), domain.PurposeMFATicket, h)
	if err != nil || c.UserID != 1 || c.Email != "a@example.org" || len(c.Data) != 0 {
		t.Errorf("ConsumeCode = %+v, %v; want user 1's code without Data", c, err)
	}
}

// TestMigrationGivesEarlierCredentialsLevelOne: a session or token stored before migration 10
// was issued on one factor at most and reads as domain.LevelPassword after it.
func TestMigrationGivesEarlierCredentialsLevelOne(t *testing.T) {
	sh, th := domain.HashSecret("session before migration 10"), domain.HashSecret("token before migration 10")
	db := migrateOver(t, 10,
		fmt.Sprintf(`INSERT INTO gatehouse_sessions (secret_hash, id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (X'%s', 's1', 1, '2030-01-01', '2030-01-01', '2030-01-02', '192.0.2.1', 'curl')`, sh.Hex()),
		fmt.Sprintf(`INSERT INTO gatehouse_tokens (secret_hash, id, user_id, name, created_at)
			VALUES (X'%s', 't1', 1, 'laptop', '2030-01-01')`, th.Hex()))
	clock := &fixedClock{t: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	if s, err := mysqlstore.NewSessionStore(db, clock).SessionByHash(context.Background(), sh); err != nil || s.Level != domain.LevelPassword {
		t.Errorf("SessionByHash = %+v, %v; want level %d", s, err, domain.LevelPassword)
	}
	if tok, err := mysqlstore.NewTokenStore(db, clock).TokenByHash(context.Background(), th); err != nil || tok.Level != domain.LevelPassword {
		t.Errorf("TokenByHash = %+v, %v; want level %d", tok, err, domain.LevelPassword)
	}
}

// migrateOver returns a fresh database on which rows (SQL statements) were written at the
// schema before migration version, and which was then migrated up to the newest version,
// which the stores read.
func migrateOver(t *testing.T, version int64, rows ...string) *mysqlstore.DB {
	t.Helper()
	db, err := mysqlstore.Connect(context.Background(), config(testenv.MySQLDSN(t), false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := mysqlstore.UpToForTest(db, version-1); err != nil {
		t.Fatal(err)
	}
	for _, q := range rows {
		if err := mysqlstore.ExecForTest(db, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := mysqlstore.UpToForTest(db, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	return db
}
