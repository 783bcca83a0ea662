//go:build !race

package httpcore

import "testing"

// TestZeroAllocsPerRequest is the allocation contract: once warm, a
// keep-alive request (parse a browser GET, call the handler, write a small
// response) allocates nothing, server and client counted together.
func TestZeroAllocsPerRequest(t *testing.T) {
	addr := startServer(t, &Server{Handler: hello})
	rt := newRoundTripper(t, addr, browserGET, 1)
	for range 100 {
		rt.do(t)
	}
	if n := testing.AllocsPerRun(1000, func() { rt.do(t) }); n != 0 {
		t.Fatalf("%v allocations per request, want 0", n)
	}
}

func TestZeroAllocsPipelined(t *testing.T) {
	addr := startServer(t, &Server{Handler: hello})
	rt := newRoundTripper(t, addr, browserGET, 3)
	for range 100 {
		rt.do(t)
	}
	if n := testing.AllocsPerRun(500, func() { rt.do(t) }); n != 0 {
		t.Fatalf("%v allocations per 3 pipelined requests, want 0", n)
	}
}

// TestCookiesNoAllocs: ranging over Cookies allocates nothing.
func TestCookiesNoAllocs(t *testing.T) {
	raw := wire("GET / HTTP/1.1\nHost: x\nCookie: a=1; b=\"2\"\nCookie: c=3\n\n")
	req, _, _, err := parseRaw(&Server{}, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	n := testing.AllocsPerRun(100, func() {
		for name, value := range req.Cookies() {
			total += len(name) + len(value)
		}
	})
	if n != 0 {
		t.Fatalf("%v allocations per iteration, want 0", n)
	}
	if total == 0 {
		t.Fatal("no cookies seen")
	}
}
