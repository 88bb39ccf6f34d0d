package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Throttle holds the rates that slow brute force and signup floods. A zero rate is off.
//
// Every password check is counted, before its hash runs, against three limits: per
// (username, client network), so one attacker cannot lock a user out from everywhere; per
// client network, so one network cannot try many users; and per account across all
// networks, so a botnet spreading its guesses over many addresses still meets a limit.
// A check that succeeds gives its counts back.
type Throttle struct {
	LoginUser    domain.Rate // per username and client network
	LoginIP      domain.Rate // per client network
	LoginAccount domain.Rate // per username, from anywhere
	SignupIP     domain.Rate // signups per client network
	ResetIP      domain.Rate // password reset requests per client network
	ResetTarget  domain.Rate // password reset requests per address or username, from anywhere
	VerifyUser   domain.Rate // verification mails per account, asked for or sent by a refused login
	// IPv6Prefix is how many leading bits of an IPv6 address are one client network (see
	// domain.ClientNetwork); IPv4 addresses count one by one. 0 means the default, /64.
	IPv6Prefix int
}

// DefaultThrottle is 5 failed logins a minute per user and network, 100 a minute per
// network, 100 an hour per account, 20 signups an hour per network, and 3 verification
// mails an hour per account; IPv6 clients are grouped by /64.
//
// The account-wide limit is the one a stranger can spend to lock a user out, so networks
// the user logged in from in the last 30 days are exempt from it, and it is loose enough that
// spending it takes a sustained attack; yet a botnet gets 2,400 guesses a day at one account
// instead of one budget per address.
func DefaultThrottle() Throttle {
	return Throttle{
		LoginUser:    domain.Rate{Events: 5, Per: time.Minute},
		LoginIP:      domain.Rate{Events: 100, Per: time.Minute},
		LoginAccount: domain.Rate{Events: 100, Per: time.Hour},
		SignupIP:     domain.Rate{Events: 20, Per: time.Hour},
		ResetIP:      domain.Rate{Events: 10, Per: time.Hour},
		ResetTarget:  domain.Rate{Events: 3, Per: time.Hour},
		VerifyUser:   domain.Rate{Events: 3, Per: time.Hour},
		IPv6Prefix:   domain.DefaultIPv6Prefix,
	}
}

// throttleKey names a counter. Parts are hashed, so a hostile username cannot make a huge
// or oddly shaped key, and the store never holds the username or address in clear.
func throttleKey(kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return kind + ":" + hex.EncodeToString(h.Sum(nil)[:16])
}

// limit is one counter an attempt is charged to.
type limit struct {
	key  string
	rate domain.Rate
}

// knownFor is how long a client network that logged in to an account stays exempt from
// the account's limit across addresses.
const knownFor = 30 * 24 * time.Hour

// knownRate is the rate of the marker that says a network logged in to an account: one
// event per knownFor, so a Take sets it and Wait reports it until knownFor has passed.
var knownRate = domain.Rate{Events: 1, Per: knownFor}

// network is the client network ip is counted under.
func (t Throttle) network(ip string) string {
	return domain.ClientNetwork(ip, cmp.Or(t.IPv6Prefix, domain.DefaultIPv6Prefix))
}

// knownKey names the marker of a network that logged in to username.
func (t Throttle) knownKey(username, ip string) string {
	return throttleKey("login-known", domain.UsernameKey(username), t.network(ip))
}

// loginLimits are the counters one password check of username from ip is charged to. A
// network the account logged in from recently (known) is exempt from the account-wide
// limit, so a stranger who spends it cannot lock the owner out of their usual networks
// (OWASP's "device cookies", by network): there the per-user and per-network limits hold.
func (t Throttle) loginLimits(username, ip string, known bool) []limit {
	name, network := domain.UsernameKey(username), t.network(ip)
	limits := []limit{
		{throttleKey("login-user", name, network), t.LoginUser},
		{throttleKey("login-ip", network), t.LoginIP},
	}
	if !known {
		limits = append(limits, limit{throttleKey("login-account", name), t.LoginAccount})
	}
	return limits
}

// passkeyLimits are the counters the start of a passkey login from ip is charged to: the
// network's login limit, as a password attempt from there would be.
func (t Throttle) passkeyLimits(ip string) []limit {
	return []limit{{throttleKey("login-ip", t.network(ip)), t.LoginIP}}
}

// signupLimits are the counters a signup from ip is charged to.
func (t Throttle) signupLimits(ip string) []limit {
	return []limit{{throttleKey("signup-ip", t.network(ip)), t.SignupIP}}
}

// resetLimits are the counters a password reset request from ip for target is charged to.
// target is "email:" or "username:" and the folded address or name, hashed by throttleKey:
// unknown targets are counted too, so the limit answers alike whether an account exists.
// The per-target limit keeps anyone from flooding one inbox.
func (t Throttle) resetLimits(ip, target string) []limit {
	return []limit{
		{throttleKey("reset-ip", t.network(ip)), t.ResetIP},
		{throttleKey("reset-target", target), t.ResetTarget},
	}
}

// verifyLimits are the counters a verification mail to user is charged to: asked for again,
// or sent because a login was refused for an unverified address, so that neither can flood
// the inbox.
func (t Throttle) verifyLimits(user domain.UserID) []limit {
	return []limit{{throttleKey("verify-user", strconv.FormatInt(int64(user), 10)), t.VerifyUser}}
}

// reservation is what one attempt took from its limits, to give back with cancel.
type reservation struct {
	limiter ports.RateLimiter
	taken   []limit
}

// reserve charges one attempt to every limit before the work they guard: each Take checks
// and records in one atomic step, so however many attempts arrive at once, no more of them
// get through than the tightest limit allows (golang.org/x/time/rate's Reserve; never "check,
// work, then record", which lets every attempt queued behind the work through). When a limit
// refuses, what the others took is given back and the answer is *domain.RateLimitedError; a
// store error fails closed.
func reserve(ctx context.Context, l ports.RateLimiter, limits []limit) (reservation, error) {
	r := reservation{limiter: l, taken: make([]limit, 0, len(limits))}
	for _, lim := range limits {
		if lim.rate.Off() {
			continue
		}
		wait, err := l.Take(ctx, lim.key, lim.rate)
		if err == nil && wait > 0 {
			err = &domain.RateLimitedError{RetryAfter: wait}
		}
		if err != nil {
			r.cancel(ctx)
			return reservation{}, err
		}
		r.taken = append(r.taken, lim)
	}
	return r, nil
}

// cancel gives back what r took. It is best effort: a store that fails now leaves the counts
// in place, which errs on the side of the limit. It runs even when ctx is done, for the
// caller may have given up after the work was decided.
func (r reservation) cancel(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
	for _, lim := range r.taken {
		_ = r.limiter.Cancel(ctx, lim.key, lim.rate)
	}
}

// isRateLimited reports whether err is a limit's refusal.
func isRateLimited(err error) bool {
	var limited *domain.RateLimitedError
	return errors.As(err, &limited)
}
