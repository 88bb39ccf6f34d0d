package redisstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
)

// Server replies that mean the server or cluster is not able to serve right now, as opposed
// to a reply that says our command was wrong. MOVED and ASK reach us only from a command
// sent to one node (confirm.go) while its slot changed hands: a cluster in flux.
var outagePrefixes = []string{"LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY", "NOREPLICAS", "BUSY", "MOVED", "ASK"}

// translate turns a go-redis error into a domain error. No go-redis error leaves this
// package: redis.Nil is ErrNotFound; network errors, timeouts and outage replies are
// ErrUnavailable, so requests fail closed with a 503.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, redis.Nil) {
		return domain.ErrNotFound
	}
	var reply redis.Error
	if errors.As(err, &reply) {
		msg := reply.Error()
		for _, p := range outagePrefixes {
			if strings.HasPrefix(msg, p) {
				return fmt.Errorf("%w: redis: %s", domain.ErrUnavailable, msg)
			}
		}
		return fmt.Errorf("redis: %s", msg)
	}
	return fmt.Errorf("%w: redis: %v", domain.ErrUnavailable, err)
}
