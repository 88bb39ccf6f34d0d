package ginhttp

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// problem is an RFC 9457 problem document. Detail is always set: it is the field DRF clients
// read. Errors carries per-field validation messages in DRF's shape.
type problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors map[string][]string `json:"errors,omitempty"`
}

// writeProblem aborts the request with a problem document.
func writeProblem(c *gin.Context, status int, detail string, fields map[string][]string) {
	body, err := json.Marshal(problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Errors: fields,
	})
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Internal server error."}`)
		status = http.StatusInternalServerError
	}
	c.Abort()
	c.Data(status, "application/problem+json", body)
}
