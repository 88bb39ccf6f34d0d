package redisstore_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/domain"
)

// Records written by versions before the string layout were hashes. An upgraded Gatehouse
// must go on reading them, upgrade a record when it writes one, and revoke them.

func micros(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

// legacyStores opens the stores on a fresh prefix, and a plain client on the same server.
func legacyStores(t *testing.T) (*redisstore.TokenStore, *redisstore.SessionStore, *redis.Client, string) {
	t.Helper()
	c, rdb, prefix := openOnServer(t)
	return redisstore.NewTokenStore(c, clock{}), redisstore.NewSessionStore(c, clock{}), rdb, prefix
}

// writeLegacy stores a credential as the hash layout did: record, lifetime, index entry.
func writeLegacy(t *testing.T, rdb *redis.Client, prefix, kind string, uid int64, id string, h domain.SecretHash, exp time.Time, fields ...any) {
	t.Helper()
	ctx := context.Background()
	key := prefix + kind + ":" + h.Hex()
	fields = append(fields, "uid", uid, "id", id, "exp", micros(exp))
	if err := rdb.HSet(ctx, key, fields...).Err(); err != nil {
		t.Fatal(err)
	}
	rdb.PExpire(ctx, key, time.Until(exp)+time.Minute)
	index := prefix + "{u:" + strconv.FormatInt(uid, 10) + "}:" + kind + "s"
	rdb.ZAdd(ctx, index, redis.Z{Score: float64(exp.UnixMicro()), Member: id + ":" + h.Hex()})
}

func TestLegacyHashTokens(t *testing.T) {
	tokens, _, rdb, prefix := legacyStores(t)
	ctx := context.Background()
	now := clock{}.Now()
	want := domain.Token{ID: "0123456789abcdef0123456789abcdef", UserID: 5, Name: "old laptop",
		SecretHash: domain.HashSecret("legacy-1"), CreatedAt: now.Add(-time.Hour), LastUsedAt: now.Add(-time.Minute),
		ExpiresAt: now.Add(time.Hour), Level: domain.LevelPassword}
	writeLegacy(t, rdb, prefix, "token", 5, want.ID, want.SecretHash, want.ExpiresAt,
		"name", want.Name, "created", micros(want.CreatedAt), "used", micros(want.LastUsedAt))
	other := domain.HashSecret("legacy-2")
	writeLegacy(t, rdb, prefix, "token", 5, "fedcba9876543210fedcba9876543210", other, now.Add(time.Hour),
		"name", "old phone", "created", micros(now), "used", "0")
	expired := domain.HashSecret("legacy-3")
	writeLegacy(t, rdb, prefix, "token", 5, "11111111111111111111111111111111", expired, now.Add(-time.Second),
		"name", "gone", "created", micros(now), "used", "0")

	got, err := tokens.TokenByHash(ctx, want.SecretHash)
	if err != nil || got != want {
		t.Fatalf("TokenByHash = %+v, %v; want %+v", got, err, want)
	}
	if _, err := tokens.TokenByHash(ctx, expired); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("expired legacy token: err = %v, want ErrNotFound", err)
	}
	if list, err := tokens.TokensByUser(ctx, 5); err != nil || len(list) != 2 {
		t.Errorf("TokensByUser = %d tokens, %v; want the 2 live ones", len(list), err)
	}

	used := now.Add(time.Second)
	if err := tokens.TouchToken(ctx, want.SecretHash, used); err != nil {
		t.Fatalf("TouchToken: %v", err)
	}
	want.LastUsedAt = used
	if got, err := tokens.TokenByHash(ctx, want.SecretHash); err != nil || got != want {
		t.Errorf("after touch: TokenByHash = %+v, %v; want %+v", got, err, want)
	}
	key := prefix + "token:" + want.SecretHash.Hex()
	if typ := rdb.Type(ctx, key).Val(); typ != "string" {
		t.Errorf("touched record is a %s, want it upgraded to a string", typ)
	}
	if ttl := rdb.PTTL(ctx, key).Val(); ttl < time.Hour || ttl > time.Hour+2*time.Minute {
		t.Errorf("upgraded record lives %v more, want its old lifetime (about 1h1m)", ttl)
	}

	if err := tokens.DeleteToken(ctx, 5, "fedcba9876543210fedcba9876543210"); err != nil {
		t.Fatalf("DeleteToken of a legacy record: %v", err)
	}
	if _, err := tokens.TokenByHash(ctx, other); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("revoked legacy token: err = %v, want ErrNotFound", err)
	}
}

