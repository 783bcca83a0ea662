package engine

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// A route is one registered handler: a method (or AnyMethod), a pattern
// and the index of its function in every state's handler list.
type route struct {
	method  string // AnyMethod for any
	pattern string
	index   int
	// realtime is rtWebSocket or rtStream for app.ws and app.sse routes.
	realtime int
	where    stdlib.Place // of the registration
	params   []string
	node     *node
}

// router matches request paths against patterns: static segments,
// ":name" parameters and a trailing "*name" wildcard. It is built once from
// the first state's registrations and shared, read-only, by all states.
//
// It matches the raw (percent-encoded) path segment by segment, decoding
// each segment before comparing it, as Go's ServeMux does: "/a%2Fb" is one
// segment, "a/b", so a :name parameter can hold a slash and the static
// pattern "/a/b" does not match it. Parameters are spans of the raw path;
// their values are decoded when read (exchange.param).
type router struct {
	routes []*route
	root   node
	// exact holds fully static patterns: Engine.match tries it first, with
	// the request's path bytes when nothing in it is percent-encoded, so
	// that the common case is one map lookup and no string is made. lookup
	// walks the tree for everything else.
	exact map[string]*node
}

// node is one path segment of the pattern tree.
type node struct {
	static   map[string]*node
	param    *node
	wild     *node // "*name": matches the rest of the path
	handlers []*route
}

// add registers a route; it reports malformed patterns and duplicates.
func (rt *router) add(r *route) error {
	if !strings.HasPrefix(r.pattern, "/") {
		return fmt.Errorf("pattern %q must start with /", r.pattern)
	}
	segs := strings.Split(r.pattern[1:], "/")
	n := &rt.root
	for i, s := range segs {
		var err error
		if n, err = n.extend(r, s, i == len(segs)-1); err != nil {
			return err
		}
	}
	if seen := map[string]bool{}; len(r.params) > 1 {
		for _, p := range r.params {
			if seen[p] {
				return fmt.Errorf("pattern %q: parameter %q appears twice", r.pattern, p)
			}
			seen[p] = true
		}
	}
	for _, h := range n.handlers {
		if h.method == r.method && samePattern(h.pattern, r.pattern) {
			return fmt.Errorf("%s %s is already registered at %s", r.method, r.pattern, h.where)
		}
	}
	n.handlers = append(n.handlers, r)
	r.node = n
	if len(r.params) == 0 {
		if rt.exact == nil {
			rt.exact = map[string]*node{}
		}
		rt.exact[r.pattern] = n
	}
	rt.routes = append(rt.routes, r)
	return nil
}

// extend returns the child of n for the pattern segment s of r, made if
// need be, and records r's parameter names.
func (n *node) extend(r *route, s string, last bool) (*node, error) {
	switch {
	case strings.HasPrefix(s, ":"):
		if len(s) == 1 {
			return nil, fmt.Errorf("pattern %q: parameter without a name", r.pattern)
		}
		r.params = append(r.params, s[1:])
		if n.param == nil {
			n.param = &node{}
		}
		return n.param, nil
	case strings.HasPrefix(s, "*"):
		if !last {
			return nil, fmt.Errorf("pattern %q: a wildcard must be the last segment", r.pattern)
		}
		name := s[1:]
		if name == "" {
			name = "*"
		}
		r.params = append(r.params, name)
		if n.wild == nil {
			n.wild = &node{}
		}
		return n.wild, nil
	}
	if n.static == nil {
		n.static = map[string]*node{}
	}
	child := n.static[s]
	if child == nil {
		child = &node{}
		n.static[s] = child
	}
	return child, nil
}

// samePattern compares patterns ignoring parameter names: /a/:x and /a/:y
// are the same route.
func samePattern(a, b string) bool {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		x, y := as[i], bs[i]
		switch {
		case strings.HasPrefix(x, ":") && strings.HasPrefix(y, ":"):
		case strings.HasPrefix(x, "*") && strings.HasPrefix(y, "*"):
		case x != y:
			return false
		}
	}
	return true
}

// span is where a parameter's value sits in the path.
type span struct{ start, end int }

// match is the outcome of a lookup: the route, its parameters, and for a
// path that matches only under other methods, what to put in Allow.
type match struct {
	route  *route
	params []span // into the matched path
	// pathMatched reports that some route matched the path, whatever its
	// method; with route nil that is a 405.
	pathMatched bool
}

// lookup finds the most specific route for method and the raw path: at
// each segment a static match beats a parameter, which beats a wildcard,
// and only routes for method (or any method) count. HEAD falls back to
// GET. params is scratch storage, reused by the caller.
func (rt *router) lookup(method, path string, params []span, m *match) {
	m.route, m.pathMatched = nil, false
	m.params = params[:0]
	if len(path) == 0 || path[0] != '/' {
		return
	}
	rt.root.walk(method, path, 1, m)
}

