package ginhttp

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// The five jobs every request needs (request id and client, metrics, access log, panic
// recovery, security headers, body limit) run in one Gin handler, frame, rather than five:
// each handler is a c.Next frame on every request, and the metrics and the access log share
// one pair of clock readings. Middleware from Config.Middleware must run inside the access
// log and outside the recovery, so with any the frame is cut in two around it (outer, inner).

// frame is the one middleware of a Server without Config.Middleware.
func (s *Server) frame(c *gin.Context) {
	b := s.begin(c)
	s.inner(c)
	s.end(c, &b)
}

// outer opens and closes the request around Config.Middleware.
func (s *Server) outer(c *gin.Context) {
	b := s.begin(c)
	c.Next()
	s.end(c, &b)
}

// begun is what begin found out about a request for end.
type begun struct {
	start  time.Time // zero unless logged or observed
	id, ip string
	logged bool
}

// begin names the request (X-Request-ID, echoed) and its client, carried in the context for
// the handlers, and notes the time if anyone will want the duration.
//
// Header names are written in canonical form and set directly, and the client IP is worked
// out once and carried in the context: each of these would otherwise cost an allocation on
// every request.
func (s *Server) begin(c *gin.Context) begun {
	b := begun{logged: s.log.Enabled(c.Request.Context(), slog.LevelInfo)}
	if b.logged || s.cfg.ObserveRequest != nil {
		b.start = time.Now()
	}
	b.id = requestID(c.Request.Header.Get(requestIDHeader))
	c.Writer.Header()[requestIDHeader] = []string{b.id}
	b.ip = s.resolveClientIP(c.Request)
	c.Request = c.Request.WithContext(domain.WithRequest(c.Request.Context(), domain.Request{ID: b.id, ClientIP: b.ip}))
	return b
}

// end reports the answered request to Config.ObserveRequest and logs one line for it. The
// line names the route pattern, never the raw URL or headers, which can carry secrets.
func (s *Server) end(c *gin.Context, b *begun) {
	if !b.logged && s.cfg.ObserveRequest == nil {
		return
	}
	now := time.Now()
	elapsed := now.Sub(b.start)
	route := c.FullPath()
	if route == "" {
		route = unmatchedRoute
	}
	status := c.Writer.Status()
	if s.cfg.ObserveRequest != nil {
		s.cfg.ObserveRequest(route, c.Request.Method, status, elapsed)
	}
	if !b.logged {
		return
	}
	// A year slog's JSON handler would flag as an error (a clock gone wrong) takes slog's path.
	if y := now.Year(); s.cfg.AccessLog != nil && y >= 0 && y < 10000 {
		s.cfg.AccessLog.write(&accessRecord{time: now, id: b.id, method: c.Request.Method, route: route,
			status: status, duration: elapsed, ip: b.ip})
		return
	}
	s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("request_id", b.id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
		slog.String("client_ip", b.ip),
	)
}

// unmatchedRoute stands for the route of a request that matched none (404, 405): its path is
// the client's choice, so it is never logged or used as a metrics label.
const unmatchedRoute = "unmatched"

// inner marks every response as private, caps the request body, and runs the rest of the
// chain under the panic recovery.
func (s *Server) inner(c *gin.Context) {
	defer s.recoverPanic(c)
	secureHeaders(c)
	if !limitBody(c) {
		return
	}
	c.Next()
}

// recoverPanic, deferred, turns a panic into a 500 problem document and a log line, so one
// bad request never drops the connection or takes down the server.
func (s *Server) recoverPanic(c *gin.Context) {
	v := recover()
	if v == nil {
		return
	}
	if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
		panic(v)
	}
	s.log.ErrorContext(c.Request.Context(), "panic serving request",
		slog.String("route", c.FullPath()), slog.String("panic", fmt.Sprint(v)),
		slog.String("stack", string(debug.Stack())))
	if !c.Writer.Written() {
		writeProblem(c, http.StatusInternalServerError, "Internal server error.", nil)
	}
	c.Abort()
}

// clientIP is the address the request comes from (see ClientIP), worked out once per request
// by begin and read back from the context.
func (s *Server) clientIP(c *gin.Context) string {
	if ip := domain.RequestFrom(c.Request.Context()).ClientIP; ip != "" {
		return ip
	}
	return s.resolveClientIP(c.Request)
}

// resolveClientIP applies ClientIP to r. With no trusted proxy the client is the socket's
// peer, whose address net/http has already written in canonical form: that path neither parses
// nor allocates. Otherwise the answer is the peer's own text whenever it names the same address,
// so only a client named by a header costs an allocation.
func (s *Server) resolveClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(s.trusted) == 0 {
		if i := strings.IndexByte(host, '%'); i >= 0 {
			return host[:i] // a link-local peer's zone names our interface, not the client
		}
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host // not an IP socket (a test's pipe): nothing to trust
	}
	ip := ClientIP(peer, s.trusted, s.ipHeader, r.Header[s.ipHeader])
	var buf [64]byte
	if b := ip.AppendTo(buf[:0]); string(b) == host {
		return host
	}
	return ip.String()
}

// requestIDHeader is X-Request-ID in canonical form.
const requestIDHeader = "X-Request-Id"

// Values of the headers secureHeaders sets, shared by every response (nobody modifies them).
var (
	noStore = []string{"no-store"}
	nosniff = []string{"nosniff"}
)

// requestID keeps a caller's X-Request-ID when it is short and plain, and otherwise makes one,
// so a hostile value cannot forge log lines.
func requestID(given string) string {
	if len(given) > 0 && len(given) <= 64 {
		plain := true
		for i := 0; i < len(given); i++ {
			ch := given[i]
			if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
				plain = false
				break
			}
		}
		if plain {
			return given
		}
	}
	// An id labels a request in logs; it guards nothing, so math/rand/v2's ChaCha8 generator
	// is random enough, at a fraction of a crypto/rand call on every request.
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(b[8:], rand.Uint32())
	return hex.EncodeToString(b[:])
}

// secureHeaders marks every response as private: API answers carry credentials and personal
// data that no cache may keep.
func secureHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = nosniff
}
