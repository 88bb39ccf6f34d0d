package contract

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// userConcurrentSameName signs one username up 50 times at once, in several spellings with
// one domain.UsernameKey: the store's uniqueness must hold under a race, not only when
// checked before the insert.
func userConcurrentSameName(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	spellings := []string{"carol", "Carol", "CAROL", "Ｃａｒｏｌ", "ｃａｒｏｌ"}
	const n = 50
	users, errs := make([]domain.User, n), make([]error, n)
	race(n, func(i int) {
		users[i], errs[i] = s.CreateUser(t.Context(), newUser(ns.name(spellings[i%len(spellings)])), domain.EmailShared)
	})
	var winners []domain.User
	for i, err := range errs {
		switch {
		case err == nil:
			winners = append(winners, users[i])
		case !errors.Is(err, domain.ErrUsernameTaken):
			t.Errorf("CreateUser(%q) error = %v, want nil or domain.ErrUsernameTaken", ns.name(spellings[i%len(spellings)]), err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d concurrent creations of one username succeeded, want exactly 1: %+v", len(winners), n, winners)
	}
	for _, spelling := range spellings {
		got, err := s.UserByUsername(t.Context(), ns.name(spelling))
		if err != nil || got.ID != winners[0].ID {
			t.Errorf("UserByUsername(%q) = ID %d, %v; want the winner, ID %d", ns.name(spelling), got.ID, err, winners[0].ID)
		}
	}
}

func userConcurrentDistinct(t *testing.T, f Factory) {
	s, ns := f.Users(t), newNamespace()
	const n = 50
	users, errs := make([]domain.User, n), make([]error, n)
	name := func(i int) string { return ns.name(fmt.Sprintf("user%d", i)) }
	race(n, func(i int) { users[i], errs[i] = s.CreateUser(t.Context(), newUser(name(i)), domain.EmailShared) })
	seen := map[domain.UserID]string{}
	for i, u := range users {
		if errs[i] != nil {
			t.Errorf("CreateUser(%q) error = %v", name(i), errs[i])
			continue
		}
		if u.ID == 0 {
			t.Errorf("CreateUser(%q) assigned ID 0", name(i))
		}
		if other, dup := seen[u.ID]; dup {
			t.Errorf("CreateUser gave %q and %q one ID %d", other, u.Username, u.ID)
		}
		seen[u.ID] = u.Username
		want := newUser(name(i))
		want.ID = u.ID
		if d := diffUser(u, want); d != nil {
			t.Errorf("CreateUser(%q) returned %s", name(i), d)
		}
		checkUser(t, s, want)
	}
}

// race calls do(0) … do(n-1) in n goroutines released at once, and waits for them.
func race(n int, do func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			do(i)
		})
	}
	close(start)
	wg.Wait()
}
