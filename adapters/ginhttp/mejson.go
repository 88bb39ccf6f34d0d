package ginhttp

import (
	"net/http"
	"strconv"
	"sync"
	"time"

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
	b = append(b, '"')
	b = appendEscaped(b, s, true)
	return append(b, '"')
}
