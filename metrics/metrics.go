// Package metrics counts what the server does, for the admin listener's
// /metrics in the Prometheus text format. The counters a request touches
// are atomics found with one sync.Map load by route pattern; the text is
// written by hand (the format is simple, and a client library's labelled
// vectors cost a map lookup and a lock per label set on the hot path).
// It knows no Lua.
package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// Buckets are the upper bounds of the latency histograms: a Lua route
// answers in well under a millisecond, a slow one calls a database or
// another service.
var Buckets = []time.Duration{
	500 * time.Microsecond, time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// Methods are the method label's values; any other method counts as OTHER.
var Methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}

// MaxRoutes bounds the route label's values: patterns past it count as
// "other" (a script has far fewer routes; this guards the memory).
const MaxRoutes = 1000

// NoRoute is the route label of a request no route or mount answered.
const NoRoute = "none"

// Metrics holds the server's counters. The zero value is not usable: use
// New.
type Metrics struct {
	routes   sync.Map                   // route pattern -> *routeStats
	last     atomic.Pointer[routeStats] // the route counted last: most requests skip the map
	nroutes  atomic.Int32
	inFlight atomic.Int64
	reqBytes atomic.Uint64 // request body bytes declared (Content-Length)
	resBytes atomic.Uint64 // response body bytes written by handlers
	mu       sync.Mutex
	funcs    []funcMetric // read at scrape time
}

// routeStats are one route's counters.
type routeStats struct {
	route   string
	counts  [8][5]atomic.Uint64 // [method][status class 1xx..5xx]
	buckets [15]atomic.Uint64   // per bucket, not cumulative; the last is +Inf
	sumNs   atomic.Uint64
}

// New returns empty metrics.
func New() *Metrics { return &Metrics{} }

// Handler counts every request next serves: by the route pattern the
// handler recorded in Request.Route, method and status class, its latency,
// the requests in flight and the body bytes.
func (m *Metrics) Handler(next httpcore.Handler) httpcore.Handler {
	return httpcore.HandlerFunc(func(w *httpcore.ResponseWriter, r *httpcore.Request) {
		start := sinceEpoch()
		m.Begin()
		done := false
		defer func() {
			status := w.Status()
			if !done && !w.Committed() {
				status = 500 // a panic: the core answers 500
			}
			m.End(r, status, w.Written(), sinceEpoch()-start)
		}()
		next.ServeHTTP(w, r)
		done = true
	})
}

// epoch is the process's start: sinceEpoch reads the monotonic clock
// alone, where time.Now reads the wall clock too (one clock reading a
// request fewer).
var epoch = time.Now()

func sinceEpoch() time.Duration { return time.Since(epoch) }

// Begin counts a request in flight; End counts it done. A handler that
// times requests already (the access log) calls them instead of using
// Handler, so that a request reads the clock twice, not four times.
func (m *Metrics) Begin() { m.inFlight.Add(1) }

// End counts one finished request: its status, the body bytes the handler
// wrote and how long it took.
func (m *Metrics) End(r *httpcore.Request, status int, written int64, d time.Duration) {
	m.inFlight.Add(-1)
	m.observe(r, status, written, d)
}

// observe counts one finished request.
func (m *Metrics) observe(r *httpcore.Request, status int, written int64, d time.Duration) {
	rs := m.route(r.Route)
	class := min(max(status/100, 1), 5) - 1
	rs.counts[methodIndex(r.Method)][class].Add(1)
	i := 0
	for i < len(Buckets) && d > Buckets[i] {
		i++
	}
	rs.buckets[i].Add(1)
	rs.sumNs.Add(uint64(max(d, 0)))
	if r.ContentLength > 0 {
		m.reqBytes.Add(uint64(r.ContentLength))
	}
	m.resBytes.Add(uint64(max(written, 0)))
}

// route finds (or makes) the counters of a route pattern.
func (m *Metrics) route(pattern string) *routeStats {
	if pattern == "" {
		pattern = NoRoute
	}
	if rs := m.last.Load(); rs != nil && rs.route == pattern {
		return rs
	}
	if v, ok := m.routes.Load(pattern); ok {
		rs := v.(*routeStats)
		m.last.Store(rs)
		return rs
	}
	if m.nroutes.Load() >= MaxRoutes {
		pattern = "other"
		if v, ok := m.routes.Load(pattern); ok {
			return v.(*routeStats)
		}
	}
	v, loaded := m.routes.LoadOrStore(pattern, &routeStats{route: pattern})
	if !loaded {
		m.nroutes.Add(1)
	}
	return v.(*routeStats)
}

// methodIndex is the index of a method in Methods.
func methodIndex(method []byte) int {
	switch string(method) {
	case "GET":
		return 0
	case "HEAD":
		return 1
	case "POST":
		return 2
	case "PUT":
		return 3
	case "PATCH":
		return 4
	case "DELETE":
		return 5
	case "OPTIONS":
		return 6
	}
	return 7
}

// InFlight reports the requests being served.
func (m *Metrics) InFlight() int64 { return m.inFlight.Load() }
