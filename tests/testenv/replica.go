package testenv

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisServer is a redis-server process started for one test, which the test may pause,
// resume or kill to play a failure.
type RedisServer struct {
	Addr string
	cmd  *exec.Cmd
}

// Pause stops the process (SIGSTOP): it keeps its connections but answers nothing, as a
// server whose replication link has stalled.
func (s *RedisServer) Pause(t testing.TB) { s.signal(t, syscall.SIGSTOP) }

// Resume continues a paused process.
func (s *RedisServer) Resume(t testing.TB) { s.signal(t, syscall.SIGCONT) }

func (s *RedisServer) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to redis-server %s: %v", sig, s.Addr, err)
	}
}

// StartRedis starts a plain redis-server on a free loopback port, with no persistence,
// passing args on its command line; it is killed when t ends.
func StartRedis(t testing.TB, args ...string) *RedisServer {
	t.Helper()
	server := Command(t, "redis-server")
	port := freePort(t)
	cmd := exec.Command(server, append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", t.TempDir()}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	s := &RedisServer{Addr: "127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT) // a paused process cannot die
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	waitRedis(t, s.Addr)
	return s
}

// RedisReplicated starts a master and one replica of it, and returns once the replica is
// in sync.
func RedisReplicated(t testing.TB) (master, replica *RedisServer) {
	t.Helper()
	// A replica asking for a full sync gets it at once, not after the default wait for more.
	master = StartRedis(t, "--repl-diskless-sync-delay", "0")
	host, port, _ := strings.Cut(master.Addr, ":")
	replica = StartRedis(t, "--replicaof", host, port)
	c := redis.NewClient(&redis.Options{Addr: replica.Addr})
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for {
		info, err := c.Info(context.Background(), "replication").Result()
		if err == nil && strings.Contains(info, "master_link_status:up") {
			return master, replica
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica %s did not sync with %s: %v %s", replica.Addr, master.Addr, err, info)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
