package contract

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// credentialKind describes one kind of credential (a one-time code today; sessions and tokens
// can adopt it) to the cases every kind shares: a hashed secret, an owner, a deadline, a
// lookup by hash and a revoke-all per user. A kind's own cases (touching, listing, single
// use) stay in its own file.
type credentialKind[C any] struct {
	// open returns a fresh store of the kind, judging expiry by clock, as its three
	// operations below.
	open func(t *testing.T, clock *Clock) credentialOps[C]
	// make returns a new credential of user with secret hash h, created at created and
	// expiring ttl later, with every field of the kind set.
	make func(user domain.UserID, h domain.SecretHash, created time.Time, ttl time.Duration) C
	// hash and user read a credential's secret hash and owner; times its creation and
	// deadline, which must come back in UTC.
	hash  func(C) domain.SecretHash
	user  func(C) domain.UserID
	times func(C) []time.Time
	// diff lists the fields in which got differs from want.
	diff func(got, want C) diff
}

// credentialOps are a store's operations on one kind.
type credentialOps[C any] struct {
	create func(ctx context.Context, c C) error
	// find returns the live credential with c's secret hash (and whatever else the kind
	// looks it up by, such as a code's purpose), or domain.ErrNotFound. For a single-use
	// kind it uses the credential up.
	find func(ctx context.Context, c C) (C, error)
	// revokeAll revokes every live credential of user of the kind and counts them.
	revokeAll func(ctx context.Context, user domain.UserID) (int, error)
}

// runCredentialCases runs the cases every credential kind shares.
func runCredentialCases[C any](t *testing.T, f Factory, k credentialKind[C]) {
	t.Run("fields round-trip in UTC to the microsecond", func(t *testing.T) { credentialRoundTrip(t, f, k) })
	t.Run("unknown secret hash", func(t *testing.T) { credentialUnknown(t, f, k) })
	t.Run("any secret hash bytes", func(t *testing.T) { credentialAnyHash(t, f, k) })
	t.Run("already expired", func(t *testing.T) { credentialAlreadyExpired(t, f, k) })
	t.Run("expiry at the exact deadline", func(t *testing.T) { credentialDeadline(t, f, k) })
	t.Run("revoke all counts the user's live ones only", func(t *testing.T) { credentialRevokeAll(t, f, k) })
}

func (k credentialKind[C]) mustCreate(t *testing.T, ops credentialOps[C], cs ...C) {
	t.Helper()
	for _, c := range cs {
		if err := ops.create(t.Context(), c); err != nil {
			t.Fatalf("create(%s) error = %v", k.hash(c).Hex(), err)
		}
	}
}

// check fails unless ops find want.
func (k credentialKind[C]) check(t *testing.T, ops credentialOps[C], want C) {
	t.Helper()
	got, err := ops.find(t.Context(), want)
	if err != nil {
		t.Errorf("find(%s) error = %v, want the credential", k.hash(want).Hex(), err)
		return
	}
	if d := k.diff(got, want); d != nil {
		t.Errorf("find(%s): %s", k.hash(want).Hex(), d)
	}
}

// checkGone fails unless ops find nothing for c.
func (k credentialKind[C]) checkGone(t *testing.T, ops credentialOps[C], c C) {
	t.Helper()
	if _, err := ops.find(t.Context(), c); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("find(%s) error = %v, want domain.ErrNotFound", k.hash(c).Hex(), err)
	}
}

func credentialRoundTrip[C any](t *testing.T, f Factory, k credentialKind[C]) {
	clock := clockFor(f)
	ops := k.open(t, clock)
	want := k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour)
	k.mustCreate(t, ops, want)
	got, err := ops.find(t.Context(), want)
	if err != nil {
		t.Fatalf("find error = %v", err)
	}
	if d := k.diff(got, want); d != nil {
		t.Errorf("find: %s", d)
	}
	for i, tm := range k.times(got) {
		if tm.Location() != time.UTC {
			t.Errorf("time %d = %v, want it in UTC", i, tm)
		}
	}
}

func credentialUnknown[C any](t *testing.T, f Factory, k credentialKind[C]) {
	clock := clockFor(f)
	ops := k.open(t, clock)
	k.mustCreate(t, ops, k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour))
	k.checkGone(t, ops, k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour))
}

// credentialAnyHash stores hashes whose bytes a store might mistake for separators, padding
// or text: zeros, 0xff, spaces, colons, and ones that differ only in their last byte.
func credentialAnyHash[C any](t *testing.T, f Factory, k credentialKind[C]) {
	clock := clockFor(f)
	ops := k.open(t, clock)
	user := newUserID()
	unique := newSecretHash() // keeps this run's hashes apart from other runs on a shared store
	fill := func(b byte, last byte) domain.SecretHash {
		var h domain.SecretHash
		for i := range h {
			h[i] = b
		}
		copy(h[8:16], unique[:8])
		h[len(h)-1] = last
		return h
	}
	hashes := []domain.SecretHash{fill(0, 0), fill(0, 1), fill(0xff, 0xff), fill(' ', ' '), fill(':', ':'), fill('\n', 0)}
	var cs []C
	for _, h := range hashes {
		cs = append(cs, k.make(user, h, clock.Now(), time.Hour))
	}
	k.mustCreate(t, ops, cs...)
	for _, c := range cs {
		k.check(t, ops, c)
	}
}

func credentialAlreadyExpired[C any](t *testing.T, f Factory, k credentialKind[C]) {
	clock := clockFor(f)
	ops := k.open(t, clock)
	user := newUserID()
	old := k.make(user, newSecretHash(), clock.Now().Add(-2*time.Hour), time.Hour)
	k.mustCreate(t, ops, old)
	k.checkGone(t, ops, old)
	if n, err := ops.revokeAll(t.Context(), user); err != nil || n != 0 {
		t.Errorf("revokeAll = %d, %v; want 0 (an expired credential is not counted)", n, err)
	}
}

func credentialDeadline[C any](t *testing.T, f Factory, k credentialKind[C]) {
	skipUnlessExact(t, f)
	clock := clockFor(f)
	ops := k.open(t, clock)
	// Two credentials, so the single-use kinds can be looked up on each side of the deadline.
	before := k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour)
	at := k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour)
	k.mustCreate(t, ops, before, at)
	clock.Advance(time.Hour - time.Microsecond)
	k.check(t, ops, before)
	clock.Advance(time.Microsecond)
	k.checkGone(t, ops, at)
}

func credentialRevokeAll[C any](t *testing.T, f Factory, k credentialKind[C]) {
	clock := clockFor(f)
	ops := k.open(t, clock)
	user, other := newUserID(), newUserID()
	mine := []C{
		k.make(user, newSecretHash(), clock.Now(), time.Hour),
		k.make(user, newSecretHash(), clock.Now(), 2*time.Hour),
	}
	expired := k.make(user, newSecretHash(), clock.Now().Add(-2*time.Hour), time.Hour)
	theirs := k.make(other, newSecretHash(), clock.Now(), time.Hour)
	k.mustCreate(t, ops, append(mine, expired, theirs)...)
	if n, err := ops.revokeAll(t.Context(), user); err != nil || n != len(mine) {
		t.Errorf("revokeAll = %d, %v; want %d", n, err, len(mine))
	}
	for _, c := range append(mine, expired) {
		k.checkGone(t, ops, c)
	}
	k.check(t, ops, theirs)
	if n, err := ops.revokeAll(t.Context(), user); err != nil || n != 0 {
		t.Errorf("second revokeAll = %d, %v; want 0", n, err)
	}
}
