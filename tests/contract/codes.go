package contract

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// RunCodeStore runs the cases of ports.CodeStore against f.Codes: those every credential kind
// shares (credentials.go), then single use and purposes.
func RunCodeStore(t *testing.T, f Factory) {
	if f.Codes == nil {
		t.Skipf("%s has no CodeStore (Factory.Codes is nil)", f.Name)
	}
	runCredentialCases(t, f, codeKind(f))
	t.Run("Data is stored as a copy", func(t *testing.T) { codeDataCopied(t, f) })
	t.Run("consumed once", func(t *testing.T) { codeConsumedOnce(t, f) })
	t.Run("another purpose neither finds nor consumes it", func(t *testing.T) { codeWrongPurpose(t, f) })
	t.Run("purpose compares exactly: capitals and spaces count", func(t *testing.T) { codePurposeExact(t, f) })
	t.Run("delete by user and purpose", func(t *testing.T) { codeDeleteByPurpose(t, f) })
	t.Run("delete of a user without codes", func(t *testing.T) { codeDeleteNone(t, f) })
	t.Run("concurrent consumers: exactly one wins", func(t *testing.T) { codeConcurrentConsume(t, f) })
	t.Run("recovery codes: a century long, used once, their user's only", func(t *testing.T) { codeRecovery(t, f) })
}

// codeKind is the one-time code as a credential kind: found by consuming it with its own
// purpose, revoked all at once by DeleteUserCodes with the empty purpose. It has no public id,
// list or touch.
func codeKind(f Factory) credentialKind[domain.OneTimeCode, ports.CodeStore] {
	return credentialKind[domain.OneTimeCode, ports.CodeStore]{
		open: func(t *testing.T, clock *Clock) ports.CodeStore { return f.Codes(t, clock) },
		make: func(user domain.UserID, h domain.SecretHash, created time.Time, ttl time.Duration) domain.OneTimeCode {
			return newCode(domain.PurposePasswordReset, user, h, created, ttl)
		},
		// Data is opaque bytes: a store must keep each byte, NUL and 0xff too, up to the
		// limit, and a code without Data must work as before. Empty Data may come back nil
		// or empty (callers test its length), as a column or field left out reads back nil.
		variants: []variant[domain.OneTimeCode]{
			{"Data with every byte value", func(c *domain.OneTimeCode) { c.Data = everyByte(2) }},
			{"Data of MaxCodeDataBytes", func(c *domain.OneTimeCode) {
				c.Data = bytes.Repeat([]byte{0xff, 0, '\n', ':'}, domain.MaxCodeDataBytes/4)
			}},
			{"no Data", func(c *domain.OneTimeCode) { c.Data = nil }},
			{"empty Data", func(c *domain.OneTimeCode) { c.Data = []byte{} }},
		},
		hash:  func(c domain.OneTimeCode) domain.SecretHash { return c.Hash },
		user:  func(c domain.OneTimeCode) domain.UserID { return c.UserID },
		times: func(c domain.OneTimeCode) []time.Time { return []time.Time{c.CreatedAt, c.ExpiresAt} },
		diff:  diffCode,

		create: ports.CodeStore.CreateCode,
		find: func(s ports.CodeStore, ctx context.Context, c domain.OneTimeCode) (domain.OneTimeCode, error) {
			return s.ConsumeCode(ctx, c.Purpose, c.Hash)
		},
		revokeAll: func(s ports.CodeStore, ctx context.Context, user domain.UserID) (int, error) {
			return s.DeleteUserCodes(ctx, user, "")
		},
	}
}

func newCode(p domain.CodePurpose, user domain.UserID, h domain.SecretHash, created time.Time, ttl time.Duration) domain.OneTimeCode {
	return domain.OneTimeCode{
		Purpose: p, UserID: user, Hash: h,
		Email:     fmt.Sprintf("Zoë.%d+%s@example.org", user, p), // not ASCII, upper case kept
		Data:      fmt.Appendf([]byte{0, 0xff}, "state of %s %d\x00", p, seq.Add(1)),
		CreatedAt: created, ExpiresAt: created.Add(ttl),
	}
}

func diffCode(got, want domain.OneTimeCode) diff {
	var d diff
	d.str("Purpose", string(got.Purpose), string(want.Purpose))
	d.user(got.UserID, want.UserID)
	d.hash(got.Hash, want.Hash)
	d.str("Email", got.Email, want.Email)
	if !bytes.Equal(got.Data, want.Data) { // nil and empty are both no Data
		d = append(d, fmt.Sprintf("Data = %x (%d bytes), want %x (%d bytes)",
			abbrev(got.Data), len(got.Data), abbrev(want.Data), len(want.Data)))
	}
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	return d
}

// everyByte returns the byte values 0 to 255, n times over.
func everyByte(n int) []byte {
	b := make([]byte, 0, 256*n)
	for range n {
		for i := range 256 {
			b = append(b, byte(i))
		}
	}
	return b
}

