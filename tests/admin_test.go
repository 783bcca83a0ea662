package tests

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const adminScript = whoScript + `app.post("/echo", function(req) return req.body end)
app.get("/spin", function() while true do end end)
`

// scrape reads /metrics and parses it with Prometheus's own parser.
func scrape(t *testing.T, admin string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get("http://" + admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	return fams
}

// value finds the sample of a family with the given labels (name, value
// pairs): a counter's or gauge's value, a histogram's count.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// TestCLIAdminMetrics: after a known sequence of requests, /metrics counts
// exactly those, in text Prometheus parses; /healthz and /readyz answer.
func TestCLIAdminMetrics(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", adminScript)
	s := startCLI(t, dir, "-admin-addr", "127.0.0.1:0", "-timeout", "300ms", "routes.lua")
	admin := waitLog(t, s.stderr, regexp.MustCompile(`admin listener" addr=(\S+)`))[1]
	addr := strings.TrimPrefix(s.url, "http://")
	for range 3 {
		rawGET(t, addr, "/who", "")
	}
	rawGET(t, addr, "/fail", "")
	rawGET(t, addr, "/nowhere", "")
	rawGET(t, addr, "/nowhere", "")
	rawGET(t, addr, "/spin", "")
	for range 2 {
		res, err := http.Post(s.url+"/echo", "text/plain", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	s.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, s.stderr, regexp.MustCompile(`msg="luaserve: reloaded"`))

	fams := scrape(t, admin)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"luaserve_requests_total", []string{"route", "/who", "method", "GET", "status", "2xx"}, 3},
		{"luaserve_requests_total", []string{"route", "/fail", "method", "GET", "status", "5xx"}, 1},
		{"luaserve_requests_total", []string{"route", "none", "method", "GET", "status", "4xx"}, 2},
		{"luaserve_requests_total", []string{"route", "/spin", "method", "GET", "status", "5xx"}, 1},
		{"luaserve_requests_total", []string{"route", "/echo", "method", "POST", "status", "2xx"}, 2},
		{"luaserve_request_duration_seconds", []string{"route", "/who"}, 3},
		{"luaserve_request_duration_seconds", []string{"route", "/echo"}, 2},
		{"luaserve_request_body_bytes_total", nil, 10},
		{"luaserve_requests_in_flight", nil, 0},
		{"luaserve_time_limit_hits_total", nil, 1},
		{"luaserve_reloads_total", []string{"result", "ok"}, 1},
		{"luaserve_reloads_total", []string{"result", "failed"}, 0},
		{"luaserve_lua_states_busy", nil, 0},
		{"luaserve_lua_requests_waiting", nil, 0},
		{"luaserve_store_keys", nil, 0},
	} {
		if got := value(fams, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := value(fams, "luaserve_open_connections"); got < 0 {
		t.Errorf("luaserve_open_connections missing")
	}
	// The state stopped at the time limit is rebuilt in the background.
	deadline := time.Now().Add(5 * time.Second)
	for value(scrape(t, admin), "luaserve_lua_state_rebuilds_total") != 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // polling, under the deadline
	}
	if got := value(scrape(t, admin), "luaserve_lua_state_rebuilds_total"); got != 1 {
		t.Errorf("rebuilds %v, want 1", got)
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/other": 404} {
		res, err := http.Get("http://" + admin + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// TestCLIAdminLoopbackByDefault: a port alone listens on loopback.
func TestCLIAdminLoopbackByDefault(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", adminScript)
	s := startCLI(t, dir, "-admin-addr", ":0", "-quiet", "routes.lua") // without the access log, metrics count alone
	admin := waitLog(t, s.stderr, regexp.MustCompile(`admin listener" addr=(\S+)`))[1]
	if !strings.HasPrefix(admin, "127.0.0.1:") {
		t.Errorf("admin listener on %s, want loopback", admin)
	}
	rawGET(t, strings.TrimPrefix(s.url, "http://"), "/who", "")
	if got := value(scrape(t, admin), "luaserve_requests_total", "route", "/who", "status", "2xx"); got != 1 {
		t.Errorf("with -quiet: /who counted %v times, want 1", got)
	}
}

// TestCLIReadyzFailedReload: with -dev, a script whose reload failed
// (responses show the error) is not ready; fixed, it is again.
func TestCLIReadyzFailedReload(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", whoScript)
	s := startCLI(t, dir, "-dev", "-admin-addr", "127.0.0.1:0", "routes.lua")
	admin := waitLog(t, s.stderr, regexp.MustCompile(`admin listener" addr=(\S+)`))[1]
	ready := func() (int, string) {
		res, err := http.Get("http://" + admin + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := ready(); code != 200 {
		t.Fatalf("/readyz %d %q", code, body)
	}
	writeFile(t, filepath.Join(dir, "routes.lua"), "local app = require(\"luaserve\")\napp.get(\"/\", function()\n")
	waitLog(t, s.stderr, regexp.MustCompile(`reload failed`))
	if code, body := ready(); code != 503 || !strings.HasPrefix(body, "script: ") {
		t.Errorf("after a failed reload: /readyz %d %q, want 503 script: ...", code, body)
	}
	writeFile(t, filepath.Join(dir, "routes.lua"), whoScript)
	deadline := time.Now().Add(5 * time.Second)
	for code, _ := ready(); code != 200 && time.Now().Before(deadline); code, _ = ready() {
		time.Sleep(20 * time.Millisecond) // polling, under the deadline
	}
	if code, body := ready(); code != 200 {
		t.Errorf("fixed: /readyz %d %q", code, body)
	}
}

// TestCLIAdminDBMetrics: /metrics shows luaserve.db's connections, none
// before the database is first used, then its pool, on SQLite and (when
// the tests have a server) on PostgreSQL.
func TestCLIAdminDBMetrics(t *testing.T) {
	t.Parallel()
	dbs := map[string]string{"sqlite": ":memory:"}
	if url := os.Getenv("LUASERVE_POSTGRES_URL"); url != "" {
		dbs["postgres"] = url
	}
	for engine, dbFlag := range dbs {
		t.Run(engine, func(t *testing.T) {
			dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
local db = require("luaserve.db")
app.get("/one", function() return tostring(db.value("SELECT 1")) end)
`)
			s := startCLI(t, dir, "-quiet", "-workers", "4", "-admin-addr", "127.0.0.1:0", "-db", dbFlag, "routes.lua")
			admin := waitLog(t, s.stderr, regexp.MustCompile(`admin listener" addr=(\S+)`))[1]
			before := value(scrape(t, admin), "luaserve_db_connections_open")
			if _, body := do(t, client(t), "GET", s.url+"/one", ""); body != "1" {
				t.Fatalf("/one: %q", body)
			}
			fams := scrape(t, admin)
			open, inUse := value(fams, "luaserve_db_connections_open"), value(fams, "luaserve_db_connections_in_use")
			if open < 1 || inUse != 0 || value(fams, "luaserve_db_connection_waits_total") < 0 ||
				value(fams, "luaserve_db_connection_wait_seconds_total") < 0 {
				t.Errorf("after a query: open %v, in use %v, waits %v", open, inUse, value(fams, "luaserve_db_connection_waits_total"))
			}
			if engine == "sqlite" && before != 0 {
				t.Errorf("before its first use the in-memory database has %v connections, want 0", before)
			}
		})
	}
}
