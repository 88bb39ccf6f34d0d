package domain

import "time"

// ImportedUser is an account as another system (Django's auth_user) stored it, read for
// import. PasswordHash is kept as it is: Gatehouse verifies the foreign format and re-hashes
// the password at the first login.
type ImportedUser struct {
	SourceID     int64 // the primary key in the source, which its tokens refer to
	Username     string
	Email        string
	PasswordHash string
	IsActive     bool
	DateJoined   time.Time
}

// ImportedToken is an API token as Django REST Framework stored it: its key in clear. The key
// is a secret; it must never be logged or reported.
type ImportedToken struct {
	Key          string
	SourceUserID int64 // ImportedUser.SourceID of its owner
	Created      time.Time
}

// ImportRecord is one row read from an export; exactly one of User and Token is set.
type ImportRecord struct {
	User  *ImportedUser
	Token *ImportedToken
}

// ImportedTokenName labels the tokens imported from Django REST Framework, so their owners can
// tell them apart in their token list and revoke them.
const ImportedTokenName = "imported-drf"