// abbrev returns at most the first 32 bytes of b, for messages.
func abbrev(b []byte) []byte { return b[:min(len(b), 32)] }

// codeDataCopied: the store keeps its own copy of Data and hands out copies, so a caller
// reusing its buffer changes neither the stored code nor what another caller read.
func codeDataCopied(t *testing.T, f Factory) {
	s, clock := codeStore(t, f)
	c := newCode(domain.PurposePasskeyLogin, newUserID(), newSecretHash(), clock.Now(), time.Hour)
	want := c
	want.Data = bytes.Clone(c.Data)
	mustCreateCodes(t, s, c)
	for i := range c.Data {
		c.Data[i] ^= 0x55
	}
	got, err := s.ConsumeCode(t.Context(), want.Purpose, want.Hash)
	if err != nil {
		t.Fatalf("ConsumeCode = %v", err)
	}
	if d := diffCode(got, want); d != nil {
		t.Errorf("after the caller changed its Data: %s", d)
	}
}

func codeStore(t *testing.T, f Factory) (ports.CodeStore, *Clock) {
	clock := clockFor(f)
	return f.Codes(t, clock), clock
}

func mustCreateCodes(t *testing.T, s ports.CodeStore, codes ...domain.OneTimeCode) {
	t.Helper()
	for _, c := range codes {
		if err := s.CreateCode(t.Context(), c); err != nil {
			t.Fatalf("CreateCode(%s %s) error = %v", c.Purpose, c.Hash.Hex(), err)
		}
	}
}

// checkConsume fails unless consuming c with purpose gives c (want true) or
// domain.ErrNotFound (want false).
func checkConsume(t *testing.T, s ports.CodeStore, purpose domain.CodePurpose, c domain.OneTimeCode, want bool) {
	t.Helper()
	got, err := s.ConsumeCode(t.Context(), purpose, c.Hash)
	switch {
	case want && err != nil:
		t.Errorf("ConsumeCode(%s, %s code of user %d) error = %v, want the code", purpose, c.Purpose, c.UserID, err)
	case want:
		if d := diffCode(got, c); d != nil {
			t.Errorf("ConsumeCode(%s): %s", purpose, d)
		}
	case !errors.Is(err, domain.ErrNotFound):
		t.Errorf("ConsumeCode(%s, %s code of user %d) = %+v, %v; want domain.ErrNotFound", purpose, c.Purpose, c.UserID, got, err)
	}
}

func codeConsumedOnce(t *testing.T, f Factory) {
	s, clock := codeStore(t, f)
	c := newCode(domain.PurposeVerifyEmail, newUserID(), newSecretHash(), clock.Now(), time.Hour)
	mustCreateCodes(t, s, c)
	checkConsume(t, s, c.Purpose, c, true)
	checkConsume(t, s, c.Purpose, c, false)
	if n, err := s.DeleteUserCodes(t.Context(), c.UserID, ""); err != nil || n != 0 {
		t.Errorf("DeleteUserCodes after consuming = %d, %v; want 0", n, err)
	}
}

func codeWrongPurpose(t *testing.T, f Factory) {
	for _, p := range domain.CodePurposes {
		for _, wrong := range append(domain.CodePurposes, "", "password") {
			if wrong == p {
				continue
			}
			t.Run(fmt.Sprintf("%s as %q", p, wrong), func(t *testing.T) {
				s, clock := codeStore(t, f)
				c := newCode(p, newUserID(), newSecretHash(), clock.Now(), time.Hour)
				mustCreateCodes(t, s, c)
				checkConsume(t, s, wrong, c, false)
				checkConsume(t, s, p, c, true)
			})
		}
	}
}

// codePurposeExact: a purpose matches byte for byte, in ConsumeCode and DeleteUserCodes. A
// store that compared it as text under a case-insensitive or space-padding collation (as
// MySQL's ascii_general_ci does) would find a "password-reset" code under "Password-Reset".
func codePurposeExact(t *testing.T, f Factory) {
	for _, p := range domain.CodePurposes {
		for _, wrong := range []domain.CodePurpose{titled(p), domain.CodePurpose(strings.ToUpper(string(p))), p + " "} {
			t.Run(fmt.Sprintf("%s as %q", p, wrong), func(t *testing.T) {
				s, clock := codeStore(t, f)
				c := newCode(p, newUserID(), newSecretHash(), clock.Now(), time.Hour)
				mustCreateCodes(t, s, c)
				checkConsume(t, s, wrong, c, false)
				if n, err := s.DeleteUserCodes(t.Context(), c.UserID, wrong); err != nil || n != 0 {
					t.Errorf("DeleteUserCodes(%q) = %d, %v; want 0", wrong, n, err)
				}
				checkConsume(t, s, p, c, true)
			})
		}
	}
}

// titled returns p with the first letter of each hyphenated word in capitals:
// "Password-Reset".
func titled(p domain.CodePurpose) domain.CodePurpose {
	b := []byte(p)
	for i := range b {
		if i == 0 || b[i-1] == '-' {
			b[i] = byte(unicode.ToUpper(rune(b[i])))
		}
	}
	return domain.CodePurpose(b)
}

