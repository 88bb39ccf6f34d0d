package contract

import (
	"slices"
	"testing"
	"time"
)

func credentialList[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	s, clock := k.store(t, f)
	user, other, now := newUserID(), newUserID(), clock.Now()
	old := k.make(user, newSecretHash(), now.Add(-3*time.Minute), k.lasting())
	mid := k.make(user, newSecretHash(), now.Add(-2*time.Minute), 2*time.Hour)
	newest := k.make(user, newSecretHash(), now.Add(-time.Minute), k.lasting())
	expired := k.make(user, newSecretHash(), now.Add(-30*time.Second), 30*time.Second-time.Microsecond)
	others := k.make(other, newSecretHash(), now.Add(-90*time.Second), 2*time.Hour)
	names := labels{k.id(old): "old", k.id(mid): "mid", k.id(newest): "newest", k.id(expired): "expired", k.id(others): "other user's"}
	k.mustCreate(t, s, mid, expired, old, others, newest)

	list := k.mustList(t, s, user)
	want := []C{newest, mid, old}
	if got := names.of(k.ids(list)); !slices.Equal(got, names.of(k.ids(want))) {
		t.Fatalf("list = %v, want %v", got, names.of(k.ids(want)))
	}
	for i := range want {
		if d := k.diff(list[i], want[i]); d != nil {
			t.Errorf("list[%d] (%s): %s", i, names[k.id(want[i])], d)
		}
	}
}

func credentialListEmpty[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	s, clock := k.store(t, f)
	k.mustCreate(t, s, k.make(newUserID(), newSecretHash(), clock.Now(), time.Hour))
	if list := k.mustList(t, s, newUserID()); len(list) != 0 {
		t.Errorf("list has %d credentials of a user without any, want none", len(list))
	}
}

// credentialConcurrent creates 20 credentials of one user at once while 5 goroutines list
// them: every creation must succeed and every list must hold only those credentials, newest
// first. It is for the race detector and for stores with real connection pools.
func credentialConcurrent[C, S any](t *testing.T, f Factory, k credentialKind[C, S]) {
	s, clock := k.store(t, f)
	const creators, listers = 20, 5
	user, now := newUserID(), clock.Now()
	cs := make([]C, creators)
	known := map[string]bool{}
	for i := range cs {
		cs[i] = k.make(user, newSecretHash(), now.Add(time.Duration(i-creators)*time.Millisecond), time.Hour)
		known[k.id(cs[i])] = true
	}
	created := func(list []C) []string {
		out := make([]string, len(list))
		for i, c := range list {
			out[i] = k.times(c)[0].Format("15:04:05.000000")
		}
		return out
	}
	newestFirst := func(a, b C) int { return k.times(b)[0].Compare(k.times(a)[0]) }
	race(creators+listers, func(i int) {
		if i < creators {
			if err := k.create(s, t.Context(), cs[i]); err != nil {
				t.Errorf("create(#%d) error = %v", i, err)
			}
			return
		}
		for range 10 {
			list, err := k.list(s, t.Context(), user)
			if err != nil {
				t.Errorf("list error = %v", err)
				return
			}
			if len(list) > creators || !slices.IsSortedFunc(list, newestFirst) {
				t.Errorf("list during creation = %d created at %v, want at most %d, newest first", len(list), created(list), creators)
				return
			}
			for _, got := range list {
				if !known[k.id(got)] {
					t.Errorf("list has unknown credential %s", k.id(got))
					return
				}
			}
		}
	})
	list := k.mustList(t, s, user)
	if len(list) != creators {
		t.Fatalf("list has %d credentials after %d concurrent creations, want %d", len(list), creators, creators)
	}
	want := slices.Clone(cs)
	slices.Reverse(want)
	if !slices.Equal(k.ids(list), k.ids(want)) {
		t.Errorf("list = created at %v, want created at %v", created(list), created(want))
	}
}
