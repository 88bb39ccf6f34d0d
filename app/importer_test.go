package app_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// djangoHash is Django 3.2's make_password(djangoPassword).
const (
	djangoHash     = "pbkdf2_sha256$260000$anyfHeW8eb4GNByrpy9SOY$R5M3y32DY+zsaP5vpEEXOmI3uEnWoW5l6JEKK8coHU4="
	djangoPassword = "correct horse battery staple"
)

var joined = time.Date(2021, time.May, 4, 10, 11, 12, 345678000, time.UTC)

// drfKey returns a DRF-shaped key ending in n.
func drfKey(n int) string {
	return strings.Repeat("0", 38) + string("0123456789abcdef"[n/16]) + string("0123456789abcdef"[n%16])
}

func djangoUser(pk int64, username string) domain.ImportRecord {
	return domain.ImportRecord{User: &domain.ImportedUser{SourceID: pk, Username: username,
		Email: username + "@example.com", PasswordHash: djangoHash, IsActive: true, DateJoined: joined}}
}

func drfToken(user int64, key string) domain.ImportRecord {
	return domain.ImportRecord{Token: &domain.ImportedToken{Key: key, SourceUserID: user, Created: joined}}
}

func records(rs ...domain.ImportRecord) iter.Seq2[domain.ImportRecord, error] {
	return func(yield func(domain.ImportRecord, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func (e *env) importer() *app.Importer {
	return app.NewImporter(e.users, e.tokens, e.clock, e.random, e.settings.TokenTTL, passhash.Check)
}

func (e *env) runImport(opts app.ImportOptions, rs ...domain.ImportRecord) app.ImportSummary {
	e.t.Helper()
	sum, err := e.importer().Import(e.t.Context(), records(rs...), opts)
	if err != nil {
		e.t.Fatalf("Import: %v", err)
	}
	return sum
}

func TestImportKeepsPasswordsAndTokens(t *testing.T) {
	e := newEnv(t)
	sum := e.runImport(app.ImportOptions{}, djangoUser(7, "alice"), drfToken(7, drfKey(1)))
	want := app.ImportSummary{Users: app.ImportCounts{Imported: 1}, Tokens: app.ImportCounts{Imported: 1}}
	if !reflect.DeepEqual(sum, want) {
		t.Fatalf("summary = %+v, want %+v", sum, want)
	}
	u, err := e.users.UserByUsername(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "alice@example.com" || u.PasswordHash != djangoHash || !u.IsActive || !u.DateJoined.Equal(joined) {
		t.Errorf("stored user = %+v, want the Django row as it was", u)
	}
	tok, err := e.tokens.TokenByHash(t.Context(), domain.HashSecret(drfKey(1)))
	if err != nil {
		t.Fatalf("token not stored under the hash of its key: %v", err)
	}
	if tok.UserID != u.ID || tok.Name != domain.ImportedTokenName || !tok.CreatedAt.Equal(t0) || !tok.ExpiresAt.Equal(t0.Add(e.settings.TokenTTL)) {
		t.Errorf("stored token = %+v, want alice's, named %q, living the token TTL from the import", tok, domain.ImportedTokenName)
	}
	if p := e.principal(tokenCreds(drfKey(1))); p.User.ID != u.ID {
		t.Errorf("the DRF key authenticated %+v, want alice", p.User)
	}
	if _, err := e.verifier.Check(t.Context(), "alice", djangoPassword, "192.0.2.1", domain.MethodSession); err != nil {
		t.Errorf("the Django password did not log in: %v", err)
	}
}

func TestImportTwiceChangesNothing(t *testing.T) {
	e := newEnv(t)
	rows := []domain.ImportRecord{djangoUser(1, "alice"), djangoUser(2, "Alice"), djangoUser(3, "bob"),
		drfToken(1, drfKey(1)), drfToken(2, drfKey(2)), drfToken(3, drfKey(3))}
	first := e.runImport(app.ImportOptions{}, rows...)
	if first.Users.Imported != 2 || first.Tokens.Imported != 2 {
		t.Fatalf("first run = %+v, want 2 users and 2 tokens imported", first)
	}
	// A login re-hashes alice's password; the next import must neither undo it nor call her a
	// different user.
	if _, err := e.verifier.Check(t.Context(), "alice", djangoPassword, "192.0.2.1", domain.MethodSession); err != nil {
		t.Fatal(err)
	}
	upgraded := e.passwordHash(1)
	e.clock.Advance(time.Hour)
	second := e.runImport(app.ImportOptions{}, rows...)
	want := app.ImportSummary{Users: app.ImportCounts{Unchanged: 2, Skipped: 1}, Tokens: app.ImportCounts{Unchanged: 2, Skipped: 1}, Skipped: first.Skipped}
	if !reflect.DeepEqual(second, want) {
		t.Errorf("second run = %+v, want %+v", second, want)
	}
	if got := e.passwordHash(1); got != upgraded {
		t.Errorf("second import changed the upgraded hash to %.30q", got)
	}
	for _, id := range []domain.UserID{1, 3} { // the pks of alice and bob
		list, err := e.tokens.TokensByUser(t.Context(), id)
		if err != nil || len(list) != 1 || !list[0].CreatedAt.Equal(t0) {
			t.Errorf("user %d tokens = %+v, %v; want the one from the first run", id, list, err)
		}
	}
}

func TestImportSkipsCaseInsensitiveCollisions(t *testing.T) {
	e := newEnv(t)
	e.signUp("carol") // id 1, below the pks
	sum := e.runImport(app.ImportOptions{},
		djangoUser(11, "alice"), djangoUser(12, "ALICE"), djangoUser(13, "ａｌｉｃｅ"), djangoUser(14, "Carol"),
		drfToken(12, drfKey(2)), drfToken(14, drfKey(4)))
	wantSkipped := map[string]string{
		`user pk=12 "ALICE"`:  `collides case-insensitively with user pk=11 "alice"`,
		`user pk=13 "ａｌｉｃｅ"`:  `collides case-insensitively with user pk=11 "alice"`,
		`user pk=14 "Carol"`:  `collides with existing user "carol"`,
		`token of user pk=12`: `its user (user pk=12 "ALICE") was skipped`,
		`token of user pk=14`: `its user (user pk=14 "Carol") was skipped`,
	}
	if sum.Users != (app.ImportCounts{Imported: 1, Skipped: 3}) || sum.Tokens != (app.ImportCounts{Skipped: 2}) {
		t.Errorf("counts = %+v %+v, want 1 user imported, 3 users and 2 tokens skipped", sum.Users, sum.Tokens)
	}
	assertSkipped(t, sum, wantSkipped)
	if u, err := e.users.UserByUsername(t.Context(), "CAROL"); err != nil || u.PasswordHash == djangoHash {
		t.Errorf("the existing carol was changed: %+v, %v", u, err)
	}
}

func assertSkipped(t *testing.T, sum app.ImportSummary, want map[string]string) {
	t.Helper()
	if len(sum.Skipped) != len(want) {
		t.Errorf("skipped %+v, want %d rows", sum.Skipped, len(want))
	}
	for _, row := range sum.Skipped {
		if w, ok := want[row.Row]; !ok || !strings.Contains(row.Reason, w) {
			t.Errorf("skipped %s: %q, want a reason containing %q", row.Row, row.Reason, w)
		}
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	e := newEnv(t)
	rows := []domain.ImportRecord{djangoUser(1, "alice"), djangoUser(2, "Alice"), djangoUser(3, "bob"),
		drfToken(1, drfKey(1)), drfToken(3, drfKey(3)), drfToken(9, drfKey(9))}
	dry := e.runImport(app.ImportOptions{DryRun: true}, rows...)
	for _, name := range []string{"alice", "bob"} {
		if _, err := e.users.UserByUsername(t.Context(), name); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("dry run stored user %s (err %v)", name, err)
		}
	}
	if _, err := e.tokens.TokenByHash(t.Context(), domain.HashSecret(drfKey(1))); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("dry run stored a token (err %v)", err)
	}
	real := e.runImport(app.ImportOptions{}, rows...)
	if !dry.DryRun || real.DryRun {
		t.Errorf("DryRun flags = %v, %v", dry.DryRun, real.DryRun)
	}
	dry.DryRun = false
	if !reflect.DeepEqual(dry, real) {
		t.Errorf("dry run said %+v, the run did %+v", dry, real)
	}
}

func TestImportRefusesBadRows(t *testing.T) {
	user := func(mod func(*domain.ImportedUser)) domain.ImportRecord {
		r := djangoUser(1, "alice")
		mod(r.User)
		return r
	}
	tests := []struct {
		name   string
		rows   []domain.ImportRecord
		reason string
	}{
		{"hash with absurd iterations", []domain.ImportRecord{user(func(u *domain.ImportedUser) {
			u.PasswordHash = "pbkdf2_sha256$999999999$salt$aGFzaA=="
		})}, "password hash refused"},
		{"hash of unknown algorithm", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.PasswordHash = "sha512$x$y" })}, "unknown algorithm"},
		{"empty hash", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.PasswordHash = "" })}, "password hash refused"},
		{"argon2 memory bomb", []domain.ImportRecord{user(func(u *domain.ImportedUser) {
			u.PasswordHash = "argon2$argon2id$v=19$m=4194304,t=64,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"
		})}, "argon2"},
		{"username with a space", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.Username = "al ice" })}, "invalid username"},
		{"empty username", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.Username = "" })}, "invalid username"},
		{"username too long", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.Username = strings.Repeat("a", 151) })}, "invalid username"},
		{"username not UTF-8", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.Username = "al\xffice" })}, "invalid username"},
		{"email with a newline", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.Email = "a@example.com\nBcc: x" })}, "invalid email"},
		{"no date joined", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.DateJoined = time.Time{} })}, "date_joined"},
		{"repeated primary key", []domain.ImportRecord{djangoUser(1, "bob"), djangoUser(1, "alice")}, "primary key repeated"},
		{"token without its user", []domain.ImportRecord{drfToken(5, drfKey(5))}, "no user with pk=5"},
		{"upper-case token key", []domain.ImportRecord{djangoUser(1, "bob"), drfToken(1, strings.ToUpper(strings.Repeat("ab", 20)))}, "40 lower-case"},
		{"short token key", []domain.ImportRecord{djangoUser(1, "bob"), drfToken(1, "abc")}, "40 lower-case"},
		{"token of an inactive user", []domain.ImportRecord{user(func(u *domain.ImportedUser) { u.Username, u.IsActive = "bob", false }),
			drfToken(1, drfKey(1))}, `its user (user pk=1 "bob") is inactive`},
		{"repeated token key", []domain.ImportRecord{djangoUser(1, "bob"), drfToken(1, drfKey(1)), drfToken(1, drfKey(1))}, "key repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			sum := e.runImport(app.ImportOptions{}, tt.rows...)
			if len(sum.Skipped) != 1 || !strings.Contains(sum.Skipped[0].Reason, tt.reason) {
				t.Fatalf("skipped = %+v, want one row with a reason containing %q", sum.Skipped, tt.reason)
			}
			if _, err := e.users.UserByUsername(t.Context(), "alice"); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("the refused user was stored (err %v)", err)
			}
		})
	}
}

