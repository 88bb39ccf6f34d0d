package app

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Importer brings users and their API tokens over from Django (auth_user and Django REST
// Framework's authtoken_token) without anyone resetting a password or logging in again:
// password hashes are stored as Django wrote them, and token keys keep working.
//
// It is idempotent: a user already imported is left as it is (its password may have been
// re-hashed at login since), a token whose key is already stored is skipped, so a second run
// changes nothing. A username that collides case-insensitively with another user, in the
// import or in the store, is reported and skipped, never merged: Django compares usernames
// case-sensitively and Gatehouse does not, so "alice" and "Alice" cannot both come over.
type Importer struct {
	users     ports.UserStore
	tokens    ports.TokenStore
	clock     ports.Clock
	random    ports.Random
	tokenTTL  time.Duration
	checkHash func(encoded string) error
}

// NewImporter returns an importer writing to users and tokens. Imported tokens live for
// tokenTTL from the import (0: forever). checkHash refuses a password hash no verifier could
// ever match, such as a hostile or truncated one; it runs no hash.
func NewImporter(users ports.UserStore, tokens ports.TokenStore, clock ports.Clock, random ports.Random,
	tokenTTL time.Duration, checkHash func(encoded string) error) *Importer {
	return &Importer{users: users, tokens: tokens, clock: clock, random: random, tokenTTL: tokenTTL, checkHash: checkHash}
}

// ImportOptions tune one run.
type ImportOptions struct {
	// DryRun reads the stores to decide each row but writes nothing.
	DryRun bool
	// Progress, if set, is called after each record with the counts so far.
	Progress func(ImportProgress)
}

// ImportProgress counts the records handled so far.
type ImportProgress struct {
	Users, Tokens int
}

// Outcomes of one row.
const (
	OutcomeImported  = "imported"  // written (or, in a dry run, would be)
	OutcomeUnchanged = "unchanged" // already imported by an earlier run
	OutcomeSkipped   = "skipped"   // not imported; Reason says why
)

// ImportRow reports a row that was skipped. Row names it without any secret.
type ImportRow struct {
	Row    string
	Reason string
}

// ImportCounts counts the outcomes of one kind of row.
type ImportCounts struct {
	Imported, Unchanged, Skipped int
}

// ImportSummary is the result of a run.
type ImportSummary struct {
	DryRun  bool
	Users   ImportCounts
	Tokens  ImportCounts
	Skipped []ImportRow
}

// owner is what the import knows of a source user once its row is handled.
type owner struct {
	id      domain.UserID // 0 for a user a dry run would create
	label   string
	skipped bool
}

// importRun holds the state of one run.
type importRun struct {
	*Importer
	opts     ImportOptions
	sum      ImportSummary
	progress ImportProgress
	keys     map[string]string // username key → label of the row that took it
	owners   map[int64]owner
	seen     map[domain.SecretHash]bool
	pending  []domain.ImportedToken // tokens read before their owner
}

// Import reads every record of src and imports it. Rows that cannot be imported are skipped
// and listed in the summary. An error from src, or a store error, ends the run: the summary
// then counts what was done before it, and running again resumes.
func (im *Importer) Import(ctx context.Context, src iter.Seq2[domain.ImportRecord, error], opts ImportOptions) (ImportSummary, error) {
	r := &importRun{Importer: im, opts: opts, sum: ImportSummary{DryRun: opts.DryRun},
		keys: map[string]string{}, owners: map[int64]owner{}, seen: map[domain.SecretHash]bool{}}
	for rec, err := range src {
		if err != nil {
			return r.sum, err
		}
		if err := ctx.Err(); err != nil {
			return r.sum, err
		}
		switch {
		case rec.User != nil:
			err = r.user(ctx, *rec.User)
			r.progress.Users++
		case rec.Token != nil:
			if _, known := r.owners[rec.Token.SourceUserID]; !known {
				r.pending = append(r.pending, *rec.Token)
				continue
			}
			err = r.token(ctx, *rec.Token)
			r.progress.Tokens++
		}
		if err != nil {
			return r.sum, err
		}
		r.report()
	}
	for _, t := range r.pending {
		if err := r.token(ctx, t); err != nil {
			return r.sum, err
		}
		r.progress.Tokens++
		r.report()
	}
	return r.sum, nil
}

func (r *importRun) report() {
	if r.opts.Progress != nil {
		r.opts.Progress(r.progress)
	}
}

func (r *importRun) skip(counts *ImportCounts, row, format string, args ...any) {
	counts.Skipped++
	r.sum.Skipped = append(r.sum.Skipped, ImportRow{Row: row, Reason: fmt.Sprintf(format, args...)})
}

func userLabel(u domain.ImportedUser) string {
	return fmt.Sprintf("user pk=%d %q", u.SourceID, u.Username)
}

// user imports one user row. Only store failures are returned.
func (r *importRun) user(ctx context.Context, u domain.ImportedUser) error {
	label := userLabel(u)
	if _, dup := r.owners[u.SourceID]; dup {
		r.skip(&r.sum.Users, label, "primary key repeated in the import")
		return nil
	}
	r.owners[u.SourceID] = owner{label: label, skipped: true}
	name, err := domain.NormalizeUsername(u.Username)
	if err != nil {
		r.skip(&r.sum.Users, label, "invalid username: %s", validationMessage(err))
		return nil
	}
	if reason := checkImportedEmail(u.Email); reason != "" {
		r.skip(&r.sum.Users, label, "invalid email: %s", reason)
		return nil
	}
	if u.DateJoined.IsZero() {
		r.skip(&r.sum.Users, label, "date_joined missing")
		return nil
	}
	if err := r.checkHash(u.PasswordHash); err != nil {
		r.skip(&r.sum.Users, label, "password hash refused: %v", err)
		return nil
	}
	key := domain.UsernameKey(name)
	if first, taken := r.keys[key]; taken {
		r.skip(&r.sum.Users, label, "username collides case-insensitively with %s in this import", first)
		return nil
	}
	r.keys[key] = label

	existing, err := r.users.UserByUsername(ctx, name)
	switch {
	case err == nil && sameImportedUser(existing, name, u):
		r.sum.Users.Unchanged++
		r.owners[u.SourceID] = owner{id: existing.ID, label: label}
		return nil
	case err == nil:
		r.skip(&r.sum.Users, label, "username collides with existing user %q (id %d)", existing.Username, existing.ID)
		return nil
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	if r.opts.DryRun {
		r.sum.Users.Imported++
		r.owners[u.SourceID] = owner{label: label}
		return nil
	}
	created, err := r.users.CreateUser(ctx, domain.User{
		Username:     name,
		Email:        u.Email,
		PasswordHash: u.PasswordHash,
		IsActive:     u.IsActive,
		DateJoined:   u.DateJoined.UTC(),
	})
	if errors.Is(err, domain.ErrUsernameTaken) {
		// Created by someone else since the lookup.
		r.skip(&r.sum.Users, label, "username taken while importing")
		return nil
	}
	if err != nil {
		return err
	}
	r.sum.Users.Imported++
	r.owners[u.SourceID] = owner{id: created.ID, label: label}
	return nil
}

// sameImportedUser reports whether stored is u imported by an earlier run: the same exact
// username, email and date joined. The date is compared to the millisecond, the precision
// dumpdata writes, so a dumpdata import recognises users imported straight from the
// database. The password hash and active flag are not compared: both may have changed in
// Gatehouse since, and the import never undoes that.
func sameImportedUser(stored domain.User, name string, u domain.ImportedUser) bool {
	return stored.Username == name && stored.Email == u.Email &&
		stored.DateJoined.Truncate(time.Millisecond).Equal(u.DateJoined.Truncate(time.Millisecond))
}

// checkImportedEmail keeps the address as Django stored it, refusing only what no store can
// hold: Django's own EmailField validator is not Go's, and a user must not be lost over it.
func checkImportedEmail(email string) string {
	switch {
	case !utf8.ValidString(email):
		return "not UTF-8"
	case len(email) > 254:
		return "longer than 254 bytes"
	case strings.IndexFunc(email, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return "holds a control character"
	}
	return ""
}

func validationMessage(err error) string {
	var v *domain.ValidationError
	if errors.As(err, &v) {
		for _, msgs := range v.Fields {
			return strings.Join(msgs, " ")
		}
	}
	return err.Error()
}

// token imports one DRF token. Only store failures are returned.
func (r *importRun) token(ctx context.Context, t domain.ImportedToken) error {
	label := fmt.Sprintf("token of user pk=%d", t.SourceUserID)
	o, known := r.owners[t.SourceUserID]
	switch {
	case !domain.ValidDRFKey(t.Key):
		r.skip(&r.sum.Tokens, label, "key is not 40 lower-case hexadecimal characters")
		return nil
	case !known:
		r.skip(&r.sum.Tokens, label, "no user with pk=%d in the import", t.SourceUserID)
		return nil
	case o.skipped:
		r.skip(&r.sum.Tokens, label, "its user (%s) was skipped", o.label)
		return nil
	}
	h := domain.HashSecret(t.Key)
	if r.seen[h] {
		r.skip(&r.sum.Tokens, label, "key repeated in the import")
		return nil
	}
	r.seen[h] = true
	existing, err := r.tokens.TokenByHash(ctx, h)
	switch {
	case err == nil && existing.UserID == o.id:
		r.sum.Tokens.Unchanged++
		return nil
	case err == nil:
		r.skip(&r.sum.Tokens, label, "key already belongs to another user")
		return nil
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	if r.opts.DryRun {
		r.sum.Tokens.Imported++
		return nil
	}
	var id [domain.PublicIDBytes]byte
	if err := r.random.Read(id[:]); err != nil {
		return err
	}
	now := r.clock.Now()
	tok := domain.Token{ID: domain.NewPublicID(id), UserID: o.id, Name: domain.ImportedTokenName, SecretHash: h, CreatedAt: now}
	if r.tokenTTL > 0 {
		tok.ExpiresAt = now.Add(r.tokenTTL)
	}
	if err := r.tokens.CreateToken(ctx, tok); err != nil {
		return err
	}
	r.sum.Tokens.Imported++
	return nil
}
