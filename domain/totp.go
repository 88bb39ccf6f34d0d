package domain

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP (RFC 6238) with the parameters every authenticator app assumes when an otpauth:// URI
// names none: HMAC-SHA1, six digits, 30-second steps. pquerna/otp does the HOTP arithmetic
// (RFC 4226 §5.3); the rules around it — skew, replay, constant-time comparison — are here.
const (
	// TOTPSecretBytes is the size of a TOTP secret: 160 bits, the HMAC-SHA1 output size that
	// RFC 4226 §4 (R6) recommends, and what Google Authenticator generates.
	TOTPSecretBytes = 20
	// TOTPPeriod is the length of one time step.
	TOTPPeriod = 30 * time.Second
	// TOTPDigits is the length of a code.
	TOTPDigits = 6
	// TOTPSkew is how many steps before or after the current one a code may belong to, for
	// clocks that drift and codes typed at the end of their step (RFC 6238 §5.2 recommends
	// at most one).
	TOTPSkew = 1
)

// TOTPSecret is the shared secret of a TOTP factor. It never prints (String and GoString hide
// it); Base32 and URI are the two deliberate ways to show it, once, at enrolment.
type TOTPSecret [TOTPSecretBytes]byte

// NewTOTPSecret returns the secret made of random bytes.
func NewTOTPSecret(random [TOTPSecretBytes]byte) TOTPSecret { return TOTPSecret(random) }

// totpBase32 is the secret's encoding in otpauth:// URIs and for typing by hand: RFC 4648
// base32 without padding (20 bytes make 32 characters, so there is none anyway).
var totpBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Base32 returns the secret as a user types it into an authenticator app by hand.
func (s TOTPSecret) Base32() string { return totpBase32.EncodeToString(s[:]) }

// String hides the secret.
func (s TOTPSecret) String() string { return "TOTPSecret(hidden)" }

// GoString hides the secret from %#v too.
func (s TOTPSecret) GoString() string { return s.String() }

// ErrTOTPLabel means an issuer or account name cannot go into an otpauth:// URI: it is empty
// or holds a colon, which separates the two in the URI's label (Key Uri Format).
var ErrTOTPLabel = errors.New("TOTP issuer and account must be non-empty and hold no colon")

// URI returns the otpauth:// URI an authenticator app scans from a QR code: the issuer (the
// product's name) and the account (the username) label the entry in the app. Usernames hold
// no colon (NormalizeUsername), so only a bad issuer makes it fail.
func (s TOTPSecret) URI(issuer, account string) (string, error) {
	if issuer == "" || account == "" || strings.Contains(issuer, ":") || strings.Contains(account, ":") {
		return "", ErrTOTPLabel
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Secret: s[:],
		Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", err
	}
	return key.URL(), nil
}

// TOTPStep returns the time step t falls in: RFC 6238's T, whole periods since the Unix epoch.
func TOTPStep(t time.Time) int64 {
	step := int64(TOTPPeriod / time.Second)
	u := t.Unix()
	if u < 0 {
		return (u - step + 1) / step // floor, though no clock here is set before 1970
	}
	return u / step
}

// TOTPCode returns the code of secret for step. Tests and examples use it to play the app.
func TOTPCode(secret TOTPSecret, step int64) string {
	code, err := hotp.GenerateCodeCustom(secret.Base32(), uint64(step), hotp.ValidateOpts{
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		// Only a secret that is not base32 fails, and Base32 always is.
		panic("domain: TOTP code of a well-formed secret: " + err.Error())
	}
	return code
}

// CheckTOTP is the rule for accepting a TOTP code. It reports whether code is the code of
// secret for a step within TOTPSkew of now's step that is later than last, the step of the
// last code accepted for this factor (0 for none), and returns that step; the caller records
// it as the new last step, and only if that recording wins (ports.FactorStore.UseTOTPStep)
// is the code accepted.
//
// Refusing steps up to last makes each code usable once (RFC 6238 §5.2: "the verifier MUST
// NOT accept the second attempt of the OTP after the successful validation has been issued
// for the first OTP"), and also refuses a code older than one already used. Where one code
// happens to be the code of two steps in the window, the later step is returned, so the same
// code typed again cannot match the other step.
//
// Spaces in code are ignored ("123 456", as apps show it). Every candidate step is compared,
// in constant time, whether or not an earlier one matched.
func CheckTOTP(secret TOTPSecret, code string, now time.Time, last int64) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := TOTPStep(now)
	for s := cur - TOTPSkew; s <= cur+TOTPSkew; s++ {
		match := subtle.ConstantTimeCompare([]byte(TOTPCode(secret, s)), []byte(code)) == 1
		if match && s > last {
			step, ok = s, true
		}
	}
	return step, ok
}

// TOTPQRCodePNG draws uri (an otpauth:// URI from URI) as a QR code in a PNG image of
// size×size pixels, for an authenticator app to scan. pquerna/otp draws it with
// boombuler/barcode.
func TOTPQRCodePNG(uri string, size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, err
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
