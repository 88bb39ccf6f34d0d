package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TopologyTimeout bounds every wait for a Redis topology to form or to heal after a
// failover: far above what promotion takes (node timeout and down-after are one second),
// so that only a topology that never heals fails a test.
const TopologyTimeout = 60 * time.Second

// dataNodeArgs are the options of every data node of the failover topologies: no
// persistence (a killed node comes back empty, as in CI), and a full sync that starts at
// once instead of after Redis 7's five-second diskless delay.
func dataNodeArgs(node *RedisNode) []string {
	return []string{"--port", strconv.Itoa(node.Port), "--bind", "127.0.0.1", "--protected-mode", "no",
		"--save", "", "--appendonly", "no", "--dir", node.Dir,
		"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"}
}

// ReplicatedCluster is a Redis Cluster of three masters with one replica each.
type ReplicatedCluster struct {
	Nodes []*RedisNode
}

// RedisClusterReplicated starts a Cluster of three masters with one replica each on free
// loopback ports, with a one-second node timeout so that a replica is promoted about two
// seconds after its master dies, and cluster-replica-validity-factor 0 so that a replica
// is promoted however long its link was down (the failover tests stall links on purpose).
// It returns once every node sees the cluster ok and every replica is in sync.
func RedisClusterReplicated(t testing.TB) *ReplicatedCluster {
	t.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		unavailable(t, "PATH (redis-cli for the cluster test)", err)
	}
	dir := t.TempDir()
	c := &ReplicatedCluster{}
	for i := range 6 {
		n := &RedisNode{Port: freePort(t), Dir: nodeDir(t, dir, strconv.Itoa(i))}
		args := append(dataNodeArgs(n), "--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(n.Dir, "nodes.conf"),
			"--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0")
		c.Nodes = append(c.Nodes, startRedisNode(t, n.Dir, n.Port, args...))
	}
	create := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, c.Addrs()...),
		"--cluster-replicas", "1", "--cluster-yes")...)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.WaitHealthy(t)
	return c
}

// Addrs returns the addresses of every node, masters and replicas.
func (c *ReplicatedCluster) Addrs() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Addr)
	}
	return out
}

// Node returns the node listening on addr, or nil.
func (c *ReplicatedCluster) Node(addr string) *RedisNode {
	for _, n := range c.Nodes {
		if n.Addr == addr {
			return n
		}
	}
	return nil
}

// healthy reports whether every running node sees cluster_state:ok, every slot is served
// by a running master and every running node that is not a master is a synced replica.
func (c *ReplicatedCluster) healthy() bool {
	masters := 0
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		cl := n.Client()
		info, err := cl.ClusterInfo(context.Background()).Result()
		cl.Close()
		if err != nil || !strings.Contains(info, "cluster_state:ok") {
			return false
		}
		switch {
		case n.IsMaster():
			masters++
		case !n.IsSyncedReplica():
			return false
		}
	}
	return masters == 3
}

// WaitHealthy waits until the cluster is healthy (see healthy) or fails t after
// TopologyTimeout.
func (c *ReplicatedCluster) WaitHealthy(t testing.TB) {
	t.Helper()
	if !Eventually(TopologyTimeout, c.healthy) {
		t.Fatalf("redis cluster %v did not become healthy within %v", c.Addrs(), TopologyTimeout)
	}
}

// MasterOf returns the node that a running node says serves key's slot, or nil when no
// running node answers or the slot has no running master.
func (c *ReplicatedCluster) MasterOf(key string) *RedisNode {
	for _, n := range c.Nodes {
		if !n.Running() {
			continue
		}
		cl := n.Client()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		slot, err := cl.ClusterKeySlot(ctx, key).Result()
		var shards []redis.ClusterShard
		if err == nil {
			shards, err = cl.ClusterShards(ctx).Result()
		}
		cancel()
		cl.Close()
		if err != nil {
			continue
		}
		for _, s := range shards {
			for _, r := range s.Slots {
				if slot < r.Start || slot > r.End {
					continue
				}
				for _, sn := range s.Nodes {
					m := c.Node(fmt.Sprintf("%s:%d", sn.IP, sn.Port))
					if sn.Role == "master" && m != nil && m.Running() {
						return m
					}
				}
			}
		}
	}
	return nil
}

// ReplicaOf returns master's connected replica, or fails t.
func (c *ReplicatedCluster) ReplicaOf(t testing.TB, master *RedisNode) *RedisNode {
	t.Helper()
	for _, addr := range master.ReplicaAddrs() {
		if n := c.Node(addr); n != nil {
			return n
		}
	}
	t.Fatalf("redis cluster: master %s has no connected replica", master.Addr)
	return nil
}

// WaitPromotion waits until key's slot is served by a running master other than old and
// returns it, or fails t after TopologyTimeout.
func (c *ReplicatedCluster) WaitPromotion(t testing.TB, key string, old *RedisNode) *RedisNode {
	t.Helper()
	var m *RedisNode
	ok := Eventually(TopologyTimeout, func() bool {
		m = c.MasterOf(key)
		return m != nil && m != old && m.IsMaster()
	})
	if !ok {
		t.Fatalf("redis cluster: no replica of %s was promoted within %v", old.Addr, TopologyTimeout)
	}
	return m
}

