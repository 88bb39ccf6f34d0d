package memstore_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// The contract suite (tests/contract) runs over these stores and covers what the ports
// promise: round trips, lookups, lists, touches, revokes, expiry to the microsecond. The cases
// here are what only memstore does: it refuses a live duplicate, keeps nanoseconds, orders
// ties by id, sweeps, and takes every operation at once under one lock.

// cred is a credential as the cases describe it; each kind makes its own type of it.
type cred struct {
	id      string
	user    domain.UserID
	hash    domain.SecretHash
	created time.Time
	ttl     time.Duration // 0: no deadline (tokens)
}

func newCred(id string, user domain.UserID, created time.Time, ttl time.Duration) cred {
	return cred{id: id, user: user, hash: hashOf(id), created: created, ttl: ttl}
}

// kind is one of memstore's credential stores. A code has no public id (its id is its secret
// hash), list, touch or revoke of one: those operations are nil for it.
type kind struct {
	name     string
	noExpiry bool // a zero deadline never expires
	open     func(ports.Clock) kindStore
}

type kindStore struct {
	create    func(cred) (any, error) // returns what it stored
	find      func(domain.SecretHash) (any, error)
	list      func(domain.UserID) ([]string, error) // ids, nil when the store's list is nil
	touch     func(domain.SecretHash, time.Time) error
	revoke    func(domain.UserID, string) error
	revokeAll func(domain.UserID, string) (int, error) // all but one id; codes ignore it
	sweep     func() int
}

func deadline(c cred) time.Time {
	if c.ttl == 0 {
		return time.Time{}
	}
	return c.created.Add(c.ttl)
}

var kinds = []kind{
	{name: "sessions", open: openSessions},
	{name: "tokens", noExpiry: true, open: openTokens},
	{name: "codes", open: openCodes},
}

func openSessions(clock ports.Clock) kindStore {
	s := memstore.NewSessionStore(clock)
	return kindStore{
		create: func(c cred) (any, error) {
			sess := domain.Session{ID: c.id, UserID: c.user, SecretHash: c.hash, CreatedAt: c.created,
				LastSeenAt: c.created, ExpiresAt: deadline(c), IP: "192.0.2.1", UserAgent: "test/1.0",
				Level: domain.LevelSecondFactor}
			return sess, s.CreateSession(ctx, sess)
		},
		find: func(h domain.SecretHash) (any, error) { return s.SessionByHash(ctx, h) },
		list: func(u domain.UserID) ([]string, error) {
			l, err := s.SessionsByUser(ctx, u)
			return idsOf(l, func(s domain.Session) string { return s.ID }), err
		},
		touch: func(h domain.SecretHash, at time.Time) error {
			return s.TouchSession(ctx, h, at, at.Add(time.Hour))
		},
		revoke:    func(u domain.UserID, id string) error { return s.DeleteSession(ctx, u, id) },
		revokeAll: func(u domain.UserID, except string) (int, error) { return s.DeleteUserSessions(ctx, u, except) },
		sweep:     s.Sweep,
	}
}

func openCodes(clock ports.Clock) kindStore {
	s := memstore.NewCodeStore(clock)
	return kindStore{
		create: func(c cred) (any, error) {
			code := domain.OneTimeCode{Purpose: domain.PurposePasswordReset, UserID: c.user, Hash: c.hash,
				Email: "a@example.org", CreatedAt: c.created, ExpiresAt: deadline(c)}
			return code, s.CreateCode(ctx, code)
		},
		find: func(h domain.SecretHash) (any, error) { return s.ConsumeCode(ctx, domain.PurposePasswordReset, h) },
		revokeAll: func(u domain.UserID, _ string) (int, error) {
			return s.DeleteUserCodes(ctx, u, "")
		},
		sweep: s.Sweep,
	}
}

