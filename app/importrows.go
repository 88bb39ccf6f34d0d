package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
)

func userLabel(u domain.ImportedUser) string {
	return fmt.Sprintf("user pk=%d %q", u.SourceID, u.Username)
}

// user checks a user row, in input order, and queues its store work.
func (r *importRun) user(ctx context.Context, seq int, u domain.ImportedUser) {
	label := userLabel(u)
	skip := func(format string, args ...any) { r.skip(seq, false, label, fmt.Sprintf(format, args...)) }
	if _, dup := r.owners[u.SourceID]; dup {
		skip("primary key repeated in the import")
		return
	}
	o := &owner{label: label, done: make(chan struct{}), skipped: true, inactive: !u.IsActive}
	r.owners[u.SourceID] = o
	name, reason := r.checkUser(u)
	if reason == "" {
		key := domain.UsernameKey(name)
		if first, taken := r.keys[key]; taken {
			reason = fmt.Sprintf("username collides case-insensitively with %s in this import", first)
		} else {
			r.keys[key] = label
		}
	}
	if reason != "" {
		close(o.done)
		skip("%s", reason)
		return
	}
	r.dispatch(ctx, func(ctx context.Context) error {
		defer close(o.done)
		return r.storeUser(ctx, seq, o, name, u)
	})
}

// checkUser returns the normalised username, or why the row cannot be imported.
func (r *importRun) checkUser(u domain.ImportedUser) (name, reason string) {
	name, err := domain.NormalizeUsername(u.Username)
	switch {
	case u.SourceID < 1:
		return "", "pk is not a positive integer, so it cannot be the user's id"
	case err != nil:
		return "", "invalid username: " + validationMessage(err)
	case checkImportedEmail(u.Email) != "":
		return "", "invalid email: " + checkImportedEmail(u.Email)
	case u.DateJoined.IsZero():
		return "", "date_joined missing"
	}
	if err := r.checkHash(u.PasswordHash); err != nil {
		return "", fmt.Sprintf("password hash refused: %v", err)
	}
	return name, ""
}

// storeUser creates the user under its Django pk unless it exists; only store failures are
// returned. Keeping the pk keeps the application's foreign keys to auth_user pointing at
// the same people, so an ID held by someone else is never worked around with a new one.
func (r *importRun) storeUser(ctx context.Context, seq int, o *owner, name string, u domain.ImportedUser) error {
	id := domain.UserID(u.SourceID)
	existing, err := r.users.UserByUsername(ctx, name)
	switch {
	case err == nil && sameImportedUser(existing, name, u) && existing.ID == id:
		o.id, o.skipped, o.earlier = existing.ID, false, true
		r.count(func(s *ImportSummary) *int { return &s.Users.Unchanged })
		return nil
	case err == nil && sameImportedUser(existing, name, u):
		// Imported by a Gatehouse that gave new IDs. Moving it would orphan its sessions and
		// tokens; its tokens are handled as those of any earlier import.
		o.id, o.skipped, o.earlier = existing.ID, false, true
		r.skip(seq, false, o.label, fmt.Sprintf("imported earlier as id %d, not under its pk; left as it is", existing.ID))
		return nil
	case err == nil:
		r.skip(seq, false, o.label, fmt.Sprintf("username collides with existing user %q (id %d)", existing.Username, existing.ID))
		return nil
	case !errors.Is(err, domain.ErrNotFound):
		return err
	}
	if reason, err := r.idTaken(ctx, id); reason != "" || err != nil {
		if err == nil {
			r.skip(seq, false, o.label, reason)
		}
		return err
	}
	if !r.opts.DryRun {
		created, err := r.users.ImportUser(ctx, domain.User{
			ID:           id,
			Username:     name,
			Email:        u.Email,
			PasswordHash: u.PasswordHash,
			IsActive:     u.IsActive,
			DateJoined:   u.DateJoined.UTC(),
		}, domain.EmailShared) // Django never made addresses unique; imported users keep theirs
		switch {
		case errors.Is(err, domain.ErrUserIDTaken): // taken by someone else since the lookup
			reason, err := r.idTaken(ctx, id)
			if reason == "" {
				reason = fmt.Sprintf("id %d taken while importing", id)
			}
			r.skip(seq, false, o.label, reason)
			return err
		case errors.Is(err, domain.ErrUsernameTaken):
			r.skip(seq, false, o.label, "username taken while importing")
			return nil
		case err != nil:
			return err
		}
		o.id = created.ID
	}
	o.skipped = false
	r.count(func(s *ImportSummary) *int { return &s.Users.Imported })
	return nil
}