// Sentinel is one Redis master with one replica, watched by three Sentinels.
type Sentinel struct {
	// Name is the master name the Sentinels know it by.
	Name string
	// Data holds the master and the replica, in no lasting order: a failover swaps them.
	Data      []*RedisNode
	Sentinels []*RedisNode
}

// RedisSentinel starts a master, a replica of it and three Sentinels (quorum two) on free
// loopback ports, with down-after-milliseconds 1000 so that a dead master is replaced
// about two seconds later. It returns once the replica is in sync and every Sentinel knows
// the replica and the two other Sentinels (a failover needs a majority of them).
func RedisSentinel(t testing.TB) *Sentinel {
	t.Helper()
	dir := t.TempDir()
	s := &Sentinel{Name: "gh"}
	for i, role := range []string{"master", "replica"} {
		n := &RedisNode{Port: freePort(t), Dir: nodeDir(t, dir, role)}
		args := dataNodeArgs(n)
		if i == 1 {
			args = append(args, "--replicaof", "127.0.0.1", strconv.Itoa(s.Data[0].Port))
		}
		s.Data = append(s.Data, startRedisNode(t, n.Dir, n.Port, args...))
	}
	for i := range 3 {
		port := freePort(t)
		d := nodeDir(t, dir, fmt.Sprintf("sentinel%d", i))
		// Sentinel rewrites its config file as it learns the topology, so each gets its own.
		conf := filepath.Join(d, "sentinel.conf")
		body := fmt.Sprintf("port %d\nbind 127.0.0.1\nprotected-mode no\ndir %s\n"+
			"sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %[3]s 1000\n"+
			"sentinel failover-timeout %[3]s 5000\n"+
			"sentinel parallel-syncs %[3]s 1\n", port, d, s.Name, s.Data[0].Port)
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		s.Sentinels = append(s.Sentinels, startRedisNode(t, d, port, conf, "--sentinel"))
	}
	ready := func() bool {
		if !s.Data[1].IsSyncedReplica() {
			return false
		}
		for _, sn := range s.Sentinels {
			m, err := s.masterState(sn)
			if err != nil || m["num-slaves"] != "1" || m["num-other-sentinels"] != "2" {
				return false
			}
		}
		return true
	}
	if !Eventually(TopologyTimeout, ready) {
		t.Fatalf("redis sentinel: topology not ready within %v", TopologyTimeout)
	}
	return s
}

// Addrs returns the Sentinels' addresses (what GATEHOUSE_REDIS_ADDRS lists).
func (s *Sentinel) Addrs() []string {
	var out []string
	for _, n := range s.Sentinels {
		out = append(out, n.Addr)
	}
	return out
}

// masterState returns SENTINEL MASTER's fields as one Sentinel sees them.
func (s *Sentinel) masterState(sn *RedisNode) (map[string]string, error) {
	cl := redis.NewSentinelClient(&redis.Options{Addr: sn.Addr, DialTimeout: time.Second,
		ReadTimeout: 2 * time.Second, MaxRetries: -1})
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return cl.Master(ctx, s.Name).Result()
}

// Master returns the data node that a majority of the Sentinels name as master, if it is
// running and calls itself master; otherwise nil.
func (s *Sentinel) Master() *RedisNode {
	votes := map[string]int{}
	for _, sn := range s.Sentinels {
		if !sn.Running() {
			continue
		}
		m, err := s.masterState(sn)
		if err == nil {
			votes[m["ip"]+":"+m["port"]]++
		}
	}
	for _, n := range s.Data {
		if votes[n.Addr] >= 2 && n.Running() && n.IsMaster() {
			return n
		}
	}
	return nil
}

// Replica returns the data node that is not m.
func (s *Sentinel) Replica(m *RedisNode) *RedisNode {
	if s.Data[0] == m {
		return s.Data[1]
	}
	return s.Data[0]
}

// WaitPromotion waits until the Sentinels name a master other than old and it calls itself
// master, and returns it; it fails t after TopologyTimeout.
func (s *Sentinel) WaitPromotion(t testing.TB, old *RedisNode) *RedisNode {
	t.Helper()
	var m *RedisNode
	if !Eventually(TopologyTimeout, func() bool { m = s.Master(); return m != nil && m != old }) {
		t.Fatalf("redis sentinel: %s was not replaced within %v", old.Addr, TopologyTimeout)
	}
	return m
}

// RestartAsReplica starts a killed data node again as a replica of the current master (a
// Sentinel would make it one anyway, but a node that came back as an empty master for a
// moment could be chosen by a client) and waits until it is in sync.
func (s *Sentinel) RestartAsReplica(t testing.TB, n *RedisNode) {
	t.Helper()
	m := s.Master()
	if m == nil || m == n {
		t.Fatalf("redis sentinel: no other master to restart %s as a replica of", n.Addr)
	}
	n.Restart(t, "--replicaof", "127.0.0.1", strconv.Itoa(m.Port))
	if !Eventually(TopologyTimeout, n.IsSyncedReplica) {
		t.Fatalf("redis sentinel: restarted %s did not sync within %v", n.Addr, TopologyTimeout)
	}
}
