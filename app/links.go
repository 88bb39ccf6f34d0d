package app

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// A link sent by mail (password reset, email verification, email change) is a domain.OneTimeCode: a
// secret with its kind's prefix, stored only as its hash, owned by a user, bound to the
// address it went to, expiring, used once. newLink and consumeLink are the two halves every
// kind shares; each kind adds its mail and what following the link does.

// linkKind is what sets one kind of link apart from another.
type linkKind struct {
	purpose domain.CodePurpose
	prefix  string
	valid   func(string) bool // the prefix's well-formedness check
}

var (
	resetLinks  = linkKind{domain.PurposePasswordReset, domain.ResetPrefix, domain.ValidResetSecret}
	verifyLinks = linkKind{domain.PurposeVerifyEmail, domain.VerifyPrefix, domain.ValidVerifySecret}
	changeLinks = linkKind{domain.PurposeEmailChange, domain.EmailChangePrefix, domain.ValidEmailChangeSecret}
)

// newLink voids user's live links of kind, stores a new one bound to the address it is
// mailed to, valid for ttl, and returns its secret. Only the newest link of a kind works: a
// mail sent later voids the earlier ones, so an old mail that leaks later is worth nothing.
func newLink(ctx context.Context, codes ports.CodeStore, random ports.Random, clock ports.Clock,
	kind linkKind, user domain.UserID, email string, ttl time.Duration) (string, error) {
	if _, err := codes.DeleteUserCodes(ctx, user, kind.purpose); err != nil {
		return "", err
	}
	secret, _, err := newSecret(random, kind.prefix)
	if err != nil {
		return "", err
	}
	now := clock.Now()
	code := domain.OneTimeCode{Purpose: kind.purpose, UserID: user, Hash: domain.HashSecret(secret),
		Email: email, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := codes.CreateCode(ctx, code); err != nil {
		return "", err
	}
	return secret, nil
}

// consumeLink returns the live code of kind whose secret is token, and deletes it in the
// same atomic step, so of any number of concurrent uses exactly one gets it. A malformed
// token is domain.ErrNotFound without a store lookup, as is an unknown, used, voided or
// expired one: callers give one answer to all of them.
func consumeLink(ctx context.Context, codes ports.CodeStore, kind linkKind, token string) (domain.OneTimeCode, error) {
	if !kind.valid(token) {
		return domain.OneTimeCode{}, domain.ErrNotFound
	}
	return codes.ConsumeCode(ctx, kind.purpose, domain.HashSecret(token))
}
