package redisstore

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.PasskeyStore = (*FactorStore)(nil)

// The FactorStore keeps passkeys too: a user's are one hash, {u:<id>}:passkeys, beside the
// TOTP factor under the same hash tag (one Cluster slot, so DeleteUserFactors deletes both
// keys with one DEL). A field is a credential id as it is, bytes being bytes to Redis; its
// value is the passkey's record:
//
//	<created> <last use> <name as a netstring><data as a netstring>
//
// with the two times as in a credential record (record.go): microseconds zero-padded to 18
// digits, 0 for never, at fixed places. AddPasskey and UsePasskey are scripts on that one
// key, so each is atomic on a single server and on Cluster alike.

func (s *FactorStore) passkeysKey(user domain.UserID) string {
	return s.c.key(userTag(int64(user)), "passkeys")
}

// netstring is s as <length>:<bytes>, so no byte of s can break the record.
func netstring(s []byte) string { return strconv.Itoa(len(s)) + ":" + string(s) }

// encodePasskey makes a passkey's record.
func encodePasskey(p domain.Passkey) string {
	return stamp(p.CreatedAt) + " " + stamp(p.LastUsedAt) + " " + netstring([]byte(p.Name)) + netstring(p.Data)
}

var errCorruptPasskey = errors.New("redis: malformed passkey record")

// decodePasskey reads a record of user's passkey with credential id id.
func decodePasskey(user domain.UserID, id, r string) (domain.Passkey, error) {
	p := domain.Passkey{UserID: user, CredentialID: []byte(id)}
	var fields [2]string
	created, used, n, ok := split(r, fields[:])
	if !ok || n != len(fields) {
		return p, errCorruptPasskey
	}
	p.CreatedAt, p.LastUsedAt = created, used
	p.Name, p.Data = fields[0], []byte(fields[1])
	return p, nil
}

// addPasskey stores the record ARGV[2] under the credential id ARGV[1]: 1 when it did, 0 when
// the id is there already, -1 when the hash holds ARGV[3] passkeys. One script, so the
// checks and the write are one step.
var addPasskey = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`)

// AddPasskey implements ports.PasskeyStore.
func (s *FactorStore) AddPasskey(ctx context.Context, p domain.Passkey) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	n, err := addPasskey.Run(ctx, s.c.rdb, []string{s.passkeysKey(p.UserID)}, p.CredentialID, encodePasskey(p),
		domain.MaxPasskeys).Int()
	switch {
	case err != nil:
		return translate(err)
	case n == 0:
		return domain.ErrPasskeyExists
	case n < 0:
		return domain.ErrTooManyPasskeys
	}
	return nil
}

// Passkeys implements ports.PasskeyStore: oldest first, those created at one instant by their
// credential ids' bytes, as the other stores order them.
func (s *FactorStore) Passkeys(ctx context.Context, user domain.UserID) ([]domain.Passkey, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	m, err := s.c.rdb.HGetAll(ctx, s.passkeysKey(user)).Result()
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.Passkey, 0, len(m))
	for id, r := range m {
		p, err := decodePasskey(user, id, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.Passkey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.CredentialID, b.CredentialID))
	})
	return out, nil
}

// usePasskey rewrites the record of credential id ARGV[1] with the last use ARGV[2] (18
// digits) and the data netstring ARGV[3], keeping its creation and name: 1 when it did, 0
// when there is no such passkey.
var usePasskey = redis.NewScript(`
local r = redis.call('HGET', KEYS[1], ARGV[1])
if not r then return 0 end
local c = string.find(r, ':', 39, true)
local n = c and tonumber(string.sub(r, 39, c - 1))
if not n then return redis.error_reply('malformed passkey record') end
redis.call('HSET', KEYS[1], ARGV[1], string.sub(r, 1, 19) .. ARGV[2] .. ' ' .. string.sub(r, 39, c + n) .. ARGV[3])
return 1`)

// UsePasskey implements ports.PasskeyStore.
func (s *FactorStore) UsePasskey(ctx context.Context, user domain.UserID, credentialID, data []byte, at time.Time) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	n, err := usePasskey.Run(ctx, s.c.rdb, []string{s.passkeysKey(user)}, credentialID, stamp(at), netstring(data)).Int()
	switch {
	case err != nil:
		return translate(err)
	case n == 0:
		return domain.ErrNotFound
	}
	return nil
}

// DeletePasskey implements ports.PasskeyStore. HDEL is one command, atomic without a script;
// Redis deletes the hash with its last field. It is confirmed (confirm.go): a removed
// passkey must not come back with a failover.
func (s *FactorStore) DeletePasskey(ctx context.Context, user domain.UserID, credentialID []byte) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	key := s.passkeysKey(user)
	var del *redis.IntCmd
	if err := s.c.writeConfirmed(ctx, []string{key}, func(p redis.Pipeliner, _ int) {
		del = p.HDel(ctx, key, string(credentialID))
	}); err != nil {
		return translate(err)
	}
	if del.Val() == 0 {
		return domain.ErrNotFound
	}
	return nil
}
