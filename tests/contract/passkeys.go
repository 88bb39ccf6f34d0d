package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// RunPasskeyStore runs the cases of ports.PasskeyStore against f.Passkeys, and the
// FactorStore.DeleteUserFactors of the same backend, which removes passkeys too.
func RunPasskeyStore(t *testing.T, f Factory) {
	if f.Passkeys == nil {
		t.Skipf("%s has no PasskeyStore (Factory.Passkeys is nil)", f.Name)
	}
	t.Run("fields round-trip in UTC to the microsecond, oldest first", func(t *testing.T) { passkeyRoundTrip(t, f) })
	t.Run("a user without passkeys has an empty list", func(t *testing.T) { passkeyNone(t, f) })
	t.Run("credential ids compare byte for byte", func(t *testing.T) { passkeyIDsExact(t, f) })
	t.Run("stored and returned as copies", func(t *testing.T) { passkeyCopies(t, f) })
	t.Run("a credential once per user, in any number of users", func(t *testing.T) { passkeyExists(t, f) })
	t.Run("at most MaxPasskeys", func(t *testing.T) { passkeyLimit(t, f) })
	t.Run("concurrent adds: exactly MaxPasskeys stored", func(t *testing.T) { passkeyConcurrentAdds(t, f) })
	t.Run("concurrent adds of one credential: exactly one stored", func(t *testing.T) { passkeyConcurrentSame(t, f) })
	t.Run("use replaces Data and sets LastUsedAt", func(t *testing.T) { passkeyUse(t, f) })
	t.Run("delete", func(t *testing.T) { passkeyDelete(t, f) })
	t.Run("DeleteUserFactors removes passkeys and TOTP, not another's", func(t *testing.T) { passkeyDeleteUser(t, f) })
}

// newCredentialID returns a credential id no other case uses, with the bytes a careless
// store might mangle: NUL, 0xff, a trailing space.
func newCredentialID() []byte {
	return fmt.Appendf([]byte{0, 0xff, 0x80}, "cred-%d\x00 ", seq.Add(1))
}

// newPasskey returns a passkey of user, never used, created at created.
func newPasskey(user domain.UserID, created time.Time) domain.Passkey {
	n := seq.Add(1)
	return domain.Passkey{UserID: user, CredentialID: newCredentialID(), Name: fmt.Sprintf("laptop %d", n),
		Data: fmt.Appendf([]byte{0xa5, 0, 0xff}, "record %d\x00", n), CreatedAt: created}
}

func diffPasskey(got, want domain.Passkey) diff {
	var d diff
	d.user(got.UserID, want.UserID)
	if !bytes.Equal(got.CredentialID, want.CredentialID) {
		d = append(d, fmt.Sprintf("CredentialID = %x (%d bytes), want %x (%d bytes)",
			abbrev(got.CredentialID), len(got.CredentialID), abbrev(want.CredentialID), len(want.CredentialID)))
	}
	d.str("Name", got.Name, want.Name)
	if !bytes.Equal(got.Data, want.Data) {
		d = append(d, fmt.Sprintf("Data = %x (%d bytes), want %x (%d bytes)",
			abbrev(got.Data), len(got.Data), abbrev(want.Data), len(want.Data)))
	}
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("LastUsedAt", got.LastUsedAt, want.LastUsedAt)
	if got.LastUsedAt.IsZero() != want.LastUsedAt.IsZero() {
		d = append(d, fmt.Sprintf("LastUsedAt zero = %t, want %t", got.LastUsedAt.IsZero(), want.LastUsedAt.IsZero()))
	}
	for _, tm := range []struct {
		name string
		t    time.Time
	}{{"CreatedAt", got.CreatedAt}, {"LastUsedAt", got.LastUsedAt}} {
		if !tm.t.IsZero() && tm.t.Location() != time.UTC {
			d = append(d, fmt.Sprintf("%s in %v, want UTC", tm.name, tm.t.Location()))
		}
	}
	return d
}

func mustAddPasskeys(t *testing.T, s ports.PasskeyStore, ps ...domain.Passkey) {
	t.Helper()
	for _, p := range ps {
		if err := s.AddPasskey(t.Context(), p); err != nil {
			t.Fatalf("AddPasskey(user %d, %s) error = %v", p.UserID, p.Name, err)
		}
	}
}

