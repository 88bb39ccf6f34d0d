package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
)

// Revocations must outlive a failover. Redis replicates asynchronously: a master that
// acknowledged a write and died before sending it on takes the write with it, and the
// replica promoted in its place never saw it. For a new session that costs a login; for a
// revocation it would bring a credential back to life. So a revoking write is confirmed: on
// the connection that made it, WAIT blocks until RevokeReplicas replicas hold everything
// that connection wrote, and when they do not within RevokeTimeout the write fails with
// ErrUnavailable, a 503: the client tries again, and its retry is confirmed in its turn.
//
// WAIT counts what its own connection wrote. A retry whose first attempt deleted the record
// on a master that has not passed the delete on finds nothing left to delete, writes
// nothing, and WAIT would return at once. So every confirmed batch also writes a marker on
// its slot: the master's replication stream is one ordered log, so a replica that holds the
// marker holds every write the master made before it, that delete among them.

// AutoReplicas, as Config.RevokeReplicas, confirms revocations with one replica on Sentinel
// and Cluster, which exist to fail over to a replica, and with none on a single server.
const AutoReplicas = -1

// DefaultRevokeTimeout is how long a revocation waits for its replicas by default: a
// replica that is keeping up confirms within a round trip.
const DefaultRevokeTimeout = 500 * time.Millisecond

// markerTTL is how long a confirmation marker stays; nothing reads it.
const markerTTL = 10 * time.Second

// revokeReplicas resolves Config.RevokeReplicas for the client Open made.
func revokeReplicas(cfg Config, rdb redis.UniversalClient) int {
	if cfg.RevokeReplicas != AutoReplicas {
		return cfg.RevokeReplicas
	}
	if _, cluster := rdb.(*redis.ClusterClient); cluster || cfg.MasterName != "" {
		return 1
	}
	return 0
}

// writeConfirmed runs write(p, i) for every keys[i], batched by the master that owns the
// key, and returns once the batches are confirmed (see above). It returns the first error
// of any command but redis.Nil (which each caller reads from its own command), or
// ErrUnavailable when the replicas did not confirm in time. With no replicas to wait for it
// is one plain pipeline.
func (c *Client) writeConfirmed(ctx context.Context, keys []string, write func(p redis.Pipeliner, i int)) error {
	if c.replicas == 0 {
		p := c.rdb.Pipeline()
		for i := range keys {
			write(p, i)
		}
		cmds, _ := p.Exec(ctx)
		return failure(cmds)
	}
	batches, err := c.byMaster(ctx, keys)
	if err != nil {
		return err
	}
	for _, b := range batches {
		p := b.node.Pipeline()
		for _, i := range b.keys {
			write(p, i)
		}
		p.Set(ctx, marker(keys[b.keys[0]]), "1", markerTTL)
		// WAIT 0 would wait for ever: the timeout is a whole millisecond at least.
		wait := p.Do(ctx, "WAIT", c.replicas, max(1, c.revokeTimeout.Milliseconds()))
		cmds, _ := p.Exec(ctx)
		if err := failure(cmds); err != nil {
			c.reloadSlots(ctx)
			return err
		}
		if n, _ := wait.Int(); n < c.replicas {
			c.reloadSlots(ctx) // the node may no longer be the master
			return fmt.Errorf("%w: redis: %d of %d replicas confirmed a revocation within %s",
				domain.ErrUnavailable, n, c.replicas, c.revokeTimeout)
		}
	}
	return nil
}

// failure is the first error among cmds other than redis.Nil, a script's "nothing there",
// which is an answer. Exec reports only the first error of all, so a redis.Nil from one
// command would hide a real failure of a later one: a delete that never ran counted done.
func failure(cmds []redis.Cmder) error {
	for _, cmd := range cmds {
		if err := cmd.Err(); err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
	}
	return nil
}

// evalConfirmed runs script on key, confirmed as writeConfirmed confirms a batch, and
// returns its reply; a confirmation that failed is the reply's error.
func (c *Client) evalConfirmed(ctx context.Context, script *redis.Script, key string, args ...any) *redis.Cmd {
	var cmd *redis.Cmd
	err := c.writeConfirmed(ctx, []string{key}, func(p redis.Pipeliner, _ int) {
		// Eval, not EvalSha: a pipeline cannot fall back when a node lacks the script.
		cmd = script.Eval(ctx, p, []string{key}, args...)
	})
	if cmd == nil {
		cmd = redis.NewCmd(ctx)
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		cmd.SetErr(err)
	}
	return cmd
}

// batch is the keys, by index, that one master owns.
type batch struct {
	node interface{ Pipeline() redis.Pipeliner }
	keys []int
}

// byMaster groups keys by the master that owns them. On Cluster each group goes to the
// node's own client: WAIT names no key, so a cluster pipeline could not route it to the
// connection that made the writes.
func (c *Client) byMaster(ctx context.Context, keys []string) ([]batch, error) {
	cc, ok := c.rdb.(*redis.ClusterClient)
	if !ok {
		all := make([]int, len(keys))
		for i := range keys {
			all[i] = i
		}
		return []batch{{node: c.rdb, keys: all}}, nil
	}
	var out []batch
	seen := map[*redis.Client]int{}
	for i, k := range keys {
		n, err := cc.MasterForKey(ctx, k)
		if err != nil {
			return nil, err
		}
		j, ok := seen[n]
		if !ok {
			j = len(out)
			seen[n] = j
			out = append(out, batch{node: n})
		}
		out[j].keys = append(out[j].keys, i)
	}
	return out, nil
}

// reloadSlots asks a Cluster client to reload its slot map when a batch failed on a node: a
// failover or a resharding may have given its slots to another since the map was read, and
// the cluster client's own redirections do not run for a node's own client. The error
// itself is an outage for translate (MOVED and ASK included), and the next try goes to the
// new owner.
func (c *Client) reloadSlots(ctx context.Context) {
	if cc, ok := c.rdb.(*redis.ClusterClient); ok {
		cc.ReloadState(ctx)
	}
}

// marker names a key on the Cluster slot of key: key's own hash tag when it has one,
// otherwise key itself as the tag.
func marker(key string) string {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key + ":confirmed"
		}
	}
	return "{" + key + "}:confirmed"
}
