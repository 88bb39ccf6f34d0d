package ginhttp

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// slogLine is the access line log/slog's handler writes for r: what a reader of the log
// expected before AccessLog wrote the lines itself.
func slogLine(t testing.TB, r *accessRecord, text bool) string {
	t.Helper()
	var buf bytes.Buffer
	var h slog.Handler = slog.NewJSONHandler(&buf, nil)
	if text {
		h = slog.NewTextHandler(&buf, nil)
	}
	rec := slog.NewRecord(r.time, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("request_id", r.id),
		slog.String("method", r.method),
		slog.String("route", r.route),
		slog.Int("status", r.status),
		slog.Duration("duration", r.duration),
		slog.String("client_ip", r.ip),
	)
	if err := h.Handle(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func accessLogLine(r *accessRecord, text bool) string {
	var buf bytes.Buffer
	w := NewSyncWriter(&buf)
	NewAccessLog(w, text).write(r)
	w.Close()
	return buf.String()
}

// hostile holds values a client could try to smuggle into a log line.
var hostile = []string{
	"", "plain", "two words", `quote"d`, `back\slash`, "new\nline", "carriage\rreturn", "tab\there",
	"nul\x00byte", "bell\x07", "del\x7f", "eq=ual", "<script>&amp;", "invalid \xff\xfe utf-8", "cut \xe2\x82",
	"line\u2028sep\u2029para", "naïve café", "non\u00a0breaking", "zero\u200bwidth", "bidi\u202eoverride",
	"{\"forged\":\"line\"}\n{\"msg\":\"request\"", "🔑", "\\", `"`,
}

// TestAccessLogLineIsSlogs: every line is byte for byte the one slog's JSON or text handler
// wrote for the same request, hostile values included.
func TestAccessLogLineIsSlogs(t *testing.T) {
	when := []time.Time{
		time.Date(2026, 12, 6, 17, 40, 4, 123456789, time.UTC),
		time.Date(2026, 12, 6, 17, 40, 4, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000, time.FixedZone("", -7*3600)),
		time.Now(), // monotonic reading included
	}
	var records []accessRecord
	for i, v := range hostile {
		records = append(records, accessRecord{time: when[i%len(when)], id: v, method: v, route: v, ip: v,
			status: 200 + i, duration: time.Duration(i) * 1234567})
	}
	records = append(records, accessRecord{time: when[0], id: "0123456789abcdef01234567", method: "GET",
		route: "/v1/auth/me", ip: "2001:db8::1", status: 401, duration: 0})
	for _, text := range []bool{false, true} {
		for _, r := range records {
			want, got := slogLine(t, &r, text), accessLogLine(&r, text)
			if got != want {
				t.Errorf("text %v, value %q:\n got %q\nwant %q", text, r.id, got, want)
			}
		}
	}
}

// FuzzAccessLogLineIsSlogs checks the same for any value in any field.
func FuzzAccessLogLineIsSlogs(f *testing.F) {
	for _, v := range hostile {
		f.Add(v, v, int64(1500))
	}
	f.Fuzz(func(t *testing.T, a, b string, d int64) {
		r := accessRecord{time: time.Unix(0, d*7919).UTC(), id: a, method: b, route: a + b, ip: b,
			status: int(d % 600), duration: time.Duration(d)}
		for _, text := range []bool{false, true} {
			if want, got := slogLine(t, &r, text), accessLogLine(&r, text); got != want {
				t.Errorf("text %v:\n got %q\nwant %q", text, got, want)
			}
		}
	})
}

// TestAccessLogFollowsTheLoggersLevel: the access log writes a line per request exactly when
// the logger admits INFO, to its own destination.
func TestAccessLogFollowsTheLoggersLevel(t *testing.T) {
	for _, tt := range []struct {
		level slog.Level
		lines int
	}{{slog.LevelDebug, 1}, {slog.LevelInfo, 1}, {slog.LevelWarn, 0}} {
		var out bytes.Buffer
		w := NewSyncWriter(&out)
		s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, AccessLog: NewAccessLog(w, false)},
			slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: tt.level})))
		req := httptest.NewRequest("GET", "/healthz", nil)
		req.Header.Set("X-Request-ID", "abc")
		s.ServeHTTP(httptest.NewRecorder(), req)
		w.Close()
		if n := strings.Count(out.String(), "\n"); n != tt.lines {
			t.Fatalf("level %v: %d lines %q, want %d", tt.level, n, out.String(), tt.lines)
		}
		if tt.lines == 0 {
			continue
		}
		lines := accessLines(t, out.String())
		if len(lines) != 1 || lines[0].RequestID != "abc" || lines[0].Route != "/healthz" || lines[0].Status != 200 || lines[0].ClientIP != "192.0.2.1" {
			t.Errorf("level %v: access line %+v", tt.level, lines)
		}
	}
}