// idTaken says which Gatehouse user holds id, or "" when none does.
func (r *importRun) idTaken(ctx context.Context, id domain.UserID) (string, error) {
	holder, err := r.users.UserByID(ctx, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	return fmt.Sprintf("id %d is taken by Gatehouse user %q (id %d)", id, holder.Username, holder.ID), nil
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

// token checks a DRF token row, in input order, and queues its store work.
func (r *importRun) token(ctx context.Context, seq int, t domain.ImportedToken) {
	label := fmt.Sprintf("token of user pk=%d", t.SourceUserID)
	o, known := r.owners[t.SourceUserID]
	h := domain.HashSecret(t.Key)
	switch {
	case !domain.ValidDRFKey(t.Key):
		r.skip(seq, true, label, "key is not 40 lower-case hexadecimal characters")
		return
	case !known:
		r.skip(seq, true, label, fmt.Sprintf("no user with pk=%d in the import", t.SourceUserID))
		return
	case r.seen[h]:
		r.skip(seq, true, label, "key repeated in the import")
		return
	}
	r.seen[h] = true
	if o.inactive {
		// DRF refuses an inactive user's key ("User inactive or deleted."). Imported, it would
		// give away that the key was once real, and work again if the user were reactivated.
		r.skip(seq, true, label, fmt.Sprintf("its user (%s) is inactive", o.label))
		return
	}
	r.dispatch(ctx, func(ctx context.Context) error {
		select {
		case <-o.done:
		case <-ctx.Done():
			return nil // the run is over; its error is reported already
		}
		if o.skipped {
			r.skip(seq, true, label, fmt.Sprintf("its user (%s) was skipped", o.label))
			return nil
		}
		return r.storeToken(ctx, seq, label, o, h)
	})
}

// storeToken stores the token unless its hash is stored already, or its user came over in
// an earlier run; only store failures are returned.
func (r *importRun) storeToken(ctx context.Context, seq int, label string, o *owner, h domain.SecretHash) error {
	owner := o.id
	existing, err := r.tokens.TokenByHash(ctx, h)
	switch {
	case err == nil && existing.UserID == owner:
		r.count(func(s *ImportSummary) *int { return &s.Tokens.Unchanged })
		return nil
	case err == nil:
		r.skip(seq, true, label, "key already belongs to another user")
		return nil
	case !errors.Is(err, domain.ErrNotFound):
		return err
	case o.earlier:
		// Missing although its user was imported before: revoked, expired or ended by a
		// password change since. Bringing it back would undo that.
		r.skip(seq, true, label, "not re-created: its user came over in an earlier run, so the key was revoked or expired since")
		return nil
	}
	if !r.opts.DryRun {
		var id [domain.PublicIDBytes]byte
		if err := r.random.Read(id[:]); err != nil {
			return err
		}
		now := r.clock.Now()
		tok := domain.Token{ID: domain.NewPublicID(id), UserID: owner, Name: domain.ImportedTokenName, SecretHash: h, CreatedAt: now}
		if r.tokenTTL > 0 {
			tok.ExpiresAt = now.Add(r.tokenTTL)
		}
		if err := r.tokens.CreateToken(ctx, tok); err != nil {
			return err
		}
	}
	r.count(func(s *ImportSummary) *int { return &s.Tokens.Imported })
	return nil
}
