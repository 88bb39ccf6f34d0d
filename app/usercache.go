package app

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// UserCache keeps the owners of sessions and tokens in process memory for a short TTL, so a
// session- or token-authenticated request costs one store round trip (the credential) rather
// than two (the credential, then its user).
//
// It is safe only because of this invariant, which every use case that changes a user must
// keep: a change that must take effect at once on every instance revokes the user's
// credentials in the shared store. A password change revokes every other session and token;
// deactivating or deleting a user must revoke all of them (see deleteUser for the order that
// keeps a racing login from slipping a credential past a deletion). The credential is always read fresh, so a
// revoked one is refused at once everywhere, whatever this cache holds. What a cached user can
// show for up to the TTL is only a stale profile (e.g. /me) for a credential that is still
// valid. Anything that decides on the user's password reads the store, never this cache:
// ChangePassword re-reads the user, and Basic authentication (which has no credential to
// revoke) checks the stored hash on every request. Off when the TTL is 0.
type UserCache struct {
	cache *ttlCache[domain.UserID, domain.User]
}

// UserCacheSize bounds the users kept; when full, an arbitrary one makes room.
const UserCacheSize = 100000

// NewUserCache returns a cache over users keeping entries for settings.UserCacheTTL.
func NewUserCache(settings Settings, users ports.UserStore, clock ports.Clock) *UserCache {
	return &UserCache{cache: newTTLCache(users.UserByID, settings.UserCacheTTL, UserCacheSize, clock)}
}

// UserByID returns the user with id from the cache, or from the store when the cache has no
// live entry for it. Store errors, domain.ErrNotFound among them, are returned as they are and
// never cached.
func (c *UserCache) UserByID(ctx context.Context, id domain.UserID) (domain.User, error) {
	return c.cache.get(ctx, id)
}