// TestImportSkipsTokensOfInactiveUsers: an inactive Django user comes over, still inactive,
// but not its DRF key, which DRF refuses; so the key is an unknown token, not a known one of an
// inactive user. Whether the token comes before or after its user makes no difference.
func TestImportSkipsTokensOfInactiveUsers(t *testing.T) {
	inactive := func(pk int64, name string) domain.ImportRecord {
		r := djangoUser(pk, name)
		r.User.IsActive = false
		return r
	}
	e := newEnv(t)
	sum := e.runImport(app.ImportOptions{}, drfToken(2, drfKey(2)), djangoUser(1, "alice"), inactive(2, "bob"),
		inactive(3, "carol"), drfToken(1, drfKey(1)), drfToken(3, drfKey(3)))
	want := app.ImportSummary{Users: app.ImportCounts{Imported: 3}, Tokens: app.ImportCounts{Imported: 1, Skipped: 2},
		Skipped: []app.ImportRow{
			{Row: "token of user pk=2", Reason: `its user (user pk=2 "bob") is inactive`},
			{Row: "token of user pk=3", Reason: `its user (user pk=3 "carol") is inactive`},
		}}
	if !reflect.DeepEqual(sum, want) {
		t.Fatalf("summary = %+v, want %+v", sum, want)
	}
	if u, err := e.users.UserByUsername(t.Context(), "bob"); err != nil || u.IsActive {
		t.Errorf("bob = %+v, %v; want him imported, inactive", u, err)
	}
	for _, n := range []int{2, 3} {
		if _, err := e.tokens.TokenByHash(t.Context(), domain.HashSecret(drfKey(n))); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("the inactive user's key %d was stored (err %v)", n, err)
		}
	}
}