func openTokens(clock ports.Clock) kindStore {
	s := memstore.NewTokenStore(clock)
	return kindStore{
		create: func(c cred) (any, error) {
			tok := domain.Token{ID: c.id, UserID: c.user, Name: "laptop", SecretHash: c.hash, CreatedAt: c.created,
				ExpiresAt: deadline(c), Level: domain.LevelSecondFactor}
			return tok, s.CreateToken(ctx, tok)
		},
		find: func(h domain.SecretHash) (any, error) { return s.TokenByHash(ctx, h) },
		list: func(u domain.UserID) ([]string, error) {
			l, err := s.TokensByUser(ctx, u)
			return idsOf(l, func(t domain.Token) string { return t.ID }), err
		},
		touch:     func(h domain.SecretHash, at time.Time) error { return s.TouchToken(ctx, h, at) },
		revoke:    func(u domain.UserID, id string) error { return s.DeleteToken(ctx, u, id) },
		revokeAll: func(u domain.UserID, except string) (int, error) { return s.DeleteUserTokens(ctx, u, except) },
		sweep:     s.Sweep,
	}
}

func idsOf[C any](list []C, id func(C) string) []string {
	if list == nil {
		return nil
	}
	out := []string{}
	for _, c := range list {
		out = append(out, id(c))
	}
	return out
}

// openWith returns a fresh store of k holding cs, and its clock.
func (k kind) openWith(t *testing.T, cs ...cred) (kindStore, *fakeClock) {
	t.Helper()
	clock := newClock()
	s := k.open(clock)
	for _, c := range cs {
		if _, err := s.create(c); err != nil {
			t.Fatalf("create(%s): %v", c.id, err)
		}
	}
	return s, clock
}

// TestCredentialStoresRefuseLiveDuplicates: an id or secret hash that is already live is a
// bug (both are random), refused with an error that is not domain.ErrNotFound; once the
// holder has expired it is as good as gone and the id and hash may be used again.
func TestCredentialStoresRefuseLiveDuplicates(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s, clock := k.openWith(t, newCred("c1", 1, t0, time.Hour))
			sameHash := newCred("c2", 2, t0, time.Hour)
			sameHash.hash = hashOf("c1")
			dups := []cred{sameHash}
			if s.list != nil { // a code's id is its hash
				sameID := newCred("c1", 1, t0, time.Hour)
				sameID.hash = hashOf("other")
				dups = append(dups, sameID)
			}
			for _, dup := range dups {
				if _, err := s.create(dup); err == nil || errors.Is(err, domain.ErrNotFound) {
					t.Errorf("create(duplicate %s) = %v, want a bug error", dup.id, err)
				}
			}
			clock.Advance(time.Hour)
			want, err := s.create(newCred("c1", 2, clock.Now(), time.Hour))
			if err != nil {
				t.Fatalf("create over an expired holder: %v", err)
			}
			if got, err := s.find(hashOf("c1")); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("find = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

// TestCredentialStoresKeepNanoseconds: times come back to the nanosecond (the other stores
// keep microseconds) and a credential lives until the nanosecond of its deadline.
func TestCredentialStoresKeepNanoseconds(t *testing.T) {
	created := t0.Add(123456789 * time.Nanosecond)
	tests := []struct {
		name    string
		advance time.Duration
		live    bool
	}{
		{"one nanosecond before the deadline", time.Hour - time.Nanosecond, true},
		{"at the deadline", time.Hour, false},
		{"after the deadline", 2 * time.Hour, false},
	}
	for _, k := range kinds {
		for _, tt := range tests {
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				c := newCred("c1", 1, created, time.Hour)
				s, clock := k.openWith(t)
				want, err := s.create(c)
				if err != nil {
					t.Fatal(err)
				}
				clock.Advance(tt.advance + created.Sub(t0))
				wantErr := domain.ErrNotFound
				if tt.live {
					wantErr = nil // errors.Is(err, nil) means err == nil
				}
				if got, err := s.find(c.hash); !errors.Is(err, wantErr) || tt.live && !reflect.DeepEqual(got, want) {
					t.Errorf("find = %+v, %v; want %+v, %v", got, err, want, wantErr)
				}
				if s.list != nil {
					if l, _ := s.list(1); len(l) == 1 != tt.live {
						t.Errorf("list = %v, want live %t", l, tt.live)
					}
				}
				if s.touch != nil {
					if err := s.touch(c.hash, clock.Now()); !errors.Is(err, wantErr) {
						t.Errorf("touch = %v, want %v", err, wantErr)
					}
				}
				if s.revoke != nil {
					if err := s.revoke(1, "c1"); !errors.Is(err, wantErr) {
						t.Errorf("revoke = %v, want %v", err, wantErr)
					}
				}
			})
		}
	}
}

