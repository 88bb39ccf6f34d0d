package memstore_test

import (
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/domain"
)

// benchToken is token i of a seeded store: a public id, a name of its own (as one decoded
// from a request would be), a day to live.
func benchToken(i int, now time.Time) domain.Token {
	sum := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
	var id [domain.PublicIDBytes]byte
	copy(id[:], sum[:])
	return domain.Token{ID: domain.NewPublicID(id), UserID: domain.UserID(i%1000 + 1), Name: strings.Clone("laptop"),
		SecretHash: sum, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
}

func seededTokens(b *testing.B, n int) *memstore.TokenStore {
	b.Helper()
	s := memstore.NewTokenStore(newClock())
	for i := range n {
		if err := s.CreateToken(ctx, benchToken(i, t0)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkTokenStoreHeap reports the live heap a stored token costs (B/token; goal ≤ 200 at
// a million tokens) after a full collection.
func BenchmarkTokenStoreHeap(b *testing.B) {
	const n = 1_000_000
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := seededTokens(b, n)
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(s)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/token")
	}
}

// BenchmarkTokenByHashParallel is authentication's store read under parallel load, with
// 100,000 stored tokens.
func BenchmarkTokenByHashParallel(b *testing.B) {
	const n = 100_000
	s := seededTokens(b, n)
	var next atomic.Uint64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) % n)
			if _, err := s.TokenByHash(ctx, sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTokenStoreMixedParallel is nine lookups to one write (create or touch), as a busy
// server does, under parallel load.
func BenchmarkTokenStoreMixedParallel(b *testing.B) {
	const n = 100_000
	s := seededTokens(b, n)
	var next atomic.Uint64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i%n)))
			switch i % 10 {
			case 0:
				if err := s.CreateToken(ctx, benchToken(n+i, t0)); err != nil {
					b.Fatal(err)
				}
			case 5:
				_ = s.TouchToken(ctx, h, t0)
			default:
				_, _ = s.TokenByHash(ctx, h)
			}
		}
	})
}

// BenchmarkSessionByHashParallel is the session lookup under parallel load.
func BenchmarkSessionByHashParallel(b *testing.B) {
	const n = 100_000
	s := memstore.NewSessionStore(newClock())
	for i := range n {
		tok := benchToken(i, t0)
		if err := s.CreateSession(ctx, domain.Session{ID: tok.ID, UserID: tok.UserID, SecretHash: tok.SecretHash,
			CreatedAt: t0, LastSeenAt: t0, ExpiresAt: tok.ExpiresAt, IP: "192.0.2.1", UserAgent: "Mozilla/5.0"}); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Uint64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) % n)
			if _, err := s.SessionByHash(ctx, sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
