package redisstore

import "time"

// DefaultTimeout bounds every command when Config.Timeout is not positive.
const DefaultTimeout = 2 * time.Second

// DefaultConfig is the client a server runs with unless configured otherwise: keys under
// "gatehouse:", DefaultTimeout on every command, and revocations confirmed as the topology
// calls for. It names no server.
func DefaultConfig() Config {
	return Config{Prefix: "gatehouse:", Timeout: DefaultTimeout,
		RevokeReplicas: AutoReplicas, RevokeTimeout: DefaultRevokeTimeout}
}