// TestCredentialStoresListTiesByID: credentials created at the same instant are listed by
// id, so the order never depends on map iteration; the list of a user without any is empty,
// not nil.
func TestCredentialStoresListTiesByID(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			if k.open(newClock()).list == nil {
				t.Skip("no list")
			}
			s, _ := k.openWith(t,
				newCred("old", 1, t0, time.Hour),
				newCred("tie-b", 1, t0.Add(time.Minute), time.Hour),
				newCred("new", 1, t0.Add(2*time.Minute), time.Hour),
				newCred("tie-a", 1, t0.Add(time.Minute), time.Hour),
				newCred("tie-c", 1, t0.Add(time.Minute), time.Hour),
			)
			if l, err := s.list(1); err != nil || !slices.Equal(l, []string{"new", "tie-a", "tie-b", "tie-c", "old"}) {
				t.Errorf("list = %v, %v; want new, tie-a, tie-b, tie-c, old", l, err)
			}
			if l, err := s.list(2); err != nil || l == nil || len(l) != 0 {
				t.Errorf("list(no credentials) = %#v, %v; want an empty list", l, err)
			}
		})
	}
}

// TestCredentialStoresSweep: Sweep deletes the expired credentials of every user, counts
// them, and leaves the live ones and those without a deadline.
func TestCredentialStoresSweep(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			cs := []cred{newCred("short", 1, t0, time.Minute), newCred("short2", 2, t0, time.Minute), newCred("long", 1, t0, time.Hour)}
			if k.noExpiry {
				cs = append(cs, newCred("forever", 1, t0, 0))
			}
			s, clock := k.openWith(t, cs...)
			if n := s.sweep(); n != 0 {
				t.Errorf("Sweep before expiry = %d, want 0", n)
			}
			clock.Advance(time.Minute)
			if n := s.sweep(); n != 2 {
				t.Errorf("Sweep = %d, want 2", n)
			}
			if n := s.sweep(); n != 0 {
				t.Errorf("second Sweep = %d, want 0", n)
			}
			if _, err := s.find(hashOf("long")); err != nil {
				t.Errorf("live credential swept: %v", err)
			}
			if !k.noExpiry {
				return
			}
			clock.Advance(100 * 365 * 24 * time.Hour)
			if n := s.sweep(); n != 1 {
				t.Errorf("Sweep a century later = %d, want 1", n)
			}
			if _, err := s.find(hashOf("forever")); err != nil {
				t.Errorf("credential without a deadline swept: %v", err)
			}
		})
	}
}

// TestCredentialStoresConcurrentUse is for the race detector: every operation of a kind at
// once, sweeps included.
func TestCredentialStoresConcurrentUse(t *testing.T) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s, clock := k.openWith(t)
			var wg sync.WaitGroup
			for g := range 8 {
				user := domain.UserID(g%3 + 1)
				wg.Go(func() {
					for i := range 50 {
						id := fmt.Sprintf("g%d-%d", g, i)
						if _, err := s.create(newCred(id, user, clock.Now(), time.Duration(i%5+1)*time.Millisecond)); err != nil {
							t.Error(err)
							return
						}
						_, _ = s.find(hashOf(id))
						if s.touch != nil {
							_ = s.touch(hashOf(id), clock.Now())
							_, _ = s.list(user)
						}
						clock.Advance(time.Millisecond)
						switch i % 10 {
						case 3:
							if s.revoke != nil {
								_ = s.revoke(user, id)
							}
						case 9:
							_, _ = s.revokeAll(user, id)
						case 7:
							s.sweep()
						}
					}
				})
			}
			wg.Wait()
		})
	}
}
