package app

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// BasicCache remembers Basic credentials verified recently, so a client that sends its
// password with every request costs a store read instead of an argon2id hash each time.
//
// Entries are keyed by an HMAC of the username and password under a key drawn per process,
// so the cache holds nothing from which a password could be recovered or tested offline.
// An entry remembers the password hash it was verified against: a hit counts only while the
// user is active and still has that hash, so a password change or deactivation made on any
// instance ends it at once. Logout-all drops the user's entries here; other instances keep
// theirs until the TTL, which bounds how long they can outlive it. Off when the TTL is 0.
type BasicCache struct {
	ttl   time.Duration
	size  int
	clock ports.Clock
	key   [32]byte

	mu      sync.Mutex
	entries map[[32]byte]basicEntry
	byUser  map[domain.UserID]map[[32]byte]struct{}
}

type basicEntry struct {
	user    domain.UserID
	hash    string
	expires time.Time
}

// BasicCacheSize bounds the entries kept; when full, an arbitrary entry makes room.
const BasicCacheSize = 10000

// NewBasicCache returns a cache keeping entries for settings.BasicCacheTTL (0 turns it off).
func NewBasicCache(settings Settings, random ports.Random, clock ports.Clock) (*BasicCache, error) {
	c := &BasicCache{ttl: settings.BasicCacheTTL, size: BasicCacheSize, clock: clock,
		entries: map[[32]byte]basicEntry{}, byUser: map[domain.UserID]map[[32]byte]struct{}{}}
	if err := random.Read(c.key[:]); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *BasicCache) sum(username, password string) [32]byte {
	mac := hmac.New(sha256.New, c.key[:])
	mac.Write([]byte(username))
	mac.Write([]byte{0})
	mac.Write([]byte(password))
	var k [32]byte
	copy(k[:], mac.Sum(nil))
	return k
}

// lookup returns the user and password hash of a live entry for the credentials.
func (c *BasicCache) lookup(username, password string) (domain.UserID, string, bool) {
	if c.ttl <= 0 {
		return 0, "", false
	}
	k := c.sum(username, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !c.clock.Now().Before(e.expires) {
		return 0, "", false
	}
	return e.user, e.hash, true
}

// put remembers credentials just verified for user.
func (c *BasicCache) put(username, password string, user domain.User) {
	if c.ttl <= 0 {
		return
	}
	k := c.sum(username, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.size {
		for old := range c.entries {
			c.remove(old)
			break
		}
	}
	c.entries[k] = basicEntry{user: user.ID, hash: user.PasswordHash, expires: c.clock.Now().Add(c.ttl)}
	if c.byUser[user.ID] == nil {
		c.byUser[user.ID] = map[[32]byte]struct{}{}
	}
	c.byUser[user.ID][k] = struct{}{}
}

func (c *BasicCache) remove(k [32]byte) {
	e := c.entries[k]
	delete(c.entries, k)
	delete(c.byUser[e.user], k)
	if len(c.byUser[e.user]) == 0 {
		delete(c.byUser, e.user)
	}
}

// dropUser forgets every entry of user.
func (c *BasicCache) dropUser(user domain.UserID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.byUser[user] {
		delete(c.entries, k)
	}
	delete(c.byUser, user)
}
