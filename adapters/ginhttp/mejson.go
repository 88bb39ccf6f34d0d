package ginhttp

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// GET /me answers on every authenticated request a client makes to check its credentials, so
// its JSON is written by hand into a pooled buffer: encoding/json's reflection and its three
// allocations were a tenth of the server's time under load (issue #6). The bytes are those
// encoding/json writes for meView; a test holds the two to that.

var meBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

var jsonContentType = []string{"application/json; charset=utf-8"}

// writeMe answers 200 with v as JSON.
func writeMe(c *gin.Context, v meView) {
	bp := meBuffers.Get().(*[]byte)
	b := appendMe((*bp)[:0], v)
	c.Writer.Header()["Content-Type"] = jsonContentType
	c.Writer.WriteHeader(http.StatusOK)
	_, _ = c.Writer.Write(b)
	*bp = b
	meBuffers.Put(bp)
}

func appendMe(b []byte, v meView) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, int64(v.ID), 10)
	b = append(b, `,"username":`...)
	b = appendJSONString(b, v.Username)
	b = append(b, `,"email":`...)
	b = appendJSONString(b, v.Email)
	b = append(b, `,"email_verified":`...)
	b = strconv.AppendBool(b, v.EmailVerified)
	b = append(b, `,"date_joined":"`...)
	b = v.DateJoined.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","auth":{"method":`...)
	b = appendJSONString(b, string(v.Auth.Method))
	if v.Auth.SessionID != "" {
		b = append(b, `,"session_id":`...)
		b = appendJSONString(b, v.Auth.SessionID)
	}
	if v.Auth.TokenID != "" {
		b = append(b, `,"token_id":`...)
		b = appendJSONString(b, v.Auth.TokenID)
	}
	b = append(b, `},"auth_level":`...)
	b = strconv.AppendUint(b, uint64(v.AuthLevel), 10)
	b = append(b, `,"factors":`...)
	if v.Factors == nil {
		return append(b, "null}"...)
	}
	b = append(b, '[')
	for i, f := range v.Factors {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, string(f))
	}
	return append(b, "]}"...)
}

// appendJSONString quotes s as encoding/json does by default: control characters, quote and
// backslash escaped, <, > and & as \u003c, \u003e, \u0026 (safe inside HTML), U+2028 and
// U+2029 escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