// BenchmarkAccessLog serves /healthz with the access log off (level WARN), written by
// slog's JSON handler (as before AccessLog), and written by AccessLog; the access line costs
// the difference from "off".
func BenchmarkAccessLog(b *testing.B) {
	for _, bm := range []struct {
		name   string
		level  slog.Level
		direct bool
	}{{"off", slog.LevelWarn, false}, {"slog", slog.LevelInfo, false}, {"direct", slog.LevelInfo, true}} {
		b.Run(bm.name, func(b *testing.B) {
			w := NewSyncWriter(io.Discard)
			defer w.Close()
			cfg := Config{SessionCookieMaxAge: time.Hour}
			if bm.direct {
				cfg.AccessLog = NewAccessLog(w, false)
			}
			s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, cfg,
				slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: bm.level})))
			serveLoop(b, s, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		})
	}
}

// BenchmarkAccessLogLine measures the line alone: slog's LogAttrs with the access log's
// attributes (the path before AccessLog) against AccessLog's write, both to io.Discard.
func BenchmarkAccessLogLine(b *testing.B) {
	r := accessRecord{time: time.Now(), id: "0123456789abcdef01234567", method: "GET", route: "/v1/auth/me",
		status: 200, duration: 48 * time.Microsecond, ip: "127.0.0.1"}
	for _, text := range []bool{false, true} {
		format := "json"
		if text {
			format = "text"
		}
		w := NewSyncWriter(io.Discard)
		defer w.Close()
		var h slog.Handler = slog.NewJSONHandler(w, nil)
		if text {
			h = slog.NewTextHandler(w, nil)
		}
		log := slog.New(h)
		b.Run("slog-"+format, func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			for b.Loop() {
				log.LogAttrs(ctx, slog.LevelInfo, "request",
					slog.String("request_id", r.id), slog.String("method", r.method), slog.String("route", r.route),
					slog.Int("status", r.status), slog.Duration("duration", r.duration), slog.String("client_ip", r.ip))
			}
		})
		a := NewAccessLog(w, text)
		b.Run("direct-"+format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.time = time.Now()
				a.write(&r)
			}
		})
	}
}

// chunkedWriter writes in small pieces, as a pipe or a slow file may, so that two unguarded
// Writes would interleave.
type chunkedWriter struct{ b bytes.Buffer }

func (w *chunkedWriter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i += 7 {
		w.b.Write(p[i:min(i+7, len(p))])
		runtime.Gosched()
	}
	return len(p), nil
}

// TestAccessLogSharesTheLoggersLock: 50 goroutines serving requests while logging through
// the same logger write whole lines only, every one of them JSON.
func TestAccessLogSharesTheLoggersLock(t *testing.T) {
	var out chunkedWriter
	w := NewSyncWriter(&out)
	log := slog.New(slog.NewJSONHandler(w, nil))
	s := New(fakeAuth{}, fakeAccounts{}, fakeReady{}, Config{SessionCookieMaxAge: time.Hour, AccessLog: NewAccessLog(w, false)}, log)
	const workers, each = 50, 20
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
				log.Info("beside", slog.String("note", strings.Repeat("n", 40)))
			}
		})
	}
	wg.Wait()
	w.Close()
	lines := strings.Split(strings.TrimSuffix(out.b.String(), "\n"), "\n")
	if len(lines) != 2*workers*each {
		t.Fatalf("%d lines, want %d", len(lines), 2*workers*each)
	}
	if got := accessLines(t, out.b.String()); len(got) != workers*each {
		t.Errorf("%d access lines, want %d", len(got), workers*each)
	}
}