func TestImportTokenBeforeItsUser(t *testing.T) {
	e := newEnv(t)
	var seen []app.ImportProgress
	sum := e.runImport(app.ImportOptions{Progress: func(p app.ImportProgress) { seen = append(seen, p) }},
		drfToken(1, drfKey(1)), djangoUser(1, "alice"))
	if sum.Tokens.Imported != 1 {
		t.Fatalf("summary = %+v, want the token imported", sum)
	}
	if want := []app.ImportProgress{{Users: 1}, {Users: 1, Tokens: 1}}; !reflect.DeepEqual(seen, want) {
		t.Errorf("progress = %+v, want %+v", seen, want)
	}
}

func TestImportKeyOfAnotherUserIsSkipped(t *testing.T) {
	e := newEnv(t)
	e.runImport(app.ImportOptions{}, djangoUser(1, "alice"), drfToken(1, drfKey(1)))
	sum := e.runImport(app.ImportOptions{}, djangoUser(2, "bob"), drfToken(2, drfKey(1)))
	assertSkipped(t, sum, map[string]string{"token of user pk=2": "belongs to another user"})
}

func TestImportStopsAtAReadError(t *testing.T) {
	e := newEnv(t)
	bad := errors.New("truncated file")
	src := func(yield func(domain.ImportRecord, error) bool) {
		if yield(djangoUser(1, "alice"), nil) {
			yield(domain.ImportRecord{}, bad)
		}
	}
	sum, err := e.importer().Import(t.Context(), src, app.ImportOptions{})
	if !errors.Is(err, bad) || sum.Users.Imported != 1 {
		t.Errorf("Import = %+v, %v; want the user before the error counted and the error", sum, err)
	}
}

