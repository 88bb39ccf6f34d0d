package failover_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/testenv"
)

// topology is a Redis deployment that can lose a master and get it back as a replica.
type topology interface {
	// env is the Redis part of gatehouse's environment.
	env() map[string]string
	// masterFor returns the running master that holds key, or nil.
	masterFor(key string) *testenv.RedisNode
	replicaOf(t *testing.T, m *testenv.RedisNode) *testenv.RedisNode
	// waitPromotion waits until a node other than old serves key as master.
	waitPromotion(t *testing.T, key string, old *testenv.RedisNode) *testenv.RedisNode
	// rejoin starts a killed node again and waits until it is a replica in sync.
	rejoin(t *testing.T, n *testenv.RedisNode)
	// masters returns the running masters.
	masters() []*testenv.RedisNode
}

type cluster struct{ c *testenv.ReplicatedCluster }

func newCluster(t *testing.T) topology { return cluster{testenv.RedisClusterReplicated(t)} }

func (c cluster) env() map[string]string {
	return map[string]string{"GATEHOUSE_REDIS_ADDRS": strings.Join(c.c.Addrs(), ",")}
}
func (c cluster) masterFor(key string) *testenv.RedisNode { return c.c.MasterOf(key) }
func (c cluster) replicaOf(t *testing.T, m *testenv.RedisNode) *testenv.RedisNode {
	return c.c.ReplicaOf(t, m)
}
func (c cluster) waitPromotion(t *testing.T, key string, old *testenv.RedisNode) *testenv.RedisNode {
	return c.c.WaitPromotion(t, key, old)
}
func (c cluster) rejoin(t *testing.T, n *testenv.RedisNode) {
	// The node comes back with its nodes.conf, learns that it was failed over and turns
	// into a replica of the node that replaced it.
	n.Restart(t)
	c.c.WaitHealthy(t)
}
func (c cluster) masters() []*testenv.RedisNode {
	var out []*testenv.RedisNode
	for _, n := range c.c.Nodes {
		if n.Running() && n.IsMaster() {
			out = append(out, n)
		}
	}
	return out
}

type sentinel struct{ s *testenv.Sentinel }

func newSentinel(t *testing.T) topology { return sentinel{testenv.RedisSentinel(t)} }

func (s sentinel) env() map[string]string {
	return map[string]string{
		"GATEHOUSE_REDIS_ADDRS":       strings.Join(s.s.Addrs(), ","),
		"GATEHOUSE_REDIS_MASTER_NAME": s.s.Name,
	}
}
func (s sentinel) masterFor(string) *testenv.RedisNode { return s.s.Master() }
func (s sentinel) replicaOf(_ *testing.T, m *testenv.RedisNode) *testenv.RedisNode {
	return s.s.Replica(m)
}
func (s sentinel) waitPromotion(t *testing.T, _ string, old *testenv.RedisNode) *testenv.RedisNode {
	return s.s.WaitPromotion(t, old)
}
func (s sentinel) rejoin(t *testing.T, n *testenv.RedisNode) { s.s.RestartAsReplica(t, n) }
func (s sentinel) masters() []*testenv.RedisNode {
	if m := s.s.Master(); m != nil {
		return []*testenv.RedisNode{m}
	}
	return nil
}

// storesEnv puts users on a fresh MariaDB database and sessions, tokens and throttle
// counters on topo.
func storesEnv(t *testing.T, topo topology) map[string]string {
	env := map[string]string{
		"GATEHOUSE_USER_STORE":         "mysql",
		"GATEHOUSE_MYSQL_DSN":          testenv.MySQLDSN(t),
		"GATEHOUSE_MYSQL_AUTO_MIGRATE": "true",
		"GATEHOUSE_SESSION_STORE":      "redis",
		"GATEHOUSE_TOKEN_STORE":        "redis",
		"GATEHOUSE_THROTTLE_STORE":     "redis",
	}
	for k, v := range topo.env() {
		env[k] = v
	}
	return env
}

// redisPrefix is gatehouse's default key prefix, which the tests leave as it is: each
// topology is fresh.
const redisPrefix = "gatehouse:"

// tokenKey returns the key of the one token record on topo, or fails t.
func tokenKey(t *testing.T, topo topology) string {
	t.Helper()
	keys := tokenKeys(t, topo)
	if len(keys) != 1 {
		t.Fatalf("want one token record on the masters, found %q", keys)
	}
	return keys[0]
}

// tokenKeys returns the keys of the token records on topo's masters.
func tokenKeys(t *testing.T, topo topology) []string {
	t.Helper()
	var keys []string
	for _, m := range topo.masters() {
		c := m.Client()
		k, err := c.Keys(context.Background(), redisPrefix+"token:*").Result()
		c.Close()
		if err != nil {
			t.Fatalf("KEYS on %s: %v", m.Addr, err)
		}
		keys = append(keys, k...)
	}
	return keys
}

// syncReplica waits until m's replica has every write m has taken: a write of our own
// on key's slot, then WAIT for one replica.
func syncReplica(t *testing.T, m *testenv.RedisNode, key string) {
	t.Helper()
	c := m.Client()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Set(ctx, "{"+key+"}:sync", "1", 0).Err(); err != nil {
		t.Fatalf("SET on %s: %v", m.Addr, err)
	}
	if n, err := c.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 1 on %s: %d replicas, %v", m.Addr, n, err)
	}
}

// stallSize is how much the test writes to a master whose replica is paused: far more
// than the kernel buffers of a loopback connection hold (a few MiB), so that the writes
// after it stay in the master's own memory and die with it, and far less than the replica
// output buffer limit (64 MiB for a minute by default), so that the master does not drop
// the replica for it.
const stallSize = 32 << 20

// stall fills the replication link of m, whose replica is paused, with a large value on
// key's slot, so that what m takes next never reaches the replica before m dies.
func stall(t *testing.T, m *testenv.RedisNode, key string) {
	t.Helper()
	c := m.Client()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Set(ctx, "{"+key+"}:stall", strings.Repeat("x", stallSize), 0).Err(); err != nil {
		t.Fatalf("SET of %d bytes on %s: %v", stallSize, m.Addr, err)
	}
}
