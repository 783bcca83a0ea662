package tests

import (
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// TestMemoryWatchdog: a route that grows a string by concatenation (".."
// charges no budget: the VM allocates it) is stopped with a 500 once the
// live heap passes MaxMemory, and the server serves on.
func TestMemoryWatchdog(t *testing.T) {
	s := startSource(t, `
local app = require("luaserve")
app.get("/grow", function()
  local s = "0123456789abcdef"
  for i = 1, 26 do s = s .. s end -- up to 1 GiB
  return tostring(#s)
end)
app.get("/ok", function() return "ok" end)
`, engine.Config{Workers: 2, MaxMemory: 192 << 20})
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
