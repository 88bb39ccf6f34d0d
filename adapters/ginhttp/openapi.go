package ginhttp

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the OpenAPI 3.1 description of every route, status and problem
// document. TestOpenAPIDocumentsEveryRoute keeps it in step with the router, and the HTTP
// suite (tests/api) validates every response it receives against it.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI document that GET /openapi.json serves.
func OpenAPIDocument() []byte { return openAPIDocument }

func (s *Server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
