package contract_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
	"github.com/gatehouse/gatehouse/tests/testenv"
)

// The lookups authentication makes, on every backend, one stored credential among 1,000:
//
//	go test -run '^$' -bench Lookup -benchmem ./tests/contract
//
// MySQL and Redis run on the servers of the test environment (see tests/testenv), so their
// ns/op is a loopback round trip plus the adapter's own work.

// backend makes the session and token stores of one adapter for a benchmark.
type backend struct {
	name   string
	stores func(b *testing.B) (ports.SessionStore, ports.TokenStore)
}

var backends = []backend{
	{"memory", func(*testing.B) (ports.SessionStore, ports.TokenStore) {
		return memstore.NewSessionStore(system.Clock{}), memstore.NewTokenStore(system.Clock{})
	}},
	{"mysql", func(b *testing.B) (ports.SessionStore, ports.TokenStore) {
		db, closeDB, err := mysqlstore.Open(context.Background(), mysqlstore.Config{
			DSN: testenv.MySQLDSN(b), MaxOpenConns: 20, MaxIdleConns: 20, ConnMaxLifetime: time.Minute,
			QueryTimeout: 10 * time.Second, AutoMigrate: true,
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(closeDB)
		return mysqlstore.NewSessionStore(db, system.Clock{}), mysqlstore.NewTokenStore(db, system.Clock{})
	}},
	{"redis", func(b *testing.B) (ports.SessionStore, ports.TokenStore) {
		url := testenv.RedisURL(b)
		c, closeClient, err := redisstore.Open(context.Background(), redisstore.Config{
			URL: url, Prefix: testenv.RedisPrefix(b, url, nil), Timeout: 10 * time.Second,
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(closeClient)
		return redisstore.NewSessionStore(c, system.Clock{}), redisstore.NewTokenStore(c, system.Clock{})
	}},
}

const benchItems = 1000

func benchHash(i int) domain.SecretHash {
	return sha256.Sum256(binary.BigEndian.AppendUint64([]byte("bench"), uint64(i)))
}

func benchID(i int) string {
	h := benchHash(-i - 1)
	var id [domain.PublicIDBytes]byte
	copy(id[:], h[:])
	return domain.NewPublicID(id)
}

func BenchmarkTokenLookup(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			_, tokens := be.stores(b)
			now := time.Now()
			for i := range benchItems {
				t := domain.Token{ID: benchID(i), UserID: domain.UserID(i%10 + 1), Name: "laptop", SecretHash: benchHash(i),
					CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
				if err := tokens.CreateToken(b.Context(), t); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := tokens.TokenByHash(b.Context(), benchHash(i%benchItems)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

func BenchmarkSessionLookup(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			sessions, _ := be.stores(b)
			now := time.Now()
			for i := range benchItems {
				s := domain.Session{ID: benchID(i), UserID: domain.UserID(i%10 + 1), SecretHash: benchHash(i),
					CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), IP: "192.0.2.1", UserAgent: "Mozilla/5.0"}
				if err := sessions.CreateSession(b.Context(), s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := sessions.SessionByHash(b.Context(), benchHash(i%benchItems)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
