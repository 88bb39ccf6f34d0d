package contract

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
)

// seq numbers everything the suite makes, so no two cases share a user, id or secret.
var seq atomic.Uint64

// newPublicID returns a public id no other case uses, made as the app makes them.
func newPublicID() string {
	var b [domain.PublicIDBytes]byte
	copy(b[:8], "contract")
	binary.BigEndian.PutUint64(b[8:], seq.Add(1))
	return domain.NewPublicID(b)
}

// newSecretHash returns the hash of a secret no other case uses.
func newSecretHash() domain.SecretHash {
	return domain.HashSecret(fmt.Sprintf("gth_contract-secret-%d", seq.Add(1)))
}

// newUserID returns a user id no other case uses, far above the ids a UserStore hands out in
// a test run. No UserStore holds it: credential stores must not need their user to exist.
func newUserID() domain.UserID { return domain.UserID(7_000_000_000 + seq.Add(1)) }

// namespace is a prefix that makes one case's usernames its own. It is ASCII, so it does not
// change how the names it starts fold under domain.UsernameKey, and it leaves the end of a
// name free for cases about trailing characters.
type namespace string

func newNamespace() namespace { return namespace(fmt.Sprintf("t%d.", seq.Add(1))) }

// name returns base in the namespace.
func (ns namespace) name(base string) string { return string(ns) + base }

// long returns a name in the namespace of exactly n characters, filled with fill.
func (ns namespace) long(fill string, n int) string {
	return string(ns) + strings.Repeat(fill, n-utf8.RuneCountInString(string(ns)))
}

// sameTime reports whether two stored times are one instant at microsecond precision,
// whatever their location.
func sameTime(got, want time.Time) bool {
	return got.Truncate(time.Microsecond).Equal(want.Truncate(time.Microsecond))
}

// diff collects the fields in which a stored item differs from what was written.
type diff []string

func (d *diff) str(field, got, want string) {
	if got != want {
		*d = append(*d, fmt.Sprintf("%s = %q, want %q", field, got, want))
	}
}

func (d *diff) time(field string, got, want time.Time) {
	if !sameTime(got, want) {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
}

func (d *diff) user(got, want domain.UserID) {
	if got != want {
		*d = append(*d, fmt.Sprintf("UserID = %d, want %d", got, want))
	}
}

func (d *diff) hash(got, want domain.SecretHash) {
	if got != want {
		*d = append(*d, fmt.Sprintf("SecretHash = %s, want %s", got.Hex(), want.Hex()))
	}
}

// level compares a credential's level with the one it was created with; a credential
// created with none (as one stored before levels were) must come back at LevelPassword.
func (d *diff) level(got, want domain.AuthLevel) {
	if want == 0 {
		want = domain.LevelPassword
	}
	if got != want {
		*d = append(*d, fmt.Sprintf("Level = %d, want %d", got, want))
	}
}

func (d diff) String() string { return strings.Join(d, "; ") }

func diffUser(got, want domain.User) diff {
	var d diff
	if got.ID != want.ID {
		d = append(d, fmt.Sprintf("ID = %d, want %d", got.ID, want.ID))
	}
	d.str("Username", got.Username, want.Username)
	d.str("Email", got.Email, want.Email)
	if got.EmailVerified != want.EmailVerified {
		d = append(d, fmt.Sprintf("EmailVerified = %t, want %t", got.EmailVerified, want.EmailVerified))
	}
	d.str("PasswordHash", got.PasswordHash, want.PasswordHash)
	if got.IsActive != want.IsActive {
		d = append(d, fmt.Sprintf("IsActive = %t, want %t", got.IsActive, want.IsActive))
	}
	d.time("DateJoined", got.DateJoined, want.DateJoined)
	return d
}

func diffSession(got, want domain.Session) diff {
	var d diff
	d.str("ID", got.ID, want.ID)
	d.user(got.UserID, want.UserID)
	d.hash(got.SecretHash, want.SecretHash)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("LastSeenAt", got.LastSeenAt, want.LastSeenAt)
	d.time("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	d.str("IP", got.IP, want.IP)
	d.str("UserAgent", got.UserAgent, want.UserAgent)
	d.level(got.Level, want.Level)
	return d
}

func diffToken(got, want domain.Token) diff {
	var d diff
	d.str("ID", got.ID, want.ID)
	d.user(got.UserID, want.UserID)
	d.str("Name", got.Name, want.Name)
	d.hash(got.SecretHash, want.SecretHash)
	d.time("CreatedAt", got.CreatedAt, want.CreatedAt)
	d.time("LastUsedAt", got.LastUsedAt, want.LastUsedAt)
	d.time("ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	d.level(got.Level, want.Level)
	return d
}

// labels names a case's items in failure messages, which would otherwise show 32-digit ids.
type labels map[string]string

// of returns the labels of ids, or an id itself where it has none.
func (l labels) of(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if name, ok := l[id]; ok {
			out[i] = name
		} else {
			out[i] = id
		}
	}
	return out
}
