package migration_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/gatehouse/gatehouse/adapters/django"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// The fixtures live with the Django reader: a dumpdata that a real Django 3.2 with DRF wrote,
// the passwords and keys behind it, and Django's MySQL schema for the two tables.
const (
	dumpdataFile = "../../adapters/django/testdata/django-dumpdata.json"
	secretsFile  = "../../adapters/django/testdata/django-dumpdata-secrets.json"
	schemaFile   = "../../adapters/django/testdata/django-mysql-schema.sql"
)

// secrets are the users' passwords (nil for an unusable one) and token keys of the dump.
type secrets struct {
	Users []struct {
		Username string
		Password *string
		IsActive bool `json:"is_active"`
	}
	Tokens []struct{ Username, Key string }
}

func loadSecrets(t *testing.T) secrets {
	t.Helper()
	raw, err := os.ReadFile(secretsFile)
	if err != nil {
		t.Fatal(err)
	}
	var s secrets
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// djangoDatabase creates Django's auth_user and authtoken_token in a fresh database, fills
// them with the rows of the dump, and returns the database's DSN.
func djangoDatabase(t *testing.T) string {
	t.Helper()
	dsn := testenv.MySQLDSN(t)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.Split(string(schema), ";\n") {
		if strings.TrimSpace(stmt) != "" {
			if _, err := db.Exec(stmt); err != nil {
				t.Fatalf("creating Django's tables: %v", err)
			}
		}
	}
	f, err := os.Open(dumpdataFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for rec, err := range django.NewDumpdata(f).Records() {
		if err != nil {
			t.Fatal(err)
		}
		if u := rec.User; u != nil {
			_, err = db.Exec(`INSERT INTO auth_user (id, password, last_login, is_superuser, username, first_name,
				last_name, email, is_staff, is_active, date_joined) VALUES (?, ?, NULL, 0, ?, '', '', ?, 0, ?, ?)`,
				u.SourceID, u.PasswordHash, u.Username, u.Email, u.IsActive, u.DateJoined)
		} else {
			_, err = db.Exec("INSERT INTO authtoken_token (`key`, created, user_id) VALUES (?, ?, ?)",
				rec.Token.Key, rec.Token.Created, rec.Token.SourceUserID)
		}
		if err != nil {
			t.Fatalf("filling Django's tables: %v", err)
		}
	}
	return dsn
}

// gatehouseEnv is the environment of every gatehouse run of one test: every store in one
// fresh MySQL database, imported tokens living three days.
func gatehouseEnv(t *testing.T) map[string]string {
	return map[string]string{
		"GATEHOUSE_ADDR":                "127.0.0.1:0",
		"GATEHOUSE_LOG_FORMAT":          "json",
		"GATEHOUSE_COOKIE_SECURE":       "false",
		"GATEHOUSE_USER_STORE":          "mysql",
		"GATEHOUSE_SESSION_STORE":       "mysql",
		"GATEHOUSE_TOKEN_STORE":         "mysql",
		"GATEHOUSE_MYSQL_DSN":           testenv.MySQLDSN(t),
		"GATEHOUSE_MYSQL_AUTO_MIGRATE":  "true",
		"GATEHOUSE_TOKEN_TTL":           tokenTTL.String(),
		"GATEHOUSE_THROTTLE_LOGIN_USER": "1000/min",
		"GATEHOUSE_THROTTLE_LOGIN_IP":   "1000/min",
	}
}

const tokenTTL = 72 * time.Hour

// importDjango runs "gatehouse import django args..." and returns its exit code and output.
func importDjango(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append([]string{"import", "django"}, args...)...)
	cmd.Env = testenv.Environ(env)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running gatehouse import: %v", err)
	}
	if strings.Contains(errOut.String(), "DATA RACE") {
		t.Errorf("gatehouse import reported a data race:\n%s", errOut.String())
	}
	return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
}
