package engine

import (
	"net/url"
	"testing"

	"github.com/luaserve/luaserve/lua/stdlib"
)

func testRouter(t *testing.T, specs ...[2]string) *router {
	t.Helper()
	rt := &router{}
	for i, s := range specs {
		if err := rt.add(&route{method: s[0], pattern: s[1], index: i, where: stdlib.Place{File: "t.lua", Line: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	return rt
}

func TestRouterMostSpecificWins(t *testing.T) {
	rt := testRouter(t,
		[2]string{"GET", "/files/*path"},
		[2]string{"GET", "/files/:name"},
		[2]string{"GET", "/files/readme"},
		[2]string{"POST", "/files/upload"},
		[2]string{AnyMethod, "/any/:x"},
		[2]string{"GET", "/café/menu"},
		[2]string{"GET", "/"},
		[2]string{"GET", "/a/:b/c"},
		[2]string{"GET", "/a/b/:c"},
	)
	cases := []struct {
		method, path, want string // want: pattern, "405" or "404"
		params             []string
	}{
		{"GET", "/files/readme", "/files/readme", nil},
		{"GET", "/files/other", "/files/:name", []string{"other"}},
		{"GET", "/files/a/b", "/files/*path", []string{"a/b"}},
		{"GET", "/files/", "/files/*path", []string{""}},
		{"GET", "/files/upload", "/files/:name", []string{"upload"}}, // POST-only static: the param route takes GET
		{"POST", "/files/upload", "/files/upload", nil},
		{"POST", "/files/x", "405", nil},
		{"HEAD", "/files/readme", "/files/readme", nil},
		{"DELETE", "/any/1", "/any/:x", []string{"1"}},
		{"GET", "/", "/", nil},
		{"GET", "/a/b/c", "/a/b/:c", []string{"c"}}, // static beats param at the first segment that differs
		{"GET", "/a/x/c", "/a/:b/c", []string{"x"}},
		{"GET", "/nope", "404", nil},
		{"GET", "/files", "404", nil},
		{"GET", "", "404", nil},
		// Segments are decoded one by one: an escaped slash stays inside its
		// segment, an escaped letter matches the static segment.
		{"GET", "/files/a%2Fb", "/files/:name", []string{"a/b"}},
		{"GET", "/files/a%2Fb/c", "/files/*path", []string{"a/b/c"}},
		{"GET", "/files/read%6De", "/files/readme", nil},
		{"GET", "/caf%C3%A9/menu", "/café/menu", nil},
		{"GET", "/a/b%2Fc", "404", nil},
		{"GET", "/a%2Fb/c", "404", nil},
		{"GET", "/a/x%2Fy/c", "/a/:b/c", []string{"x/y"}},
	}
	for _, tc := range cases {
		var m match
		rt.lookup(tc.method, tc.path, make([]span, 0, 8), &m)
		got := "404"
		switch {
		case m.route != nil:
			got = m.route.pattern
		case m.pathMatched:
			got = "405"
		}
		if got != tc.want {
			t.Errorf("%s %s: got %s, want %s", tc.method, tc.path, got, tc.want)
			continue
		}
		for i, p := range tc.params {
			if i >= len(m.params) {
				t.Errorf("%s %s: params %v, want %v", tc.method, tc.path, m.params, tc.params)
				break
			}
			if v, _ := url.PathUnescape(tc.path[m.params[i].start:m.params[i].end]); v != p {
				t.Errorf("%s %s: params %v, want %v", tc.method, tc.path, m.params, tc.params)
			}
		}
	}
	if got := rt.allowed("/files/upload"); got != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("Allow for /files/upload: %q", got)
	}
	if got := rt.allowed("/files/uploa%64"); got != "GET, HEAD, OPTIONS, POST" {
		t.Errorf("Allow for /files/uploa%%64: %q", got)
	}
}

func TestRouterRejectsBadPatterns(t *testing.T) {
	for _, p := range []string{"nope", "/a/:", "/a/*x/b", "/a/:x/:x"} {
		rt := &router{}
		if err := rt.add(&route{method: "GET", pattern: p}); err == nil {
			t.Errorf("pattern %q accepted", p)
		}
	}
	rt := testRouter(t, [2]string{"GET", "/u/:id"})
	if err := rt.add(&route{method: "GET", pattern: "/u/:name", where: stdlib.Place{File: "x.lua", Line: 2}}); err == nil {
		t.Error("the same route with another parameter name was accepted")
	}
}

func TestRouterLookupDoesNotAllocate(t *testing.T) {
	rt := testRouter(t, [2]string{"GET", "/users/:id/posts/:post"}, [2]string{"GET", "/hello"})
	params := make([]span, 0, 8)
	var m match
	n := testing.AllocsPerRun(100, func() {
		rt.lookup("GET", "/users/42/posts/7", params, &m)
		rt.lookup("GET", "/hello", params, &m)
	})
	if n != 0 {
		t.Fatalf("%v allocations per lookup", n)
	}
}
