package redisstore

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// A credential record is one string value, so authenticating is one GET and its decoding
// slices the reply without copying it (a hash read by HGETALL cost the server three times
// the time of a GET and the client a map of fourteen strings on every request, issue #6):
//
//	<deadline> <last use> <fields>
//
// The deadline and the last use (a token's last use, a session's last activity) are
// microseconds since the epoch, zero-padded to 18 digits (any four-digit year), 0 for none:
// fixed places, so the scripts that touch a record rewrite them by position. The fields
// follow as netstrings (<length>:<bytes>): the user id, the creation time, the public id,
// then the kind's strings (a token's name; a session's IP and user agent; a code's address
// and, when it has any, its data), so no byte of a name can break the format.
//
// A session or token then has a sixth field, its authentication level (issue #16), after both
// string fields (a token's second is empty), so it sits at the same place for every kind; a
// code has none. It trails rather than joins the header because the scripts rewrite the
// header by position and an older version's decode reads five fields and ignores the rest:
// records written before levels (five fields or fewer) read as level 0, "not stored", which
// the stores report as domain.LevelPassword, and a node of the previous version can still
// read the records of this one during a rolling upgrade.
const (
	stampDigits = 18                // the scripts (recordUpdate, recordDelete, upgradeLua) use these widths
	headerLen   = 2*stampDigits + 2 // the two stamps and their separators
)

// record is a decoded credential record.
type record struct {
	exp, last, created time.Time
	uid                int64
	id                 string
	strs               [2]string
	level              uint8  // 0 when the record has none
	hash               string // the secret hash's hex, known when listing
}

// stamp formats t for a record's header.
func stamp(t time.Time) string {
	s := micros(t)
	return strings.Repeat("0", max(stampDigits-len(s), 0)) + s
}

// encode makes the record of a credential. A non-zero level is written as the sixth field,
// after strs padded to two; a code, which has no level, passes 0.
func encode(exp, last time.Time, uid int64, created time.Time, id string, level uint8, strs ...string) string {
	b := make([]byte, 0, headerLen+64)
	b = append(b, stamp(exp)...)
	b = append(b, ' ')
	b = append(b, stamp(last)...)
	b = append(b, ' ')
	fields := append([]string{strconv.FormatInt(uid, 10), micros(created), id}, strs...)
	if level != 0 {
		for len(fields) < levelField {
			fields = append(fields, "")
		}
		fields = append(fields, strconv.Itoa(int(level)))
	}
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
	}
	return string(b)
}

// levelField is the index of the level among a record's fields.
const levelField = 5

var errCorrupt = errors.New("redis: malformed credential record")

// decode reads a record; its strings share r's memory.
func decode(r string) (record, error) {
	var rec record
	var fields [levelField + 1]string
	exp, last, n, ok := split(r, fields[:])
	if !ok || n < 3 {
		return rec, errCorrupt
	}
	rec.exp, rec.last = exp, last
	uid, ok1 := number(fields[0])
	created, ok2 := number(fields[1])
	if !ok1 || !ok2 {
		return rec, errCorrupt
	}
	rec.uid, rec.created, rec.id = uid, fromMicros(created), fields[2]
	rec.strs = [2]string{fields[3], fields[4]}
	if n > levelField {
		level, ok := number(fields[levelField])
		if !ok || level == 0 || level > math.MaxUint8 {
			return rec, errCorrupt
		}
		rec.level = uint8(level)
	}
	return rec, nil
}

// split reads the layout every record here shares (the two stamps of the header, then
// netstrings): the stamps, and up to len(fields) netstrings into fields, reporting how many.
// Netstrings past those are left unread, so a newer version may append fields. ok is false
// for a malformed record.
func split(r string, fields []string) (first, second time.Time, n int, ok bool) {
	if len(r) < headerLen || r[stampDigits] != ' ' || r[headerLen-1] != ' ' {
		return time.Time{}, time.Time{}, 0, false
	}
	a, ok1 := number(r[:stampDigits])
	b, ok2 := number(r[stampDigits+1 : headerLen-1])
	if !ok1 || !ok2 {
		return time.Time{}, time.Time{}, 0, false
	}
	rest := r[headerLen:]
	for rest != "" && n < len(fields) {
		size, tail, found := strings.Cut(rest, ":")
		l, err := strconv.Atoi(size)
		if !found || err != nil || l < 0 || l > len(tail) {
			return time.Time{}, time.Time{}, 0, false
		}
		fields[n], rest = tail[:l], tail[l:]
		n++
	}
	return fromMicros(a), fromMicros(b), n, true
}

// number parses a non-negative decimal written by encode: digits only, no sign.
func number(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// fromMicros is the time of a stamp; 0 is none.
func fromMicros(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// fromHash reads a record in the layout of earlier versions, a hash: a token's last use
// was "used" and its name "name"; a session's last activity "seen", with "ip" and "ua".
func fromHash(m map[string]string) (record, error) {
	uid, err := strconv.ParseInt(m["uid"], 10, 64)
	if err != nil {
		return record{}, errCorrupt
	}
	rec := record{exp: parseMicros(m["exp"]), last: parseMicros(m["used"]), created: parseMicros(m["created"]),
		uid: uid, id: m["id"], strs: [2]string{m["name"]}}
	if seen, ok := m["seen"]; ok {
		rec.last, rec.strs = parseMicros(seen), [2]string{m["ip"], m["ua"]}
	}
	return rec, nil
}

// upgradeLua turns a record kept as a hash by an earlier version into the string layout
// above, keeping its lifetime. Every script that rewrites a record runs it first; reads of
// a hash record decode it where they find it (fromHash).
const upgradeLua = `
local function upgrade(k)
  if redis.call('TYPE', k).ok ~= 'hash' then return end
  local f = redis.call('HGETALL', k)
  local h = {}
  for i = 1, #f, 2 do h[f[i]] = f[i + 1] end
  local function pad(s) s = s or '0' return string.rep('0', 18 - #s) .. s end
  local function ns(s) s = s or '' return #s .. ':' .. s end
  local last, strs = h.used, ns(h.name)
  if h.seen then last, strs = h.seen, ns(h.ip) .. ns(h.ua) end
  local r = pad(h.exp) .. ' ' .. pad(last) .. ' ' .. ns(h.uid) .. ns(h.created) .. ns(h.id) .. strs
  local ttl = redis.call('PTTL', k)
  redis.call('DEL', k)
  if ttl > 0 then redis.call('SET', k, r, 'PX', ttl) else redis.call('SET', k, r) end
end
`
