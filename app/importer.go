package app

import (
	"cmp"
	"context"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Importer brings users and their API tokens over from Django (auth_user and Django REST
// Framework's authtoken_token) without anyone resetting a password or logging in again:
// password hashes are stored as Django wrote them, and token keys keep working. A user's
// Django pk (auth_user.id) becomes its Gatehouse id, so the application's own tables, which
// point at auth_user.id, keep naming the same people (X-Gatehouse-User-Id included). A row
// whose pk is the id of another Gatehouse user is skipped and reported with that user.
//
// It is idempotent: a user already imported (same username, email and date joined) is left
// as it is (its password may have been re-hashed at login since); one imported under
// another id, by a Gatehouse that did not keep pks, is left too and reported. A token whose key is already stored is skipped, so a second run
// changes nothing. Nor does a later run bring back what Gatehouse took away since: a token is
// only created along with its user, so a DRF key that was revoked, logged out, expired or
// dropped by a password change stays dead although Django's table still holds it. The token
// of a user inactive in Django is skipped and reported: DRF refuses it, and imported it would
// answer as a known key of an inactive user rather than as an invalid one. A username that
// collides case-insensitively with another user, in the import or in the store, is reported
// and skipped, never merged: Django compares usernames case-sensitively and Gatehouse does
// not, so "alice" and "Alice" cannot both come over.
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
	// Workers is how many rows go to the stores at once; below 1 means 1. A SQL store commits
	// every row, so a few workers share its disk flushes. Every decision that depends on other
	// rows (collisions within the import, repeated keys) is taken in input order before any
	// store is asked, so the outcome is the same for any number of workers.
	Workers int
	// Progress, if set, is called from the reading goroutine after each record is read.
	Progress func(ImportProgress)
}

// ImportProgress counts the records read so far.
type ImportProgress struct {
	Users, Tokens int
}

// ImportRow reports a row that was skipped. Row names it without any secret.
type ImportRow struct {
	Row    string
	Reason string
}

// ImportCounts counts the outcomes of one kind of row: imported (or, in a dry run, to be),
// unchanged (already imported by an earlier run), or skipped with a reason.
type ImportCounts struct {
	Imported, Unchanged, Skipped int
}

// ImportSummary is the result of a run. Skipped is in input order.
type ImportSummary struct {
	DryRun  bool
	Users   ImportCounts
	Tokens  ImportCounts
	Skipped []ImportRow
}

// Import reads every record of src and imports it. Rows that cannot be imported are skipped
// and listed in the summary. An error from src or a store ends the run: the summary then
// counts what was done before it, and running again resumes.
func (im *Importer) Import(ctx context.Context, src iter.Seq2[domain.ImportRecord, error], opts ImportOptions) (ImportSummary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &importRun{Importer: im, opts: opts, cancel: cancel, jobs: make(chan func(context.Context) error),
		sum: ImportSummary{DryRun: opts.DryRun}, keys: map[string]string{}, owners: map[int64]*owner{},
		seen: map[domain.SecretHash]bool{}}
	for range max(opts.Workers, 1) {
		r.wg.Go(func() { r.work(ctx) })
	}
	readErr := r.read(ctx, src)
	close(r.jobs)
	r.wg.Wait()
	slices.SortFunc(r.skipped, func(a, b seqRow) int { return cmp.Compare(a.seq, b.seq) })
	for _, s := range r.skipped {
		r.sum.Skipped = append(r.sum.Skipped, s.row)
	}
	if r.err != nil {
		return r.sum, r.err
	}
	return r.sum, readErr
}

// owner is what the import knows of a source user. The reading goroutine creates it; done is
// closed once id and skipped are final.
type owner struct {
	label   string
	done    chan struct{}
	id      domain.UserID // 0 for a user a dry run would create
	skipped bool
	earlier bool // imported by an earlier run, not this one
	// inactive is the source row's flag: such a user's tokens are not imported.
	inactive bool
}

// seqRow is a skipped row with its position in the input.
type seqRow struct {
	seq int
	row ImportRow
}

// pendingToken is a token read before its owner.
type pendingToken struct {
	seq int
	tok domain.ImportedToken
}

// importRun is the state of one run. The fields after mu are shared with the workers; the
// rest belong to the reading goroutine.
type importRun struct {
	*Importer
	opts   ImportOptions
	cancel context.CancelFunc
	jobs   chan func(context.Context) error
	wg     sync.WaitGroup

	seq      int
	progress ImportProgress
	keys     map[string]string // username key → label of the row that took it
	owners   map[int64]*owner
	seen     map[domain.SecretHash]bool
	pending  []pendingToken

	mu      sync.Mutex
	sum     ImportSummary
	skipped []seqRow
	err     error // the first store error
}

// read hands every record to user or token, then the tokens read before their owner.
func (r *importRun) read(ctx context.Context, src iter.Seq2[domain.ImportRecord, error]) error {
	for rec, err := range src {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		r.seq++
		switch {
		case rec.User != nil:
			r.user(ctx, r.seq, *rec.User)
			r.progress.Users++
		case rec.Token != nil:
			if _, known := r.owners[rec.Token.SourceUserID]; !known {
				r.pending = append(r.pending, pendingToken{r.seq, *rec.Token})
				continue
			}
			r.token(ctx, r.seq, *rec.Token)
			r.progress.Tokens++
		}
		r.report()
	}
	for _, p := range r.pending {
		r.token(ctx, p.seq, p.tok)
		r.progress.Tokens++
		r.report()
	}
	return nil
}

func (r *importRun) report() {
	if r.opts.Progress != nil {
		r.opts.Progress(r.progress)
	}
}

// work runs store jobs until there are none; the first error stops the run.
func (r *importRun) work(ctx context.Context) {
	for job := range r.jobs {
		if ctx.Err() != nil {
			continue // drain: the run is over
		}
		if err := job(ctx); err != nil {
			r.mu.Lock()
			if r.err == nil {
				r.err = err
			}
			r.mu.Unlock()
			r.cancel()
		}
	}
}

// dispatch queues a store job, unless the run is over. The queue is unbuffered and first in,
// first out, so a token's job is taken only after its owner's job was: waiting for the owner
// can never hold up a worker for a job still queued.
func (r *importRun) dispatch(ctx context.Context, job func(context.Context) error) {
	select {
	case r.jobs <- job:
	case <-ctx.Done():
	}
}

// count records an outcome; skip records a skipped row with its reason.
func (r *importRun) count(c func(*ImportSummary) *int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*c(&r.sum)++
}

func (r *importRun) skip(seq int, tokens bool, row, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tokens {
		r.sum.Tokens.Skipped++
	} else {
		r.sum.Users.Skipped++
	}
	r.skipped = append(r.skipped, seqRow{seq, ImportRow{Row: row, Reason: reason}})
}
