package main

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// figures are one measurement: throughput of successful requests, latency quantiles, and
// the server's CPU time per answered request.
type figures struct {
	rps      float64
	p50, p99 time.Duration
	cpu      time.Duration // per request; 0 when not measured
	errors   int           // responses that were not the expected status
}

// quantiles are a load generator's own latency quantiles of one attack (wrk's), for
// generators that give no latencies one by one.
type quantiles struct{ p50, p99 time.Duration }

// sample is the raw outcome of one or more attacks.
type sample struct {
	lat     []time.Duration // of the good responses (vegeta)
	quant   []quantiles     // of each attack (wrk)
	good    int             // good responses not in lat (wrk)
	elapsed time.Duration
	errors  int
	cpu     time.Duration // the server's CPU time over the attacks (see measured)
}

// figures sums the sample up. The quantiles of wrk's attacks are the medians of each
// attack's own (the slices of a pair are of equal length).
func (s sample) figures() figures {
	f := figures{errors: s.errors}
	n := len(s.lat) + s.good
	if n == 0 {
		return f
	}
	if len(s.lat) > 0 {
		lat := slices.Clone(s.lat)
		slices.Sort(lat)
		f.p50, f.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	} else {
		var p50, p99 []time.Duration
		for _, q := range s.quant {
			p50, p99 = append(p50, q.p50), append(p99, q.p99)
		}
		f.p50, f.p99 = medianDuration(p50), medianDuration(p99)
	}
	f.rps = float64(n) / s.elapsed.Seconds()
	f.cpu = s.cpu / time.Duration(n+s.errors)
	return f
}

func (s *sample) merge(o sample) {
	s.lat = append(s.lat, o.lat...)
	s.quant = append(s.quant, o.quant...)
	s.good += o.good
	s.elapsed += o.elapsed
	s.errors += o.errors
	s.cpu += o.cpu
}

// attack runs a closed-loop load: exactly workers requests in flight (vegeta with rate 0 and
// max-workers), for d. Every response must have status want; others are counted as errors
// and left out of the throughput. keep, when not nil, sees every good result (its headers
// included).
func attack(name string, tr vegeta.Targeter, workers uint64, d time.Duration, want int, keep func(*vegeta.Result)) sample {
	atk := vegeta.NewAttacker(
		vegeta.Workers(workers), vegeta.MaxWorkers(workers),
		vegeta.Connections(int(workers)), vegeta.KeepAlive(true),
		vegeta.Timeout(10*time.Second), vegeta.Redirects(vegeta.NoFollow),
	)
	var s sample
	began := time.Now()
	for r := range atk.Attack(tr, vegeta.Rate{Freq: 0}, d, name) {
		if r.Error == vegeta.ErrNoTargets.Error() {
			continue // a queue ran dry: the attack is over, not failed
		}
		if int(r.Code) != want {
			s.errors++
			continue
		}
		s.lat = append(s.lat, r.Latency)
		if keep != nil {
			keep(r)
		}
	}
	s.elapsed = time.Since(began)
	return s
}

// load is one side of a comparison: something that can be measured for a while.
type load func(d time.Duration) sample

// slices of a paired measurement.
const slicesPerPair = 6

// pair measures a and b alternately, in n slices each of d/n, so a
// change in the machine's load (it is shared) falls on both alike, and returns each one's
// figures and the ratio of b's throughput to a's. The slices go a b, b a, a b, ...: neither
// side always runs first, so a steady drift (a store warming up, another process slowly
// taking a core) cannot favour the side that does.
func pair(a, b load, d time.Duration, n int) (fa, fb figures) {
	var sa, sb sample
	slice := d / time.Duration(n)
	for i := range n {
		if i%2 == 0 {
			sa.merge(a(slice))
			sb.merge(b(slice))
		} else {
			sb.merge(b(slice))
			sa.merge(a(slice))
		}
	}
	return sa.figures(), sb.figures()
}

// ratios are b's throughput and CPU per request over a's (0 when a's is unknown).
func ratios(fa, fb figures) (rps, cpu float64) {
	if fa.rps > 0 {
		rps = fb.rps / fa.rps
	}
	if fa.cpu > 0 {
		cpu = float64(fb.cpu) / float64(fa.cpu)
	}
	return rps, cpu
}

// fixed cycles through targets that differ only in their headers.
func fixed(method, url string, body []byte, headers []http.Header) vegeta.Targeter {
	var n atomic.Uint64
	return func(t *vegeta.Target) error {
		i := n.Add(1) - 1
		*t = vegeta.Target{Method: method, URL: url, Body: body, Header: headers[i%uint64(len(headers))]}
		return nil
	}
}

// numbered makes each target from a fresh number, for requests that must not repeat
// (signups of new usernames).
func numbered(make func(i uint64) vegeta.Target) vegeta.Targeter {
	var n atomic.Uint64
	return func(t *vegeta.Target) error {
		*t = make(n.Add(1))
		return nil
	}
}

// queue hands out each target once, then stops the attack (logouts of sessions logged in
// before).
func queue(targets []vegeta.Target) vegeta.Targeter {
	var n atomic.Uint64
	return func(t *vegeta.Target) error {
		i := n.Add(1) - 1
		if i >= uint64(len(targets)) {
			return vegeta.ErrNoTargets
		}
		*t = targets[i]
		return nil
	}
}

func jsonHeader(extra ...string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	for i := 0; i+1 < len(extra); i += 2 {
		h.Add(extra[i], extra[i+1])
	}
	return h
}

func (f figures) String() string {
	return fmt.Sprintf("%8.0f req/s  p50 %-9s p99 %-9s CPU %s/req", f.rps, round(f.p50), round(f.p99), roundCPU(f.cpu))
}

// roundCPU shows a CPU time per request to a tenth of a microsecond.
func roundCPU(d time.Duration) time.Duration { return d.Round(100 * time.Nanosecond) }

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
