package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func key(b byte) [domain.ServerKeyBytes]byte {
	var k [domain.ServerKeyBytes]byte
	for i := range k {
		k[i] = b
	}
	return k
}

func nonce(b byte) string {
	var r [domain.SecretBytes]byte
	r[0] = b
	return domain.NewFormNonce(r)
}

// TestFormToken: a form token passes only with the nonce it was made for, under a key of the
// list; a made-up pair (issue #14: formcsrf=a, csrfmiddlewaretoken=a) is refused.
func TestFormToken(t *testing.T) {
	current, old, other := domain.NewServerKeys(key(1), key(2)), domain.NewServerKeys(key(2)), domain.NewServerKeys(key(3))
	n := nonce(7)
	tests := []struct {
		name         string
		nonce, token string
		reason       string // "" to pass
	}{
		{"signed by the first key", n, current.FormToken(n), ""},
		{"signed by a key being retired", n, old.FormToken(n), ""},
		{"signed by an unknown key", n, other.FormToken(n), "CSRF token incorrect."},
		{"made-up pair", "a", "a", "CSRF token incorrect."},
		{"nonce as its own token", n, n, "CSRF token incorrect."},
		{"another nonce's token", nonce(8), current.FormToken(n), "CSRF token incorrect."},
		{"one character changed", n, "A" + current.FormToken(n)[1:], "CSRF token incorrect."},
		{"padded", n, current.FormToken(n) + "=", "CSRF token incorrect."},
		{"no field", n, "", "CSRF token missing."},
		{"no cookie", "", current.FormToken(n), "CSRF cookie not set."},
		{"neither", "", "", "CSRF token missing."},
		{"malformed nonce with its MAC", "a", current.FormToken("a"), "CSRF token incorrect."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := current.CheckFormToken(tt.nonce, tt.token)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("CheckFormToken = %v, want nil", err)
				}
				return
			}
			var csrf *domain.CSRFError
			if !errors.As(err, &csrf) || csrf.Reason != tt.reason {
				t.Fatalf("CheckFormToken = %v, want %q", err, tt.reason)
			}
		})
	}
}

func TestFormNonce(t *testing.T) {
	if n := nonce(1); len(n) != domain.FormNonceLen || !domain.ValidFormNonce(n) {
		t.Fatalf("NewFormNonce = %q, not a valid nonce", n)
	}
	for _, bad := range []string{"", "a", strings.Repeat("a", 42), strings.Repeat("a", 44), strings.Repeat("+", 43), strings.Repeat("a", 42) + "="} {
		if domain.ValidFormNonce(bad) {
			t.Errorf("ValidFormNonce(%q) = true", bad)
		}
	}
}

// TestParseServerKeys: GATEHOUSE_SECRET_KEY's syntax; errors never quote a key.
func TestParseServerKeys(t *testing.T) {
	k1, k2 := domain.EncodeServerKey(key(1)), domain.EncodeServerKey(key(2))
	tests := []struct {
		list string
		n    int // keys, or 0 for an error
	}{
		{k1, 1},
		{k1 + "," + k2, 2},
		{" " + k1 + " , " + k2 + " ", 2},
		{"", 0},
		{k1 + ",", 0},
		{"c2VjcmV0", 0},                       // 6 bytes
		{strings.TrimRight(k1, "=") + "!", 0}, // not base64
		{k1 + k1, 0},
	}
	for _, tt := range tests {
		keys, err := domain.ParseServerKeys(tt.list)
		if tt.n == 0 {
			if err == nil || !keys.Empty() {
				t.Errorf("ParseServerKeys(%q) = %v, %v; want an error", tt.list, keys, err)
			} else if strings.Contains(err.Error(), strings.TrimSpace(tt.list)) && tt.list != "" {
				t.Errorf("the error quotes the key: %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseServerKeys(%q): %v", tt.list, err)
		}
	}
	// The first key signs: a token from the parsed list passes under the first key alone.
	keys, _ := domain.ParseServerKeys(k1 + "," + k2)
	if err := domain.NewServerKeys(key(1)).CheckFormToken(nonce(1), keys.FormToken(nonce(1))); err != nil {
		t.Errorf("the parsed list did not sign with its first key: %v", err)
	}
}

// TestServerKeysHidden: printing keys, as a careless log line would, shows none of them.
func TestServerKeysHidden(t *testing.T) {
	keys := domain.NewServerKeys(key('k'))
	for _, s := range []string{keys.String(), keys.GoString()} {
		if strings.Contains(s, "kkkk") || strings.Contains(s, domain.EncodeServerKey(key('k'))[:8]) {
			t.Errorf("printed keys: %s", s)
		}
	}
}
