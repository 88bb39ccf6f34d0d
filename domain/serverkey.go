package domain

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// ServerKeyBytes is the size of a server key: 256 bits, the output size of SHA-256, which
// RFC 2104 §3 recommends as the least key length for HMAC-SHA256.
const ServerKeyBytes = 32

// ServerKeys are the server's own secret keys (GATEHOUSE_SECRET_KEY), shared by every
// instance. The first signs; every one verifies, so a key is rotated by putting a new one
// first and dropping the old one once nothing it signed is still in use. Each use derives its
// MACs under a label of its own (see FormToken), so one key can serve several purposes without
// one's output being valid for another.
//
// The keys never print: String and GoString hide them, so a stray log line or %v cannot leak
// them.
type ServerKeys struct {
	keys [][]byte
}

// NewServerKeys returns the key list of the given keys, the first signing.
func NewServerKeys(keys ...[ServerKeyBytes]byte) ServerKeys {
	out := ServerKeys{keys: make([][]byte, len(keys))}
	for i := range keys {
		out.keys[i] = keys[i][:]
	}
	return out
}

// ParseServerKeys reads a comma-separated list of keys, each 32 bytes in standard base64
// (what EncodeServerKey and `gatehouse config gen-key` write). Its errors name the position of
// a bad key, never its text.
func ParseServerKeys(list string) (ServerKeys, error) {
	var out ServerKeys
	for i, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return ServerKeys{}, errors.New("empty key in the list")
		}
		b, err := base64.StdEncoding.DecodeString(part)
		if err != nil || len(b) != ServerKeyBytes {
			return ServerKeys{}, fmt.Errorf("key %d is not %d bytes in standard base64", i+1, ServerKeyBytes)
		}
		out.keys = append(out.keys, b)
	}
	return out, nil
}

// EncodeServerKey writes a key as ParseServerKeys reads it.
func EncodeServerKey(key [ServerKeyBytes]byte) string {
	return base64.StdEncoding.EncodeToString(key[:])
}

// Empty reports whether there is no key.
func (k ServerKeys) Empty() bool { return len(k.keys) == 0 }

// String hides the keys.
func (k ServerKeys) String() string { return fmt.Sprintf("ServerKeys(%d keys, hidden)", len(k.keys)) }

// GoString hides the keys from %#v too.
func (k ServerKeys) GoString() string { return k.String() }