// checkPasskeys fails unless user's passkeys are want, in that order.
func checkPasskeys(t *testing.T, s ports.PasskeyStore, user domain.UserID, want ...domain.Passkey) {
	t.Helper()
	got, err := s.Passkeys(t.Context(), user)
	if err != nil {
		t.Fatalf("Passkeys(%d) error = %v", user, err)
	}
	if got == nil {
		t.Errorf("Passkeys(%d) = nil, want an empty list", user)
	}
	if len(got) != len(want) {
		t.Fatalf("Passkeys(%d) = %d passkeys %v, want %d %v", user, len(got), names(got), len(want), names(want))
	}
	for i := range want {
		if d := diffPasskey(got[i], want[i]); d != nil {
			t.Errorf("Passkeys(%d)[%d]: %s", user, i, d)
		}
	}
}

func names(ps []domain.Passkey) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// passkeyRoundTrip stores passkeys whose fields are at their edges, out of order, and reads
// them back oldest first; two created at one instant come in the order of their credential
// ids' bytes, so the order never depends on the store.
func passkeyRoundTrip(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	user := newUserID()
	berlin := time.FixedZone("CET", 3600)
	longest := bytes.Repeat([]byte{0xff, 0}, domain.MaxPasskeyCredentialIDBytes/2+1)[:domain.MaxPasskeyCredentialIDBytes]
	copy(longest, newCredentialID())
	used := newPasskey(user, Start.Add(time.Minute).In(berlin))
	used.LastUsedAt = Start.Add(time.Hour + time.Microsecond).In(berlin)
	unicode := newPasskey(user, Start.Add(2*time.Minute))
	unicode.Name = `Zoë’s 📱 «phone» '"\% `
	unicode.Name += strings.Repeat("é", domain.MaxPasskeyNameLength-utf8.RuneCountInString(unicode.Name))
	long := newPasskey(user, Start.Add(3*time.Minute))
	long.CredentialID, long.Data = longest, everyByte(4)
	zero := newPasskey(user, Start)
	zero.CredentialID = append([]byte{0}, newCredentialID()...)
	tied := newPasskey(user, Start)
	tied.CredentialID = append([]byte{1}, newCredentialID()...)
	short := newPasskey(user, Start.Add(4*time.Minute))
	short.CredentialID = []byte{0xff} // one byte, as a test authenticator may make
	other := newPasskey(newUserID(), Start)

	mustAddPasskeys(t, s, long, tied, unicode, other, used, short, zero)
	checkPasskeys(t, s, user, zero, tied, used, unicode, long, short)
	checkPasskeys(t, s, other.UserID, other)
}

func passkeyNone(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	checkPasskeys(t, s, newUserID())
}

// passkeyIDsExact: ids that a text column would fold, pad or trim together are different
// credentials: capitals, trailing spaces and NULs, a prefix of another.
func passkeyIDsExact(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	user := newUserID()
	base := fmt.Sprintf("abc-%d", seq.Add(1))
	var want []domain.Passkey
	for i, id := range []string{base, strings.ToUpper(base), base + " ", base + "\x00", base[:len(base)-1], " " + base} {
		p := newPasskey(user, Start.Add(time.Duration(i)*time.Second))
		p.CredentialID = []byte(id)
		want = append(want, p)
	}
	mustAddPasskeys(t, s, want...)
	checkPasskeys(t, s, user, want...)
	if err := s.DeletePasskey(t.Context(), user, want[0].CredentialID); err != nil {
		t.Fatalf("DeletePasskey(%q) = %v", want[0].CredentialID, err)
	}
	checkPasskeys(t, s, user, want[1:]...)
}

// passkeyCopies: the store keeps its own copies of the slices, so a caller reusing its
// buffers changes nothing stored.
func passkeyCopies(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	p := newPasskey(newUserID(), Start)
	want := p
	want.CredentialID, want.Data = bytes.Clone(p.CredentialID), bytes.Clone(p.Data)
	mustAddPasskeys(t, s, p)
	p.CredentialID[0], p.Data[0] = 'x', 'x'
	got, err := s.Passkeys(t.Context(), want.UserID)
	if err != nil || len(got) != 1 {
		t.Fatalf("Passkeys = %v, %v; want one", names(got), err)
	}
	got[0].CredentialID[0], got[0].Data[0] = 'y', 'y'
	checkPasskeys(t, s, want.UserID, want)
	data := []byte("new record")
	if err := s.UsePasskey(t.Context(), want.UserID, want.CredentialID, data, Start.Add(time.Hour)); err != nil {
		t.Fatalf("UsePasskey = %v", err)
	}
	data[0] = 'x'
	want.Data, want.LastUsedAt = []byte("new record"), Start.Add(time.Hour)
	checkPasskeys(t, s, want.UserID, want)
}

