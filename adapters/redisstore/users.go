package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
)

// UserStore implements ports.UserStore. A user is a hash under its own hash tag; a
// username's key maps to the user's id and is claimed with SET NX, which is what makes
// concurrent signups of one name give exactly one user.
type UserStore struct{ c *Client }

// NewUserStore returns the user store of c.
func NewUserStore(c *Client) *UserStore { return &UserStore{c: c} }

func (s *UserStore) userKey(id int64) string { return s.c.key(userTag(id), "user") }

// emailKey names the set of the ids of users whose address has that domain.EmailKey.
// Addresses written under domain.EmailShared may be shared, hence a set, not a claim; see
// emails.go for how a unique write uses it.
func (s *UserStore) emailKey(email string) string {
	return s.c.key("email", domain.EmailKey(email))
}
func (s *UserStore) nameKey(username string) string {
	return s.c.key("username", domain.UsernameKey(username))
}

// CreateUser writes the user's hash first, claims the name second and indexes the address
// third, so neither a name nor an index entry is ever taken by an id without a user, which
// is what lets any caller treat an entry whose user hash is missing as stale for good. When
// the name or, under domain.EmailUnique, the address is taken the hash is removed again and
// the name released, best effort: a leftover claim or entry is stale. The name goes first,
// so ErrUsernameTaken comes before ErrEmailTaken.
//
// A claim whose id has no user hash is stale: that user was deleted (see DeleteUser), and
// since IDs are never reused it will never have one again (only an import could give it
// one; see ports.UserStore.ImportUser and UserByUsername). Such a claim is taken over with
// a compare-and-set, so a deleted user's name is free the moment its hash is gone, even
// while (or if a crash kept) DeleteUser from releasing the name itself.
func (s *UserStore) CreateUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	u.DateJoined = u.DateJoined.UTC()
	// An ID from the counter is free unless an import took it between the INCR and the
	// hash (see ImportUser): then the next one is, unless imports keep racing for it.
	for range 16 {
		id, err := s.c.rdb.Incr(ctx, s.c.key("user_id_seq")).Result()
		if err != nil {
			return domain.User{}, translate(err)
		}
		u.ID = domain.UserID(id)
		created, err := createHash.Run(ctx, s.c.rdb, []string{s.userKey(id)}, hashArgs(u)...).Bool()
		if err != nil {
			return domain.User{}, translate(err)
		}
		if created {
			return s.claimAndIndex(ctx, u, rule)
		}
	}
	return domain.User{}, errors.New("redisstore: every new user ID was taken by an import meanwhile")
}

// ImportUser implements ports.UserStore. The ID counter and the user's hash sit on different
// Cluster slots, so no one script can write both; order does the work instead. The counter
// is raised to at least the ID first, so every INCR after that returns a higher one. An INCR
// before it may have returned this very ID to a CreateUser still on its way: both then write
// the hash with createHash, which only creates, so exactly one of them gets the ID and the
// other learns it is taken (CreateUser takes the next). A crash between the two steps leaves
// the counter raised, which only skips IDs.
func (s *UserStore) ImportUser(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	if u.ID < 1 {
		return domain.User{}, fmt.Errorf("redisstore: imported user ID %d is below 1", u.ID)
	}
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	u.DateJoined = u.DateJoined.UTC()
	id := int64(u.ID)
	if err := raiseTo.Run(ctx, s.c.rdb, []string{s.c.key("user_id_seq")}, id).Err(); err != nil {
		return domain.User{}, translate(err)
	}
	created, err := createHash.Run(ctx, s.c.rdb, []string{s.userKey(id)}, hashArgs(u)...).Bool()
	if err != nil {
		return domain.User{}, translate(err)
	}
	if !created {
		return domain.User{}, domain.ErrUserIDTaken
	}
	return s.claimAndIndex(ctx, u, rule)
}

// claimAndIndex claims the name of the user whose hash was just created and indexes its
// address. When the name or, under domain.EmailUnique, the address is taken, the hash is
// removed again and the name released, best effort: a leftover claim or entry is stale.
// It returns u, or the error.
func (s *UserStore) claimAndIndex(ctx context.Context, u domain.User, rule domain.EmailRule) (domain.User, error) {
	id := int64(u.ID)
	claimed, err := s.claim(ctx, s.nameKey(u.Username), id)
	switch {
	case err != nil:
		err = translate(err)
	case !claimed:
		err = domain.ErrUsernameTaken
	default:
		err = s.index(ctx, u.Email, id, rule)
	}
	if err != nil {
		undo := context.WithoutCancel(ctx)
		s.c.rdb.Del(undo, s.userKey(id))
		if claimed {
			deleteIfEquals.Run(undo, s.c.rdb, []string{s.nameKey(u.Username)}, id)
		}
		return domain.User{}, err
	}
	return u, nil
}

