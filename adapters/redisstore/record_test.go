package redisstore

import (
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 29, 10, 0, 0, 123456000, time.UTC)

func TestRecordRoundTrips(t *testing.T) {
	tests := []struct {
		name      string
		exp, last time.Time
		uid       int64
		id        string
		strs      []string
	}{
		{"token", t0.Add(time.Hour), t0, 42, "0123456789abcdef0123456789abcdef", []string{"laptop"}},
		{"never expires, never used", time.Time{}, time.Time{}, 1, "a", []string{""}},
		{"name with separators", t0, t0, 7, "x", []string{"3:abc 12:|\n\x00"}},
		{"session", t0.Add(time.Hour), t0, 9, "id", []string{"2001:db8::1", "Mozilla/5.0 (X11; Linux) ünïcode"}},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), t0, 1<<62 - 1, "id", []string{"n"}},
		{"long name", t0, t0, 3, "id", []string{strings.Repeat("é", 500)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := encode(tt.exp, tt.last, tt.uid, t0, tt.id, tt.strs...)
			got, err := decode(r)
			if err != nil {
				t.Fatalf("decode(%q): %v", r, err)
			}
			want := record{exp: tt.exp, last: tt.last, created: t0, uid: tt.uid, id: tt.id}
			copy(want.strs[:], tt.strs)
			if got != want {
				t.Errorf("decode(encode(...)) = %+v, want %+v", got, want)
			}
		})
	}
}

func TestDecodeRefusesMalformedRecords(t *testing.T) {
	good := encode(t0, t0, 1, t0, "id", "name")
	for _, r := range []string{
		"",
		"not a record",
		good[:headerLen-1],
		good[:headerLen] + "1:1",  // no creation time or id
		good[:headerLen] + "9:1",  // length beyond the end
		good[:headerLen] + "-1:1", // negative length
		good[:headerLen] + "1:x16:1776000000000002:id", // user id not a number
		strings.Replace(good, " ", "_", 1),
	} {
		if _, err := decode(r); err == nil {
			t.Errorf("decode(%q) accepted a malformed record", r)
		}
	}
}

// FuzzDecode: whatever a key holds, decoding it neither panics nor accepts what it cannot
// write back; what encode writes, decode reads back.
func FuzzDecode(f *testing.F) {
	f.Add(encode(t0, t0, 1, t0, "id", "name"))
	f.Add(encode(time.Time{}, t0, 2, t0, "id", "2001:db8::1", "agent"))
	f.Add("000000000000000000 000000000000000000 ")
	f.Fuzz(func(t *testing.T, r string) {
		rec, err := decode(r)
		if err != nil {
			return
		}
		again, err := decode(encode(rec.exp, rec.last, rec.uid, rec.created, rec.id, rec.strs[:]...))
		if err != nil || again.uid != rec.uid || again.id != rec.id || again.strs != rec.strs ||
			!again.exp.Equal(rec.exp) || !again.last.Equal(rec.last) || !again.created.Equal(rec.created) {
			t.Errorf("decode(%q) = %+v, which reads back as %+v (%v)", r, rec, again, err)
		}
	})
}
