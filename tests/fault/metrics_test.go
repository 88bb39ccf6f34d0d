package fault_test

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// counter sums the samples of the counter name whose label set holds every one of labels
// (each written as key="value"), from a scrape of /metrics in the text format.
func (s *server) counter(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	r := s.send(request{method: "GET", path: "/metrics"})
	if r.err != nil || r.status != 200 {
		t.Fatalf("GET /metrics: %v", r)
	}
	var total float64
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		match := true
		for _, l := range labels {
			match = match && strings.Contains(line, l)
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); match && err == nil {
			total += v
		}
	}
	return total
}

// storeMetricsMoved checks that a cut of backend showed in the metrics: failed calls of its
// stores, and requests refused as unavailable.
func storeMetricsMoved(t *testing.T, s *server, backend string, errorsBefore, unavailableBefore float64) {
	t.Helper()
	if after := s.counter(t, "gatehouse_store_errors_total", `backend="`+backend+`"`); after <= errorsBefore {
		t.Errorf("gatehouse_store_errors_total{backend=%q} stayed at %v through the cut", backend, after)
	}
	if after := s.counter(t, "gatehouse_auth_attempts_total", `outcome="unavailable"`); after <= unavailableBefore {
		t.Errorf("gatehouse_auth_attempts_total{outcome=\"unavailable\"} stayed at %v through the cut", after)
	}
}
