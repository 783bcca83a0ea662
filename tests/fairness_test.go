package tests

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCLIUploadsLeaveShortRequestsIn: eight clients posting 8 MiB bodies
// as fast as they can to a server with one processor for Go
// (GOMAXPROCS=1). A body past -body-memory is copied from the socket to a
// temporary file in 64 KiB chunks; an upload always had its next chunk
// waiting, so it kept the CPU for a whole time slice (10 ms) and a short
// request queued behind every upload in turn. Measured on a 2-core VM:
// a hello route's mean latency 32-42 ms (p90 121-124 ms) before, 16-17 ms
// (p90 35-59 ms) now that an upload yields the CPU after each MiB (what
// is left is mostly the 10 ms the network poller waits while goroutines
// are always ready). That difference is a timing, which other test
// binaries running beside this one (as CI runs them) blur: a 25 ms bound
// failed one run in three so. The yield itself is held by httpcore's
// TestSpoolYieldsEachMiB, which counts it; here the hello route must stay
// served beside the uploads (within 250 ms on average), and the latency
// is logged. Not parallel: it measures latency.
func TestCLIUploadsLeaveShortRequestsIn(t *testing.T) {
	dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
app.get("/hello", function() return "hello" end)
app.post("/upload", function(req) return tostring(#req.body) end)
`)
	s := startCLIEnv(t, dir, []string{"GOMAXPROCS=1"}, "-quiet", "routes.lua")
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	uploaded := make(chan string, 1000)
	body := strings.Repeat("u", 8<<20)
	for range 8 {
		wg.Go(func() {
			c := &http.Client{Timeout: 20 * time.Second}
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "POST", s.url+"/upload", strings.NewReader(body))
				res, err := c.Do(req)
				if err != nil {
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				select {
				case uploaded <- res.Status + " " + string(b):
				default:
				}
			}
		})
	}
	defer func() { stop(); wg.Wait() }()
	if got := <-uploaded; got != "200 OK 8388608" { // the uploads are under way
		t.Fatalf("an upload: %q", got)
	}
	c := client(t)
	var lat []time.Duration
	for range 100 {
		start := time.Now()
		if res, b := do(t, c, "GET", s.url+"/hello", ""); res.StatusCode != 200 || b != "hello" {
			t.Fatalf("hello: %d %q", res.StatusCode, b)
		}
		lat = append(lat, time.Since(start))
	}
	var sum time.Duration
	for _, l := range lat {
		sum += l
	}
	mean := sum / time.Duration(len(lat))
	slices.Sort(lat)
	t.Logf("hello beside 8 uploads: mean %v, median %v, p90 %v, %d uploads done", mean, lat[50], lat[90], len(uploaded)+1)
	if mean > 250*time.Millisecond {
		t.Errorf("a hello route's mean latency beside 8 uploads is %v, want under 250ms (median %v, p90 %v)", mean, lat[50], lat[90])
	}
}
