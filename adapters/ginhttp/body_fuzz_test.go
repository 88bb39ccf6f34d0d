package ginhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/domain"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; `go test` replays them as regression
// cases, and `go test -fuzz` grows them.

// probedFields are the names the handlers read with fields.str, plus one they never send.
var probedFields = []string{"username", "password", "email", "name", "old_password", "new_password", "absent"}

// checkStr reads every probed field and every field present through fields.str, required and
// not, and fails unless each read either yields the string that was sent or adds a message
// under that field and nowhere else.
func checkStr(t *testing.T, f fields) {
	t.Helper()
	names := append([]string(nil), probedFields...)
	for k := range f {
		names = append(names, k)
	}
	for _, name := range names {
		for _, required := range []bool{true, false} {
			var verr domain.ValidationError
			got := f.str(name, required, &verr)
			for field := range verr.Fields {
				if field != name {
					t.Fatalf("str(%q) added a message under %q: %v", name, field, verr.Fields)
				}
			}
			msgs := verr.Fields[name]
			v, present := f[name]
			s, isString := v.(string)
			switch {
			case len(msgs) > 1:
				t.Fatalf("str(%q, %v) added %d messages: %q", name, required, len(msgs), msgs)
			case !present && !required || isString && utf8.ValidString(s) && (s != "" || !required):
				// A value the handler may use: returned as sent, without a message.
				if len(msgs) != 0 || got != s {
					t.Fatalf("str(%q, %v) of %#v = %q with %q; want %q and no message", name, required, v, got, msgs, s)
				}
			default:
				// Missing, null, blank or not a string: refused with a message.
				if len(msgs) != 1 || got != "" {
					t.Fatalf("str(%q, %v) of %#v (present %v) = %q with %q; want \"\" and a message", name, required, v, present, got, msgs)
				}
			}
		}
	}
}

// checkBadRequest fails unless err is a *badRequestError for status with a detail that does not
// quote the body, which could hold a password.
func checkBadRequest(t *testing.T, err error, status int, raw []byte) {
	t.Helper()
	var bad *badRequestError
	if !errors.As(err, &bad) {
		t.Fatalf("error %v (%T), want *badRequestError", err, err)
	}
	if bad.status != status || bad.detail == "" {
		t.Fatalf("badRequestError{status: %d, detail: %q}, want status %d and a detail", bad.status, bad.detail, status)
	}
	if len(raw) >= 4 && bytes.Contains([]byte(bad.detail), raw) {
		t.Fatalf("detail %q quotes the body", bad.detail)
	}
}

// FuzzJSONFields: jsonFields never panics; it refuses with a 400 or returns an object whose
// every field reads as a string or a validation message, and that survives re-encoding.
func FuzzJSONFields(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := jsonFields(raw)
		if err != nil {
			if got != nil {
				t.Fatalf("jsonFields returned fields %v with error %v", got, err)
			}
			checkBadRequest(t, err, 400, raw)
			return
		}
		if got == nil {
			t.Fatalf("jsonFields(%q) = nil, nil; want an object", raw)
		}
		checkStr(t, got)
		if !utf8.Valid(raw) {
			return // values that were not UTF-8 are marked refused, which does not re-encode
		}
		// Decoding is lossless for what it keeps (numbers stay json.Number), so the object
		// encodes and decodes to itself.
		again, err := json.Marshal(map[string]any(got))
		if err != nil {
			t.Fatalf("re-encoding %#v: %v", got, err)
		}
		back, err := jsonFields(again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("jsonFields(%s) = %#v, %v; want %#v", again, back, err, got)
		}
	})
}

// FuzzFormFields: formFields never panics; it refuses with a 400 or returns the first value
// of every key as a string.
func FuzzFormFields(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := formFields(raw)
		want, wantErr := url.ParseQuery(string(raw))
		if err != nil {
			if wantErr == nil {
				t.Fatalf("formFields(%q) failed (%v) where url.ParseQuery succeeds", raw, err)
			}
			checkBadRequest(t, err, 400, raw)
			return
		}
		if wantErr != nil {
			t.Fatalf("formFields(%q) succeeded where url.ParseQuery fails: %v", raw, wantErr)
		}
		if len(got) != len(want) {
			t.Fatalf("formFields(%q) has %d keys, url.ParseQuery %d", raw, len(got), len(want))
		}
		for k, v := range got {
			s, ok := v.(string)
			if !ok || len(want[k]) == 0 || s != want[k][0] {
				t.Fatalf("formFields(%q)[%q] = %#v, want the first value of %q", raw, k, v, want[k])
			}
		}
		checkStr(t, got)
	})
}