func TestLegacyHashSessions(t *testing.T) {
	_, sessions, rdb, prefix := legacyStores(t)
	ctx := context.Background()
	now := clock{}.Now()
	want := domain.Session{ID: "22222222222222222222222222222222", UserID: 8, SecretHash: domain.HashSecret("legacy-s1"),
		CreatedAt: now.Add(-time.Hour), LastSeenAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour),
		IP: "2001:db8::1", UserAgent: "Mozilla/5.0", Level: domain.LevelPassword}
	writeLegacy(t, rdb, prefix, "session", 8, want.ID, want.SecretHash, want.ExpiresAt,
		"created", micros(want.CreatedAt), "seen", micros(want.LastSeenAt), "ip", want.IP, "ua", want.UserAgent)
	writeLegacy(t, rdb, prefix, "session", 8, "33333333333333333333333333333333", domain.HashSecret("legacy-s2"),
		now.Add(time.Hour), "created", micros(now), "seen", micros(now), "ip", "192.0.2.1", "ua", "curl")

	got, err := sessions.SessionByHash(ctx, want.SecretHash)
	if err != nil || got != want {
		t.Fatalf("SessionByHash = %+v, %v; want %+v", got, err, want)
	}
	seen, exp := now.Add(time.Second), now.Add(2*time.Hour)
	if err := sessions.TouchSession(ctx, want.SecretHash, seen, exp); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	want.LastSeenAt, want.ExpiresAt = seen, exp
	list, err := sessions.SessionsByUser(ctx, 8)
	if err != nil || len(list) != 2 {
		t.Fatalf("SessionsByUser = %+v, %v; want 2 sessions", list, err)
	}
	if i := map[bool]int{true: 0, false: 1}[list[0].ID == want.ID]; list[i] != want {
		t.Errorf("after touch the session lists as %+v, want %+v", list[i], want)
	}
	if n, err := sessions.DeleteUserSessions(ctx, 8, ""); err != nil || n != 2 {
		t.Errorf("DeleteUserSessions = %d, %v; want 2 (one upgraded, one still a hash)", n, err)
	}
	if _, err := sessions.SessionByHash(ctx, want.SecretHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("after revoke all: err = %v, want ErrNotFound", err)
	}
}

// writeUnleveled stores a credential as the string layout did before authentication levels:
// no sixth field. record is what follows the header.
func writeUnleveled(t *testing.T, rdb *redis.Client, prefix, kind string, uid int64, id string, h domain.SecretHash,
	exp, last time.Time, fields ...string) {
	t.Helper()
	ctx := context.Background()
	pad := func(t time.Time) string { s := micros(t); return strings.Repeat("0", 18-len(s)) + s }
	r := pad(exp) + " " + pad(last) + " "
	for _, f := range fields {
		r += strconv.Itoa(len(f)) + ":" + f
	}
	if err := rdb.Set(ctx, prefix+kind+":"+h.Hex(), r, time.Until(exp)+time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	index := prefix + "{u:" + strconv.FormatInt(uid, 10) + "}:" + kind + "s"
	rdb.ZAdd(ctx, index, redis.Z{Score: float64(exp.UnixMicro()), Member: id + ":" + h.Hex()})
}

// TestUnleveledRecordsReadAsPassword: a record the previous version wrote has no level; it
// was issued on one factor at most, so it reads, lists and stays after a touch at
// LevelPassword.
func TestUnleveledRecordsReadAsPassword(t *testing.T) {
	tokens, sessions, rdb, prefix := legacyStores(t)
	ctx := context.Background()
	now := clock{}.Now()
	tok := domain.Token{ID: "44444444444444444444444444444444", UserID: 11, Name: "old laptop",
		SecretHash: domain.HashSecret("unleveled-t"), CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour),
		Level: domain.LevelPassword}
	writeUnleveled(t, rdb, prefix, "token", 11, tok.ID, tok.SecretHash, tok.ExpiresAt, time.Time{},
		"11", micros(tok.CreatedAt), tok.ID, tok.Name)
	ss := domain.Session{ID: "55555555555555555555555555555555", UserID: 11, SecretHash: domain.HashSecret("unleveled-s"),
		CreatedAt: now.Add(-time.Hour), LastSeenAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour),
		IP: "192.0.2.1", UserAgent: "curl", Level: domain.LevelPassword}
	writeUnleveled(t, rdb, prefix, "session", 11, ss.ID, ss.SecretHash, ss.ExpiresAt, ss.LastSeenAt,
		"11", micros(ss.CreatedAt), ss.ID, ss.IP, ss.UserAgent)

	if got, err := tokens.TokenByHash(ctx, tok.SecretHash); err != nil || got != tok {
		t.Errorf("TokenByHash = %+v, %v; want %+v", got, err, tok)
	}
	if got, err := sessions.SessionByHash(ctx, ss.SecretHash); err != nil || got != ss {
		t.Errorf("SessionByHash = %+v, %v; want %+v", got, err, ss)
	}
	tok.LastUsedAt = now
	if err := tokens.TouchToken(ctx, tok.SecretHash, tok.LastUsedAt); err != nil {
		t.Fatalf("TouchToken: %v", err)
	}
	if list, err := tokens.TokensByUser(ctx, 11); err != nil || len(list) != 1 || list[0] != tok {
		t.Errorf("after touch TokensByUser = %+v, %v; want [%+v]", list, err, tok)
	}
	ss.LastSeenAt, ss.ExpiresAt = now, now.Add(2*time.Hour)
	if err := sessions.TouchSession(ctx, ss.SecretHash, ss.LastSeenAt, ss.ExpiresAt); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if list, err := sessions.SessionsByUser(ctx, 11); err != nil || len(list) != 1 || list[0] != ss {
		t.Errorf("after touch SessionsByUser = %+v, %v; want [%+v]", list, err, ss)
	}
}