// TestImportRecognisesAUserAcrossSources: dumpdata writes date_joined to the millisecond, the
// database holds microseconds; a user imported from one is unchanged when imported from the
// other.
func TestImportRecognisesAUserAcrossSources(t *testing.T) {
	e := newEnv(t)
	e.runImport(app.ImportOptions{}, djangoUser(1, "alice"))
	fromDump := djangoUser(1, "alice")
	fromDump.User.DateJoined = joined.Truncate(time.Millisecond)
	if sum := e.runImport(app.ImportOptions{}, fromDump); sum.Users != (app.ImportCounts{Unchanged: 1}) {
		t.Errorf("summary = %+v, want alice unchanged", sum)
	}
	other := djangoUser(1, "alice")
	other.User.DateJoined = joined.Add(time.Second)
	if sum := e.runImport(app.ImportOptions{}, other); sum.Users != (app.ImportCounts{Skipped: 1}) {
		t.Errorf("summary = %+v, want another alice skipped", sum)
	}
}

// manyRows makes n users with pks from 1001 on, above the IDs of the users the tests sign
// up, every tenth colliding with the one before it but for case, each with a token; the
// tokens of every third user come before all users.
func manyRows(n int) []domain.ImportRecord {
	var early, users, late []domain.ImportRecord
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("user%d", i)
		if i%10 == 0 {
			name = strings.ToUpper(fmt.Sprintf("user%d", i-1))
		}
		pk := int64(1000 + i)
		users = append(users, djangoUser(pk, name))
		key := fmt.Sprintf("%040x", i)
		if i%3 == 0 {
			early = append(early, drfToken(pk, key))
		} else {
			late = append(late, drfToken(pk, key))
		}
	}
	return append(append(early, users...), late...)
}

