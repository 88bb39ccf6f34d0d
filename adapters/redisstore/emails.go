package redisstore

import (
	"context"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
)

// Unique addresses on Redis. The email index set of a key (see emailKey) is also what a
// write under domain.EmailUnique checks, in one script on that one key, so it runs on one
// Cluster slot: the script admits the id only if the set holds no other member, and two
// racing unique writes of one address are two runs of it, of which the second sees the
// first's id. A user's hash lives on another slot, so the script cannot tell a member that
// is a user from a stale one; the caller looks at the other members' hashes and hands the
// ids whose hash is gone back to the script, which removes them. Those are stale for good:
// a hash is written before its id enters a set (CreateUser) and IDs are never reused.
//
// Every member whose user exists counts as holding the address, even one whose hash shows
// another address: that user is on its way in (SetEmail indexes first) or out (SetEmail
// leaves the old set last). The cost of that caution is that a crash between SetEmail's
// steps keeps the old address blocked for unique writes until that user changes or is
// deleted; a lookup by address (UsersByEmail) checks the hash and is not misled.

// addIfAlone removes the ids ARGV[2..] from the set KEYS[1], then adds ARGV[1] if no other
// id is left in it and returns an empty list, or returns the other ids and adds nothing.
var addIfAlone = redis.NewScript(`
for i = 2, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
local others = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if m ~= ARGV[1] then others[#others + 1] = m end
end
if #others == 0 then redis.call('SADD', KEYS[1], ARGV[1]) end
return others`)

// index adds user id to the index set of email under rule; domain.ErrEmailTaken when
// rule is domain.EmailUnique and another user holds the address. Errors are translated.
func (s *UserStore) index(ctx context.Context, email string, id int64, rule domain.EmailRule) error {
	if domain.EmailKey(email) == "" {
		return nil
	}
	set := s.emailKey(email)
	if rule != domain.EmailUnique {
		return translate(s.c.rdb.SAdd(ctx, set, id).Err())
	}
	args := []any{id}
	// Each round removes the stale ids it found; stale ids are only ever added by a write
	// that failed, so a few rounds settle it unless writers keep failing on this address.
	for range 4 {
		others, err := addIfAlone.Run(ctx, s.c.rdb, []string{set}, args...).StringSlice()
		if err != nil {
			return translate(err)
		}
		if len(others) == 0 {
			return nil
		}
		pipe := s.c.rdb.Pipeline()
		exists := make([]*redis.IntCmd, len(others))
		for i, m := range others {
			other, err := strconv.ParseInt(m, 10, 64)
			if err != nil {
				return domain.ErrEmailTaken // not an id Gatehouse wrote: keep clear of it
			}
			exists[i] = pipe.Exists(ctx, s.userKey(other))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return translate(err)
		}
		args = args[:1]
		for i, e := range exists {
			if e.Val() > 0 {
				return domain.ErrEmailTaken
			}
			args = append(args, others[i])
		}
	}
	return domain.ErrEmailTaken
}

// setEmailIf replaces the address of the user hash KEYS[1] with ARGV[2] and sets its
// verified flag to ARGV[3] if the address is still ARGV[1], and reports whether it did.
var setEmailIf = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'email') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'email', ARGV[2], 'verified', ARGV[3])
return 1`)

// SetEmail implements ports.UserStore: index the new address (checked under rule), write
// the hash if its address is still the one read, then leave the old index set. A concurrent
// change of the same user's address makes the write try again with what it reads then.
func (s *UserStore) SetEmail(ctx context.Context, id domain.UserID, email string, rule domain.EmailRule) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	key := domain.EmailKey(email)
	for range 3 {
		cur, err := s.load(ctx, int64(id))
		if err != nil {
			return err
		}
		moving := domain.EmailKey(cur.Email) != key
		if moving {
			if err := s.index(ctx, email, int64(id), rule); err != nil {
				return err
			}
		}
		n, err := setEmailIf.Run(ctx, s.c.rdb, []string{s.userKey(int64(id))}, cur.Email, email, flag(key != "")).Int()
		if err != nil {
			return translate(err)
		}
		if n == 0 {
			continue
		}
		if moving && cur.Email != "" {
			_ = s.c.rdb.SRem(ctx, s.emailKey(cur.Email), int64(id)).Err() // best effort, see above
		}
		return nil
	}
	return domain.ErrNotFound
}

// verifyIf sets the verified flag of the user hash KEYS[1] if its address is still ARGV[1].
var verifyIf = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'email') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'verified', '1')
return 1`)

// MarkEmailVerified implements ports.UserStore. Keys are compared here (Lua has no NFKC);
// the script then checks that the address is still the one compared.
func (s *UserStore) MarkEmailVerified(ctx context.Context, id domain.UserID, email string) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	key := domain.EmailKey(email)
	cur, err := s.load(ctx, int64(id))
	if err != nil {
		return err
	}
	if key == "" || domain.EmailKey(cur.Email) != key {
		return domain.ErrNotFound
	}
	n, err := verifyIf.Run(ctx, s.c.rdb, []string{s.userKey(int64(id))}, cur.Email).Int()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return domain.ErrNotFound
	}
	return nil
}
