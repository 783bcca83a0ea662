package metrics

import (
	"bytes"
	"io"
	"sort"
	"strconv"
	"strings"
)

// funcMetric is a figure read at scrape time from elsewhere (the engine's
// pool, the reloader, the server's connections).
type funcMetric struct {
	name, help, typ string // typ: "counter" or "gauge"
	labels          string // rendered: `result="ok"`; "" for none
	fn              func() float64
}

// Gauge registers a gauge read by fn at each scrape.
func (m *Metrics) Gauge(name, help string, fn func() float64) { m.add(name, help, "gauge", "", fn) }

// Counter registers a counter read by fn at each scrape; labels is a
// rendered label set, `result="ok"`, or "". Counters of one name with
// different labels share the first one's help.
func (m *Metrics) Counter(name, help, labels string, fn func() float64) {
	m.add(name, help, "counter", labels, fn)
}

func (m *Metrics) add(name, help, typ, labels string, fn func() float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.funcs = append(m.funcs, funcMetric{name, help, typ, labels, fn})
}

// ContentType is the Prometheus text format's media type.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteTo writes every metric in the Prometheus text format.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	routes := m.sortedRoutes()
	header(&b, "luaserve_requests_total", "Requests answered, by route pattern, method and status class.", "counter")
	for _, rs := range routes {
		for mi := range rs.counts {
			for ci := range rs.counts[mi] {
				if n := rs.counts[mi][ci].Load(); n > 0 {
					b.WriteString(`luaserve_requests_total{route="` + escape(rs.route) + `",method="` + Methods[mi] +
						`",status="` + strconv.Itoa(ci+1) + `xx"} ` + strconv.FormatUint(n, 10) + "\n")
				}
			}
		}
	}
	header(&b, "luaserve_request_duration_seconds", "Time to answer a request, by route pattern.", "histogram")
	for _, rs := range routes {
		writeHistogram(&b, rs)
	}
	header(&b, "luaserve_requests_in_flight", "Requests being answered.", "gauge")
	b.WriteString("luaserve_requests_in_flight " + strconv.FormatInt(m.inFlight.Load(), 10) + "\n")
	header(&b, "luaserve_request_body_bytes_total", "Request body bytes declared by Content-Length.", "counter")
	b.WriteString("luaserve_request_body_bytes_total " + strconv.FormatUint(m.reqBytes.Load(), 10) + "\n")
	header(&b, "luaserve_response_body_bytes_total", "Response body bytes written by handlers, before compression.", "counter")
	b.WriteString("luaserve_response_body_bytes_total " + strconv.FormatUint(m.resBytes.Load(), 10) + "\n")
	m.writeFuncs(&b)
	return b.WriteTo(w)
}

func (m *Metrics) sortedRoutes() []*routeStats {
	var routes []*routeStats
	m.routes.Range(func(_, v any) bool {
		routes = append(routes, v.(*routeStats))
		return true
	})
	sort.Slice(routes, func(i, j int) bool { return routes[i].route < routes[j].route })
	return routes
}

// writeHistogram writes one route's cumulative buckets, sum and count.
func writeHistogram(b *bytes.Buffer, rs *routeStats) {
	label := `route="` + escape(rs.route) + `"`
	var cum uint64
	for i := range rs.buckets {
		cum += rs.buckets[i].Load()
		le := "+Inf"
		if i < len(Buckets) {
			le = strconv.FormatFloat(Buckets[i].Seconds(), 'g', -1, 64)
		}
		b.WriteString("luaserve_request_duration_seconds_bucket{" + label + `,le="` + le + `"} ` + strconv.FormatUint(cum, 10) + "\n")
	}
	sum := float64(rs.sumNs.Load()) / 1e9
	b.WriteString("luaserve_request_duration_seconds_sum{" + label + "} " + strconv.FormatFloat(sum, 'g', -1, 64) + "\n")
	b.WriteString("luaserve_request_duration_seconds_count{" + label + "} " + strconv.FormatUint(cum, 10) + "\n")
}

// writeFuncs writes the registered figures, grouped by name.
func (m *Metrics) writeFuncs(b *bytes.Buffer) {
	m.mu.Lock()
	funcs := append([]funcMetric(nil), m.funcs...)
	m.mu.Unlock()
	written := map[string]bool{}
	for _, f := range funcs {
		if written[f.name] {
			continue
		}
		written[f.name] = true
		header(b, f.name, f.help, f.typ)
		for _, g := range funcs {
			if g.name != f.name {
				continue
			}
			b.WriteString(g.name)
			if g.labels != "" {
				b.WriteString("{" + g.labels + "}")
			}
			b.WriteString(" " + strconv.FormatFloat(g.fn(), 'g', -1, 64) + "\n")
		}
	}
}

func header(b *bytes.Buffer, name, help, typ string) {
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
}

// escape escapes a label value: backslash, double quote and newline.
func escape(s string) string {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