func TestImportWorkersDoNotChangeTheOutcome(t *testing.T) {
	rows := manyRows(200)
	// Users that exist already, so some rows are skipped by the workers rather than the reader.
	existing := func(e *env) {
		for i := 7; i <= 200; i += 14 {
			e.signUp(fmt.Sprintf("USER%d", i))
		}
	}
	one := newEnv(t)
	existing(one)
	want := one.runImport(app.ImportOptions{Workers: 1}, rows...)
	if want.Users != (app.ImportCounts{Imported: 166, Skipped: 34}) || want.Tokens != (app.ImportCounts{Imported: 166, Skipped: 34}) {
		t.Fatalf("one worker: %+v %+v", want.Users, want.Tokens)
	}
	many := newEnv(t)
	existing(many)
	// Lookups of random length make the workers finish out of order.
	im := app.NewImporter(jitteryUsers{many.users}, many.tokens, many.clock, many.random, time.Hour, passhash.Check)
	got, err := im.Import(t.Context(), records(rows...), app.ImportOptions{Workers: 8})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("eight workers: %+v, %v\none worker: %+v", got, err, want)
	}
	again := many.runImport(app.ImportOptions{Workers: 8}, rows...)
	if again.Users != (app.ImportCounts{Unchanged: 166, Skipped: 34}) || again.Tokens != (app.ImportCounts{Unchanged: 166, Skipped: 34}) {
		t.Errorf("second run with eight workers: %+v %+v", again.Users, again.Tokens)
	}
	for i := 1; i <= 200; i++ {
		_, err := many.tokens.TokenByHash(t.Context(), domain.HashSecret(fmt.Sprintf("%040x", i)))
		if stored := err == nil; stored != (i%10 != 0 && i%14 != 7) {
			t.Errorf("token %d stored %v (%v)", i, stored, err)
		}
	}
}

// jitteryUsers answers lookups after a random pause of up to a millisecond.
type jitteryUsers struct{ ports.UserStore }

func (j jitteryUsers) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	time.Sleep(time.Duration(rand.IntN(1000)) * time.Microsecond)
	return j.UserStore.UserByUsername(ctx, username)
}

// failingUsers fails ImportUser from the nth call on, as a store that went down.
type failingUsers struct {
	ports.UserStore
	mu    sync.Mutex
	calls int
	n     int
}

func (f *failingUsers) ImportUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls >= f.n
	f.mu.Unlock()
	if fail {
		return domain.User{}, fmt.Errorf("%w: connection refused", domain.ErrUnavailable)
	}
	return f.UserStore.ImportUser(ctx, u, rule)
}

func TestImportStopsAtAStoreError(t *testing.T) {
	for _, workers := range []int{1, 4} {
		e := newEnv(t)
		users := &failingUsers{UserStore: e.users, n: 5}
		im := app.NewImporter(users, e.tokens, e.clock, e.random, time.Hour, passhash.Check)
		sum, err := im.Import(t.Context(), records(manyRows(100)...), app.ImportOptions{Workers: workers})
		if !errors.Is(err, domain.ErrUnavailable) {
			t.Errorf("workers %d: error %v, want ErrUnavailable", workers, err)
		}
		if sum.Users.Imported > 4+workers {
			t.Errorf("workers %d: %d users imported after the store failed at the fifth", workers, sum.Users.Imported)
		}
	}
}

// A later run must not bring back a DRF key that Gatehouse ended since the first: revoked by
// its owner, dropped by a password change, or expired.
func TestImportNeverResurrectsEndedTokens(t *testing.T) {
	e := newEnv(t)
	rows := []domain.ImportRecord{djangoUser(1, "alice"), drfToken(1, drfKey(1)), drfToken(1, drfKey(2)), drfToken(1, drfKey(3))}
	e.runImport(app.ImportOptions{}, rows...)
	alice, err := e.users.UserByUsername(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	revoked := e.principal(tokenCreds(drfKey(1))).Token.ID
	if err := e.tokens.DeleteToken(t.Context(), alice.ID, revoked); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tokens.DeleteUserTokens(t.Context(), alice.ID, e.principal(tokenCreds(drfKey(3))).Token.ID); err != nil {
		t.Fatal(err) // drfKey(2) goes too, as a password change would take it
	}
	sum := e.runImport(app.ImportOptions{}, rows...)
	if sum.Tokens.Imported != 0 || sum.Tokens.Unchanged != 1 || sum.Tokens.Skipped != 2 {
		t.Errorf("second run tokens = %+v, want 1 unchanged and 2 skipped", sum.Tokens)
	}
	for _, k := range []int{1, 2} {
		if e.tokenLive(drfKey(k)) {
			t.Errorf("key %d was ended in Gatehouse and came back with the second import", k)
		}
	}
	if !e.tokenLive(drfKey(3)) {
		t.Error("the live key is gone")
	}
}
