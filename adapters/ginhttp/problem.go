package ginhttp

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// problem is an RFC 9457 problem document. Detail is always set: it is the field DRF clients
// read. Errors carries per-field validation messages in DRF's shape. Code, an extension
// member (RFC 9457 §3.2), names a refusal a client is expected to act on, such as
// "email_unverified", so it need not match the words of detail.
type problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Code   string              `json:"code,omitempty"`
	Errors map[string][]string `json:"errors,omitempty"`
}

// writeProblem aborts the request with a problem document.
func writeProblem(c *gin.Context, status int, detail string, fields map[string][]string) {
	writeCodedProblem(c, status, detail, "", fields)
}

// writeCodedProblem aborts the request with a problem document that carries code.
func writeCodedProblem(c *gin.Context, status int, detail, code string, fields map[string][]string) {
	body, err := json.Marshal(problem{
		Type:   "about:blank",
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
		Errors: fields,
	})
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"Internal server error."}`)
		status = http.StatusInternalServerError
	}
	c.Abort()
	c.Data(status, "application/problem+json", body)
}
