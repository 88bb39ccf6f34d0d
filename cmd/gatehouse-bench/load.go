package main

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// figures are one measurement: throughput of successful requests and latency quantiles.
type figures struct {
	rps      float64
	p50, p99 time.Duration
	errors   int // responses that were not the expected status
}

// sample is the raw outcome of one or more attacks.
type sample struct {
	lat     []time.Duration // of the good responses
	elapsed time.Duration
	errors  int
}

func (s sample) figures() figures {
	f := figures{errors: s.errors}
	if len(s.lat) == 0 {
		return f
	}
	lat := slices.Clone(s.lat)
	slices.Sort(lat)
	f.p50, f.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	f.rps = float64(len(lat)) / s.elapsed.Seconds()
	return f
}

func (s *sample) merge(o sample) {
	s.lat = append(s.lat, o.lat...)
	s.elapsed += o.elapsed
	s.errors += o.errors
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

// pair measures a and b alternately, in slicesPerPair slices each of d/slicesPerPair, so a
// change in the machine's load (it is shared) falls on both alike, and returns each one's
// figures and the ratio of b's throughput to a's. The slices go a b, b a, a b, ...: neither
// side always runs first, so a steady drift (a store warming up, another process slowly
// taking a core) cannot favour the side that does.
func pair(a, b load, d time.Duration) (fa, fb figures, ratio float64) {
	var sa, sb sample
	for i := range slicesPerPair {
		if i%2 == 0 {
			sa.merge(a(d / slicesPerPair))
			sb.merge(b(d / slicesPerPair))
		} else {
			sb.merge(b(d / slicesPerPair))
			sa.merge(a(d / slicesPerPair))
		}
	}
	fa, fb = sa.figures(), sb.figures()
	if fa.rps > 0 {
		ratio = fb.rps / fa.rps
	}
	return fa, fb, ratio
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
	return fmt.Sprintf("%8.0f req/s  p50 %-9s p99 %-9s", f.rps, round(f.p50), round(f.p99))
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
