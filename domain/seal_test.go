package domain_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

var (
	sealSecret = domain.NewTOTPSecret([domain.TOTPSecretBytes]byte{'s', 'e', 'c', 'r', 'e', 't'})
	sealNonce  = [domain.SealNonceBytes]byte{7}
)

func mustSeal(t *testing.T, k domain.ServerKeys, user domain.UserID) []byte {
	t.Helper()
	sealed, err := k.SealTOTP(user, sealSecret, sealNonce)
	if err != nil {
		t.Fatalf("SealTOTP: %v", err)
	}
	return sealed
}

// TestSealTOTPOpens: a sealed secret opens for its user under any listed key, and says when
// it should be sealed again under the first.
func TestSealTOTPOpens(t *testing.T) {
	a, b := key(1), key(2)
	sealedA := mustSeal(t, domain.NewServerKeys(a), 42)
	tests := []struct {
		name       string
		keys       domain.ServerKeys
		wantReseal bool
	}{
		{"the sealing key alone", domain.NewServerKeys(a), false},
		{"the sealing key first, another after it", domain.NewServerKeys(a, b), false},
		{"after a rotation: a new key first, the sealing key after it", domain.NewServerKeys(b, a), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.keys.OpenTOTP(42, sealedA)
			if err != nil || got != sealSecret {
				t.Errorf("OpenTOTP = %x, %v; want the secret", got[:], err)
			}
			if r := tt.keys.NeedsReseal(sealedA); r != tt.wantReseal {
				t.Errorf("NeedsReseal = %t, want %t", r, tt.wantReseal)
			}
		})
	}
	resealed := mustSeal(t, domain.NewServerKeys(b, a), 42)
	if domain.NewServerKeys(b, a).NeedsReseal(resealed) {
		t.Error("NeedsReseal of a secret sealed under the first key = true")
	}
	if got, err := domain.NewServerKeys(b).OpenTOTP(42, resealed); err != nil || got != sealSecret {
		t.Errorf("resealed secret under the new key alone: %v", err)
	}
}

// TestSealTOTPRefuses: a sealed secret opens only for its user, under a listed key, and
// unaltered; the error never carries key or secret bytes.
func TestSealTOTPRefuses(t *testing.T) {
	keys := domain.NewServerKeys(key(1))
	sealed := mustSeal(t, keys, 42)
	tampered := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name   string
		keys   domain.ServerKeys
		user   domain.UserID
		sealed []byte
	}{
		{"another user's row", keys, 43, sealed},
		{"the sealing key dropped", domain.NewServerKeys(key(2)), 42, sealed},
		{"version altered", keys, 42, tampered(0)},
		{"key id altered", keys, 42, tampered(1)},
		{"nonce altered", keys, 42, tampered(7)},
		{"ciphertext altered", keys, 42, tampered(20)},
		{"tag altered", keys, 42, tampered(len(sealed) - 1)},
		{"truncated", keys, 42, sealed[:len(sealed)-1]},
		{"header only", keys, 42, sealed[:17]},
		{"empty", keys, 42, nil},
		{"trailing byte", keys, 42, append(bytes.Clone(sealed), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.keys.OpenTOTP(tt.user, tt.sealed)
			if !errors.Is(err, domain.ErrSealBroken) {
				t.Fatalf("OpenTOTP = %x, %v; want ErrSealBroken", got[:], err)
			}
			if got != (domain.TOTPSecret{}) {
				t.Errorf("OpenTOTP returned secret bytes %x with its error", got[:])
			}
			if msg := fmt.Sprint(err); strings.Contains(msg, "secret\x00") || strings.Contains(msg, sealSecret.Base32()) {
				t.Errorf("error %q shows the secret", msg)
			}
		})
	}
}

func TestSealTOTPWithoutKeys(t *testing.T) {
	var none domain.ServerKeys
	if _, err := none.SealTOTP(1, sealSecret, sealNonce); !errors.Is(err, domain.ErrNoServerKey) {
		t.Errorf("SealTOTP without keys: %v, want ErrNoServerKey", err)
	}
	sealed := mustSeal(t, domain.NewServerKeys(key(1)), 1)
	if _, err := none.OpenTOTP(1, sealed); !errors.Is(err, domain.ErrNoServerKey) {
		t.Errorf("OpenTOTP without keys: %v, want ErrNoServerKey", err)
	}
	if none.NeedsReseal(sealed) {
		t.Error("NeedsReseal without keys = true")
	}
}

// TestSealTOTPCiphertext: the secret does not appear in what is stored, and each nonce gives
// a different ciphertext, so equal secrets are not visible as such.
func TestSealTOTPCiphertext(t *testing.T) {
	keys := domain.NewServerKeys(key(1))
	sealed := mustSeal(t, keys, 42)
	if bytes.Contains(sealed, sealSecret[:6]) {
		t.Errorf("sealed %x holds the secret in clear", sealed)
	}
	other, _ := keys.SealTOTP(42, sealSecret, [domain.SealNonceBytes]byte{8})
	if bytes.Equal(sealed[17:], other[17:]) {
		t.Error("two nonces gave one ciphertext")
	}
	if want := 1 + 4 + domain.SealNonceBytes + domain.TOTPSecretBytes + 16; len(sealed) != want {
		t.Errorf("len(sealed) = %d, want %d", len(sealed), want)
	}
}
