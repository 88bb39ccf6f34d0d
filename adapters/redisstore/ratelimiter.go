package redisstore

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

var _ ports.RateLimiter = (*RateLimiter)(nil)

// RateLimiter limits events per key by the generic cell rate algorithm (GCRA), so limits
// hold across every instance that shares the server. Each key is one string at
// <prefix>throttle:<key> holding its theoretical arrival time (TAT) in Unix microseconds:
// the instant by which its events so far would have arrived had they come at the steady
// rate. An event is allowed when, counted in, the key is no more than the rate's period
// ahead of now; a burst of Events is thus allowed at once and one more per interval after it.
//
// Check and record are one Lua script on one key, so concurrent Takes cannot both see room
// for one event (no read-modify-write race), and the script runs on a Cluster whatever slot
// the key hashes to. Now comes from the injected clock, not the server's, so all instances
// judge by the same rule and a fake clock makes limits exact in tests. Take sets the key to
// vanish by a relative PEXPIRE once its TAT has passed, so idle keys hold no memory; until
// then a TAT in the past counts as none.
type RateLimiter struct {
	c     *Client
	clock ports.Clock
}

// NewRateLimiter returns the limiter of c; time is judged by clock.
func NewRateLimiter(c *Client, clock ports.Clock) *RateLimiter {
	return &RateLimiter{c: c, clock: clock}
}

// gcraPrelude reads the key's TAT and works out the wait, from ARGV now, interval and period,
// all in µs. Lua numbers are doubles, exact for integers up to 2^53 µs (the year 2255).
const gcraPrelude = `
local now, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or 0) or 0, now) + interval
local wait = tat - now - period
`

// rateWait returns the µs to wait before the next event; it writes nothing.
var rateWait = redis.NewScript(gcraPrelude + `
return math.max(wait, 0)`)

// rateTake counts one event if it is allowed and returns 0, else returns the µs to wait. The
// TAT is written with %d: tostring would keep only 14 significant digits. The key expires
// when its TAT passes, in whole milliseconds rounded up.
var rateTake = redis.NewScript(gcraPrelude + `
if wait > 0 then return wait end
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.max(1, math.ceil((tat - now) / 1000)))
return 0`)

// rateCancel moves the TAT back one interval, from ARGV now and interval; a key with nothing
// outstanding is left alone, and one left with nothing outstanding is deleted.
var rateCancel = redis.NewScript(`
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat <= now then return 0 end
tat = tat - interval
if tat <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.max(1, math.ceil((tat - now) / 1000)))
end
return 0`)

// Wait implements ports.RateLimiter with one script that reads one key.
func (l *RateLimiter) Wait(ctx context.Context, key string, rate domain.Rate) (time.Duration, error) {
	return l.run(ctx, rateWait, key, rate)
}

// Take implements ports.RateLimiter with one script that reads and writes one key.
func (l *RateLimiter) Take(ctx context.Context, key string, rate domain.Rate) (time.Duration, error) {
	return l.run(ctx, rateTake, key, rate)
}

// Cancel implements ports.RateLimiter with one script that reads and writes one key.
func (l *RateLimiter) Cancel(ctx context.Context, key string, rate domain.Rate) error {
	_, err := l.run(ctx, rateCancel, key, rate)
	return err
}

func (l *RateLimiter) run(ctx context.Context, script *redis.Script, key string, rate domain.Rate) (time.Duration, error) {
	if rate.Off() {
		return 0, nil
	}
	// Whole microseconds, at least one, and a period of at least one interval, so that every
	// rate that is not Off allows at least one event (as the memory limiter does).
	interval := max(1, rate.Interval().Microseconds())
	period := max(interval, rate.Per.Microseconds())
	ctx, cancel := l.c.ctx(ctx)
	defer cancel()
	wait, err := script.Run(ctx, l.c.rdb, []string{l.c.key("throttle", key)},
		l.clock.Now().UnixMicro(), interval, period).Int64()
	if err != nil {
		return 0, translate(err)
	}
	return time.Duration(wait) * time.Microsecond, nil
}
