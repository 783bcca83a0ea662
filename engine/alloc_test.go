//go:build !race

package engine

import "testing"

// TestLuaRequestAllocs holds a whole Lua request through the engine, from
// the socket to the route and back (client included), to its allocation
// count, as httpcore's TestZeroAllocsPerRequest holds the core to none.
// hello: none (its route takes no arguments, so no request table is made).
// json: the request table, its params and query
// tables, the values read, the response table and the encoded body; most
// are gopher-lua's own (a string key costs it several). Lower is welcome:
// then lower the ceiling.
func TestLuaRequestAllocs(t *testing.T) {
	addr := benchServer(t)
	for _, tc := range []struct {
		name, req string
		ceiling   float64
	}{
		{"hello", "GET /hello HTTP/1.1\r\nHost: b\r\n\r\n", 0},
		{"json", "GET /users/42?fields=name,email HTTP/1.1\r\nHost: b\r\n\r\n", 35},
	} {
		rt := newRoundTrip(t, addr, tc.req)
		for range 100 {
			rt.do(t)
		}
		n := testing.AllocsPerRun(500, func() { rt.do(t) })
		if n > tc.ceiling {
			t.Errorf("%s: %v allocations per request, want at most %v", tc.name, n, tc.ceiling)
		} else if n < tc.ceiling {
			t.Logf("%s: %v allocations per request, below the ceiling of %v: lower it", tc.name, n, tc.ceiling)
		}
	}
}
