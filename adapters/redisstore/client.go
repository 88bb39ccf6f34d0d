// Package redisstore keeps users, sessions and tokens in Redis through go-redis v9's
// UniversalClient, so one server, Sentinel and Cluster all work from configuration.
//
// Keys of one user share the hash tag {u:<id>}, so the multi-key scripts that keep a user's
// index consistent run on one Cluster slot. Sessions and tokens are found by the SHA-256 of
// their secret, which names their own key; see credentials.go for how the two stay in step.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config holds the connection settings.
type Config struct {
	// URL is a redis:// or rediss:// URL of a single server, e.g. redis://127.0.0.1:6379/0.
	URL string
	// Addrs lists servers instead of URL: Cluster nodes (two or more, or one with Cluster
	// set), or Sentinels when MasterName is set.
	Addrs      []string
	MasterName string
	Cluster    bool
	Username   string
	Password   string
	// Prefix starts every key, so several deployments can share a server.
	Prefix string
	// Timeout bounds every command, so a stalled server turns into a quick 503.
	Timeout time.Duration
	// RevokeReplicas is how many replicas must hold a revocation before it counts (see
	// confirm.go); AutoReplicas chooses by topology, 0 does not wait.
	RevokeReplicas int
	// RevokeTimeout is how long a revocation waits for them; shorter than Timeout.
	RevokeTimeout time.Duration
}

// Client is an open connection to Redis with the key prefix and the command deadline.
type Client struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration
	// replicas must confirm a revocation within revokeTimeout (confirm.go).
	replicas      int
	revokeTimeout time.Duration
}

// Open connects and checks that the server answers. The returned function closes the client.
func Open(ctx context.Context, cfg Config) (*Client, func(), error) {
	opts, err := universalOptions(cfg)
	if err != nil {
		return nil, nil, err
	}
	c := &Client{rdb: newClient(opts), prefix: cfg.Prefix, timeout: cfg.Timeout,
		revokeTimeout: cfg.RevokeTimeout}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.revokeTimeout <= 0 {
		c.revokeTimeout = DefaultRevokeTimeout
	}
	c.replicas = revokeReplicas(cfg, c.rdb)
	if c.revokeTimeout >= c.timeout && c.replicas > 0 {
		_ = c.rdb.Close()
		return nil, nil, errors.New("redis: the revocation timeout must be shorter than the command timeout")
	}
	if err := c.Ping(ctx); err != nil {
		_ = c.rdb.Close()
		return nil, nil, fmt.Errorf("redis: cannot reach the server: %w", err)
	}
	return c, func() { _ = c.rdb.Close() }, nil
}

// clusterReload is how often a Cluster client reads the slot map again. go-redis's own
// default is a minute, and it reloads on MOVED but not when a master stops answering: after a
// failover, requests for the dead master's slots failed until the next reload, though its
// replica had taken over within seconds. The read is one CLUSTER SLOTS.
const clusterReload = time.Second

// newClient is redis.NewUniversalClient with clusterReload for a Cluster.
func newClient(o *redis.UniversalOptions) redis.UniversalClient {
	if o.MasterName == "" && (o.IsClusterMode || len(o.Addrs) > 1) {
		co := o.Cluster()
		co.ClusterStateReloadInterval = clusterReload
		return redis.NewClusterClient(co)
	}
	return redis.NewUniversalClient(o)
}

// ValidURL reports whether u parses as a redis:// or rediss:// URL.
func ValidURL(u string) bool {
	_, err := redis.ParseURL(u)
	return err == nil
}

// ValidPrefix reports whether a key prefix is usable: braces in it would become the hash tag
// of every key and put all users on one Cluster slot.
func ValidPrefix(p string) bool { return !strings.ContainsAny(p, "{}") }

func universalOptions(cfg Config) (*redis.UniversalOptions, error) {
	if !ValidPrefix(cfg.Prefix) {
		return nil, errors.New("redis: the key prefix may not contain { or }")
	}
	if cfg.RevokeReplicas < AutoReplicas {
		return nil, errors.New("redis: the replicas to confirm a revocation cannot be negative")
	}
	o := &redis.UniversalOptions{
		Addrs:         cfg.Addrs,
		MasterName:    cfg.MasterName,
		IsClusterMode: cfg.Cluster,
		Username:      cfg.Username,
		Password:      cfg.Password,
		DialTimeout:   3 * time.Second,
		// One retry rides over a pooled connection the server dropped; more would only
		// keep a request waiting out its deadline against a server that is down.
		MaxRetries:   1,
		ReadTimeout:  cfg.Timeout,
		WriteTimeout: cfg.Timeout,
	}
	if cfg.URL != "" {
		u, err := redis.ParseURL(cfg.URL)
		if err != nil {
			// The parser's message can quote the URL, password and all.
			return nil, errors.New("redis: GATEHOUSE_REDIS_URL is not a valid redis:// URL")
		}
		o.Addrs, o.DB, o.TLSConfig = []string{u.Addr}, u.DB, u.TLSConfig
		if u.Username != "" || u.Password != "" {
			o.Username, o.Password = u.Username, u.Password
		}
	}
	if len(o.Addrs) == 0 {
		return nil, errors.New("redis: set GATEHOUSE_REDIS_URL or GATEHOUSE_REDIS_ADDRS")
	}
	return o, nil
}

// Name implements ports.Pinger.
func (c *Client) Name() string { return "redis" }

// Ping implements ports.Pinger. On Cluster every master must answer.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	if cc, ok := c.rdb.(*redis.ClusterClient); ok {
		return translate(cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			return n.Ping(ctx).Err()
		}))
	}
	return translate(c.rdb.Ping(ctx).Err())
}

// ctx bounds one operation by the command timeout.
func (c *Client) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.timeout)
}

// key joins the prefix and the parts of a key.
func (c *Client) key(parts ...string) string { return c.prefix + strings.Join(parts, ":") }

// userTag is the hash tag shared by every key of one user.
func userTag(id int64) string { return fmt.Sprintf("{u:%d}", id) }
