package testenv

import (
	"strconv"
	"testing"
)

// StartRedis starts a plain redis-server on a free loopback port, with no persistence,
// passing args after the usual ones; it is killed when t ends. The test may pause, resume
// or kill it to play a failure.
func StartRedis(t testing.TB, args ...string) *RedisNode {
	t.Helper()
	n := &RedisNode{Port: freePort(t), Dir: t.TempDir()}
	return startRedisNode(t, n.Dir, n.Port, append(dataNodeArgs(n), args...)...)
}

// RedisReplicated starts a master and one replica of it, and returns once the replica is
// in sync.
func RedisReplicated(t testing.TB) (master, replica *RedisNode) {
	t.Helper()
	master = StartRedis(t)
	replica = StartRedis(t, "--replicaof", "127.0.0.1", strconv.Itoa(master.Port))
	if !Eventually(TopologyTimeout, replica.IsSyncedReplica) {
		t.Fatalf("replica %s did not sync with %s", replica.Addr, master.Addr)
	}
	return master, replica
}
