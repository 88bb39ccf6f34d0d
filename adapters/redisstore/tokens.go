package redisstore

import (
	"context"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// TokenStore implements ports.TokenStore (see credentials for the layout).
type TokenStore struct{ k credentials }

// NewTokenStore returns the token store of c; expiry is judged by clock.
func NewTokenStore(c *Client, clock ports.Clock) *TokenStore {
	return &TokenStore{k: credentials{c: c, clock: clock, kind: "token"}}
}

// CreateToken implements ports.TokenStore.
func (s *TokenStore) CreateToken(ctx context.Context, t domain.Token) error {
	return s.k.create(ctx, int64(t.UserID), t.ID, t.SecretHash, t.ExpiresAt, map[string]any{
		"name": t.Name, "created": micros(t.CreatedAt), "used": micros(t.LastUsedAt),
	})
}

func token(m map[string]string, h domain.SecretHash) domain.Token {
	uid, _ := strconv.ParseInt(m["uid"], 10, 64)
	return domain.Token{
		ID: m["id"], UserID: domain.UserID(uid), Name: m["name"], SecretHash: h,
		CreatedAt: parseMicros(m["created"]), LastUsedAt: parseMicros(m["used"]), ExpiresAt: parseMicros(m["exp"]),
	}
}

// TokenByHash implements ports.TokenStore with one HGETALL.
func (s *TokenStore) TokenByHash(ctx context.Context, h domain.SecretHash) (domain.Token, error) {
	m, err := s.k.get(ctx, h)
	if err != nil {
		return domain.Token{}, err
	}
	return token(m, h), nil
}

// TouchToken implements ports.TokenStore.
func (s *TokenStore) TouchToken(ctx context.Context, h domain.SecretHash, lastUsed time.Time) error {
	return s.k.touch(ctx, h, time.Time{}, "used", micros(lastUsed))
}

// TokensByUser implements ports.TokenStore.
func (s *TokenStore) TokensByUser(ctx context.Context, user domain.UserID) ([]domain.Token, error) {
	records, err := s.k.list(ctx, int64(user))
	if err != nil {
		return nil, err
	}
	out := make([]domain.Token, len(records))
	for i, m := range records {
		out[i] = token(m, hashOf(m))
	}
	return out, nil
}

// DeleteToken implements ports.TokenStore.
func (s *TokenStore) DeleteToken(ctx context.Context, user domain.UserID, id string) error {
	return s.k.remove(ctx, int64(user), id)
}

// DeleteUserTokens implements ports.TokenStore.
func (s *TokenStore) DeleteUserTokens(ctx context.Context, user domain.UserID, except string) (int, error) {
	return s.k.removeAllBut(ctx, int64(user), except)
}

// hashOf reads back the secret hash list records carry.
func hashOf(m map[string]string) domain.SecretHash {
	var h domain.SecretHash
	_, _ = hex.Decode(h[:], []byte(m["hash"]))
	return h
}
