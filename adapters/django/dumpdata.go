package django

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// Models Gatehouse imports, as dumpdata names them.
const (
	ModelUser  = "auth.user"
	ModelToken = "authtoken.token"
)

// ErrFormat is wrapped by every error about the content of a dump, as opposed to an error
// reading it.
var ErrFormat = errors.New("not a dumpdata file")

// Dumpdata reads the JSON array that dumpdata writes: one object per row, with "model",
// "pk" and "fields". Rows of other models are counted in Ignored and otherwise skipped, so a
// full dump can be read too; a dump whose users are in a custom model therefore yields no
// users, which Ignored tells.
type Dumpdata struct {
	r       io.Reader
	Ignored map[string]int
}

// NewDumpdata returns a reader of the dump in r.
func NewDumpdata(r io.Reader) *Dumpdata { return &Dumpdata{r: r, Ignored: map[string]int{}} }

type dumpRecord struct {
	Model  string          `json:"model"`
	PK     json.RawMessage `json:"pk"`
	Fields json.RawMessage `json:"fields"`
}

type dumpUser struct {
	Password   *string `json:"password"`
	Username   *string `json:"username"`
	Email      *string `json:"email"`
	IsActive   *bool   `json:"is_active"`
	DateJoined *string `json:"date_joined"`
}

type dumpToken struct {
	User    json.RawMessage `json:"user"`
	Created *string         `json:"created"`
}

// Records yields the users and tokens of the dump in file order. It stops at the first
// malformed record with an error that names the record by position (never by token key).
func (d *Dumpdata) Records() iter.Seq2[domain.ImportRecord, error] {
	return func(yield func(domain.ImportRecord, error) bool) {
		dec := json.NewDecoder(d.r)
		if err := expectDelim(dec, '['); err != nil {
			yield(domain.ImportRecord{}, err)
			return
		}
		for n := 1; dec.More(); n++ {
			var rec dumpRecord
			if err := dec.Decode(&rec); err != nil {
				yield(domain.ImportRecord{}, decodeError(n, err))
				return
			}
			out, ok, err := convert(rec)
			if err != nil {
				yield(domain.ImportRecord{}, fmt.Errorf("%w: record %d (%s): %v", ErrFormat, n, rec.Model, err))
				return
			}
			if !ok {
				d.Ignored[rec.Model]++
				continue
			}
			if !yield(out, nil) {
				return
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			yield(domain.ImportRecord{}, err)
			return
		}
		if _, err := dec.Token(); err != io.EOF {
			yield(domain.ImportRecord{}, fmt.Errorf("%w: data after the closing bracket", ErrFormat))
		}
	}
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(0, err)
	}
	if tok != want {
		return fmt.Errorf("%w: want %q, found %v", ErrFormat, want, tok)
	}
	return nil
}

// decodeError tells a read failure from malformed JSON; a syntax error says only where.
func decodeError(n int, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	where := "the file"
	if n > 0 {
		where = "record " + strconv.Itoa(n)
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: %s is truncated", ErrFormat, where)
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: invalid JSON in %s at byte %d", ErrFormat, where, syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("%w: %s is not an object", ErrFormat, where)
	case errors.As(err, &typ):
		return fmt.Errorf("%w: %s: %s has the wrong type", ErrFormat, where, typ.Field)
	}
	return fmt.Errorf("reading %s: %w", where, err)
}

// convert turns a record into an import record; ok is false for a model not imported.
func convert(rec dumpRecord) (out domain.ImportRecord, ok bool, err error) {
	switch rec.Model {
	case ModelUser:
		u, err := convertUser(rec)
		return domain.ImportRecord{User: u}, true, err
	case ModelToken:
		t, err := convertToken(rec)
		return domain.ImportRecord{Token: t}, true, err
	case "":
		return out, false, errors.New("no model")
	}
	return out, false, nil
}

func convertUser(rec dumpRecord) (*domain.ImportedUser, error) {
	pk, err := userPK(rec.PK)
	if err != nil {
		return nil, fmt.Errorf("pk: %v", err)
	}
	var f dumpUser
	if err := strictFields(rec.Fields, &f); err != nil {
		return nil, fmt.Errorf("pk %d: %v", pk, err)
	}
	switch {
	case f.Username == nil:
		return nil, fmt.Errorf("pk %d: no username", pk)
	case f.Password == nil:
		return nil, fmt.Errorf("pk %d: no password", pk)
	case f.IsActive == nil:
		return nil, fmt.Errorf("pk %d: no is_active", pk)
	case f.DateJoined == nil:
		return nil, fmt.Errorf("pk %d: no date_joined", pk)
	}
	joined, err := parseTime(*f.DateJoined)
	if err != nil {
		return nil, fmt.Errorf("pk %d: date_joined: %v", pk, err)
	}
	u := &domain.ImportedUser{SourceID: pk, Username: *f.Username, PasswordHash: *f.Password, IsActive: *f.IsActive, DateJoined: joined}
	if f.Email != nil {
		u.Email = *f.Email
	}
	return u, nil
}

func convertToken(rec dumpRecord) (*domain.ImportedToken, error) {
	var key string
	if err := json.Unmarshal(rec.PK, &key); err != nil {
		return nil, errors.New("pk is not a string")
	}
	var f dumpToken
	if err := strictFields(rec.Fields, &f); err != nil {
		return nil, err
	}
	if len(f.User) > 0 && f.User[0] == '[' {
		return nil, errors.New("user is a natural key; run dumpdata without --natural-foreign")
	}
	owner, err := userPK(f.User)
	if err != nil {
		return nil, fmt.Errorf("user: %v", err)
	}
	t := &domain.ImportedToken{Key: key, SourceUserID: owner}
	if f.Created != nil {
		if t.Created, err = parseTime(*f.Created); err != nil {
			return nil, fmt.Errorf("created: %v", err)
		}
	}
	return t, nil
}

// strictFields decodes a fields object into v, refusing anything but an object.
func strictFields(raw json.RawMessage, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 || raw[0] != '{' {
		return errors.New("fields is not an object")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return fmt.Errorf("%s has the wrong type", typ.Field)
		}
		return errors.New("fields is malformed")
	}
	return nil
}

// userPK reads an integer primary key, as auth.user has.
func userPK(raw json.RawMessage) (int64, error) {
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return 0, errors.New("not an integer")
	}
	pk, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || pk < 1 {
		return 0, errors.New("not a positive integer")
	}
	return pk, nil
}

// parseTime reads a datetime as DjangoJSONEncoder writes it: ISO 8601 with milliseconds and
// "Z" or an offset when USE_TZ is on, and without a zone when it is off, which is taken as
// UTC.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("not an ISO 8601 datetime")
}
