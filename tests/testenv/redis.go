package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisURL is the server tried when GATEHOUSE_TEST_REDIS_URL is unset.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

// RedisURL returns the test server's URL after checking that it answers.
func RedisURL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("GATEHOUSE_TEST_REDIS_URL")
	if url == "" {
		url = DefaultRedisURL
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("GATEHOUSE_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		unavailable(t, "GATEHOUSE_TEST_REDIS_URL", err)
	}
	return url
}

// RedisPrefix returns a random key prefix and deletes every key under it when t ends (on
// every master of a cluster), so runs sharing a server never see each other's keys. url
// names a single server; otherwise addrs are the nodes of a cluster.
func RedisPrefix(t testing.TB, url string, addrs []string) string {
	t.Helper()
	opts := &redis.UniversalOptions{Addrs: addrs, IsClusterMode: url == ""}
	if url != "" {
		o, err := redis.ParseURL(url)
		if err != nil {
			t.Fatalf("redis URL: %v", err)
		}
		opts.Addrs, opts.DB = []string{o.Addr}, o.DB
	}
	client := redis.NewUniversalClient(opts)
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "gatehouse-test-" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		del := func(ctx context.Context, c *redis.Client) error {
			iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
			for iter.Next(ctx) {
				if err := c.Del(ctx, iter.Val()).Err(); err != nil {
					return err
				}
			}
			return iter.Err()
		}
		var err error
		switch c := client.(type) {
		case *redis.ClusterClient:
			err = c.ForEachMaster(ctx, del)
		case *redis.Client:
			err = del(ctx, c)
		}
		if err != nil {
			t.Errorf("removing test keys %s*: %v", prefix, err)
		}
		client.Close()
	})
	return prefix
}

// RedisCluster starts a three-master Redis Cluster on free loopback ports from plain
// redis-server processes joined by redis-cli, and returns its addresses. The processes and
// their files are removed when t ends.
func RedisCluster(t testing.TB) []string {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err == nil {
		_, err = exec.LookPath("redis-cli")
	}
	if err != nil {
		unavailable(t, "PATH (redis-server and redis-cli for the cluster test)", err)
	}
	dir := t.TempDir()
	var addrs []string
	for i := range 3 {
		port := freePort(t)
		node := filepath.Join(dir, strconv.Itoa(i))
		if err := os.Mkdir(node, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(server, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(node, "nodes.conf"),
			"--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no", "--dir", node,
			"--protected-mode", "no")
		cmd.Stdout, cmd.Stderr = nil, nil
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting redis-server: %v", err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		waitRedis(t, addr)
		addrs = append(addrs, addr)
	}
	create := exec.Command("redis-cli", append(append([]string{"--cluster", "create"}, addrs...),
		"--cluster-replicas", "0", "--cluster-yes")...)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	// Every node must see the whole cluster before a client may rely on any of them.
	deadline := time.Now().Add(30 * time.Second)
	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		for {
			info, err := c.ClusterInfo(context.Background()).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				c.Close()
				t.Fatalf("cluster node %s did not become ready: %v %s", addr, err, info)
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.Close()
	}
	return addrs
}

func freePort(t testing.TB) int {
	t.Helper()
	// Cluster nodes also listen on port+10000, so stay below 55535.
	for range 50 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if port+10000 > 65535 {
			continue
		}
		if bus, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+10000)); err == nil {
			bus.Close()
			return port
		}
	}
	t.Fatal("no free port pair for a cluster node")
	return 0
}

func waitRedis(t testing.TB, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
