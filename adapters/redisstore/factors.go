package redisstore

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.FactorStore = (*FactorStore)(nil)

// FactorStore implements ports.FactorStore, and ports.PasskeyStore (passkeys.go). A user's
// TOTP factor is a hash under the user's
// hash tag, {u:<id>}:totp, with the fields sealed, confirmed ("0"/"1"), created, step and used
// (Unix microseconds, 0 for the zero time). Every compare-and-set of the port is one script on
// that one key, so it is atomic on a single server and on Cluster alike.
//
// AnyFactors cannot scan every user's key on Cluster, so the ids of users with a factor are
// also kept in one set, totp_users, on a slot of its own. The set is written before the hash
// and tidied after it is deleted, so it names every user with a factor and perhaps, after a
// failure between the two, one without: AnyFactors checks the hash of what it finds.
type FactorStore struct{ c *Client }

// NewFactorStore returns the factor store of c.
func NewFactorStore(c *Client) *FactorStore { return &FactorStore{c: c} }

func (s *FactorStore) totpKey(user domain.UserID) string {
	return s.c.key(userTag(int64(user)), "totp")
}
func (s *FactorStore) usersKey() string { return s.c.key("totp_users") }

// putTOTP replaces the hash unless it holds a confirmed factor; 0 when it does.
var putTOTP = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'confirmed') == '1' then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'sealed', ARGV[1], 'confirmed', ARGV[2], 'created', ARGV[3], 'step', ARGV[4], 'used', ARGV[5])
return 1`)

// PutTOTP implements ports.FactorStore.
func (s *FactorStore) PutTOTP(ctx context.Context, f domain.TOTPFactor) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	if err := s.c.rdb.SAdd(ctx, s.usersKey(), int64(f.UserID)).Err(); err != nil {
		return translate(err)
	}
	n, err := putTOTP.Run(ctx, s.c.rdb, []string{s.totpKey(f.UserID)}, f.Sealed, flag(f.Confirmed),
		micros(f.CreatedAt), f.LastStep, micros(f.LastUsedAt)).Int()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return domain.ErrFactorExists
	}
	return nil
}

// TOTP implements ports.FactorStore.
func (s *FactorStore) TOTP(ctx context.Context, user domain.UserID) (domain.TOTPFactor, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	m, err := s.c.rdb.HGetAll(ctx, s.totpKey(user)).Result()
	if err != nil {
		return domain.TOTPFactor{}, translate(err)
	}
	if len(m) == 0 {
		return domain.TOTPFactor{}, domain.ErrNotFound
	}
	step, _ := strconv.ParseInt(m["step"], 10, 64)
	return domain.TOTPFactor{UserID: user, Sealed: []byte(m["sealed"]), Confirmed: m["confirmed"] == "1",
		CreatedAt: parseMicros(m["created"]), LastStep: step, LastUsedAt: parseMicros(m["used"])}, nil
}

// confirmTOTP confirms an unconfirmed factor whose sealed secret is ARGV[1]; 0 when there is
// none (a missing key's HGET is false, which equals nothing).
var confirmTOTP = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'confirmed') ~= '0' or redis.call('HGET', KEYS[1], 'sealed') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'confirmed', '1', 'step', ARGV[2])
return 1`)

// ConfirmTOTP implements ports.FactorStore.
func (s *FactorStore) ConfirmTOTP(ctx context.Context, user domain.UserID, sealed []byte, step int64) error {
	return s.cas(ctx, confirmTOTP, user, sealed, step)
}

// useTOTPStep raises a confirmed factor's step to ARGV[1]: 1 if it did, 0 for a step not
// later than the stored one, -1 for no confirmed factor. Steps are far below 2^53, so Lua's
// numbers compare them exactly.
var useTOTPStep = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'confirmed', 'step')
if f[1] ~= '1' then return -1 end
if tonumber(f[2]) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'step', ARGV[1], 'used', ARGV[2])
return 1`)

// UseTOTPStep implements ports.FactorStore.
func (s *FactorStore) UseTOTPStep(ctx context.Context, user domain.UserID, step int64, at time.Time) (bool, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	// Confirmed (confirm.go): a failover that lost the step would take the code again.
	n, err := s.c.evalConfirmed(ctx, useTOTPStep, s.totpKey(user), step, micros(at)).Int()
	switch {
	case err != nil:
		return false, translate(err)
	case n < 0:
		return false, domain.ErrNotFound
	}
	return n == 1, nil
}

// resealTOTP swaps the sealed secret ARGV[1] for ARGV[2]; 0 when the factor is missing or
// holds another.
var resealTOTP = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'sealed') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'sealed', ARGV[2])
return 1`)

// Reseal implements ports.FactorStore.
func (s *FactorStore) Reseal(ctx context.Context, user domain.UserID, old, new []byte) error {
	return s.cas(ctx, resealTOTP, user, old, new)
}

// cas runs a script on the user's factor that returns 1 when it changed it, 0 when it found
// nothing to change (domain.ErrNotFound).
func (s *FactorStore) cas(ctx context.Context, script *redis.Script, user domain.UserID, args ...any) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	n, err := script.Run(ctx, s.c.rdb, []string{s.totpKey(user)}, args...).Int()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// DeleteTOTP implements ports.FactorStore.
func (s *FactorStore) DeleteTOTP(ctx context.Context, user domain.UserID) error {
	n, err := s.delete(ctx, user, s.totpKey(user))
	if err == nil && n == 0 {
		return domain.ErrNotFound
	}
	return err
}

// DeleteUserFactors implements ports.FactorStore: the TOTP factor and the passkeys, one DEL
// of two keys on the user's slot.
func (s *FactorStore) DeleteUserFactors(ctx context.Context, user domain.UserID) error {
	_, err := s.delete(ctx, user, s.totpKey(user), s.passkeysKey(user))
	return err
}

// delete removes the user's keys, confirmed (confirm.go: a removed factor must not come back
// with a failover), then its entry in the set, and says how many keys it removed. The entry
// goes best effort: one left behind is stale and AnyFactors checks.
func (s *FactorStore) delete(ctx context.Context, user domain.UserID, keys ...string) (int64, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	var del *redis.IntCmd
	err := s.c.writeConfirmed(ctx, keys[:1], func(p redis.Pipeliner, _ int) { del = p.Del(ctx, keys...) })
	if err != nil {
		return 0, translate(err)
	}
	n := del.Val()
	_ = s.c.rdb.SRem(ctx, s.usersKey(), int64(user)).Err()
	return n, nil
}

// AnyFactors implements ports.FactorStore. It walks the set until it finds a user whose hash
// exists; with any factor at all that is, but for stale entries, the first one.
func (s *FactorStore) AnyFactors(ctx context.Context) (bool, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	iter := s.c.rdb.SScan(ctx, s.usersKey(), 0, "", 100).Iterator()
	for iter.Next(ctx) {
		id, err := strconv.ParseInt(iter.Val(), 10, 64)
		if err != nil {
			continue
		}
		n, err := s.c.rdb.Exists(ctx, s.totpKey(domain.UserID(id))).Result()
		if err != nil {
			return false, translate(err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, translate(iter.Err())
}
