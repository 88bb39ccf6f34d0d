package django_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/adapters/django"
)

// FuzzDumpdata feeds arbitrary bytes to the dumpdata reader. Seeds are in
// testdata/fuzz/FuzzDumpdata. It must never panic; every failure is ErrFormat and never
// quotes a token key; every record it yields is whole.
func FuzzDumpdata(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		var keys []string
		for rec, err := range django.NewDumpdata(strings.NewReader(in)).Records() {
			if err != nil {
				if !errors.Is(err, django.ErrFormat) {
					t.Fatalf("error %v is not ErrFormat", err)
				}
				for _, k := range keys {
					if len(k) >= 8 && strings.Contains(err.Error(), k) {
						t.Fatalf("error %q quotes token key %q", err, k)
					}
				}
				return
			}
			switch {
			case rec.User != nil && rec.Token == nil:
				if rec.User.SourceID < 1 || rec.User.DateJoined.IsZero() && !strings.Contains(in, "0001-01-01") {
					t.Fatalf("user %+v has no pk or no date", rec.User)
				}
			case rec.Token != nil && rec.User == nil:
				if rec.Token.SourceUserID < 1 {
					t.Fatalf("token of user %d", rec.Token.SourceUserID)
				}
				keys = append(keys, rec.Token.Key)
			default:
				t.Fatalf("record %+v", rec)
			}
		}
	})
}