func codeDeleteByPurpose(t *testing.T, f Factory) {
	for _, purpose := range append([]domain.CodePurpose{""}, domain.CodePurposes...) {
		name := string(purpose)
		if name == "" {
			name = "every purpose"
		}
		t.Run(name, func(t *testing.T) {
			s, clock := codeStore(t, f)
			user, other := newUserID(), newUserID()
			now := clock.Now()
			var doomed, spared []domain.OneTimeCode
			for _, p := range domain.CodePurposes {
				cs := []domain.OneTimeCode{
					newCode(p, user, newSecretHash(), now, time.Hour),
					newCode(p, user, newSecretHash(), now.Add(time.Second), 2*time.Hour),
				}
				if purpose == "" || p == purpose {
					doomed = append(doomed, cs...)
				} else {
					spared = append(spared, cs...)
				}
				theirs := newCode(p, other, newSecretHash(), now, time.Hour)
				spared = append(spared, theirs)
				expired := newCode(p, user, newSecretHash(), now.Add(-2*time.Hour), time.Hour)
				mustCreateCodes(t, s, append(cs, theirs, expired)...)
			}
			n, err := s.DeleteUserCodes(t.Context(), user, purpose)
			if err != nil || n != len(doomed) {
				t.Errorf("DeleteUserCodes(%q) = %d, %v; want %d", purpose, n, err, len(doomed))
			}
			for _, c := range doomed {
				checkConsume(t, s, c.Purpose, c, false)
			}
			for _, c := range spared {
				checkConsume(t, s, c.Purpose, c, true)
			}
		})
	}
}

func codeDeleteNone(t *testing.T, f Factory) {
	s, _ := codeStore(t, f)
	for _, p := range append([]domain.CodePurpose{""}, domain.CodePurposes...) {
		if n, err := s.DeleteUserCodes(t.Context(), newUserID(), p); err != nil || n != 0 {
			t.Errorf("DeleteUserCodes(%q) = %d, %v; want 0, nil", p, n, err)
		}
	}
}

// codeConcurrentConsume is the single-use guarantee a reset link rests on: however many
// requests present one code at once, one of them gets it.
func codeConcurrentConsume(t *testing.T, f Factory) {
	s, clock := codeStore(t, f)
	c := newCode(domain.PurposePasswordReset, newUserID(), newSecretHash(), clock.Now(), time.Hour)
	mustCreateCodes(t, s, c)
	const n = 100
	var won atomic.Int32
	errs := make([]error, n)
	race(n, func(i int) {
		got, err := s.ConsumeCode(context.Background(), c.Purpose, c.Hash)
		switch {
		case err == nil:
			won.Add(1)
			if d := diffCode(got, c); d != nil {
				errs[i] = fmt.Errorf("winner got %s", d)
			}
		case !errors.Is(err, domain.ErrNotFound):
			errs[i] = err
		}
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("consumer %d: %v", i, err)
		}
	}
	if w := won.Load(); w != 1 {
		t.Errorf("%d of %d concurrent consumers got the code, want exactly 1", w, n)
	}
}

// codeRecovery stores a set of recovery codes as the app will (domain.NewRecoveryCodes): the
// store keeps their century-long deadline, each code is used once, and a code typed for
// another user finds nothing, since the user is part of its hash.
func codeRecovery(t *testing.T, f Factory) {
	s, clock := codeStore(t, f)
	user, other := newUserID(), newUserID()
	var random [domain.RecoveryCodeCount][domain.RecoveryCodeBytes]byte
	for i := range random {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], seq.Add(1)<<8) // unique in its top 7 bytes
		copy(random[i][:], b[:])
	}
	shown, stored := domain.NewRecoveryCodes(user, random, clock.Now())
	mustCreateCodes(t, s, stored...)
	if f.ExactExpiry {
		clock.Advance(99 * 365 * 24 * time.Hour)
	}
	theirs, _ := domain.HashRecoveryCode(other, shown[0])
	if got, err := s.ConsumeCode(t.Context(), domain.PurposeRecovery, theirs); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("ConsumeCode of user %d's code typed for user %d = %+v, %v; want domain.ErrNotFound", user, other, got, err)
	}
	for i, code := range shown {
		h, ok := domain.HashRecoveryCode(user, strings.ToUpper(code))
		if !ok || h != stored[i].Hash {
			t.Fatalf("HashRecoveryCode(%q) = %t or another hash than stored", code, ok)
		}
	}
	checkConsume(t, s, domain.PurposeRecovery, stored[3], true)
	checkConsume(t, s, domain.PurposeRecovery, stored[3], false)
	if n, err := s.DeleteUserCodes(t.Context(), user, domain.PurposeRecovery); err != nil || n != len(stored)-1 {
		t.Errorf("DeleteUserCodes(recovery) = %d, %v; want the %d left", n, err, len(stored)-1)
	}
}
