package redisstore

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.CodeStore = (*CodeStore)(nil)

// CodeStore implements ports.CodeStore as one more kind of credential, "code" (see
// credentials for the layout). A code has no public id: its place in the record and in the
// user's index holds the purpose, so an index member is "<purpose>:<secret hash>" and voiding
// one purpose reads no record. The record's first string is the email address and its
// second, when the code has any, its Data; its last use stays zero. A code written before
// Data existed has one string, so it reads back without Data, as it was.
type CodeStore struct {
	k credentials[domain.OneTimeCode]
}

// NewCodeStore returns the code store of c; expiry is judged by clock.
func NewCodeStore(c *Client, clock ports.Clock) *CodeStore {
	return &CodeStore{k: credentials[domain.OneTimeCode]{c: c, clock: clock, kind: "code", value: code}}
}

// code reads a code's record: its id is the purpose, its strings the email address and the
// Data. Data is copied out of the record, so it shares no memory with the reply; none is
// nil.
func code(r record, h domain.SecretHash) domain.OneTimeCode {
	c := domain.OneTimeCode{
		Purpose: domain.CodePurpose(r.id), UserID: domain.UserID(r.uid), Hash: h,
		Email: r.strs[0], CreatedAt: r.created, ExpiresAt: r.exp,
	}
	if r.strs[1] != "" {
		c.Data = []byte(r.strs[1])
	}
	return c
}

// CreateCode implements ports.CodeStore. A second code with a live code's hash replaces it
// (hashes are random, so it does not happen).
func (s *CodeStore) CreateCode(ctx context.Context, c domain.OneTimeCode) error {
	strs := []string{c.Email}
	if len(c.Data) > 0 { // a netstring, so any byte is safe
		strs = append(strs, string(c.Data))
	}
	rec := encode(c.ExpiresAt, time.Time{}, int64(c.UserID), c.CreatedAt, string(c.Purpose), 0, strs...)
	return s.k.create(ctx, int64(c.UserID), string(c.Purpose), c.Hash, c.ExpiresAt, rec)
}

// recordConsume deletes a live record whose id (the third netstring, after the user id and
// the creation time) is ARGV[2] and returns it; false when there is none. Reading, checking
// and deleting in one script is what makes a code single use: Redis runs scripts one at a
// time, so of concurrent consumers exactly one finds the record.
var recordConsume = redis.NewScript(`
local r = redis.call('GET', KEYS[1])
if not r then return false end
local e = tonumber(string.sub(r, 1, 18))
if e ~= 0 and e <= tonumber(ARGV[1]) then return false end
local p = 39
for i = 1, 3 do
  local c = string.find(r, ':', p, true)
  if not c then return false end
  local n = tonumber(string.sub(r, p, c - 1))
  if not n then return false end
  if i == 3 and string.sub(r, c + 1, c + n) ~= ARGV[2] then return false end
  p = c + 1 + n
end
redis.call('DEL', KEYS[1])
return r`)

// ConsumeCode implements ports.CodeStore. The record is consumed by one script on its own
// key (recordConsume); the user's index lives on another Cluster slot, so its entry is
// removed after. The record is the truth, so an entry left behind by a failure there is
// harmless: nothing finds a code through it, revoking counts only records that were live,
// and it leaves the index at its deadline.
func (s *CodeStore) ConsumeCode(ctx context.Context, purpose domain.CodePurpose, h domain.SecretHash) (domain.OneTimeCode, error) {
	ctx, cancel := s.k.c.ctx(ctx)
	defer cancel()
	hh := h.Hex()
	// Confirmed like a revocation (confirm.go): a use that a failover lost would let the
	// code be used again.
	r, err := s.k.c.evalConfirmed(ctx, recordConsume, s.k.recordKey(hh),
		micros(s.k.clock.Now()), string(purpose)).Text()
	if err != nil {
		return domain.OneTimeCode{}, translate(err) // redis.Nil, the script's false: no live code
	}
	rec, err := decode(r)
	if err != nil {
		return domain.OneTimeCode{}, err
	}
	// The code is used up whatever happens here; failing now would lose it for the caller.
	_ = s.k.c.rdb.ZRem(ctx, s.k.indexKey(rec.uid), rec.id+":"+hh).Err()
	return code(rec, h), nil
}

// DeleteUserCodes implements ports.CodeStore.
func (s *CodeStore) DeleteUserCodes(ctx context.Context, user domain.UserID, purpose domain.CodePurpose) (int, error) {
	return s.k.removeIf(ctx, int64(user), func(id string) bool { return purpose == "" || id == string(purpose) })
}
