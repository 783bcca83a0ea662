package tests

import (
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// TestMemoryWatchdog: a route that grows a string by concatenation (".."
// charges no budget: the VM allocates it) is stopped with a 500 once the
// live heap passes MaxMemory, and the server serves on. The limit is low
// (64 MiB) because every MiB the route reaches is mapped afresh, which is
// slow on a virtual machine, slower still under the race detector: at
// 192 MiB the route took 9 s there alone and passed the client's 20 s
// beside other packages' tests.
func TestMemoryWatchdog(t *testing.T) {
	s := startSource(t, `
local app = require("luaserve")
app.get("/grow", function()
  local s = "0123456789abcdef"
  for i = 1, 26 do s = s .. s end -- up to 1 GiB
  return tostring(#s)
end)
app.get("/ok", function() return "ok" end)
`, engine.Config{Workers: 2, MaxMemory: 64 << 20})
	c := client(t)
	res, body := do(t, c, "GET", s.url+"/grow", "")
	if res.StatusCode != 500 {
		t.Fatalf("/grow: %d %q, want 500", res.StatusCode, body)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "memory limit exceeded") {
		t.Fatalf("log lacks the reason:\n%s", logs)
	}
	if _, body := do(t, c, "GET", s.url+"/ok", ""); body != "ok" {
		t.Fatalf("/ok after the stop: %q", body)
	}
}