func passkeyExists(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	first := newPasskey(newUserID(), Start)
	mustAddPasskeys(t, s, first)
	again := newPasskey(first.UserID, Start.Add(time.Minute))
	again.CredentialID = bytes.Clone(first.CredentialID)
	if err := s.AddPasskey(t.Context(), again); !errors.Is(err, domain.ErrPasskeyExists) {
		t.Errorf("AddPasskey of the user's credential again = %v, want domain.ErrPasskeyExists", err)
	}
	checkPasskeys(t, s, first.UserID, first)

	// Two accounts may register one authenticator's credential id (a shared security key
	// the authenticator would never make, but nothing here may tell one user's from another's).
	theirs := newPasskey(newUserID(), Start)
	theirs.CredentialID = bytes.Clone(first.CredentialID)
	mustAddPasskeys(t, s, theirs)
	checkPasskeys(t, s, first.UserID, first)
	checkPasskeys(t, s, theirs.UserID, theirs)
}

func passkeyLimit(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	user := newUserID()
	var want []domain.Passkey
	for i := range domain.MaxPasskeys {
		want = append(want, newPasskey(user, Start.Add(time.Duration(i)*time.Second)))
	}
	mustAddPasskeys(t, s, want...)
	over := newPasskey(user, Start.Add(time.Hour))
	if err := s.AddPasskey(t.Context(), over); !errors.Is(err, domain.ErrTooManyPasskeys) {
		t.Errorf("AddPasskey beyond MaxPasskeys = %v, want domain.ErrTooManyPasskeys", err)
	}
	checkPasskeys(t, s, user, want...)
	mustAddPasskeys(t, s, newPasskey(newUserID(), Start)) // the limit is per user

	if err := s.DeletePasskey(t.Context(), user, want[3].CredentialID); err != nil {
		t.Fatalf("DeletePasskey = %v", err)
	}
	mustAddPasskeys(t, s, over)
	checkPasskeys(t, s, user, append(slices.Delete(slices.Clone(want), 3, 4), over)...)
}

