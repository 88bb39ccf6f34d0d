package app

import (
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// newSecret draws a secret with the given prefix and a public id from random.
func newSecret(random ports.Random, prefix string) (secret, id string, err error) {
	var s [domain.SecretBytes]byte
	var i [domain.PublicIDBytes]byte
	if err := random.Read(s[:]); err != nil {
		return "", "", err
	}
	if err := random.Read(i[:]); err != nil {
		return "", "", err
	}
	return domain.EncodeSecret(prefix, s), domain.NewPublicID(i), nil
}