// walk matches path[pos:] (pos is just past a '/') below n.
func (n *node) walk(method, path string, pos int, m *match) bool {
	seg, end, last := segment(path, pos)
	if child := n.child(seg); child != nil {
		if child.finish(method, path, end, last, m) {
			return true
		}
	}
	if n.param != nil && seg != "" {
		m.params = append(m.params, span{pos, end})
		if n.param.finish(method, path, end, last, m) {
			return true
		}
		m.params = m.params[:len(m.params)-1]
	}
	if n.wild != nil {
		m.params = append(m.params, span{pos, len(path)})
		if r := n.wild.pick(method); r != nil {
			m.route, m.pathMatched = r, true
			return true
		}
		if len(n.wild.handlers) > 0 {
			m.pathMatched = true
		}
		m.params = m.params[:len(m.params)-1]
	}
	return false
}

// segment returns the path segment that starts at pos, where it ends, and
// whether it is the last one.
func segment(path string, pos int) (seg string, end int, last bool) {
	end = strings.IndexByte(path[pos:], '/')
	if end < 0 {
		return path[pos:], len(path), true
	}
	return path[pos : pos+end], pos + end, false
}

// child returns the static child named by a raw segment, decoded when it
// holds an escape (httpcore has refused malformed ones).
func (n *node) child(seg string) *node {
	if n.static == nil {
		return nil
	}
	if strings.IndexByte(seg, '%') >= 0 {
		d, err := url.PathUnescape(seg)
		if err != nil {
			return nil
		}
		seg = d
	}
	return n.static[seg]
}

// finish continues below n after a segment ending at end.
func (n *node) finish(method, path string, end int, last bool, m *match) bool {
	if !last {
		return n.walk(method, path, end+1, m)
	}
	if len(n.handlers) == 0 {
		return false
	}
	m.pathMatched = true
	if r := n.pick(method); r != nil {
		m.route = r
		return true
	}
	return false
}

// pick returns n's handler for method: an exact method first, then GET for
// HEAD, then a route for any method.
func (n *node) pick(method string) *route {
	var get, any *route
	for _, r := range n.handlers {
		switch r.method {
		case method:
			return r
		case "GET":
			get = r
		case AnyMethod:
			any = r
		}
	}
	if method == "HEAD" && get != nil {
		return get
	}
	return any
}

// allowed lists the methods that some route accepts for the raw path, for the
// Allow header of a 405 (RFC 9110, section 15.5.6).
func (rt *router) allowed(path string) string {
	set := map[string]bool{}
	var collect func(n *node, pos int)
	collect = func(n *node, pos int) {
		seg, end, last := segment(path, pos)
		visit := func(c *node) {
			if c == nil {
				return
			}
			if !last {
				collect(c, end+1)
				return
			}
			for _, r := range c.handlers {
				set[r.method] = true
			}
		}
		visit(n.child(seg))
		if seg != "" {
			visit(n.param)
		}
		if n.wild != nil {
			for _, r := range n.wild.handlers {
				set[r.method] = true
			}
		}
	}
	if strings.HasPrefix(path, "/") {
		collect(&rt.root, 1)
	}
	if set[AnyMethod] {
		return ""
	}
	if set["GET"] {
		set["HEAD"] = true
	}
	set["OPTIONS"] = true
	methods := make([]string, 0, len(set))
	for k := range set {
		methods = append(methods, k)
	}
	sort.Strings(methods)
	return strings.Join(methods, ", ")
}

// unreachable lists the *wildcard routes that more specific routes leave no
// path to, for "luaserve check". Static and :param routes are always
// reachable: a path following their own segments, with a value no sibling
// names at each parameter, is theirs. A wildcard is not, when for its
// method every rest of a path below its parent is answered by a static or
// :param route first (see covered).
func (rt *router) unreachable() []*route {
	var out []*route
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if n.wild != nil {
			for _, r := range n.wild.handlers {
				m := r.method
				if m == AnyMethod {
					m = unusedMethod // what reaches an any-route: a method nobody names
				}
				if n.covered(m) {
					out = append(out, r)
				}
			}
		}
		for _, c := range n.static {
			walk(c)
		}
		walk(n.param)
		walk(n.wild)
	}
	walk(&rt.root)
	sort.Slice(out, func(i, j int) bool { return out[i].index < out[j].index })
	return out
}

// unusedMethod is a method no script registers.
const unusedMethod = "LUASERVE-UNUSED"

// covered reports whether, for method m, every rest of a path below n (the
// part after the '/' that follows n's segment) is answered by a static or
// :param route, so that n's wildcard is never tried. A parameter matches
// any non-empty segment, so it must answer both as the last segment and
// with more after it; an empty segment ("/a/", "/a//b") skips parameters,
// so the static "" child must answer it too.
func (n *node) covered(m string) bool {
	p, e := n.param, n.static[""]
	return p.answers(m) && p.answersAll(m) && e.answers(m) && e.answersAll(m)
}

// answers reports whether a path ending at n has a route for method m.
func (n *node) answers(m string) bool { return n != nil && n.pick(m) != nil }

// answersAll reports whether every rest of a path below n has a route.
func (n *node) answersAll(m string) bool {
	return n.wild.answers(m) || n.covered(m)
}