// passkeyConcurrentAdds is the limit under concurrency: the check and the write are one
// step, so however many registrations finish at once, the user ends with MaxPasskeys.
func passkeyConcurrentAdds(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	user := newUserID()
	const n = 50
	var added, refused atomic.Int32
	errs := make([]error, n)
	ps := make([]domain.Passkey, n)
	for i := range ps {
		ps[i] = newPasskey(user, Start.Add(time.Duration(i)*time.Microsecond))
	}
	race(n, func(i int) {
		switch err := s.AddPasskey(context.Background(), ps[i]); {
		case err == nil:
			added.Add(1)
		case errors.Is(err, domain.ErrTooManyPasskeys):
			refused.Add(1)
		default:
			errs[i] = err
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("add %d: %v", i, err)
		}
	}
	if a, r := added.Load(), refused.Load(); a != domain.MaxPasskeys || r != n-domain.MaxPasskeys {
		t.Errorf("%d of %d concurrent adds succeeded and %d were refused, want %d and %d",
			a, n, r, domain.MaxPasskeys, n-domain.MaxPasskeys)
	}
	if got, err := s.Passkeys(t.Context(), user); err != nil || len(got) != domain.MaxPasskeys {
		t.Errorf("after the race Passkeys = %d passkeys, %v; want %d", len(got), err, domain.MaxPasskeys)
	}
}

// passkeyConcurrentSame: one credential registered by many requests at once is stored once.
func passkeyConcurrentSame(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	p := newPasskey(newUserID(), Start)
	const n = 50
	var won atomic.Int32
	errs := make([]error, n)
	race(n, func(i int) {
		switch err := s.AddPasskey(context.Background(), p); {
		case err == nil:
			won.Add(1)
		case !errors.Is(err, domain.ErrPasskeyExists):
			errs[i] = err
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("add %d: %v", i, err)
		}
	}
	if w := won.Load(); w != 1 {
		t.Errorf("%d of %d concurrent adds of one credential succeeded, want exactly 1", w, n)
	}
	checkPasskeys(t, s, p.UserID, p)
}

func passkeyUse(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	p, q := newPasskey(newUserID(), Start), newPasskey(newUserID(), Start)
	q.CredentialID = bytes.Clone(p.CredentialID) // the same id in another account stays as it was
	mustAddPasskeys(t, s, p, q)
	ctx := t.Context()
	at := Start.Add(time.Hour + 7*time.Microsecond).In(time.FixedZone("EST", -5*3600))
	p.Data, p.LastUsedAt = append([]byte{0, 0xff}, everyByte(1)...), at
	if err := s.UsePasskey(ctx, p.UserID, p.CredentialID, p.Data, at); err != nil {
		t.Fatalf("UsePasskey = %v", err)
	}
	checkPasskeys(t, s, p.UserID, p)
	checkPasskeys(t, s, q.UserID, q)
	p.Data, p.LastUsedAt = []byte("counter 2"), at.Add(time.Minute)
	if err := s.UsePasskey(ctx, p.UserID, p.CredentialID, p.Data, p.LastUsedAt); err != nil {
		t.Fatalf("second UsePasskey = %v", err)
	}
	checkPasskeys(t, s, p.UserID, p)

	for _, c := range []struct {
		name string
		user domain.UserID
		id   []byte
	}{
		{"an unknown credential", p.UserID, newCredentialID()},
		{"the credential of a user without passkeys", newUserID(), p.CredentialID},
		{"a prefix of the credential", p.UserID, p.CredentialID[:len(p.CredentialID)-1]},
	} {
		if err := s.UsePasskey(ctx, c.user, c.id, []byte("x"), at); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("UsePasskey of %s = %v, want domain.ErrNotFound", c.name, err)
		}
	}
	checkPasskeys(t, s, p.UserID, p)
	checkPasskeys(t, s, q.UserID, q)
}

func passkeyDelete(t *testing.T, f Factory) {
	s, _ := f.Passkeys(t)
	user := newUserID()
	doomed, kept := newPasskey(user, Start), newPasskey(user, Start.Add(time.Second))
	theirs := newPasskey(newUserID(), Start)
	theirs.CredentialID = bytes.Clone(doomed.CredentialID)
	mustAddPasskeys(t, s, doomed, kept, theirs)
	if err := s.DeletePasskey(t.Context(), user, doomed.CredentialID); err != nil {
		t.Fatalf("DeletePasskey = %v", err)
	}
	checkPasskeys(t, s, user, kept)
	checkPasskeys(t, s, theirs.UserID, theirs)
	if err := s.DeletePasskey(t.Context(), user, doomed.CredentialID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("second DeletePasskey = %v, want domain.ErrNotFound", err)
	}
	if err := s.UsePasskey(t.Context(), user, doomed.CredentialID, []byte("x"), Start); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("UsePasskey after delete = %v, want domain.ErrNotFound", err)
	}
	if err := s.DeletePasskey(t.Context(), newUserID(), kept.CredentialID); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("DeletePasskey by another user = %v, want domain.ErrNotFound", err)
	}
	checkPasskeys(t, s, user, kept)
	// Registered again, it is new.
	doomed.CreatedAt = Start.Add(time.Hour)
	mustAddPasskeys(t, s, doomed)
	checkPasskeys(t, s, user, kept, doomed)
}

func passkeyDeleteUser(t *testing.T, f Factory) {
	s, factors := f.Passkeys(t)
	doomed, kept := newUserID(), newUserID()
	totp := domain.TOTPFactor{UserID: doomed, Sealed: newSealed(), CreatedAt: Start}
	keptTOTP := domain.TOTPFactor{UserID: kept, Sealed: newSealed(), CreatedAt: Start}
	mustPutTOTP(t, factors, totp, keptTOTP)
	var keptKeys []domain.Passkey
	for i := range 3 {
		mustAddPasskeys(t, s, newPasskey(doomed, Start.Add(time.Duration(i)*time.Second)))
		p := newPasskey(kept, Start.Add(time.Duration(i)*time.Second))
		mustAddPasskeys(t, s, p)
		keptKeys = append(keptKeys, p)
	}
	onlyPasskeys := newUserID() // no TOTP factor: the passkeys go all the same
	mustAddPasskeys(t, s, newPasskey(onlyPasskeys, Start))

	for _, user := range []domain.UserID{doomed, onlyPasskeys} {
		if err := factors.DeleteUserFactors(t.Context(), user); err != nil {
			t.Fatalf("DeleteUserFactors(%d) = %v", user, err)
		}
		checkPasskeys(t, s, user)
	}
	checkNoFactor(t, factors, doomed)
	checkPasskeys(t, s, kept, keptKeys...)
	checkFactor(t, factors, keptTOTP)
	if err := factors.DeleteUserFactors(t.Context(), doomed); err != nil {
		t.Errorf("DeleteUserFactors of a user without factors = %v, want nil", err)
	}
}
