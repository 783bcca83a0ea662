package tests

import (
	"strings"
	"testing"
)

// TestCLIErrorLogThrottled: a route failing on every request wrote about
// 9 MB/s of identical tracebacks; the command's log passes an identical
// error five times per ten seconds and counts the rest.
func TestCLIErrorLogThrottled(t *testing.T) {
	t.Parallel()
	dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
app.get("/boom", function() error("kaboom") end)
app.get("/ok", function() return "ok" end)
`)
	s := startCLI(t, dir, "-quiet", "routes.lua")
	c := client(t)
	for range 50 {
		if res, _ := do(t, c, "GET", s.url+"/boom", ""); res.StatusCode != 500 {
			t.Fatalf("status %d", res.StatusCode)
		}
	}
	// The last request's log line is written before its response is sent.
	if _, body := do(t, c, "GET", s.url+"/ok", ""); body != "ok" {
		t.Fatalf("/ok: %q", body)
	}
	if n := strings.Count(s.stderr.String(), "route failed"); n != 5 {
		t.Fatalf("%d route-failed lines for 50 identical failures, want 5:\n%s", n, s.stderr.String())
	}
}
