package ginhttp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/rs/cors"

	"github.com/gatehouse/gatehouse/domain"
)

// corsMaxAge is how long, in seconds, a browser may cache a preflight's answer: long enough
// to spare most calls a round trip, short enough that removing an origin takes effect soon.
// (Chromium caps the cache at two hours anyway.)
const corsMaxAge = 600

// newCORS returns the middleware that lets the pages of Config.CORSOrigins, and only those,
// call the API with fetch and read the answers, cookies included (the Fetch standard's CORS
// protocol, https://fetch.spec.whatwg.org/#http-cors-protocol), or nil when the list is
// empty: then no middleware runs at all.
//
// CORS only lets a listed origin read responses; it guards nothing. What a cross-origin
// request may do is still decided by the origin rule (checkOrigin, which trusts the same
// origins) and, for cookies, by the X-CSRFToken header.
//
// Origins match as the origin rule matches them (domain.OriginPolicy.Trusts): exactly,
// ignoring case, https:// only when cookies are Secure; rs/cors's own wildcards never apply.
// A request from any other origin gets no CORS header at all, and its preflight the answer
// it has without CORS (405 Method Not Allowed). Responses name the one origin they are for,
// with Vary: Origin, never "*", which browsers refuse with credentials anyway.
func newCORS(origins []string, httpsOnly bool) gin.HandlerFunc {
	if len(origins) == 0 {
		return nil
	}
	listed := domain.OriginPolicy{Trusted: origins, HTTPSOnly: httpsOnly}
	c := cors.New(cors.Options{
		AllowOriginFunc:  listed.Trusts,
		AllowCredentials: true,
		// PUT and PATCH are absent: no route has them.
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Content-Type", "Authorization", "X-CSRFToken"},
		// Headers a script may read besides the safelisted ones: when to retry after a 429
		// or 503, and the id that finds the request in the logs. Set-Cookie is never
		// readable by scripts, whatever a server says.
		ExposedHeaders: []string{"Retry-After", requestIDHeader},
		MaxAge:         corsMaxAge,
	})
	return func(ctx *gin.Context) {
		r := ctx.Request
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !c.OriginAllowed(r) {
				return // the 404 or 405 of an OPTIONS request without CORS
			}
			c.HandlerFunc(ctx.Writer, r)
			ctx.AbortWithStatus(http.StatusNoContent)
			return
		}
		c.HandlerFunc(ctx.Writer, r)
	}
}
