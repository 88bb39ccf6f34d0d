package api_test

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkBadLoginFlood sends 500 concurrent Basic requests with wrong passwords to a
// server with production argon2id parameters and reports the server's peak resident memory
// (peak-MiB, goal under 300) and how the requests were answered: 401 after a hash, or 503
// from the hashing limit. Each argon2id hash holds 19 MiB; without the limit 500 at once
// would need about 9.5 GiB.
//
//	go test -run '^$' -bench BadLoginFlood -benchtime 1x ./tests/api
func BenchmarkBadLoginFlood(b *testing.B) {
	current = profiles[0] // memory: the hasher, not a store, is what is measured
	s := startServer(b, nil)
	a := s.signup(b, "flooded", "thistle-Anchor-5529")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 500}, Timeout: time.Minute}
	for b.Loop() {
		var mu sync.Mutex
		codes := map[int]int{}
		var wg sync.WaitGroup
		for i := range 500 {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", s.base+"/v1/auth/me", nil)
				req.SetBasicAuth(a.username, fmt.Sprintf("wrong-Guess-%04d", i))
				code := -1
				if resp, err := client.Do(req); err == nil {
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			})
		}
		wg.Wait()
		b.ReportMetric(float64(codes[http.StatusUnauthorized]), "401s")
		b.ReportMetric(float64(codes[http.StatusServiceUnavailable]), "503s")
		if other := 500 - codes[http.StatusUnauthorized] - codes[http.StatusServiceUnavailable]; other != 0 {
			b.Errorf("answers %v: want only 401 and 503", codes)
		}
	}
	b.ReportMetric(peakMiB(b, s.proc.Pid()), "peak-MiB")
}

// peakMiB reads a process's peak resident set size (VmHWM) from /proc.
func peakMiB(b *testing.B, pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc to read peak memory from: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	b.Fatal("VmHWM not found")
	return 0
}