// createHash writes the user hash KEYS[1] from the field-value pairs in ARGV unless it
// exists, and reports whether it did.
var createHash = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1`)

// raiseTo sets the counter KEYS[1] to ARGV[1] if it holds less. Both are decimal integers
// without leading zeros, compared as strings (length first): Lua's numbers are doubles,
// exact only up to 2^53.
var raiseTo = redis.NewScript(`
local cur, id = redis.call('GET', KEYS[1]) or '0', ARGV[1]
if #cur < #id or (#cur == #id and cur < id) then redis.call('SET', KEYS[1], id) end
return 1`)

// swapIfEquals sets a string key to ARGV[2] if it holds ARGV[1], and reports whether it did.
var swapIfEquals = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1`)

// claim makes name map to id unless it maps to a user that exists. A few rounds cover a
// claim that changes hands meanwhile; a name claimed by a live user ends the loop at once.
func (s *UserStore) claim(ctx context.Context, name string, id int64) (bool, error) {
	for range 3 {
		ok, err := s.c.rdb.SetNX(ctx, name, id, 0).Result()
		if err != nil || ok {
			return ok, err
		}
		holder, err := s.c.rdb.Get(ctx, name).Int64()
		if errors.Is(err, redis.Nil) {
			continue // released meanwhile
		}
		if err != nil {
			return false, err
		}
		alive, err := s.c.rdb.Exists(ctx, s.userKey(holder)).Result()
		if err != nil || alive > 0 {
			return false, err
		}
		n, err := swapIfEquals.Run(ctx, s.c.rdb, []string{name}, holder, id).Int()
		if err != nil || n == 1 {
			return n == 1, err
		}
	}
	return false, nil
}

// hashArgs returns the fields of the user's hash as field-value pairs.
func hashArgs(u domain.User) []any {
	return []any{
		"username", u.Username, "email", u.Email, "verified", flag(u.EmailVerified), "hash", u.PasswordHash,
		"active", flag(u.IsActive), "joined", u.DateJoined.UnixMicro(),
	}
}

// flag is how a hash field holds a bool.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// UserByID implements ports.UserStore.
func (s *UserStore) UserByID(ctx context.Context, id domain.UserID) (domain.User, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	return s.load(ctx, int64(id))
}

// UserByUsername implements ports.UserStore.
func (s *UserStore) UserByUsername(ctx context.Context, username string) (domain.User, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	key := domain.UsernameKey(username)
	id, err := s.c.rdb.Get(ctx, s.c.key("username", key)).Int64()
	if err != nil {
		return domain.User{}, translate(err)
	}
	u, err := s.load(ctx, id)
	if err == nil && u.Key() != key {
		// A stale claim whose ID an import gave to someone else since.
		return domain.User{}, domain.ErrNotFound
	}
	return u, err
}

func (s *UserStore) load(ctx context.Context, id int64) (domain.User, error) {
	m, err := s.c.rdb.HGetAll(ctx, s.userKey(id)).Result()
	if err != nil {
		return domain.User{}, translate(err)
	}
	if len(m) == 0 {
		return domain.User{}, domain.ErrNotFound
	}
	return userFrom(id, m), nil
}

func userFrom(id int64, m map[string]string) domain.User {
	joined, _ := strconv.ParseInt(m["joined"], 10, 64)
	return domain.User{
		ID: domain.UserID(id), Username: m["username"], Email: m["email"], EmailVerified: m["verified"] == "1",
		PasswordHash: m["hash"],
		IsActive:     m["active"] == "1", DateJoined: time.UnixMicro(joined).UTC(),
	}
}

