package domain_test

import (
	"fmt"

	"github.com/gatehouse/gatehouse/domain"
)

// CSRFToken derives a session's token from its id; CheckCSRF wants it back on unsafe methods.
func ExampleCheckCSRF() {
	var random [domain.SecretBytes]byte
	// Nothing is stored beside the session: the token is an HMAC of its id.
	session := domain.EncodeSecret(domain.SessionPrefix, random)
	token := domain.CSRFToken(session)
	fmt.Println(len(token), token == domain.CSRFToken(session))

	fmt.Println(domain.CheckCSRF("GET", token, ""))
	fmt.Println(domain.CheckCSRF("POST", token, ""))
	fmt.Println(domain.CheckCSRF("POST", token, "forged"))
	fmt.Println(domain.CheckCSRF("POST", token, token))
	// Output:
	// 43 true
	// <nil>
	// CSRF Failed: CSRF token missing.
	// CSRF Failed: CSRF token incorrect.
	// <nil>
}

// A login form's signed double-submit token verifies under old keys during a key rotation.
func ExampleServerKeys_CheckFormToken() {
	// The cookie holds a nonce and the form its MAC under the server key, so a cookie planted
	// without the form's token forges nothing.
	oldKey, newKey := [domain.ServerKeyBytes]byte{1}, [domain.ServerKeyBytes]byte{2}
	var random [domain.SecretBytes]byte
	nonce := domain.NewFormNonce(random) // the formcsrf cookie
	issued := domain.NewServerKeys(oldKey).FormToken(nonce)

	rotated := domain.NewServerKeys(newKey, oldKey)
	fmt.Println(rotated.CheckFormToken(nonce, issued))
	fmt.Println(rotated.CheckFormToken("", issued))
	fmt.Println(domain.NewServerKeys(newKey).CheckFormToken(nonce, issued))
	// Output:
	// <nil>
	// CSRF Failed: CSRF cookie not set.
	// CSRF Failed: CSRF token incorrect.
}
