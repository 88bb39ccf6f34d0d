package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
)

// openAPI is the OpenAPI document and a router over its operations, loaded once.
var openAPI = sync.OnceValues(func() (*openAPIDoc, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(ginhttp.OpenAPIDocument())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &openAPIDoc{doc: doc, router: router}, nil
})

type openAPIDoc struct {
	doc    *openapi3.T
	router routers.Router
}

// checkOpenAPI fails t when a response does not match the OpenAPI document: a status the
// operation does not list, a Content-Type it does not list, a body its schema refuses, or a
// required header missing. An unknown route or method must get the 404 or 405 problem
// document. Responses without X-Request-ID were written by net/http itself (431 for
// oversized headers, 400 for a malformed request line) before Gatehouse saw the request, and
// are not Gatehouse's to document.
func checkOpenAPI(t testing.TB, req *http.Request, r *response) {
	t.Helper()
	if r.header.Get("X-Request-ID") == "" {
		return
	}
	api, err := openAPI()
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	route, params, err := api.router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		api.checkProblem(t, r, http.StatusNotFound)
		return
	case errors.Is(err, routers.ErrMethodNotAllowed):
		api.checkProblem(t, r, http.StatusMethodNotAllowed)
		return
	case err != nil:
		t.Errorf("%s %s: finding the OpenAPI operation: %v", r.method, r.path, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 r.status,
		Header:                 r.header,
		Body:                   io.NopCloser(bytes.NewReader(r.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: status %d does not match openapi.json: %v\nbody: %.500s", r.method, r.path, r.status, err, r.body)
	}
}

// checkProblem fails t unless r has the given status and a problem document for a body.
func (api *openAPIDoc) checkProblem(t testing.TB, r *response, status int) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s %s: status %d, want %d for a route openapi.json does not have", r.method, r.path, r.status, status)
		return
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Errorf("%s %s: %v", r.method, r.path, err)
		return
	}
	schema := api.doc.Components.Schemas["Problem"].Value
	if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("%s %s: not a Problem: %v", r.method, r.path, err)
	}
}
