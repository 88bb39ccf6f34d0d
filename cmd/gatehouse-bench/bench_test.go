package main

import (
	"net/http"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, stat string
		want       time.Duration
		ok         bool
	}{
		{"plain", "4242 (gatehouse) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 100 1000 200", 3250 * time.Millisecond, true},
		{"name with spaces and parentheses", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 1 1 1", 30 * time.Millisecond, true},
		{"truncated", "7 (x) R 1 7 7", 0, false},
		{"no name", "7 x R", 0, false},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 a 2 0", 0, false},
	}
	for _, tt := range tests {
		got, err := parseStat([]byte(tt.stat))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s: %v, %v; want %v (ok %v)", tt.name, got, err, tt.want, tt.ok)
		}
	}
}

const wrkOK = `Running 1s test @ http://127.0.0.1:18778/me
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.96ms   16.82ms  90.69ms   88.75%
    Req/Sec     9.26k     4.49k   15.57k    59.09%
  Latency Distribution
     50%  275.00us
     75%    1.87ms
     90%   28.95ms
     99%   77.08ms
  20408 requests in 1.15s, 5.80MB read
Requests/sec:  17773.66
Transfer/sec:      5.05MB
`

const wrkBad = `Running 1s test @ http://127.0.0.1:18778/nothing
  1 threads and 2 connections
  Latency Distribution
     50%   70.00us
     75%    0.88ms
     90%   44.73ms
     99%  140.70ms
  13115 requests in 1.11s, 1.59MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 115
Requests/sec:  11851.56
`

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name, out string
		want      sample
		ok        bool
	}{
		{"all good", wrkOK, sample{good: 20408, elapsed: 1150 * time.Millisecond,
			quant: []quantiles{{275 * time.Microsecond, 77080 * time.Microsecond}}}, true},
		{"bad statuses and socket errors", wrkBad, sample{good: 13000, errors: 120, elapsed: 1110 * time.Millisecond,
			quant: []quantiles{{70 * time.Microsecond, 140700 * time.Microsecond}}}, true},
		{"no summary", "unable to connect to 127.0.0.1:1 Connection refused\n", sample{}, false},
	}
	for _, tt := range tests {
		got, err := parseWrk([]byte(tt.out))
		if (err == nil) != tt.ok {
			t.Errorf("%s: error %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		if got.good != tt.want.good || got.errors != tt.want.errors || got.elapsed != tt.want.elapsed ||
			len(got.quant) != 1 || got.quant[0] != tt.want.quant[0] {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestWrkScriptQuotesEverything: no header value or body can end a Lua string early.
func TestWrkScriptQuotesEverything(t *testing.T) {
	h := http.Header{"Authorization": {"Token \"]] .. os.exit() --\n\\"}}
	got := wrkScript("POST", h, []byte(`{"username":"bench"}`))
	want := `wrk.method = "POST"
wrk.headers["Authorization"] = "Token \034\093\093 .. os.exit\040\041 --\010\092"
wrk.body = "\123\034username\034:\034bench\034\125"
`
	if got != want {
		t.Errorf("script\n%s\nwant\n%s", got, want)
	}
}

// TestFiguresCPUPerRequest: CPU time is divided by every answered request, good or not, and
// the throughput counts the good ones, from vegeta's latencies or wrk's counts alike.
func TestFiguresCPUPerRequest(t *testing.T) {
	var s sample
	s.merge(sample{lat: []time.Duration{time.Millisecond, 2 * time.Millisecond}, errors: 2, elapsed: time.Second, cpu: 40 * time.Microsecond})
	s.merge(sample{good: 6, elapsed: time.Second, cpu: 60 * time.Microsecond})
	f := s.figures()
	if f.cpu != 10*time.Microsecond || f.rps != 4 || f.errors != 2 {
		t.Errorf("figures %+v, want 10µs a request, 4 req/s, 2 errors", f)
	}
	if r, c := ratios(figures{rps: 100, cpu: 10 * time.Microsecond}, figures{rps: 80, cpu: 13 * time.Microsecond}); r != 0.8 || c != 1.3 {
		t.Errorf("ratios %v %v, want 0.8 1.3", r, c)
	}
}
