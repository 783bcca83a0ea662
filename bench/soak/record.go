package main

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// stats are the normal clients' counts, every normal request's latency,
// the late and failed ones in detail, and the memory samples.
type stats struct {
	start                 time.Time
	total, inTime, failed atomic.Int64
	mu                    sync.Mutex
	rss                   []string
	latencies             []time.Duration // of the requests answered 200
	bad                   []outlier       // late or failed
}

// An outlier is a normal request answered late, or not at all.
type outlier struct {
	at      time.Duration // since the start, when it was sent
	url     string
	latency time.Duration
	what    string // "late", a status, or the client's error
}

// record counts one normal request sent at start.
func (s *stats) record(start time.Time, url string, status int, err error, inTime time.Duration) {
	lat := time.Since(start)
	s.total.Add(1)
	o := outlier{at: start.Sub(s.start), url: url, latency: lat}
	switch {
	case err != nil:
		s.failed.Add(1)
		o.what = shortErr(err)
	case status != 200:
		s.failed.Add(1)
		o.what = fmt.Sprint(status)
	case lat <= inTime:
		s.inTime.Add(1)
	default:
		o.what = "late"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && status == 200 {
		s.latencies = append(s.latencies, lat)
	}
	if o.what != "" {
		s.bad = append(s.bad, o)
	}
}

// shortErr drops the URL net/http puts in front of a client error.
func shortErr(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "\": "); i >= 0 {
		msg = msg[i+3:]
	}
	return msg
}

func (s *stats) report(inTime time.Duration) {
	total := s.total.Load()
	share := 0.0
	if total > 0 {
		share = 100 * float64(s.inTime.Load()) / float64(total)
	}
	fmt.Printf("normal requests: %d, answered within %v: %.3f%%, failed: %d\n", total, inTime, share, s.failed.Load())
	s.mu.Lock()
	defer s.mu.Unlock()
	if lat := slices.Sorted(slices.Values(s.latencies)); len(lat) > 0 {
		q := func(p float64) time.Duration {
			return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(100 * time.Microsecond)
		}
		fmt.Printf("latency of the answered (200): p50 %v, p90 %v, p99 %v, p99.9 %v, max %v\n",
			q(0.5), q(0.9), q(0.99), q(0.999), lat[len(lat)-1].Round(time.Millisecond))
	}
	s.reportOutliers()
	fmt.Println("server RSS over time:")
	for _, line := range s.rss {
		fmt.Println("  " + line)
	}
}

// writeOutliers writes every late or failed normal request to path, one a
// line: seconds since the start of the load, latency, URL, what happened;
// to set beside the server's log (a collection's "@N s" is counted from
// the server's start, a fraction of a second earlier).
func (s *stats) writeOutliers(path string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, o := range s.bad {
		fmt.Fprintf(&b, "%.3f %.3f %s %s\n", o.at.Seconds(), o.latency.Seconds(), o.url, o.what)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// reportOutliers prints the late and failed requests per 10 s window:
// how many, by what and URL, and the worst latency. s.mu is held.
func (s *stats) reportOutliers() {
	if len(s.bad) == 0 {
		return
	}
	fmt.Println("late or failed normal requests, per 10 s window (time since the start of the load):")
	windows := map[int][]outlier{}
	for _, o := range s.bad {
		w := int(o.at / (10 * time.Second))
		windows[w] = append(windows[w], o)
	}
	keys := make([]int, 0, len(windows))
	for k := range windows {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		ws := windows[k]
		kinds := map[string]int{}
		worst := time.Duration(0)
		for _, o := range ws {
			kinds[o.what+" "+o.url]++
			worst = max(worst, o.latency)
		}
		var parts []string
		for kind, n := range kinds {
			parts = append(parts, fmt.Sprintf("%d× %s", n, kind))
		}
		sort.Strings(parts)
		fmt.Printf("  %4ds-%4ds: %d, worst %v: %s\n", k*10, k*10+10, len(ws), worst.Round(time.Millisecond), strings.Join(parts, "; "))
	}
}
