package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// credentials holds what every credential kind (session, token, code) shares. Each credential
// is a record (record.go) at <prefix><kind>:<secret hash>, the only key a request knows, so
// authenticating costs one GET. Each user has an index, a sorted set under the user's hash
// tag with members "<id>:<secret hash>" scored by expiry, for listing and revoking.
//
// The record is the truth: a credential authenticates only while its record exists and is
// live. Revocation deletes the record before it returns (then tidies the index), so once a
// revoke has returned no request authenticates with that credential. Creation writes the
// index first, so revoke-all never misses a credential it could see. An index entry whose
// record never came (a crash between the two writes) leaves with its deadline.
//
// Expiry: the record holds its deadline, checked against the injected clock on every read;
// that check is what ends a credential, exactly at its deadline. Redis deletes the key a
// little later by a relative PEXPIRE (the lifetime left plus expiryGrace): relative rather
// than PEXPIREAT so skew between our clock and the server's cannot cut a lifetime short, and
// with grace so the key outlives the deadline that decides.
//
// A kind is a credentials value: its name in keys, and value, which reads its record as the
// kind's credential C.
type credentials[C any] struct {
	c     *Client
	clock ports.Clock
	kind  string
	value func(r record, h domain.SecretHash) C
}

func (k credentials[C]) recordKey(h string) string { return k.c.prefix + k.kind + ":" + h }
func (k credentials[C]) indexKey(user int64) string {
	return k.c.key(userTag(user), k.kind+"s")
}

func micros(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.UnixMicro(), 10)
}

func parseMicros(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return fromMicros(n)
}

// expiryGrace is how long Redis keeps a key past its credential's deadline.
const expiryGrace = time.Minute

// ttl is how long Redis keeps a credential expiring at exp, in whole milliseconds; 0 means
// no expiry.
func (k credentials[C]) ttl(exp time.Time) int64 {
	if exp.IsZero() {
		return 0
	}
	left := max(exp.Sub(k.clock.Now()), 0) + expiryGrace
	return int64(math.Ceil(float64(left) / float64(time.Millisecond)))
}

func score(exp time.Time) string {
	if exp.IsZero() {
		return "+inf"
	}
	return micros(exp)
}

