package testenv

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisNode is one redis-server process (a data node or a Sentinel) that a failover test
// can kill, freeze, thaw and start again on the same port with the same arguments.
type RedisNode struct {
	// Addr is host:port, fixed for the node's whole life, restarts included.
	Addr string
	Port int
	// Dir is the node's own working directory: its config files live there.
	Dir string

	args []string // after the binary; restarts reuse them

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedisNode runs redis-server with args on port, waits until it answers a PING (Sentinels
// answer it too), and kills it when t ends.
func startRedisNode(t testing.TB, dir string, port int, args ...string) *RedisNode {
	t.Helper()
	n := &RedisNode{Addr: fmt.Sprintf("127.0.0.1:%d", port), Port: port, Dir: dir, args: args}
	n.start(t)
	t.Cleanup(func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if n.cmd != nil {
			// SIGKILL also ends a process that a test left stopped.
			_ = n.cmd.Process.Kill()
			<-n.done
		}
	})
	return n
}

func (n *RedisNode) start(t testing.TB) {
	t.Helper()
	cmd := exec.Command(Command(t, "redis-server"), n.args...)
	cmd.Dir = n.Dir
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server on %s: %v", n.Addr, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	n.mu.Lock()
	n.cmd, n.done = cmd, done
	n.mu.Unlock()
	waitRedis(t, n.Addr)
}

// Kill sends SIGKILL, as a crash would: nothing the server holds in memory survives, and
// what it had not yet sent to its replicas is lost. It waits for the process to exit.
func (n *RedisNode) Kill(t testing.TB) {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		t.Fatalf("redis node %s: Kill of a node that is not running", n.Addr)
	}
	if err := n.cmd.Process.Kill(); err != nil {
		t.Fatalf("redis node %s: SIGKILL: %v", n.Addr, err)
	}
	<-n.done
	n.cmd = nil
}

// Pause sends SIGSTOP: the process stops reading its sockets while the kernel keeps
// accepting (and buffering) what peers send, as a node frozen by a VM pause or a long GC
// stall would.
func (n *RedisNode) Pause(t testing.TB) { n.signal(t, syscall.SIGSTOP) }

// Resume sends SIGCONT to a paused node.
func (n *RedisNode) Resume(t testing.TB) { n.signal(t, syscall.SIGCONT) }

func (n *RedisNode) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		t.Fatalf("redis node %s: %v to a node that is not running", n.Addr, sig)
	}
	if err := n.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("redis node %s: %v: %v", n.Addr, sig, err)
	}
}

// Restart starts a killed node again on its port with its arguments and extra ones after
// them (redis-server lets a later option override an earlier one).
func (n *RedisNode) Restart(t testing.TB, extra ...string) {
	t.Helper()
	n.mu.Lock()
	running := n.cmd != nil
	n.mu.Unlock()
	if running {
		t.Fatalf("redis node %s: Restart of a running node", n.Addr)
	}
	n.args = append(n.args, extra...)
	n.start(t)
}

// Running reports whether the node's process is alive (paused counts as alive).
func (n *RedisNode) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil
}

// Client returns a client of this node alone; the caller closes it.
func (n *RedisNode) Client() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: n.Addr, DialTimeout: time.Second,
		ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: -1})
}

// Info returns the fields of INFO section as a map, or an error when the node does not answer.
func (n *RedisNode) Info(section string) (map[string]string, error) {
	c := n.Client()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.Info(ctx, section).Result()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = v
		}
	}
	return m, nil
}

// IsSyncedReplica reports whether the node is a replica whose link to its master is up and
// which has finished its initial sync.
func (n *RedisNode) IsSyncedReplica() bool {
	info, err := n.Info("replication")
	return err == nil && info["role"] == "slave" && info["master_link_status"] == "up" &&
		info["master_sync_in_progress"] == "0"
}

// IsMaster reports whether the node answers and calls itself a master.
func (n *RedisNode) IsMaster() bool {
	info, err := n.Info("replication")
	return err == nil && info["role"] == "master"
}

// ReplicaAddrs returns the addresses of the replicas the node reports as connected.
func (n *RedisNode) ReplicaAddrs() []string {
	info, err := n.Info("replication")
	if err != nil {
		return nil
	}
	k, _ := strconv.Atoi(info["connected_slaves"])
	var out []string
	for i := range k {
		// slave0:ip=127.0.0.1,port=6380,state=online,offset=...,lag=0
		var ip, port string
		for _, f := range strings.Split(info[fmt.Sprintf("slave%d", i)], ",") {
			if v, ok := strings.CutPrefix(f, "ip="); ok {
				ip = v
			}
			if v, ok := strings.CutPrefix(f, "port="); ok {
				port = v
			}
		}
		out = append(out, ip+":"+port)
	}
	return out
}

// Eventually polls cond every 50ms until it holds or timeout passes, and reports whether
// it held. It is for waiting on servers (a promotion, a sync), never for timing assertions.
func Eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// nodeDir makes a working directory for one node under dir.
func nodeDir(t testing.TB, dir, name string) string {
	t.Helper()
	d := filepath.Join(dir, name)
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}
