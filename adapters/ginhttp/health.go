package ginhttp

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// readyTimeout bounds the readiness probe, so a hung store turns the probe red instead of
// hanging it.
const readyTimeout = 2 * time.Second

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	if failed := s.ready.Ready(ctx); len(failed) > 0 {
		c.Header("Retry-After", "1")
		writeProblem(c, http.StatusServiceUnavailable, "Not ready: "+strings.Join(failed, ", ")+" unavailable.", nil)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
