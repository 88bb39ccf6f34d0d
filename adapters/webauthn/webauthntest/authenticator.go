// Package webauthntest is a software passkey authenticator for tests: it answers the options
// of a WebAuthn ceremony as a browser with a platform authenticator would (P-256 keys,
// discoverable, user verified, "none" attestation), so tests can register and use passkeys
// without a browser.
package webauthntest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// Authenticator holds passkeys and answers ceremonies from one origin. It is safe for
// concurrent use.
type Authenticator struct {
	// Origin is the page's origin the browser reports (https://example.com).
	Origin string

	*keyring
}

// keyring is what an authenticator holds, whichever page uses it.
type keyring struct {
	mu    sync.Mutex
	creds []*credential
}

type credential struct {
	id, userHandle []byte
	rpID           string
	key            *ecdsa.PrivateKey
	counter        uint32
}

// New returns an authenticator with no passkeys, used from origin.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin, keyring: &keyring{}} }

// On returns the same authenticator (the same passkeys) used by a page of another origin.
func (a *Authenticator) On(origin string) *Authenticator {
	return &Authenticator{Origin: origin, keyring: a.keyring}
}

// options are the parts of a ceremony's options the authenticator reads.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Exclude []descriptor `json:"excludeCredentials"`
		Allow   []descriptor `json:"allowCredentials"`
	} `json:"publicKey"`
}

type descriptor struct {
	ID string `json:"id"`
}

const (
	flagUP = 0x01 // user present
	flagUV = 0x04 // user verified
	flagAT = 0x40 // attested credential data included
)

// Create answers registration options (navigator.credentials.create) with a new passkey.
func (a *Authenticator) Create(opts []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(opts, &o); err != nil {
		return nil, err
	}
	handle, err := b64(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("user id: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ex := range o.PublicKey.Exclude {
		if a.find(ex.ID) != nil {
			return nil, errors.New("webauthntest: InvalidStateError: this authenticator holds an excluded credential")
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &credential{id: make([]byte, 16), userHandle: handle, rpID: o.PublicKey.RP.ID, key: key}
	if _, err := rand.Read(c.id); err != nil {
		return nil, err
	}
	pub, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, // P-256
		XCoord:        key.X.FillBytes(make([]byte, 32)),
		YCoord:        key.Y.FillBytes(make([]byte, 32)),
	})
	if err != nil {
		return nil, err
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(c.id)))
	attested = append(append(attested, c.id...), pub...)
	authData := authenticatorData(c.rpID, flagUP|flagUV|flagAT, 0, attested)
	object, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": authData})
	if err != nil {
		return nil, err
	}
	clientData, err := a.clientData("webauthn.create", o.PublicKey.Challenge)
	if err != nil {
		return nil, err
	}
	a.creds = append(a.creds, c)
	id := enc(c.id)
	return json.Marshal(map[string]any{
		"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"attestationObject": enc(object),
			"clientDataJSON":    enc(clientData),
			"transports":        []string{"internal"},
		},
	})
}

// Get answers assertion options (navigator.credentials.get) with the first passkey for the
// relying party that the options allow (any, for a discoverable login).
func (a *Authenticator) Get(opts []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(opts, &o); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var c *credential
	for _, cand := range a.creds {
		if cand.rpID != o.PublicKey.RPID {
			continue
		}
		if len(o.PublicKey.Allow) == 0 || slicesContains(o.PublicKey.Allow, enc(cand.id)) {
			c = cand
			break
		}
	}
	if c == nil {
		return nil, errors.New("webauthntest: NotAllowedError: no passkey for these options")
	}
	c.counter++
	authData := authenticatorData(c.rpID, flagUP|flagUV, c.counter, nil)
	clientData, err := a.clientData("webauthn.get", o.PublicKey.Challenge)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(bytes.Clone(authData), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		return nil, err
	}
	id := enc(c.id)
	return json.Marshal(map[string]any{
		"id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"authenticatorData": enc(authData),
			"clientDataJSON":    enc(clientData),
			"signature":         enc(sig),
			"userHandle":        enc(c.userHandle),
		},
	})
}

// SetCounters sets every passkey's signature counter to n, as a clone of the authenticator
// made when the counters were n would have them.
func (a *Authenticator) SetCounters(n uint32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range a.creds {
		c.counter = n
	}
}

// Len is how many passkeys the authenticator holds.
func (a *Authenticator) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.creds)
}

func (a *Authenticator) find(id string) *credential {
	for _, c := range a.creds {
		if enc(c.id) == id {
			return c
		}
	}
	return nil
}

func (a *Authenticator) clientData(typ, challenge string) ([]byte, error) {
	return json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
}

func authenticatorData(rpID string, flags byte, counter uint32, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, counter)
	return append(out, attested...)
}

func slicesContains(list []descriptor, id string) bool {
	for _, d := range list {
		if d.ID == id {
			return true
		}
	}
	return false
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// b64 reads base64url with or without padding, as browsers' JSON serialisations differ.
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(trimPad(s))
}

func trimPad(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}
