package mysqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// versionTable records applied migrations.
const versionTable = "gatehouse_schema_migrations"

// Migrator applies the embedded migrations. goose runs plain SQL files with up and down
// sections, keeps its history in one table, and takes a lock so two instances starting with
// auto-migrate do not race.
type Migrator struct {
	p  *goose.Provider
	db *DB
}

// NewMigrator returns a migrator for db.
func NewMigrator(db *DB) (*Migrator, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewMySQLTableLocker()
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectMySQL, db.x.DB, sub,
		goose.WithTableName(versionTable), goose.WithLocker(locker), goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(rekeyEmails))
	if err != nil {
		return nil, fmt.Errorf("mysql migrations: %w", err)
	}
	return &Migrator{p: p, db: db}, nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

// Up applies every pending migration and returns the versions applied.
func (m *Migrator) Up(ctx context.Context) ([]int64, error) {
	res, err := m.p.Up(ctx)
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, translateMigration(err)
}

// Down rolls back the latest applied migration and returns its version.
func (m *Migrator) Down(ctx context.Context) (int64, error) {
	r, err := m.p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return 0, errors.New("mysql migrations: nothing to roll back")
	}
	if err != nil {
		return 0, translateMigration(err)
	}
	return r.Source.Version, nil
}

// Status lists every known migration.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.p.Status(ctx)
	if err != nil {
		return nil, translateMigration(err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// Versions returns the schema's version (0 for none) and the newest version this binary
// knows. It only reads: goose's own GetDBVersion creates the version table when it is
// missing, which would leave a database that Open then refuses no longer empty.
func (m *Migrator) Versions(ctx context.Context) (current, known int64, err error) {
	current, err = m.db.schemaVersion(ctx)
	if err != nil {
		return 0, 0, translateMigration(err)
	}
	sources := m.p.ListSources()
	return current, sources[len(sources)-1].Version, nil
}

// schemaVersion reads the newest applied version from goose's table, as goose does (Down
// deletes the row of what it rolls back), or 0 when the table does not exist.
func (db *DB) schemaVersion(ctx context.Context) (int64, error) {
	ctx, cancel := db.ctx(ctx)
	defer cancel()
	var exists bool
	if err := db.x.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name = ?)`, versionTable); err != nil {
		return 0, translate(err)
	}
	if !exists {
		return 0, nil
	}
	var v sql.NullInt64
	if err := db.x.GetContext(ctx, &v, `SELECT MAX(version_id) FROM `+versionTable); err != nil {
		return 0, translate(err)
	}
	return v.Int64, nil
}

func translateMigration(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("mysql migrations: %w", err)
}

var (
	// ErrSchemaMismatch reports a schema this binary cannot serve.
	ErrSchemaMismatch = errors.New("mysql schema mismatch")
	// ErrNoSchema reports, along with ErrSchemaMismatch, a database that holds no Gatehouse
	// schema at all: not even the version table.
	ErrNoSchema = errors.New("the database holds no Gatehouse schema yet")
)

// checkSchema makes sure the schema is the one this binary knows: it migrates up when allowed,
// and refuses a newer schema (written by a newer Gatehouse) rather than misread it. Unless it
// migrates it only reads, so a database it refuses is left exactly as it was.
func (db *DB) checkSchema(ctx context.Context, autoMigrate bool) error {
	m, err := NewMigrator(db)
	if err != nil {
		return err
	}
	current, known, err := m.Versions(ctx)
	if err != nil {
		return err
	}
	switch {
	case current > known:
		return fmt.Errorf("%w: the database schema is at version %d but this Gatehouse knows only up to %d; run a newer Gatehouse",
			ErrSchemaMismatch, current, known)
	case current < known && autoMigrate:
		_, err := m.Up(ctx)
		return err
	case current == 0:
		return fmt.Errorf("%w: %w; this Gatehouse needs version %d: run 'gatehouse migrate up' or set GATEHOUSE_MYSQL_AUTO_MIGRATE=true",
			ErrSchemaMismatch, ErrNoSchema, known)
	case current < known:
		return fmt.Errorf("%w: the database schema is at version %d and this Gatehouse needs %d; run 'gatehouse migrate up' or set GATEHOUSE_MYSQL_AUTO_MIGRATE=true",
			ErrSchemaMismatch, current, known)
	}
	return nil
}

// DownPlan says what Down would do, without doing anything: the latest applied migration's
// version and name, and the SQL of its down section ("" for a Go migration or one whose down
// step does nothing). ok is false when nothing is applied.
func (m *Migrator) DownPlan(ctx context.Context) (version int64, name, downSQL string, ok bool, err error) {
	current, _, err := m.Versions(ctx)
	if err != nil || current == 0 {
		return 0, "", "", false, err
	}
	for _, s := range m.p.ListSources() {
		if s.Version != current {
			continue
		}
		if s.Path == "" {
			return current, "a Go migration", "", true, nil
		}
		raw, err := fs.ReadFile(migrations, "migrations/"+path.Base(s.Path))
		if err != nil {
			return 0, "", "", false, err
		}
		return current, path.Base(s.Path), downSection(string(raw)), true, nil
	}
	return current, "unknown to this Gatehouse", "", true, nil
}

// downSection returns the statements after a migration file's "-- +goose Down" marker,
// without goose's annotations.
func downSection(file string) string {
	_, down, found := strings.Cut(file, "-- +goose Down")
	if !found {
		return ""
	}
	var lines []string
	for line := range strings.Lines(down) {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "-- +goose") {
			lines = append(lines, strings.TrimRight(line, "\n"))
		}
	}
	return strings.Join(lines, "\n")
}
