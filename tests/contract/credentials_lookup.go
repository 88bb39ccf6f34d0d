package contract

import (
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

func credentialRoundTrip[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	run := func(t *testing.T, set func(*C)) {
		s, clock := k.store(t, f)
		want := k.make(newUserID(), newSecretHash(), clock.Now().Add(-time.Hour), 2*time.Hour)
		set(&want)
		k.mustCreate(t, s, want)
		got, err := k.find(s, t.Context(), want)
		if err != nil {
			t.Fatalf("find error = %v", err)
		}
		if d := k.diff(got, want); d != nil {
			t.Errorf("find: %s", d)
		}
		k.checkUTC(t, got)
		if k.list == nil {
			return
		}
		list := k.mustList(t, s, k.user(want))
		if len(list) != 1 {
			t.Fatalf("list has %d credentials, want 1", len(list))
		}
		if d := k.diff(list[0], want); d != nil {
			t.Errorf("list: %s", d)
		}
		k.checkUTC(t, list[0])
	}
	if len(k.variants) == 0 {
		run(t, func(*C) {})
	}
	for _, v := range k.variants {
		t.Run(v.name, func(t *testing.T) { run(t, v.set) })
	}
}

// credentialUnknown looks up, touches and revokes a credential never created, next to one that
// was, which must stay.
func credentialUnknown[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	s, clock := k.store(t, f)
	mine := k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour)
	k.mustCreate(t, s, mine)
	k.checkGone(t, s, k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour))
	k.check(t, s, mine)
}

// credentialAnyHash stores hashes whose bytes a store might mistake for separators, padding
// or text: zeros, 0xff, spaces, colons, and ones that differ only in their last byte.
func credentialAnyHash[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	s, clock := k.store(t, f)
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
	k.mustCreate(t, s, cs...)
	for _, c := range cs {
		k.check(t, s, c)
	}
}

// credentialAlreadyExpired creates a credential whose deadline has passed by every clock, the
// store's and the server's, so it runs for every adapter.
func credentialAlreadyExpired[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	s, clock := k.store(t, f)
	old := k.make(newUserID(), newSecretHash(), clock.Now().Add(-2*time.Hour), time.Hour)
	k.mustCreate(t, s, old)
	k.checkGone(t, s, old)
	if n, err := k.revokeEvery(s, t.Context(), k.user(old)); err != nil || n != 0 {
		t.Errorf("revoke all = %d, %v; want 0 (an expired credential is not counted)", n, err)
	}
}

func credentialDeadline[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	skipUnlessExact(t, f)
	tests := []struct {
		name string
		at   time.Duration // clock relative to the deadline
		live bool
	}{
		{"one microsecond before the deadline", -time.Microsecond, true},
		{"at the deadline", 0, false},
		{"an hour after the deadline", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := k.store(t, f)
			c := k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour)
			k.mustCreate(t, s, c)
			clock.Advance(time.Hour + tt.at)
			if !tt.live {
				k.checkGone(t, s, c)
				return
			}
			k.check(t, s, c)
			if k.list != nil {
				if list := k.mustList(t, s, k.user(c)); len(list) != 1 {
					t.Errorf("list has %d credentials, want 1", len(list))
				}
			}
			if k.touch != nil {
				if err := k.touch(s, t.Context(), c, clock.Now()); err != nil {
					t.Errorf("touch error = %v", err)
				}
			}
			if k.revoke != nil {
				if err := k.revoke(s, t.Context(), k.user(c), k.id(c)); err != nil {
					t.Errorf("revoke error = %v", err)
				}
			}
		})
	}
}
