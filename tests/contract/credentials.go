package contract

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// credentialKind describes one kind of credential (session, token, one-time code) held in a
// store S, to the cases every kind shares: a hashed secret, an owner, a deadline, a lookup by
// hash and a revoke-all per user (credentials_lookup.go, credentials_revoke.go). A kind that
// its owner manages (sessions, tokens) also has a public id, a list, a revoke of one and a
// touch, and runs the cases for those too (credentials_list.go). What only one kind does (a
// touch that slides the deadline, single use) stays in its own file. A new kind costs a value
// of this type and its own cases.
//
// The operations are functions of the store, so a port's methods serve as they are
// (ports.SessionStore.CreateSession).
type credentialKind[C, S any] struct {
	// open returns a fresh store of the kind that judges expiry by clock.
	open func(t *testing.T, clock *Clock) S
	// make returns a new credential of user with secret hash h, created at created and
	// expiring ttl later (never, for ttl 0 and noExpiry), with every field of the kind set
	// and a public id of its own.
	make func(user domain.UserID, h domain.SecretHash, created time.Time, ttl time.Duration) C
	// noExpiry says the kind has credentials that never expire (a zero deadline). The cases
	// then give some of the credentials they keep live no deadline, so those are found,
	// listed, revoked and counted like the others.
	noExpiry bool
	// variants are the kind's fields at their edges (empty, longest, not ASCII, quoting
	// characters), each round-tripped on its own.
	variants []variant[C]
	// hash, user and id read a credential's secret hash, owner and public id; times all its
	// times, the creation first, which must come back in UTC.
	hash  func(C) domain.SecretHash
	user  func(C) domain.UserID
	id    func(C) string
	times func(C) []time.Time
	// diff lists the fields in which got differs from want.
	diff func(got, want C) diff

	create func(S, context.Context, C) error
	// find returns the live credential with c's secret hash (and whatever else the kind looks
	// it up by, such as a code's purpose), or domain.ErrNotFound. For a single-use kind it
	// uses the credential up.
	find func(S, context.Context, C) (C, error)
	// revokeAll revokes every live credential of user and counts them; nil means
	// revokeAllBut with no exception.
	revokeAll func(S, context.Context, domain.UserID) (int, error)

	// The operations of a managed kind; nil for a kind without them, whose cases for them do
	// not run. list, revoke and revokeAllBut need id.
	//
	// list returns user's live credentials, newest first; revoke revokes user's credential
	// with a public id; revokeAllBut revokes all of user's but the one with public id except
	// ("" spares none); touch records use of c at at (domain.ErrNotFound when c is not live).
	list         func(S, context.Context, domain.UserID) ([]C, error)
	revoke       func(S, context.Context, domain.UserID, string) error
	revokeAllBut func(S, context.Context, domain.UserID, string) (int, error)
	touch        func(s S, ctx context.Context, c C, at time.Time) error
}

// variant is a named change to a made credential.
type variant[C any] struct {
	name string
	set  func(*C)
}

// runCredentialCases runs the cases every credential kind shares, and those of the managed
// operations the kind has.
func runCredentialCases[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	if k.id == nil && (k.list != nil || k.revoke != nil || k.revokeAllBut != nil) {
		t.Fatal("contract: a credential kind that lists or revokes one by id needs credentialKind.id")
	}
	t.Run("fields round-trip in UTC to the microsecond", func(t *testing.T) { credentialRoundTrip(t, f, k) })
	t.Run("unknown secret hash", func(t *testing.T) { credentialUnknown(t, f, k) })
	t.Run("any secret hash bytes", func(t *testing.T) { credentialAnyHash(t, f, k) })
	t.Run("already expired", func(t *testing.T) { credentialAlreadyExpired(t, f, k) })
	t.Run("expiry at the exact deadline", func(t *testing.T) { credentialDeadline(t, f, k) })
	t.Run("revoke all", func(t *testing.T) { credentialRevokeAll(t, f, k) })
	if k.list != nil {
		t.Run("list is the user's live ones, newest first", func(t *testing.T) { credentialList(t, f, k) })
		t.Run("list of a user without any", func(t *testing.T) { credentialListEmpty(t, f, k) })
		t.Run("concurrent create and list", func(t *testing.T) { credentialConcurrent(t, f, k) })
	}
	if k.revoke != nil {
		t.Run("revoke one", func(t *testing.T) { credentialRevoke(t, f, k) })
	}
}

