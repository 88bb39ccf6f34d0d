package redisstore

import (
	"strconv"
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
		level     uint8
		strs      []string
	}{
		{"token", t0.Add(time.Hour), t0, 42, "0123456789abcdef0123456789abcdef", 1, []string{"laptop"}},
		{"never expires, never used", time.Time{}, time.Time{}, 1, "a", 1, []string{""}},
		{"name with separators", t0, t0, 7, "x", 2, []string{"3:abc 12:|\n\x00"}},
		{"session", t0.Add(time.Hour), t0, 9, "id", 1, []string{"2001:db8::1", "Mozilla/5.0 (X11; Linux) ünïcode"}},
		{"second factor session", t0.Add(time.Hour), t0, 9, "id", 2, []string{"2001:db8::1", "curl/8.5.0"}},
		{"year 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), t0, 1<<62 - 1, "id", 1, []string{"n"}},
		{"long name", t0, t0, 3, "id", 2, []string{strings.Repeat("é", 500)}},
		{"highest level", t0, t0, 3, "id", 255, []string{"n"}},
		{"code, no level", t0, time.Time{}, 3, "reset", 0, []string{"a@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := encode(tt.exp, tt.last, tt.uid, t0, tt.id, tt.level, tt.strs...)
			got, err := decode(r)
			if err != nil {
				t.Fatalf("decode(%q): %v", r, err)
			}
			want := record{exp: tt.exp, last: tt.last, created: t0, uid: tt.uid, id: tt.id, level: tt.level}
			copy(want.strs[:], tt.strs)
			if got != want {
				t.Errorf("decode(encode(...)) = %+v, want %+v", got, want)
			}
		})
	}
}

// TestDecodeReadsRecordsWithoutLevel: records the previous version wrote, five fields for a
// session and four for a token, are still in Redis after an upgrade; they have no level.
func TestDecodeReadsRecordsWithoutLevel(t *testing.T) {
	header := stamp(t0.Add(time.Hour)) + " " + stamp(t0) + " "
	created := micros(t0)
	for _, tt := range []struct {
		name, r string
		strs    [2]string
	}{
		{"token", header + "2:42" + strconv.Itoa(len(created)) + ":" + created + "2:id6:laptop", [2]string{"laptop"}},
		{"session", header + "2:42" + strconv.Itoa(len(created)) + ":" + created + "2:id11:2001:db8::14:curl", [2]string{"2001:db8::1", "curl"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decode(tt.r)
			want := record{exp: t0.Add(time.Hour), last: t0, created: t0, uid: 42, id: "id", strs: tt.strs}
			if err != nil || got != want {
				t.Errorf("decode(%q) = %+v, %v; want %+v with level 0", tt.r, got, err, want)
			}
		})
	}
}

func TestDecodeRefusesMalformedRecords(t *testing.T) {
	good := encode(t0, t0, 1, t0, "id", 0, "name")
	for _, r := range []string{
		"",
		"not a record",
		good[:headerLen-1],
		good[:headerLen] + "1:1",  // no creation time or id
		good[:headerLen] + "9:1",  // length beyond the end
		good[:headerLen] + "-1:1", // negative length
		good[:headerLen] + "1:x16:1776000000000002:id", // user id not a number
		strings.Replace(good, " ", "_", 1),
		good + "0:1:0",   // level 0
		good + "0:3:256", // level beyond a byte
		good + "0:1:x",   // level not a number
		good + "0:0:",    // level empty
	} {
		if _, err := decode(r); err == nil {
			t.Errorf("decode(%q) accepted a malformed record", r)
		}
	}
}

// FuzzDecode: whatever a key holds, decoding it neither panics nor accepts what it cannot
// write back; what encode writes, decode reads back.
func FuzzDecode(f *testing.F) {
	f.Add(encode(t0, t0, 1, t0, "id", 0, "name"))
	f.Add(encode(t0, t0, 1, t0, "id", 2, "name"))
	f.Add(encode(time.Time{}, t0, 2, t0, "id", 1, "2001:db8::1", "agent"))
	f.Add("000000000000000000 000000000000000000 ")
	f.Fuzz(func(t *testing.T, r string) {
		rec, err := decode(r)
		if err != nil {
			return
		}
		again, err := decode(encode(rec.exp, rec.last, rec.uid, rec.created, rec.id, rec.level, rec.strs[:]...))
		if err != nil || again.uid != rec.uid || again.id != rec.id || again.strs != rec.strs || again.level != rec.level ||
			!again.exp.Equal(rec.exp) || !again.last.Equal(rec.last) || !again.created.Equal(rec.created) {
			t.Errorf("decode(%q) = %+v, which reads back as %+v (%v)", r, rec, again, err)
		}
	})
}
