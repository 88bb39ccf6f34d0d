package ports

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// EmailChangeRequest is the input of EmailChanges.RequestEmailChange: the new address, the
// current password given again, and the client, named in the notice to the old address.
type EmailChangeRequest struct {
	Email     string
	Password  string
	IP        string // the client's address, for the throttles
	UserAgent string
}

// EmailChangeConfirm is the input of EmailChanges.ConfirmEmailChange: the secret of the
// link, and the client, named in the notice to the old address.
type EmailChangeConfirm struct {
	Token     string
	IP        string
	UserAgent string
}

// EmailChanges is the email change of issue #15: a link to the new address, a notice to
// the old one, and the change applied only when the link is followed. Both answer
// domain.ErrNotFound when mail is off.
type EmailChanges interface {
	// RequestEmailChange checks p's password again and mails a confirmation link to the new
	// address and a notice to the current one; a newer request voids the older links. A
	// wrong password is a *domain.ValidationError on "password"; a malformed address, or
	// the account's own, one on "email"; an address another account has (under
	// domain.EmailUnique) domain.ErrEmailTaken; a throttled request
	// *domain.RateLimitedError.
	RequestEmailChange(ctx context.Context, p domain.Principal, in EmailChangeRequest) error
	// ConfirmEmailChange sets the link's address as its account's, verified, and returns
	// it. A malformed, unknown, used, voided or expired link is a *domain.ValidationError on
	// "token"; an address taken since the request domain.ErrEmailTaken.
	ConfirmEmailChange(ctx context.Context, in EmailChangeConfirm) (string, error)
}
