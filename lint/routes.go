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
		add := func(format string, args ...any) {
			out = append(out, Finding{r.Where, fmt.Sprintf("%s %s: ", r.Method, r.Pattern) + fmt.Sprintf(format, args...)})
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

// checkUnreachable reports the routes the engine's router can never pick
// (engine.Engine.Unreachable says which and why).
func checkUnreachable(unreachable []engine.RouteInfo) []Finding {
	var out []Finding
	for _, r := range unreachable {
		out = append(out, Finding{r.Where, fmt.Sprintf(
			"%s %s is never reached: for every path under it a more specific static or :param route answers", r.Method, r.Pattern)})
	}
	return out
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
				out = append(out, Finding{m.Where, fmt.Sprintf(
					"app.static(%q) is never reached: the earlier app.static(%q) at %s takes every request under it",
					m.Pattern, prev.Pattern, prev.Where)})
				break
			}
		}
	}
	return out
}
