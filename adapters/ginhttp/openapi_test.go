package ginhttp

import (
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// undocumentedRoutes lists the routes that are no part of the API contract, with the
// reason. HTML pages are documented like any other route, with a text/html response;
// only what a client cannot rely on the shape of (static files, say) belongs here.
var undocumentedRoutes = map[string]string{
	"GET /":                    "a redirect to the account page for people who type the bare address",
	"HEAD /":                   "a redirect to the account page for people who type the bare address",
	"GET /static/style.css":    "the pages' stylesheet",
	"HEAD /static/style.css":   "the pages' stylesheet",
	"GET /static/copy.js":      "the pages' copy-button script",
	"HEAD /static/copy.js":     "the pages' copy-button script",
	"GET /static/fragment.js":  "the pages' script that reads a mailed link's secret",
	"HEAD /static/fragment.js": "the pages' script that reads a mailed link's secret",
	"GET /static/passkey.js":   "the pages' script that uses passkeys",
	"HEAD /static/passkey.js":  "the pages' script that uses passkeys",
}

// ginParam matches a Gin path parameter, :name or *name.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatalf("loading openapi.json: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// TestOpenAPIDocumentsEveryRoute fails when the router has a route the document lacks, or
// the document names an operation the router does not have.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, r := range New(fakeAuth{methods: allMethods}, fakeAccounts{}, fakeReady{},
		Config{Metrics: http.NotFoundHandler(), PasswordReset: true, EmailVerification: true, EmailChange: true}, slog.New(slog.DiscardHandler)).engine.Routes() {
		route := r.Method + " " + ginParam.ReplaceAllString(r.Path, "{$1}")
		routed[route] = true
		if _, ok := undocumentedRoutes[route]; !ok && !documented[route] {
			t.Errorf("route %s is not in openapi.json", route)
		}
	}
	for route := range documented {
		if !routed[route] {
			t.Errorf("openapi.json documents %s, which the router does not have", route)
		}
	}
	for route := range undocumentedRoutes {
		if !routed[route] {
			t.Errorf("undocumentedRoutes lists %s, which the router does not have", route)
		}
	}
}

// TestOpenAPIErrorsAreProblemDocuments checks that every operation documents the 500 every
// route can answer, and that every documented error is a problem document (or, for an HTML
// page, a text/html page).
func TestOpenAPIErrorsAreProblemDocuments(t *testing.T) {
	doc := loadOpenAPI(t)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.Responses.Status(http.StatusInternalServerError) == nil {
				t.Errorf("%s: no 500 response", name)
			}
			for code, ref := range op.Responses.Map() {
				status, err := strconv.Atoi(code)
				if err != nil {
					t.Errorf("%s: response %q is not a status code", name, code)
					continue
				}
				if status < 400 {
					continue
				}
				if len(ref.Value.Content) == 1 && ref.Value.Content.Get("text/html") != nil {
					continue // an HTML page answers a browser's mistakes with a page
				}
				media := ref.Value.Content.Get("application/problem+json")
				if len(ref.Value.Content) != 1 || media == nil || media.Schema.Ref != "#/components/schemas/Problem" {
					t.Errorf("%s: %d is not a Problem in application/problem+json", name, status)
				}
			}
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	rec := do(newTestServer(fakeAuth{methods: allMethods}, nil), "GET", "/openapi.json")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !slices.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Error("GET /openapi.json does not serve openapi.json")
	}
	if _, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes()); err != nil {
		t.Error(err)
	}
}
