package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// wrk drives the requests that never change (the /me paths, their baselines, the argon2id
// ceiling, token login) when it is installed and chosen (-load): a C load generator spends a
// fraction of vegeta's CPU on the cores the servers share, so the servers' throughput is
// less diluted. Requests that differ one from the next (signups, the login-logout cycle,
// the scale comparison's 1,000 tokens) stay with vegeta.

// wrkScript is the Lua script that sets wrk's request: method, headers, body.
func wrkScript(method string, h http.Header, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %s\n", luaString(method))
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", luaString(k), luaString(v))
		}
	}
	if body != nil {
		fmt.Fprintf(&b, "wrk.body = %s\n", luaString(string(body)))
	}
	return b.String()
}

// luaString quotes s for Lua: every byte as a decimal escape outside plain ASCII letters,
// digits and a few safe marks, so no value can end the string early.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(" -_./:=+,;", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// wrkAttack runs wrk with conns connections on two threads for d (whole seconds, at least
// one: wrk takes no less) against url, counting the responses that are not 2xx or 3xx as
// errors (wrk tells no more than that; the paths it drives answer 200).
func wrkAttack(dir, method, url string, h http.Header, body []byte, conns uint64, d time.Duration) sample {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	script, err := os.CreateTemp(dir, "wrk-*.lua")
	if err != nil {
		return sample{errors: 1}
	}
	defer os.Remove(script.Name())
	_, err = script.WriteString(wrkScript(method, h, body))
	if cerr := script.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return sample{errors: 1}
	}
	out, err := exec.Command("wrk", "-t2", "-c"+strconv.FormatUint(conns, 10), "-d"+strconv.Itoa(secs)+"s",
		"--latency", "-s", script.Name(), url).Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "wrk: %v\n", err)
		return sample{errors: 1}
	}
	s, err := parseWrk(out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wrk: %v in:\n%s", err, out)
		return sample{errors: 1}
	}
	return s
}

// parseWrk reads wrk's summary: "N requests in 10.00s", "Non-2xx or 3xx responses: M",
// the socket errors, and the 50% and 99% lines of --latency's distribution.
func parseWrk(out []byte) (sample, error) {
	var s sample
	var q quantiles
	found, bad := false, 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			n, err := strconv.Atoi(f[0])
			if err != nil {
				return s, err
			}
			d, err := time.ParseDuration(strings.TrimSuffix(f[3], ","))
			if err != nil {
				return s, err
			}
			s.good, s.elapsed, found = n, d, true
		case len(f) == 5 && strings.Join(f[:4], " ") == "Non-2xx or 3xx responses:":
			n, err := strconv.Atoi(f[4])
			if err != nil {
				return s, err
			}
			s.errors += n
			bad += n
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.Atoi(strings.TrimSuffix(f[i+1], ","))
				s.errors += n
			}
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return s, err
			}
			if f[0] == "50%" {
				q.p50 = d
			} else {
				q.p99 = d
			}
		}
	}
	if !found {
		return s, fmt.Errorf("no request count")
	}
	s.good -= min(s.good, bad) // wrk's count includes the bad responses, not the socket errors
	s.quant = []quantiles{q}
	return s, nil
}