// indexAdd adds a member to a user's index, prunes entries that have expired, and keeps the
// index alive as long as its longest-lived credential.
var indexAdd = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local fresh = redis.call('EXISTS', KEYS[1]) == 0
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
if ARGV[4] == '0' then redis.call('PERSIST', KEYS[1])
elseif fresh then redis.call('PEXPIRE', KEYS[1], ARGV[4])
else redis.call('PEXPIRE', KEYS[1], ARGV[4], 'GT') end
return 1`)

// create stores a credential whose record is rec: index first, then the record. A code of
// no user (the ceremony of a passkey login, before the passkey names its account) is not
// indexed: nothing lists or voids the codes of user 0, and one index for them all would be
// a key on one Cluster slot written by every passkey login anywhere.
func (k credentials[C]) create(ctx context.Context, user int64, id string, h domain.SecretHash, exp time.Time, rec string) error {
	ctx, cancel := k.c.ctx(ctx)
	defer cancel()
	hh, ttl := h.Hex(), k.ttl(exp)
	now := micros(k.clock.Now())
	if user != 0 {
		if err := indexAdd.Run(ctx, k.c.rdb, []string{k.indexKey(user)}, id+":"+hh, score(exp), now, ttl).Err(); err != nil {
			return translate(err)
		}
	}
	return translate(k.c.rdb.Set(ctx, k.recordKey(hh), rec, time.Duration(ttl)*time.Millisecond).Err())
}

// live reports whether a record with deadline exp is live now.
func live(exp, now time.Time) bool { return exp.IsZero() || exp.After(now) }

// wrongType reports whether err is Redis refusing a command for the key's type: a record
// an earlier version kept as a hash.
func wrongType(err error) bool {
	var reply redis.Error
	return errors.As(err, &reply) && strings.HasPrefix(reply.Error(), "WRONGTYPE")
}

// read decodes the record at key, in either layout.
func (k credentials[C]) read(ctx context.Context, key string, r string, err error) (record, error) {
	if wrongType(err) {
		m, err := k.c.rdb.HGetAll(ctx, key).Result()
		if err != nil {
			return record{}, translate(err)
		}
		if len(m) == 0 {
			return record{}, domain.ErrNotFound
		}
		return fromHash(m)
	}
	if err != nil {
		return record{}, translate(err)
	}
	return decode(r)
}

// get returns the live credential with secret hash h with one GET.
func (k credentials[C]) get(ctx context.Context, h domain.SecretHash) (C, error) {
	ctx, cancel := k.c.ctx(ctx)
	defer cancel()
	key := k.recordKey(h.Hex())
	r, err := k.c.rdb.Get(ctx, key).Result()
	rec, err := k.read(ctx, key, r, err)
	if err == nil && !live(rec.exp, k.clock.Now()) {
		err = domain.ErrNotFound
	}
	if err != nil {
		var zero C
		return zero, err
	}
	return k.value(rec, h), nil
}

// recordUpdate sets the last use of a live record and, when given, its new deadline and
// lifetime; it returns the record as it now is, or false when there is no live one.
var recordUpdate = redis.NewScript(upgradeLua + `
upgrade(KEYS[1])
local r = redis.call('GET', KEYS[1])
if not r then return false end
local e = tonumber(string.sub(r, 1, 18))
if e ~= 0 and e <= tonumber(ARGV[1]) then return false end
local exp = ARGV[3]
if exp == '' then exp = string.sub(r, 1, 18) end
r = exp .. ' ' .. ARGV[4] .. string.sub(r, 38)
if ARGV[2] ~= '' then redis.call('SET', KEYS[1], r, 'PX', ARGV[2]) else redis.call('SET', KEYS[1], r, 'KEEPTTL') end
return r`)

// indexRescore moves an index entry to a new deadline, keeping the index alive that long.
var indexRescore = redis.NewScript(`
if redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1]) == 0 and redis.call('ZSCORE', KEYS[1], ARGV[1]) == false then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[3], 'GT')
return 1`)

// touch sets the last use of a live record; a non-zero exp is its new deadline.
func (k credentials[C]) touch(ctx context.Context, h domain.SecretHash, last, exp time.Time) error {
	ctx, cancel := k.c.ctx(ctx)
	defer cancel()
	ttl, newExp := "", ""
	if !exp.IsZero() {
		ttl, newExp = strconv.FormatInt(k.ttl(exp), 10), stamp(exp)
	}
	r, err := recordUpdate.Run(ctx, k.c.rdb, []string{k.recordKey(h.Hex())},
		micros(k.clock.Now()), ttl, newExp, stamp(last)).Text()
	if err != nil {
		return translate(err) // redis.Nil, the script's false: no live record
	}
	if exp.IsZero() {
		return nil
	}
	// The index entry follows the new deadline, so the index outlives no live session.
	rec, err := decode(r)
	if err != nil {
		return err
	}
	member := rec.id + ":" + h.Hex()
	return translate(indexRescore.Run(ctx, k.c.rdb, []string{k.indexKey(rec.uid)}, member, score(exp), ttl).Err())
}

// entry is one index member.
type entry struct{ id, hash string }

func parseMember(m string) entry {
	id, h, _ := strings.Cut(m, ":")
	return entry{id: id, hash: h}
}

// entries returns the user's index entries that may be live.
func (k credentials[C]) entries(ctx context.Context, user int64) ([]entry, error) {
	members, err := k.c.rdb.ZRangeByScore(ctx, k.indexKey(user), &redis.ZRangeBy{
		Min: "(" + micros(k.clock.Now()), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, translate(err)
	}
	out := make([]entry, len(members))
	for i, m := range members {
		out[i] = parseMember(m)
	}
	return out, nil
}

// list returns the live credentials of user, newest first (ties by id); it is never nil. An
// entry without a record is skipped but kept: its record may be being written right now
// (create writes the index first). Entries leave the index when revoked or when their
// deadline passes.
func (k credentials[C]) list(ctx context.Context, user int64) ([]C, error) {
	ctx, cancel := k.c.ctx(ctx)
	defer cancel()
	es, err := k.entries(ctx, user)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return []C{}, nil
	}
	pipe := k.c.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(es))
	for i, e := range es {
		cmds[i] = pipe.Get(ctx, k.recordKey(e.hash))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) && !wrongType(err) {
		return nil, translate(err)
	}
	now := k.clock.Now()
	var recs []record
	for i, cmd := range cmds {
		rec, err := k.read(ctx, k.recordKey(es[i].hash), cmd.Val(), cmd.Err())
		switch {
		case errors.Is(err, domain.ErrNotFound):
			continue
		case err != nil:
			return nil, err
		}
		if live(rec.exp, now) {
			rec.hash = es[i].hash
			recs = append(recs, rec)
		}
	}
	sort.Slice(recs, func(i, j int) bool {
		if !recs[i].created.Equal(recs[j].created) {
			return recs[i].created.After(recs[j].created)
		}
		return recs[i].id < recs[j].id
	})
	out := make([]C, len(recs))
	for i, r := range recs {
		out[i] = k.value(r, hashOf(r))
	}
	return out, nil
}

// hashOf reads back the secret hash listed records carry.
func hashOf(r record) domain.SecretHash {
	var h domain.SecretHash
	_, _ = hex.Decode(h[:], []byte(r.hash))
	return h
}

// recordDelete deletes a record, in either layout, and reports whether it was live.
var recordDelete = redis.NewScript(`
local t = redis.call('TYPE', KEYS[1]).ok
local e
if t == 'string' then e = string.sub(redis.call('GET', KEYS[1]), 1, 18)
elseif t == 'hash' then e = redis.call('HGET', KEYS[1], 'exp')
else return 0 end
redis.call('DEL', KEYS[1])
e = tonumber(e) or 0
if e ~= 0 and e <= tonumber(ARGV[1]) then return 0 end
return 1`)

// remove revokes the credential with public id of user.
func (k credentials[C]) remove(ctx context.Context, user int64, id string) error {
	ctx, cancel := k.c.ctx(ctx)
	defer cancel()
	es, err := k.entries(ctx, user)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.id != id {
			continue
		}
		n, err := k.revoke(ctx, user, []entry{e})
		if err == nil && n == 0 {
			return domain.ErrNotFound
		}
		return err
	}
	return domain.ErrNotFound
}

// removeAllBut revokes every credential of user except the one with public id except.
func (k credentials[C]) removeAllBut(ctx context.Context, user int64, except string) (int, error) {
	return k.removeIf(ctx, user, func(id string) bool { return id != except })
}

// removeIf revokes every credential of user whose index id makes doomed true.
func (k credentials[C]) removeIf(ctx context.Context, user int64, doomed func(id string) bool) (int, error) {
	ctx, cancel := k.c.ctx(ctx)
	defer cancel()
	es, err := k.entries(ctx, user)
	if err != nil {
		return 0, err
	}
	var out []entry
	for _, e := range es {
		if doomed(e.id) {
			out = append(out, e)
		}
	}
	return k.revoke(ctx, user, out)
}

// revoke deletes the records of es (one script per record: they may live on different
// Cluster slots), confirmed by the replicas (confirm.go), then their index entries, and
// counts the records that were live.
func (k credentials[C]) revoke(ctx context.Context, user int64, es []entry) (int, error) {
	if len(es) == 0 {
		return 0, nil
	}
	now := micros(k.clock.Now())
	keys := make([]string, len(es))
	members := make([]any, len(es))
	for i, e := range es {
		keys[i] = k.recordKey(e.hash)
		members[i] = e.id + ":" + e.hash
	}
	cmds := make([]*redis.Cmd, len(es))
	err := k.c.writeConfirmed(ctx, keys, func(p redis.Pipeliner, i int) {
		// Eval, not EvalSha: a pipeline cannot fall back when a node lacks the script.
		cmds[i] = recordDelete.Eval(ctx, p, []string{keys[i]}, now)
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, translate(err)
	}
	live := 0
	for _, cmd := range cmds {
		if n, _ := cmd.Int(); n == 1 {
			live++
		}
	}
	if err := k.c.rdb.ZRem(ctx, k.indexKey(user), members...).Err(); err != nil {
		return live, translate(err)
	}
	return live, nil
}
