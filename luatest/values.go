package luatest

import (
	"sort"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// show formats a Lua value for a failure message, as Lua source where it
// can: strings quoted, tables as constructors with sorted keys.
func show(v lua.LValue) string {
	var b strings.Builder
	writeValue(&b, v, 0, map[*lua.LTable]bool{})
	s := b.String()
	if len(s) > 2000 {
		s = s[:2000] + "..."
	}
	return s
}

func writeValue(b *strings.Builder, v lua.LValue, depth int, seen map[*lua.LTable]bool) {
	switch v := v.(type) {
	case lua.LString:
		b.WriteString(strconv.Quote(string(v)))
	case *lua.LTable:
		if seen[v] || depth > 8 {
			b.WriteString("{...}")
			return
		}
		seen[v] = true
		defer delete(seen, v)
		n := v.Len()
		keys := tableKeys(v)
		if len(keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if num, ok := k.(lua.LNumber); !ok || float64(num) != float64(i+1) || i >= n {
				if s, ok := k.(lua.LString); ok && isIdent(string(s)) {
					b.WriteString(string(s))
				} else {
					b.WriteString("[")
					writeValue(b, k, depth+1, seen)
					b.WriteString("]")
				}
				b.WriteString(" = ")
			}
			writeValue(b, v.RawGet(k), depth+1, seen)
		}
		b.WriteString("}")
	case *lua.LUserData:
		if json.IsNull(v) {
			b.WriteString("json.null")
			return
		}
		b.WriteString(v.String())
	default:
		b.WriteString(v.String())
	}
}

// tableKeys lists a table's keys: 1..n first, then the others sorted by
// their printed form.
func tableKeys(t *lua.LTable) []lua.LValue {
	n := t.Len()
	var keys, rest []lua.LValue
	for i := 1; i <= n; i++ {
		keys = append(keys, lua.LNumber(i))
	}
	t.ForEach(func(k, _ lua.LValue) {
		if num, ok := k.(lua.LNumber); ok && float64(num) == float64(int(num)) && int(num) >= 1 && int(num) <= n {
			return
		}
		rest = append(rest, k)
	})
	sort.Slice(rest, func(i, j int) bool { return rest[i].String() < rest[j].String() })
	return append(keys, rest...)
}

func isIdent(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
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

// diff returns "" when a and b are deeply equal, else the path to the
// first difference ("" for the values themselves is reported as ".").
// Tables compare by contents, ignoring metatables; other values by ==.
func diff(a, b lua.LValue, path string, depth int) (string, bool) {
	ta, okA := a.(*lua.LTable)
	tb, okB := b.(*lua.LTable)
	if !okA || !okB {
		if a == b { // strings, numbers and booleans compare by value
			return "", true
		}
		return path, false
	}
	if ta == tb || depth > 100 {
		return "", true
	}
	for _, k := range tableKeys(ta) {
		if p, eq := diff(ta.RawGet(k), tb.RawGet(k), path+keyPath(k), depth+1); !eq {
			return p, false
		}
	}
	for _, k := range tableKeys(tb) {
		if ta.RawGet(k) == lua.LNil {
			return path + keyPath(k), false
		}
	}
	return "", true
}

func keyPath(k lua.LValue) string {
	if s, ok := k.(lua.LString); ok && isIdent(string(s)) {
		return "." + string(s)
	}
	return "[" + show(k) + "]"
}
