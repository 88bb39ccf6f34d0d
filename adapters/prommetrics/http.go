package prommetrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// unmatched is the route label of a request that matched no route (404, 405): its path is
// the client's choice, so it never becomes a label.
const unmatched = "unmatched"

// Middleware counts and times every request by Gin's route pattern, method and status. It
// runs around the handlers, so the status is the one written, also for a recovered panic
// when it runs outside the recovery middleware.
func (m *Metrics) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = unmatched
		}
		method := methodName(c.Request.Method)
		m.httpRequests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
		m.httpDuration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	}
}

// methodName returns a standard HTTP method as it is and "other" for the rest: a client can
// send any token as its method, and each would otherwise become a series.
func methodName(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}
