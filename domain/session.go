package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Session is a browser login. Its secret (the sessionid cookie) is stored only as SecretHash.
type Session struct {
	ID         string // public id, shown in lists and used to revoke
	UserID     UserID
	SecretHash SecretHash
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the earlier of the idle and the absolute deadline
	IP         string
	UserAgent  string
	Level      AuthLevel // of the login that started it
}

// Expired reports whether the session is over at now. A session is over at its deadline
// exactly: the instant ExpiresAt is no longer valid.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// IssuedSession is a new session together with its secret and CSRF token, which exist only in
// the response that creates them.
type IssuedSession struct {
	Session
	Secret    string
	CSRFToken string
}

// SessionPolicy holds the session lifetimes. Idle slides with use; Absolute does not, so a
// stolen session cookie stops working after Absolute whatever happens (OWASP Session
// Management Cheat Sheet).
type SessionPolicy struct {
	Idle     time.Duration
	Absolute time.Duration
}

// ExpiresAt returns the deadline of a session created at created and last seen at lastSeen.
func (p SessionPolicy) ExpiresAt(created, lastSeen time.Time) time.Time {
	idle, absolute := lastSeen.Add(p.Idle), created.Add(p.Absolute)
	if idle.Before(absolute) {
		return idle
	}
	return absolute
}

// SessionBinding ties a session to the client that logged in: a request from another IP
// address or User-Agent ends the session. Off by default: mobile clients change address.
type SessionBinding struct {
	IP, UserAgent bool
}

// Mismatch reports whether a request from ip with userAgent may not use session s.
func (b SessionBinding) Mismatch(s Session, ip, userAgent string) bool {
	return b.IP && s.IP != ip || b.UserAgent && s.UserAgent != TruncateUserAgent(userAgent)
}

// MaxUserAgentLength bounds what a session records of the client's User-Agent.
const MaxUserAgentLength = 256

// TruncateUserAgent keeps the first MaxUserAgentLength bytes of ua without splitting a
// character and drops invalid UTF-8, so a hostile header cannot bloat the store.
func TruncateUserAgent(ua string) string {
	ua = strings.ToValidUTF8(ua, "")
	if len(ua) <= MaxUserAgentLength {
		return ua
	}
	cut := MaxUserAgentLength
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}

// TouchDue reports whether a last-used time recorded at last should be written again at now.
// Writing at most once per interval keeps an authenticated request to a single store read.
func TouchDue(last, now time.Time, interval time.Duration) bool {
	return now.Sub(last) >= interval
}
