package prommetrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
)

// unmatched is the route label of a request that matched no route (404, 405): its path is
// the client's choice, so it never becomes a label.
const unmatched = "unmatched"

// Middleware counts and times every request by Gin's route pattern, method and status. It
// runs around the handlers, so the status is the one written, also for a recovered panic
// when it runs outside the recovery middleware.
func (m *Metrics) Middleware() gin.HandlerFunc {
	observe := m.RequestObserver()
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = unmatched
		}
		observe(route, c.Request.Method, c.Writer.Status(), time.Since(start))
	}
}

// RequestObserver returns what Middleware does once a request is answered, for an HTTP
// adapter that times the request itself (ginhttp.Config.ObserveRequest): count it by
// route pattern, method and status, and time it by route and method. route must come from
// a fixed set (the router's patterns, "unmatched" for none); the method may be any token,
// since all but the standard ones are counted as "other".
func (m *Metrics) RequestObserver() func(route, method string, status int, elapsed time.Duration) {
	series := &httpSeriesCache{m: m, byKey: map[httpKey]httpSeries{}}
	return func(route, method string, status int, elapsed time.Duration) {
		s := series.get(httpKey{route: route, method: methodName(method), status: status})
		s.requests.Inc()
		s.duration.Observe(elapsed.Seconds())
	}
}

// httpKey names the series of one request. Its values come from fixed sets (routes, methods,
// statuses the server writes), so the cache stays small.
type httpKey struct {
	route, method string
	status        int
}

type httpSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// httpSeriesCache remembers the series of each key, sparing every request the label hashing
// and the status formatting of WithLabelValues (a tenth of a token /me under load).
type httpSeriesCache struct {
	m     *Metrics
	mu    sync.RWMutex
	byKey map[httpKey]httpSeries
}

func (c *httpSeriesCache) get(k httpKey) httpSeries {
	c.mu.RLock()
	s, ok := c.byKey[k]
	c.mu.RUnlock()
	if ok {
		return s
	}
	s = httpSeries{
		requests: c.m.httpRequests.WithLabelValues(k.route, k.method, strconv.Itoa(k.status)),
		duration: c.m.httpDuration.WithLabelValues(k.route, k.method),
	}
	c.mu.Lock()
	c.byKey[k] = s
	c.mu.Unlock()
	return s
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
