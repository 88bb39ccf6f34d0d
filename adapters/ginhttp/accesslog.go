package ginhttp

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// AccessLog writes the access log's lines itself instead of through slog: one line per
// request is the one log line on every request's path, and slog's handlers spent more on it
// (a Record, its attributes, runtime.Callers, a formatting state) than Gatehouse spends on
// the request itself. The lines are byte for byte those of slog's JSON or text handler with
// default options for the same record; which requests are logged is still the logger's
// decision (its level), so the two must write to the same destination.
type AccessLog struct {
	out  io.Writer
	text bool
}

// NewAccessLog returns an access log writing to out in the format of slog.NewJSONHandler,
// or of slog.NewTextHandler when text is set. out must be the destination of the Server's
// logger, shared through a SyncWriter so that lines of the two never interleave.
func NewAccessLog(out *SyncWriter, text bool) *AccessLog {
	return &AccessLog{out: out, text: text}
}

// accessRecord is what one access line says.
type accessRecord struct {
	time                  time.Time
	id, method, route, ip string
	status                int
	duration              time.Duration
}

// lineBuffers hold lines being formatted; a line is about 200 bytes.
var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// write formats r and writes it with one Write. Errors are dropped, as slog.Logger drops
// its handler's.
func (a *AccessLog) write(r *accessRecord) {
	bp := lineBuffers.Get().(*[]byte)
	var b []byte
	if a.text {
		b = appendTextAccess((*bp)[:0], r)
	} else {
		b = appendJSONAccess((*bp)[:0], r)
	}
	_, _ = a.out.Write(b)
	if cap(b) <= 4<<10 { // a line swollen by a hostile value is not kept
		*bp = b
		lineBuffers.Put(bp)
	}
}

// appendJSONAccess appends r as slog's JSON handler writes a record of message "request" at
// level INFO with these attributes.
func appendJSONAccess(b []byte, r *accessRecord) []byte {
	b = append(b, `{"time":"`...)
	b = r.time.Round(0).AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","request_id":"`...)
	b = appendSlogJSONString(b, r.id)
	b = append(b, `","method":"`...)
	b = appendSlogJSONString(b, r.method)
	b = append(b, `","route":"`...)
	b = appendSlogJSONString(b, r.route)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(r.status), 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(r.duration), 10)
	b = append(b, `,"client_ip":"`...)
	b = appendSlogJSONString(b, r.ip)
	return append(b, "\"}\n"...)
}

// appendTextAccess appends r as slog's text handler writes it.
func appendTextAccess(b []byte, r *accessRecord) []byte {
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, r.time.Round(0))
	b = append(b, " level=INFO msg=request request_id="...)
	b = appendTextString(b, r.id)
	b = append(b, " method="...)
	b = appendTextString(b, r.method)
	b = append(b, " route="...)
	b = appendTextString(b, r.route)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(r.status), 10)
	b = append(b, " duration="...)
	b = append(b, r.duration.String()...)
	b = append(b, " client_ip="...)
	b = appendTextString(b, r.ip)
	return append(b, '\n')
}

// appendRFC3339Millis is slog's text time: RFC 3339 with exactly three decimals.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	// RFC3339Nano trims trailing zeros; a tenth of a millisecond added keeps four digits,
	// and the fourth is dropped (as log/slog does).
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

const hexDigits = "0123456789abcdef"

// appendSlogJSONString appends s escaped as log/slog's JSON handler escapes it (unquoted):
// control characters, quotes and backslashes escaped, invalid UTF-8 as \ufffd, U+2028 and
// U+2029 escaped, and <, > and & left as they are.
func appendSlogJSONString(b []byte, s string) []byte { return appendEscaped(b, s, false) }

// appendTextString appends s as slog's text handler does: as it is when it is plain,
// quoted by strconv otherwise.
func appendTextString(b []byte, s string) []byte {
	if textNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// textNeedsQuoting is log/slog's rule: empty, or any space, '=', '"', ASCII control character
// (DEL aside, which slog lets through), invalid UTF-8, or a non-ASCII space or unprintable rune.
func textNeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != '\\' && (c <= ' ' || c == '=' || c == '"') {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
