package lint

import (
	"fmt"
	"strings"

	"github.com/luaserve/luaserve/engine"
)

// checkPatterns reports route patterns that cannot match what they seem to.
func checkPatterns(routes []engine.RouteInfo) []Finding {
	var out []Finding
	for _, r := range routes {
		file, line := splitWhere(r.Where)
		add := func(format string, args ...any) {
			out = append(out, Finding{file, line, fmt.Sprintf("%s %s: ", method(r.Method), r.Pattern) + fmt.Sprintf(format, args...)})
		}
		if strings.ContainsAny(r.Pattern, "?#") {
			add("the query string and fragment are not part of the path, so this matches only a path with a literal '?' or '#' (read req.query instead)")
			continue
		}
		if i := strings.IndexByte(r.Pattern, '%'); i >= 0 && i+2 < len(r.Pattern) && isHex(r.Pattern[i+1]) && isHex(r.Pattern[i+2]) {
			add("patterns match the decoded path: write the character itself, not %s", r.Pattern[i:i+3])
		}
		for _, seg := range strings.Split(r.Pattern[1:], "/") {
			switch {
			case strings.HasPrefix(seg, ":"):
				if !isName(seg[1:]) {
					add("parameter %q takes the whole segment and is named %q (a parameter cannot have a prefix or suffix)", seg, seg[1:])
				}
			case strings.HasPrefix(seg, "*"):
			case strings.ContainsAny(seg, ":*"):
				add("segment %q is matched literally: a :parameter or *wildcard must be a whole segment", seg)
			}
		}
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func method(m string) string {
	if m == "*" {
		return "ANY"
	}
	return m
}

// tree mirrors the engine's route tree (engine/router.go), with each
// node's methods instead of its handlers.
type tree struct {
	static  map[string]*tree
	param   *tree
	wild    *tree
	methods map[string]bool
}

func (t *tree) insert(pattern, method string) *tree {
	n := t
	for _, s := range strings.Split(pattern[1:], "/") {
		switch {
		case strings.HasPrefix(s, ":"):
			if n.param == nil {
				n.param = &tree{}
			}
			n = n.param
		case strings.HasPrefix(s, "*"):
			if n.wild == nil {
				n.wild = &tree{}
			}
			n = n.wild
		default:
			if n.static == nil {
				n.static = map[string]*tree{}
			}
			if n.static[s] == nil {
				n.static[s] = &tree{}
			}
			n = n.static[s]
		}
	}
	if n.methods == nil {
		n.methods = map[string]bool{}
	}
	n.methods[method] = true
	return n
}

// picks reports whether a request with method m ending at n has a route,
// as the router's pick does: the method itself, GET for HEAD, or any.
func (n *tree) picks(m string) bool {
	return n != nil && (n.methods[m] || m == "HEAD" && n.methods["GET"] || n.methods["*"])
}

// covered reports whether, for method m, every rest of a path below n
// (the part after the '/' that follows n's segment) is answered by a
// static or :param route, so that n's wildcard is never tried. A
// parameter matches any non-empty segment, so it must answer both as the
// last segment and with more segments after it; an empty segment ("/a/",
// "/a//b") skips parameters, so the static "" child must answer it too.
func (n *tree) covered(m string) bool {
	p, e := n.param, n.static[""]
	return p.picks(m) && p.answersAll(m) && e.picks(m) && e.answersAll(m)
}

// answersAll reports whether every rest of a path below n has a route.
func (n *tree) answersAll(m string) bool {
	return n.wild.picks(m) || n.covered(m)
}

// exoticMethod is a method no script registers: what reaches app.any
// routes when every usual method has its own route.
const exoticMethod = "LUASERVE-CHECK"

// checkUnreachable reports *wildcard routes that more specific routes
// leave no path to (see covered). Static and :param routes are always
// reachable: a path that follows their own segments, with a value that no
// sibling route names at each parameter, is theirs.
func checkUnreachable(routes []engine.RouteInfo) []Finding {
	root := &tree{}
	parents := make([]*tree, len(routes))
	for i, r := range routes {
		if !strings.HasPrefix(r.Pattern, "/") {
			continue
		}
		parents[i] = parentOf(root, r.Pattern)
		root.insert(r.Pattern, r.Method)
	}
	var out []Finding
	for i, r := range routes {
		last := r.Pattern[strings.LastIndexByte(r.Pattern, '/')+1:]
		if parents[i] == nil || !strings.HasPrefix(last, "*") {
			continue
		}
		m := r.Method
		if m == "*" {
			m = exoticMethod
		}
		if parents[i].covered(m) {
			file, line := splitWhere(r.Where)
			out = append(out, Finding{file, line, fmt.Sprintf(
				"%s %s is never reached: for every path under it a more specific static or :param route answers", method(r.Method), r.Pattern)})
		}
	}
	return out
}

// parentOf returns the node whose wildcard a pattern ending in *name is.
func parentOf(root *tree, pattern string) *tree {
	i := strings.LastIndexByte(pattern, '/')
	if i <= 0 {
		return root
	}
	n := root
	for _, s := range strings.Split(pattern[1:i], "/") {
		switch {
		case strings.HasPrefix(s, ":"):
			if n.param == nil {
				n.param = &tree{}
			}
			n = n.param
		default:
			if n.static == nil {
				n.static = map[string]*tree{}
			}
			if n.static[s] == nil {
				n.static[s] = &tree{}
			}
			n = n.static[s]
		}
	}
	return n
}

// checkMounts reports an app.static mount whose prefix lies under an
// earlier mount's: the engine hands a request to the first mount whose
// prefix matches, which answers with its file or passes the request to
// the routes, so the later mount never sees a request.
func checkMounts(mounts []engine.RouteInfo) []Finding {
	var out []Finding
	for i, m := range mounts {
		for _, prev := range mounts[:i] {
			if strings.HasPrefix(m.Pattern, prev.Pattern) {
				file, line := splitWhere(m.Where)
				out = append(out, Finding{file, line, fmt.Sprintf(
					"app.static(%q) is never reached: the earlier app.static(%q) at %s takes every request under it",
					m.Pattern, prev.Pattern, prev.Where)})
				break
			}
		}
	}
	return out
}
