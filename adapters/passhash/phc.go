package passhash

import (
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The PHC string format (https://github.com/P-H-C/phc-string-format) as the argon2
// reference implementation writes it, and as Django's Argon2PasswordHasher stores it after
// its "argon2" prefix:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// Salt and hash are unpadded standard base64 (base64.RawStdEncoding).
const phcPrefix = "$argon2id$v=19$"

// maxEncodedLen bounds the input parsePHC looks at: the prefix, three parameters of at most
// ten digits, and 1 KiB each of salt and hash in base64.
const maxEncodedLen = len(phcPrefix) + len("m=,t=,p=$$") + 3*10 + 2*((maxSaltLen*4+2)/3)

// encodePHC formats an argon2id hash.
func encodePHC(p Params, salt, key []byte) string {
	var b strings.Builder
	b.Grow(len(phcPrefix) + 32 + base64.RawStdEncoding.EncodedLen(len(salt)) +
		base64.RawStdEncoding.EncodedLen(len(key)))
	b.WriteString("$argon2id$v=")
	b.WriteString(strconv.Itoa(argon2.Version))
	b.WriteString("$m=")
	b.WriteString(strconv.FormatUint(uint64(p.Memory), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(p.Time), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(p.Threads), 10))
	b.WriteByte('$')
	b.WriteString(base64.RawStdEncoding.EncodeToString(salt))
	b.WriteByte('$')
	b.WriteString(base64.RawStdEncoding.EncodeToString(key))
	return b.String()
}

// parsePHC parses s strictly: the argon2id identifier, version 19 (0x13, the only version
// RFC 9106 defines), the parameters m, t and p in that order as canonical decimals, then
// salt and hash in canonical unpadded base64, and nothing else. The returned Params carry
// the decoded salt and hash lengths. Anything else, including parameters outside the bounds
// New enforces, is rejected before argon2 runs, so a hostile string cannot make Verify
// allocate gigabytes or spin for minutes.
func parsePHC(s string) (p Params, salt, key []byte, ok bool) {
	if len(s) > maxEncodedLen {
		return Params{}, nil, nil, false
	}
	rest, found := strings.CutPrefix(s, phcPrefix)
	if !found {
		return Params{}, nil, nil, false
	}
	fields := strings.Split(rest, "$")
	if len(fields) != 3 {
		return Params{}, nil, nil, false
	}
	kv := strings.Split(fields[0], ",")
	if len(kv) != 3 {
		return Params{}, nil, nil, false
	}
	m, okM := parseParam(kv[0], "m=", maxMemory)
	t, okT := parseParam(kv[1], "t=", maxTime)
	th, okP := parseParam(kv[2], "p=", 255)
	if !okM || !okT || !okP {
		return Params{}, nil, nil, false
	}
	salt, okS := decodeB64(fields[1])
	key, okK := decodeB64(fields[2])
	if !okS || !okK {
		return Params{}, nil, nil, false
	}
	p = Params{
		Memory:  uint32(m),
		Time:    uint32(t),
		Threads: uint8(th),
		SaltLen: uint32(len(salt)),
		KeyLen:  uint32(len(key)),
	}
	if p.validate() != nil {
		return Params{}, nil, nil, false
	}
	return p, salt, key, true
}

// parseParam parses "name=value" where value is a decimal no greater than max, with no
// sign and no leading zeros, as the PHC format requires.
func parseParam(s, name string, max uint64) (uint64, bool) {
	v, found := strings.CutPrefix(s, name)
	if !found || len(v) == 0 || len(v) > 10 || (v[0] == '0' && len(v) > 1) {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > max {
		return 0, false
	}
	return n, true
}

// decodeB64 decodes unpadded standard base64 and accepts only the canonical encoding:
// the decoder on its own skips newlines and, without Strict, ignores nonzero trailing bits,
// so two strings could name one hash.
func decodeB64(s string) ([]byte, bool) {
	b, err := base64.RawStdEncoding.Strict().DecodeString(s)
	if err != nil || base64.RawStdEncoding.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}
