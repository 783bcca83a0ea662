package metrics

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/luaserve/luaserve/httpcore"
)

func TestObserveAndExpose(t *testing.T) {
	m := New()
	r := &httpcore.Request{Method: []byte("BREW"), Route: `/a"b\c` + "\n"}
	m.observe(r, 418, 5, 3*time.Millisecond)
	m.observe(&httpcore.Request{Method: []byte("GET"), Route: "/x", ContentLength: 7}, 200, 10, 20*time.Second)
	m.observe(&httpcore.Request{Method: []byte("GET")}, 999, 0, 0)
	m.Counter("x_total", "X.", `k="1"`, func() float64 { return 1 })
	m.Counter("x_total", "", `k="2"`, func() float64 { return 2 })
	var b strings.Builder
	m.WriteTo(&b)
	out := b.String()
	for _, want := range []string{
		`luaserve_requests_total{route="/a\"b\\c\n",method="OTHER",status="4xx"} 1`,
		`luaserve_requests_total{route="/x",method="GET",status="2xx"} 1`,
		`luaserve_requests_total{route="none",method="GET",status="5xx"} 1`,
		`luaserve_request_duration_seconds_bucket{route="/x",le="10"} 0`,
		`luaserve_request_duration_seconds_bucket{route="/x",le="+Inf"} 1`,
		`luaserve_request_duration_seconds_bucket{route="none",le="0.0005"} 1`,
		`luaserve_request_duration_seconds_sum{route="/x"} 20`,
		"luaserve_request_body_bytes_total 7", "luaserve_response_body_bytes_total 15",
		"x_total{k=\"1\"} 1\nx_total{k=\"2\"} 2\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	if _, err := p.TextToMetricFamilies(strings.NewReader(out)); err != nil {
		t.Errorf("does not parse: %v", err)
	}
}

func TestRouteCap(t *testing.T) {
	m := New()
	for i := range MaxRoutes + 10 {
		m.route("/r" + string(rune('a'+i%26)) + strings.Repeat("x", i))
	}
	if n := m.nroutes.Load(); n != MaxRoutes+1 { // the cap, and "other"
		t.Errorf("%d routes kept", n)
	}
}

func TestObserveAllocatesNothing(t *testing.T) {
	m := New()
	r := &httpcore.Request{Method: []byte("GET"), Route: "/x"}
	m.observe(r, 200, 1, time.Millisecond)
	if n := testing.AllocsPerRun(100, func() { m.observe(r, 200, 1, time.Millisecond) }); n != 0 {
		t.Errorf("observe allocates %v times", n)
	}
}

func BenchmarkObserve(b *testing.B) {
	m := New()
	r := &httpcore.Request{Method: []byte("GET"), Route: "/users/:id"}
	b.ReportAllocs()
	for b.Loop() {
		m.observe(r, 200, 100, 300*time.Microsecond)
	}
}

func BenchmarkTimeNowSince(b *testing.B) {
	for b.Loop() {
		start := time.Now()
		_ = time.Since(start)
	}
}
