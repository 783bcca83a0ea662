//go:build !race

package pattern_test

import (
	"testing"

	"github.com/luaserve/luaserve/lua/pattern"
)

// TestCapturesBuffer: a captures buffer with room is used, and a match
// through it allocates nothing.
func TestCapturesBuffer(t *testing.T) {
	p, _ := pattern.Compile("(a)(b)")
	buf := make([]pattern.Capture, 0, 4)
	m, ok, _ := p.Find("xab", 0, buf, nil)
	if !ok || len(m.Captures) != 2 || &m.Captures[0] != &buf[:1][0] {
		t.Fatalf("got %+v", m)
	}
	if n := testing.AllocsPerRun(100, func() { p.Find("xab", 0, buf, nil) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