// compareAndSet sets a field of a hash to ARGV[3] if it holds ARGV[2], and reports whether it did.
var compareAndSet = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1`)

// SetPasswordHash implements ports.UserStore.
func (s *UserStore) SetPasswordHash(ctx context.Context, id domain.UserID, old, hash string) error {
	return s.setConfirmed(ctx, id, compareAndSet, "hash", old, hash)
}

// setConfirmed runs script, which sets a field of the user's hash and reports whether it
// did, confirmed by the replicas like a revocation: a password change or a deactivation
// that a failover lost would let the old password, or the user, back in.
func (s *UserStore) setConfirmed(ctx context.Context, id domain.UserID, script *redis.Script, args ...any) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	n, err := s.c.evalConfirmed(ctx, script, s.userKey(int64(id)), args...).Int()
	if err != nil {
		return translate(err)
	}
	if n == 0 {
		return domain.ErrNotFound
	}
	return nil
}

// setIfExists sets a field of an existing hash; it never creates one.
var setIfExists = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`)

// SetActive implements ports.UserStore.
func (s *UserStore) SetActive(ctx context.Context, id domain.UserID, active bool) error {
	return s.setConfirmed(ctx, id, setIfExists, "active", flag(active))
}

// takeUser deletes a user hash and returns the username and address it held, or false when
// there was none.
var takeUser = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'username', 'email')
if not f[1] then return false end
redis.call('DEL', KEYS[1])
return {f[1], f[2] or ''}`)

// deleteIfEquals deletes a string key if it holds ARGV[1].
var deleteIfEquals = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`)

// DeleteUser implements ports.UserStore. The user's hash and its name claim sit on different
// Cluster slots, so no one script can remove both. The hash goes first, atomically: from then
// on the user is gone for every lookup, and its name claim is stale, which CreateUser takes
// over at once (see there). The claim is then released only if it still names this user, so
// a name already taken by a new user is left alone. The user ID counter is never lowered.
func (s *UserStore) DeleteUser(ctx context.Context, id domain.UserID) error {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	taken, err := s.c.evalConfirmed(ctx, takeUser, s.userKey(int64(id))).StringSlice()
	if err != nil {
		return translate(err) // redis.Nil, for no such user, becomes ErrNotFound
	}
	// Best effort: a claim or an index entry left behind is stale and harmless (see
	// CreateUser and UsersByEmail).
	_ = deleteIfEquals.Run(ctx, s.c.rdb, []string{s.nameKey(taken[0])}, int64(id)).Err()
	if len(taken) > 1 && taken[1] != "" {
		_ = s.c.rdb.SRem(ctx, s.emailKey(taken[1]), int64(id)).Err()
	}
	return nil
}

// UsersByEmail implements ports.UserStore. The index set may name users that are gone or,
// once addresses can change, that moved to another address (its entries are removed best
// effort, after the user's hash changed), so every user read is checked against the key.
func (s *UserStore) UsersByEmail(ctx context.Context, email string) ([]domain.User, error) {
	key := domain.EmailKey(email)
	out := []domain.User{}
	if key == "" {
		return out, nil
	}
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	members, err := s.c.rdb.SMembers(ctx, s.emailKey(email)).Result()
	if err != nil {
		return nil, translate(err)
	}
	ids := make([]int64, 0, len(members))
	for _, m := range members {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	pipe := s.c.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.userKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, translate(err)
	}
	for i, cmd := range cmds {
		if m := cmd.Val(); len(m) > 0 && domain.EmailKey(m["email"]) == key {
			out = append(out, userFrom(ids[i], m))
		}
	}
	return out, nil
}

// ListUsers implements ports.UserStore. IDs come from one counter and are never reused, so
// a page is a pipelined walk up the ID range; IDs left unused by a lost username race, and
// those of deleted users, are skipped. No index key holds every user, which would sit on one Cluster slot.
func (s *UserStore) ListUsers(ctx context.Context, after domain.UserID, limit int) ([]domain.User, error) {
	ctx, cancel := s.c.ctx(ctx)
	defer cancel()
	last, err := s.c.rdb.Get(ctx, s.c.key("user_id_seq")).Int64()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	var out []domain.User
	for next := max(int64(after), 0) + 1; next <= last && len(out) < limit; {
		end := min(last, next+int64(limit-len(out))-1)
		pipe := s.c.rdb.Pipeline()
		cmds := make([]*redis.MapStringStringCmd, 0, end-next+1)
		for id := next; id <= end; id++ {
			cmds = append(cmds, pipe.HGetAll(ctx, s.userKey(id)))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, translate(err)
		}
		for i, cmd := range cmds {
			if len(cmd.Val()) > 0 {
				out = append(out, userFrom(next+int64(i), cmd.Val()))
			}
		}
		next = end + 1
	}
	return out, nil
}
