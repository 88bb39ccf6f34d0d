package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/domain"
)

// Seeded tokens are derived from their number, so the process that stores them and the one
// that sends them agree without passing a million secrets around.

func seededSecret(i int) string {
	return domain.EncodeSecret(domain.TokenPrefix, sha256.Sum256(binary.BigEndian.AppendUint64([]byte("gatehouse-bench secret"), uint64(i))))
}

func seededToken(i int, user domain.UserID, now time.Time) domain.Token {
	sum := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("gatehouse-bench id"), uint64(i)))
	var id [domain.PublicIDBytes]byte
	copy(id[:], sum[:])
	return domain.Token{
		ID: domain.NewPublicID(id), UserID: user, Name: strings.Clone("bench device"),
		SecretHash: domain.HashSecret(seededSecret(i)), CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(24 * time.Hour),
	}
}

// seedBatch is how many tokens go in one round trip.
const seedBatch = 1000

// seedRedis stores tokens [from, to) through redisstore itself, index and all, from
// seedWorkers connections at once: the layout stays redisstore's own, and the bench checks a
// seeded token authenticates before it measures.
func seedRedis(ctx context.Context, url, prefix string, user domain.UserID, from, to int) error {
	c, closeClient, err := redisstore.Open(ctx, redisstore.Config{URL: url, Prefix: prefix, Timeout: 10 * time.Second})
	if err != nil {
		return err
	}
	defer closeClient()
	tokens := redisstore.NewTokenStore(c, system.Clock{})
	now := time.Now()
	g, ctx := errgroup.WithContext(ctx)
	for w := range seedWorkers {
		g.Go(func() error {
			for i := from + w; i < to; i += seedWorkers {
				if err := tokens.CreateToken(ctx, seededToken(i, user, now)); err != nil {
					return fmt.Errorf("seed redis: %w", err)
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// seedWorkers is how many connections seedRedis stores tokens over.
const seedWorkers = 32

// seedMySQL inserts tokens [from, to) with multi-row INSERTs.
func seedMySQL(ctx context.Context, db *sql.DB, user domain.UserID, from, to int) error {
	now := time.Now().UTC()
	for lo := from; lo < to; lo += seedBatch {
		hi := min(lo+seedBatch, to)
		var q strings.Builder
		q.WriteString("INSERT INTO gatehouse_tokens (secret_hash, id, user_id, name, created_at, last_used_at, expires_at) VALUES ")
		args := make([]any, 0, 7*(hi-lo))
		for i := lo; i < hi; i++ {
			if i > lo {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,?,?,?)")
			t := seededToken(i, user, now)
			args = append(args, t.SecretHash[:], t.ID, int64(user), t.Name, t.CreatedAt, t.LastUsedAt, t.ExpiresAt)
		}
		if _, err := db.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("seed mysql: %w", err)
		}
	}
	return nil
}

// openMySQL opens dsn with the options mysqlstore forces.
func openMySQL(dsn string) (*sql.DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg.ParseTime, cfg.InterpolateParams, cfg.Loc = true, true, time.UTC
	return sql.Open("mysql", cfg.FormatDSN())
}

// dropRedisPrefix deletes every key under prefix.
func dropRedisPrefix(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 10000).Iterator()
	var keys []string
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		err := rdb.Unlink(ctx, keys...).Err()
		keys = keys[:0]
		return err
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) >= seedBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	return flush()
}