// lasting is the lifetime the cases give a credential that must outlive the case: none at
// all where the kind has that.
func (k credentialKind[C, S]) lasting() time.Duration {
	if k.noExpiry {
		return 0
	}
	return 2 * time.Hour
}

func (k credentialKind[C, S]) store(t *testing.T, f Factory) (S, *Clock) {
	clock := clockFor(f)
	return k.open(t, clock), clock
}

func (k credentialKind[C, S]) mustCreate(t *testing.T, s S, cs ...C) {
	t.Helper()
	for _, c := range cs {
		if err := k.create(s, t.Context(), c); err != nil {
			t.Fatalf("create(%s) error = %v", k.hash(c).Hex(), err)
		}
	}
}

func (k credentialKind[C, S]) revokeEvery(s S, ctx context.Context, user domain.UserID) (int, error) {
	if k.revokeAll != nil {
		return k.revokeAll(s, ctx, user)
	}
	return k.revokeAllBut(s, ctx, user, "")
}

// check fails unless s finds want.
func (k credentialKind[C, S]) check(t *testing.T, s S, want C) {
	t.Helper()
	got, err := k.find(s, t.Context(), want)
	if err != nil {
		t.Errorf("find(%s) error = %v, want the credential", k.hash(want).Hex(), err)
		return
	}
	if d := k.diff(got, want); d != nil {
		t.Errorf("find(%s): %s", k.hash(want).Hex(), d)
	}
}

// checkGone fails unless every operation of s treats c as missing: not found, not listed, not
// touched, not revoked, and still not found after the touch (a touch must not revive).
func (k credentialKind[C, S]) checkGone(t *testing.T, s S, c C) {
	t.Helper()
	ctx := t.Context()
	if _, err := k.find(s, ctx, c); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("find(%s) error = %v, want domain.ErrNotFound", k.hash(c).Hex(), err)
	}
	if k.list != nil && slices.Contains(k.ids(k.mustList(t, s, k.user(c))), k.id(c)) {
		t.Errorf("list has %s, want it left out", k.id(c))
	}
	if k.touch == nil {
		return
	}
	if err := k.touch(s, ctx, c, k.times(c)[0].Add(time.Second)); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("touch = %v, want domain.ErrNotFound", err)
	}
	if k.revoke != nil {
		if err := k.revoke(s, ctx, k.user(c), k.id(c)); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("revoke = %v, want domain.ErrNotFound", err)
		}
	}
	if _, err := k.find(s, ctx, c); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("find after touch error = %v, want domain.ErrNotFound: a touch must not revive", err)
	}
}

// mustList returns user's credentials, failing the test on an error.
func (k credentialKind[C, S]) mustList(t *testing.T, s S, user domain.UserID) []C {
	t.Helper()
	list, err := k.list(s, t.Context(), user)
	if err != nil {
		t.Fatalf("list(%d) error = %v", user, err)
	}
	return list
}

func (k credentialKind[C, S]) ids(cs []C) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = k.id(c)
	}
	return out
}

// checkUTC fails unless every time of c is in UTC.
func (k credentialKind[C, S]) checkUTC(t *testing.T, c C) {
	t.Helper()
	for i, tm := range k.times(c) {
		if tm.Location() != time.UTC {
			t.Errorf("time %d = %v, want it in UTC", i, tm)
		}
	}
}
