package ginhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gatehouse/gatehouse/domain"
)

// MaxBodyBytes bounds every request body. Gatehouse's inputs are a few short strings; 64 KiB
// leaves ample room while keeping a flood of large bodies cheap to refuse.
const MaxBodyBytes = 64 << 10

// fields is a decoded request body: a flat object of named values.
type fields map[string]any

// readFields decodes the body as a JSON object or, where allowForm is set, as an HTML form.
func readFields(c *gin.Context, allowForm bool) (fields, error) {
	mediaType, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		mediaType = c.GetHeader("Content-Type")
	}
	isJSON := mediaType == "application/json"
	isForm := allowForm && mediaType == "application/x-www-form-urlencoded"
	if !isJSON && !isForm {
		return nil, &badRequestError{status: http.StatusUnsupportedMediaType,
			detail: fmt.Sprintf("Unsupported media type %q in request; send application/json.", mediaType)}
	}
	raw, err := io.ReadAll(c.Request.Body)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, &badRequestError{status: http.StatusBadRequest, detail: "The request body could not be read."}
	}
	if isForm {
		return formFields(raw)
	}
	return jsonFields(raw)
}

var errTooLarge = &badRequestError{status: http.StatusRequestEntityTooLarge,
	detail: fmt.Sprintf("Request body too large; the limit is %d bytes.", MaxBodyBytes)}

func jsonFields(raw []byte) (fields, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &badRequestError{status: http.StatusBadRequest, detail: jsonErrorDetail(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &badRequestError{status: http.StatusBadRequest, detail: "JSON parse error: unexpected data after the top-level value."}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &badRequestError{status: http.StatusBadRequest, detail: "Invalid data. Expected a JSON object.",
			fields: map[string][]string{"non_field_errors": {"Invalid data. Expected a JSON object."}}}
	}
	if !utf8.Valid(raw) {
		markInvalidText(raw, obj)
	}
	return obj, nil
}

// invalidText stands for a string value that was not valid UTF-8.
type invalidText struct{}

// markInvalidText replaces the values of obj whose JSON text is not valid UTF-8 with
// invalidText. encoding/json would otherwise turn each bad byte into U+FFFD, so that
// different passwords became the same one (RFC 8259 §8.1: JSON text is UTF-8).
func markInvalidText(raw []byte, obj fields) {
	var texts map[string]json.RawMessage
	if json.Unmarshal(raw, &texts) != nil {
		return
	}
	for name, text := range texts {
		if !utf8.Valid(text) {
			obj[name] = invalidText{}
		}
	}
}

// jsonErrorDetail describes a syntax error by position only: quoting the input could echo
// part of a password.
func jsonErrorDetail(err error) string {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("JSON parse error at byte %d.", syntax.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON parse error: the body is empty or ends early."
	}
	return "JSON parse error."
}

func formFields(raw []byte) (fields, error) {
	values, err := url.ParseQuery(string(raw))
	if err != nil {
		return nil, &badRequestError{status: http.StatusBadRequest, detail: "Malformed form body."}
	}
	f := fields{}
	for k, v := range values {
		f[k] = v[0]
	}
	return f, nil
}

// str returns the string field name. A missing required field, a null or a value of another
// type adds a message to verr in DRF's words.
func (f fields) str(name string, required bool, verr *domain.ValidationError) string {
	v, ok := f[name]
	switch {
	case !ok && required:
		verr.Add(name, "This field is required.")
	case !ok:
	case v == nil:
		verr.Add(name, "This field may not be null.")
	case v == invalidText{}:
		verr.Add(name, "Enter text in UTF-8.")
	default:
		s, ok := v.(string)
		if !ok {
			verr.Add(name, "Not a valid string.")
		} else if !utf8.ValidString(s) {
			verr.Add(name, "Enter text in UTF-8.")
			return ""
		}
		if required && s == "" && ok {
			verr.Add(name, "This field may not be blank.")
		}
		return s
	}
	return ""
}

// object returns the JSON object in field name (a WebAuthn credential, say) as JSON text.
func (f fields) object(name string, required bool, verr *domain.ValidationError) []byte {
	v, ok := f[name]
	if !ok {
		if required {
			verr.Add(name, "This field is required.")
		}
		return nil
	}
	obj, isObj := v.(map[string]any)
	if !isObj {
		verr.Add(name, "Expected a JSON object.")
		return nil
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		verr.Add(name, "Expected a JSON object.")
		return nil
	}
	return raw
}

// flag returns the optional boolean field name, false when absent.
func (f fields) flag(name string, verr *domain.ValidationError) bool {
	v, ok := f[name]
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	if !isBool {
		verr.Add(name, "Must be a valid boolean.")
	}
	return b
}

// limitBody caps the request body, whether or not the route reads it: a declared length over
// the cap is refused before reading, and a body of unknown length (chunked) is read up to the
// cap here, so an oversized one is refused on every route alike. It reports whether the
// request may go on; when not, it has answered.
func limitBody(c *gin.Context) bool {
	r := c.Request
	switch {
	case r.Body == nil || r.Body == http.NoBody:
		// Nothing to cap (a GET, usually): no reader to wrap.
	case r.ContentLength > MaxBodyBytes:
		writeProblem(c, errTooLarge.status, errTooLarge.detail, nil)
		return false
	case r.ContentLength < 0:
		raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, MaxBodyBytes))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeProblem(c, errTooLarge.status, errTooLarge.detail, nil)
			return false
		}
		if err != nil {
			writeProblem(c, http.StatusBadRequest, "The request body could not be read.", nil)
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
	default:
		r.Body = http.MaxBytesReader(c.Writer, r.Body, MaxBodyBytes)
	}
	return true
}
